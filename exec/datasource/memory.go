package datasource

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember/internal/errs"
)

// memorySource is a table held in memory as Arrow batches.
type memorySource struct {
	name   string
	schema *arrow.Schema

	mu    sync.RWMutex
	parts [][]arrow.RecordBatch // parts[i] are the batches of split i; nil after Release
}

// memorySplit is share i of a memory source.
type memorySplit struct {
	src   *memorySource
	index int
}

func (s *memorySplit) String() string { return fmt.Sprintf("memory split %d", s.index) }

// NewMemory returns a source over batches, which must all have the given schema. It
// retains every batch (the caller keeps its own references) and deals them round-robin
// into max(splits, 1) splits: batch i belongs to split i % splits.
//
// The returned Source also has a Release() method that drops the retained batches; the
// owner (the catalog, a test) calls it when the table goes away. Open after Release fails.
// Readers hand out zero-copy slices of the batches; opts.Mem is not used.
func NewMemory(name string, schema *arrow.Schema, batches []arrow.RecordBatch, splits int) Source {
	if splits < 1 {
		splits = 1
	}
	s := &memorySource{name: name, schema: schema, parts: make([][]arrow.RecordBatch, splits)}
	for i, b := range batches {
		b.Retain()
		s.parts[i%splits] = append(s.parts[i%splits], b)
	}
	return s
}

func (s *memorySource) Name() string               { return s.name }
func (s *memorySource) ArrowSchema() *arrow.Schema { return s.schema }

// Release drops the references NewMemory took. It is idempotent.
func (s *memorySource) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, part := range s.parts {
		for _, b := range part {
			b.Release()
		}
	}
	s.parts = nil
}

func (s *memorySource) Splits(ctx context.Context) ([]Split, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.parts == nil {
		return nil, errs.Internalf("memory table %s used after Release", s.name)
	}
	splits := make([]Split, len(s.parts))
	for i := range s.parts {
		splits[i] = &memorySplit{src: s, index: i}
	}
	return splits, nil
}

func (s *memorySource) Open(ctx context.Context, split Split, columns []int, opts ReadOptions) (Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	proj, err := projectSchema(s.name, s.schema, columns)
	if err != nil {
		return nil, err
	}
	ms, ok := split.(*memorySplit)
	if !ok || ms.src != s {
		return nil, errs.Internalf("memory table %s: split %v does not belong to this source", s.name, split)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.parts == nil {
		return nil, errs.Internalf("memory table %s used after Release", s.name)
	}
	// The reader takes its own references so that Release during a scan is safe.
	batches := append([]arrow.RecordBatch(nil), s.parts[ms.index]...)
	for _, b := range batches {
		b.Retain()
	}
	return &memoryReader{src: s, schema: proj, columns: columns, batches: batches,
		batchSize: opts.withDefaults().BatchSize}, nil
}

// memoryReader slices its batches into batches of at most batchSize rows.
type memoryReader struct {
	src       *memorySource
	schema    *arrow.Schema // projected
	columns   []int
	batches   []arrow.RecordBatch // retained; released by Close
	batchSize int
	pos       int   // current batch
	off       int64 // next row of the current batch
}

func (r *memoryReader) Next() (arrow.RecordBatch, error) {
	for r.pos < len(r.batches) && r.off >= r.batches[r.pos].NumRows() {
		r.pos++
		r.off = 0
	}
	if r.pos >= len(r.batches) {
		return nil, nil
	}
	b := r.batches[r.pos]
	if int(b.NumCols()) != r.src.schema.NumFields() {
		return nil, errs.Internalf("memory table %s: batch %d has %d columns, schema has %d",
			r.src.name, r.pos, b.NumCols(), r.src.schema.NumFields())
	}
	n := min(int64(r.batchSize), b.NumRows()-r.off)
	cols := make([]arrow.Array, len(r.columns))
	for i, c := range r.columns {
		col := b.Column(c)
		if !arrow.TypeEqual(col.DataType(), r.schema.Field(i).Type) {
			releaseArrays(cols[:i])
			return nil, errs.Internalf("memory table %s: column %q is %s in a batch, %s in the schema",
				r.src.name, r.schema.Field(i).Name, col.DataType(), r.schema.Field(i).Type)
		}
		if r.off == 0 && n == b.NumRows() {
			col.Retain()
			cols[i] = col
		} else {
			cols[i] = array.NewSlice(col, r.off, r.off+n)
		}
	}
	r.off += n
	out := array.NewRecordBatch(r.schema, cols, n)
	releaseArrays(cols)
	return out, nil
}

func (r *memoryReader) Close() error {
	for _, b := range r.batches {
		b.Release()
	}
	r.batches = nil
	return nil
}

// releaseArrays releases every non-nil array.
func releaseArrays(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}
