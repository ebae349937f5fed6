package planner

import (
	"fmt"
	"strings"
)

// MapPartitions runs a registered Go function (a udf.PartitionFunc, looked up by FuncName in
// the session's registry when the plan is executed) over each partition of its input's
// batches, like Spark's mapPartitions / mapInArrow. Its output is Out: fresh columns the
// function fills, in no relation to the input's rows (any number of rows, in the function's
// order); none of the input's columns passes through.
//
// The node is opaque to the optimizer: the function may read every input column and its
// result depends on which rows reach it, so rules neither prune the input's columns, push
// filters or limits through it, nor infer anything about its output from its input.
type MapPartitions struct {
	Input    Plan
	FuncName string
	Out      []Column
}

// NewMapPartitions validates the node: a function name, at least one output column (a
// batch carries its row count in its columns), each with a type, and IDs neither repeated
// nor taken from the input (create them with NewColumn).
func NewMapPartitions(input Plan, funcName string, out []Column) (*MapPartitions, error) {
	if input == nil {
		return nil, fmt.Errorf("map_partitions: no input")
	}
	if strings.TrimSpace(funcName) == "" {
		return nil, fmt.Errorf("map_partitions: empty function name")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("map_partitions %s: no output columns", funcName)
	}
	in := input.Schema()
	seen := make(map[ColumnID]bool, len(out))
	for _, c := range out {
		if c.Type == nil {
			return nil, fmt.Errorf("map_partitions %s: output column %s has no type", funcName, c.Name)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("map_partitions %s: output column %s repeats a column ID", funcName, c.Name)
		}
		seen[c.ID] = true
		if in.IndexOf(c.ID) >= 0 {
			return nil, fmt.Errorf("map_partitions %s: output column %s is an input column; create output columns with NewColumn", funcName, c.Name)
		}
	}
	return &MapPartitions{Input: input, FuncName: funcName, Out: out}, nil
}

func (m *MapPartitions) Schema() Schema   { return m.Out }
func (m *MapPartitions) Children() []Plan { return []Plan{m.Input} }
func (m *MapPartitions) WithChildren(c []Plan) (Plan, error) {
	if len(c) != 1 {
		return nil, fmt.Errorf("map_partitions %s: %d children, want 1", m.FuncName, len(c))
	}
	if c[0] == m.Input {
		return m, nil
	}
	return NewMapPartitions(c[0], m.FuncName, m.Out)
}

// Exprs is empty: the function is not an expression the optimizer may rewrite.
func (m *MapPartitions) Exprs() []Expr { return nil }
func (m *MapPartitions) WithExprs(es []Expr) (Plan, error) {
	if len(es) != 0 {
		return nil, fmt.Errorf("map_partitions %s: takes no expressions, got %d", m.FuncName, len(es))
	}
	return m, nil
}

// String renders `MapPartitions: fn AS [a, b]`.
func (m *MapPartitions) String() string {
	names := make([]string, len(m.Out))
	for i, c := range m.Out {
		names[i] = c.Name
	}
	return "MapPartitions: " + m.FuncName + " AS [" + strings.Join(names, ", ") + "]"
}
