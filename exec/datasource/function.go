package datasource

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// functionSource reads the table of a table function call (planner.FunctionTable): one
// split per part of the bound udf.FunctionTable.
type functionSource struct {
	t *planner.FunctionTable
}

// functionSplit is part index of a function source.
type functionSplit struct {
	src   *functionSource
	index int
}

func (s *functionSplit) String() string {
	return fmt.Sprintf("%s part %d", s.src.t.ExplainName(), s.index)
}

// NewFunctionSource returns a Source over a bound table function call: Splits lists one
// split per part (FunctionTable.Parts), and a Reader runs FunctionTable.Read for its part on
// a goroutine of its own, handing batches over a channel (at most one batch waits in it)
// so that the function streams rather than materializes its part. Readers return the
// requested columns in batches of at most ReadOptions.BatchSize rows (bigger batches of
// the function are sliced without copying), allocated by the function from
// ReadOptions.Mem; the caller owns each batch. A batch that does not match the schema, an
// error of Read and a panic in Read are execution errors naming the function.
func NewFunctionSource(t *planner.FunctionTable) Source { return &functionSource{t: t} }

func (s *functionSource) Name() string               { return s.t.Name() }
func (s *functionSource) ArrowSchema() *arrow.Schema { return s.t.ArrowSchema() }

// ExplainName shows the call: range(10).
func (s *functionSource) ExplainName() string { return s.t.ExplainName() }

// Statistics passes the call's statistics on to the optimizer's estimates.
func (s *functionSource) Statistics() *planner.TableStats { return s.t.Statistics() }

func (s *functionSource) Splits(ctx context.Context) ([]Split, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	n := s.t.Table.Parts()
	if n < 0 {
		return nil, errs.Internalf("table function %s has %d parts", s.t.ExplainName(), n)
	}
	splits := make([]Split, n)
	for i := range splits {
		splits[i] = &functionSplit{src: s, index: i}
	}
	return splits, nil
}

func (s *functionSource) Open(ctx context.Context, split Split, columns []int, opts ReadOptions) (Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	schema := s.t.ArrowSchema()
	proj, err := projectSchema(s.t.ExplainName(), schema, columns)
	if err != nil {
		return nil, err
	}
	fs, ok := split.(*functionSplit)
	if !ok || fs.src != s {
		return nil, errs.Internalf("table function %s: split %v does not belong to this source", s.t.ExplainName(), split)
	}
	opts = opts.withDefaults()
	rctx, cancel := context.WithCancel(ctx)
	r := &functionReader{cancel: cancel, out: make(chan arrow.RecordBatch, 1)}
	p := &functionPart{src: s, ctx: rctx, schema: schema, proj: proj, columns: columns, batchSize: opts.BatchSize, out: r.out}
	go func() {
		defer close(r.out) // after err is set: Next reads err once out is closed
		defer func() {
			if v := recover(); v != nil {
				r.err = errs.Execf("table function %s panicked: %v", s.t.ExplainName(), v)
			}
		}()
		err := s.t.Table.Read(rctx, fs.index, opts.Mem, opts.BatchSize, p.emit)
		switch {
		case err == nil:
		case errs.KindOf(err) != nil:
			r.err = err
		default:
			r.err = errs.Wrap(errs.ErrExecution, err, "table function %s", s.t.ExplainName())
		}
	}()
	return r, nil
}

// functionPart is the producing side of one reader: the emit callback of Read.
type functionPart struct {
	src       *functionSource
	ctx       context.Context
	schema    *arrow.Schema // the function's
	proj      *arrow.Schema // the reader's (the requested columns)
	columns   []int
	batchSize int
	out       chan<- arrow.RecordBatch
}

// emit takes ownership of b: it sends projections of b, in slices of at most batchSize
// rows (each holding its own references), and releases b. A batch of no rows is dropped.
func (p *functionPart) emit(b arrow.RecordBatch) error {
	if b == nil {
		return errs.Execf("table function %s emitted a nil batch", p.src.t.ExplainName())
	}
	defer b.Release()
	if err := p.check(b); err != nil {
		return err
	}
	rows := b.NumRows()
	for off := int64(0); off < rows; off += int64(p.batchSize) {
		n := min(int64(p.batchSize), rows-off)
		cols := make([]arrow.Array, len(p.columns))
		for i, c := range p.columns {
			col := b.Column(c)
			if off == 0 && n == rows {
				col.Retain()
				cols[i] = col
			} else {
				cols[i] = array.NewSlice(col, off, off+n)
			}
		}
		out := array.NewRecordBatch(p.proj, cols, n)
		releaseArrays(cols)
		select {
		case p.out <- out: // the reader's caller owns it now
		case <-p.ctx.Done():
			out.Release()
			return errs.Canceled(p.ctx.Err())
		}
	}
	return nil
}

// check refuses a batch whose columns differ from the function's schema.
func (p *functionPart) check(b arrow.RecordBatch) error {
	if int(b.NumCols()) != p.schema.NumFields() {
		return errs.Execf("table function %s emitted a batch of %d columns; its schema has %d",
			p.src.t.ExplainName(), b.NumCols(), p.schema.NumFields())
	}
	for i, f := range p.schema.Fields() {
		col := b.Column(i)
		if !arrow.TypeEqual(col.DataType(), f.Type) {
			return errs.Execf("table function %s emitted column %q as %s; its schema says %s",
				p.src.t.ExplainName(), f.Name, col.DataType(), f.Type)
		}
		if !f.Nullable && col.NullN() > 0 {
			return errs.Execf("table function %s emitted NULLs in column %q, which its schema declares NOT NULL",
				p.src.t.ExplainName(), f.Name)
		}
		if int64(col.Len()) != b.NumRows() {
			return errs.Execf("table function %s emitted column %q of %d rows in a batch of %d",
				p.src.t.ExplainName(), f.Name, col.Len(), b.NumRows())
		}
	}
	return nil
}

// functionReader is the consuming side: Next receives what emit sent.
type functionReader struct {
	cancel context.CancelFunc
	out    chan arrow.RecordBatch // closed when Read has returned
	err    error                  // Read's outcome; written before out is closed
}

// Next returns the next batch, owned by the caller; (nil, nil) at the end, or Read's error.
func (r *functionReader) Next() (arrow.RecordBatch, error) {
	b, ok := <-r.out
	if !ok {
		return nil, r.err
	}
	return b, nil
}

// Close stops the function (its next emit fails and its context is canceled), releases the
// batches it still sent, and waits until Read has returned, so that nothing of the reader
// runs after Close. Idempotent.
func (r *functionReader) Close() error {
	r.cancel()
	for b := range r.out {
		b.Release()
	}
	return nil
}
