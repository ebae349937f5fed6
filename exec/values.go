package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/kernels"
)

// ValuesExec produces constant rows in one partition, as one batch built at Execute.
// Rows[i][j] is a Go value as in planner.Literal.
type ValuesExec struct {
	Rows   [][]any
	schema *arrow.Schema
}

// NewValuesExec builds a constant relation.
func NewValuesExec(rows [][]any, schema *arrow.Schema) *ValuesExec {
	return &ValuesExec{Rows: rows, schema: schema}
}

func (v *ValuesExec) Schema() *arrow.Schema      { return v.schema }
func (v *ValuesExec) Children() []Node           { return nil }
func (v *ValuesExec) Partitioning() Partitioning { return Partitioning{Kind: SinglePartition, N: 1} }
func (v *ValuesExec) String() string             { return fmt.Sprintf("Values: %d rows", len(v.Rows)) }

func (v *ValuesExec) Execute(tc *TaskContext, p int) (Operator, error) {
	return &valuesOp{node: v}, nil
}

type valuesOp struct {
	node *ValuesExec
	done bool
}

func (o *valuesOp) Open(tc *TaskContext) error { return nil }
func (o *valuesOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if o.done {
		return nil, nil
	}
	o.done = true
	n := len(o.node.Rows)
	cols := make([]arrow.Array, o.node.schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for j := range cols {
		parts := make([]arrow.Array, n)
		for i, row := range o.node.Rows {
			a, err := kernels.MakeConstant(tc.Mem, row[j], o.node.schema.Field(j).Type, 1)
			if err != nil {
				for _, x := range parts[:i] {
					x.Release()
				}
				return nil, err
			}
			parts[i] = a
		}
		if n == 0 {
			a, err := kernels.MakeConstant(tc.Mem, nil, o.node.schema.Field(j).Type, 0)
			if err != nil {
				return nil, err
			}
			cols[j] = a
			continue
		}
		c, err := array.Concatenate(parts, tc.Mem)
		for _, x := range parts {
			x.Release()
		}
		if err != nil {
			return nil, err
		}
		cols[j] = c
	}
	return array.NewRecordBatch(o.node.schema, cols, int64(n)), nil
}
func (o *valuesOp) Close() error { return nil }
