package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/datasource"
)

// ScanExec reads a data source. Its splits (files, row groups) are dealt round-robin over N
// partitions: partition p reads splits p, p+N, p+2N... in order. Output partitioning: any(N).
// Only the projected columns are read. The source's batches go to the caller as they are
// (a batch of zero columns keeps its row count, for count(*) over no columns).
type ScanExec struct {
	Source  datasource.Source
	Columns []int // ordinals of Source.ArrowSchema() to read, in output order
	Splits  []datasource.Split
	N       int
	schema  *arrow.Schema
}

// NewScanExec builds a scan over splits dealt into n partitions (at least 1).
func NewScanExec(src datasource.Source, columns []int, splits []datasource.Split, n int) *ScanExec {
	if n < 1 {
		n = 1
	}
	if len(splits) > 0 && n > len(splits) {
		n = len(splits)
	}
	full := src.ArrowSchema()
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = full.Field(c)
	}
	return &ScanExec{Source: src, Columns: columns, Splits: splits, N: n, schema: arrow.NewSchema(fields, nil)}
}

func (s *ScanExec) Schema() *arrow.Schema      { return s.schema }
func (s *ScanExec) Children() []Node           { return nil }
func (s *ScanExec) Partitioning() Partitioning { return Partitioning{Kind: AnyPartitioning, N: s.N} }
func (s *ScanExec) String() string {
	names := make([]string, len(s.Columns))
	for i := range s.Columns {
		names[i] = s.schema.Field(i).Name
	}
	return fmt.Sprintf("Scan: %s [%s] splits=%d", s.Source.Name(), strings.Join(names, ", "), len(s.Splits))
}

func (s *ScanExec) Execute(tc *TaskContext, p int) (Operator, error) {
	var mine []datasource.Split
	for i := p; i < len(s.Splits); i += s.N {
		mine = append(mine, s.Splits[i])
	}
	return &scanOp{node: s, splits: mine}, nil
}

type scanOp struct {
	node   *ScanExec
	splits []datasource.Split
	cur    datasource.Reader
}

func (o *scanOp) Open(tc *TaskContext) error { return nil }

func (o *scanOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		if o.cur == nil {
			if len(o.splits) == 0 {
				return nil, nil
			}
			r, err := o.node.Source.Open(tc.Ctx, o.splits[0], o.node.Columns, datasource.ReadOptions{BatchSize: tc.BatchSize, Mem: tc.Mem})
			if err != nil {
				return nil, err
			}
			o.splits = o.splits[1:]
			o.cur = r
		}
		b, err := o.cur.Next()
		if err != nil {
			return nil, err
		}
		if b != nil {
			if !b.Schema().Equal(o.node.schema) {
				// Sources may name fields differently (e.g. metadata); give the batch the
				// plan's schema without copying the columns.
				nb := array.NewRecordBatch(o.node.schema, b.Columns(), b.NumRows())
				b.Release()
				b = nb
			}
			return b, nil
		}
		if err := o.cur.Close(); err != nil {
			o.cur = nil
			return nil, err
		}
		o.cur = nil
	}
}

func (o *scanOp) Close() error {
	if o.cur != nil {
		err := o.cur.Close()
		o.cur = nil
		return err
	}
	return nil
}
