package main

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
)

// fakeEngine understands a handful of statements, records every statement it is given and
// builds its results on mem, so a test can check that the shell releases them:
//
//	select N           one bigint column n holding N
//	select range(N)    column n holding 1..N
//	show tables        column name, one row per table
//	describe T         columns col_name, data_type
//	create table T ... a command with a message
//	boom               panics
//
// Anything else is a parse error.
type fakeEngine struct {
	mem       memory.Allocator
	executed  []string
	tables    map[string][]string
	functions []string
}

func newFakeEngine(mem memory.Allocator) *fakeEngine {
	return &fakeEngine{
		mem: mem,
		tables: map[string][]string{
			"orders":    {"id", "customer_id", "amount"},
			"customers": {"id", "name"},
		},
		functions: []string{"sum", "substring", "count", "avg", "abs"},
	}
}

func (e *fakeEngine) Exec(_ context.Context, sql string) (*dataframe.Result, error) {
	e.executed = append(e.executed, sql)
	norm := strings.Join(strings.Fields(strings.ToLower(sql)), " ")
	switch {
	case norm == "boom":
		panic("boom")
	case norm == "show tables":
		var rows [][]string
		for _, t := range e.TableNames() {
			rows = append(rows, []string{t})
		}
		return e.strings([]string{"name"}, rows), nil
	case strings.HasPrefix(norm, "describe "):
		name := strings.Trim(strings.TrimPrefix(norm, "describe "), "`")
		cols, ok := e.tables[name]
		if !ok {
			return nil, errs.Planf("table %q not found", name)
		}
		var rows [][]string
		for _, c := range cols {
			rows = append(rows, []string{c, "bigint"})
		}
		return e.strings([]string{"col_name", "data_type"}, rows), nil
	case strings.HasPrefix(norm, "create table "):
		name := strings.Fields(norm)[2]
		e.tables[name] = []string{"a"}
		return &dataframe.Result{Message: "created table " + name}, nil
	case strings.HasPrefix(norm, "select range(") && strings.HasSuffix(norm, ")"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(norm, "select range("), ")"))
		if err == nil {
			var vals []int64
			for i := 1; i <= n; i++ {
				vals = append(vals, int64(i))
			}
			return e.ints(vals...), nil
		}
	case strings.HasPrefix(norm, "select "):
		if n, err := strconv.ParseInt(strings.TrimPrefix(norm, "select "), 10, 64); err == nil {
			return e.ints(n), nil
		}
	}
	return nil, errs.Parsef("syntax error near %q", sql)
}

func (e *fakeEngine) ints(vals ...int64) *dataframe.Result {
	b := array.NewInt64Builder(e.mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	return &dataframe.Result{Schema: schema, Batches: []arrow.RecordBatch{
		array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(vals))),
	}}
}

func (e *fakeEngine) strings(names []string, rows [][]string) *dataframe.Result {
	fields := make([]arrow.Field, len(names))
	cols := make([]arrow.Array, len(names))
	for c, n := range names {
		fields[c] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String}
		b := array.NewStringBuilder(e.mem)
		for _, r := range rows {
			b.Append(r[c])
		}
		cols[c] = b.NewArray()
		defer cols[c].Release()
		b.Release()
	}
	schema := arrow.NewSchema(fields, nil)
	return &dataframe.Result{Schema: schema, Batches: []arrow.RecordBatch{
		array.NewRecordBatch(schema, cols, int64(len(rows))),
	}}
}

func (e *fakeEngine) TableNames() []string {
	var names []string
	for t := range e.tables {
		names = append(names, t)
	}
	slices.Sort(names)
	return names
}

func (e *fakeEngine) ColumnNames(table string) []string { return e.tables[table] }

func (e *fakeEngine) FunctionNames() []string { return e.functions }
