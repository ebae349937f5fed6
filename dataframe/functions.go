package dataframe

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/kernels"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// SHOW FUNCTIONS and DESCRIBE FUNCTION: the session's registry (built-ins and the session's
// own functions, udf.Registry.Functions) plus the window functions, which the planner
// implements itself.
//
//	SHOW [USER|SYSTEM|ALL] FUNCTIONS [[LIKE] 'pattern']
//	    name, kind (scalar, aggregate, window, partition), volatility (immutable, stable,
//	    volatile), source (builtin, session); one row per name and kind, sorted
//	{DESCRIBE|DESC} FUNCTION [EXTENDED] name
//	    the same columns plus signature (for functions with one fixed signature, such as
//	    those of udf.Scalar2; others describe their arguments in doc) and doc. EXTENDED
//	    adds nothing.

// functionRow is one row of SHOW FUNCTIONS and DESCRIBE FUNCTION.
type functionRow struct {
	name, kind, volatility, source, signature, doc string
}

// windowFunctions are the window functions that are not aggregates (any aggregate also
// runs OVER a window), with their signatures and docs.
var windowFunctions = []functionRow{
	{name: planner.WinCumeDist, signature: "cume_dist() OVER (...)", doc: "cume_dist(): the fraction of the partition's rows that sort before or with the current row (DOUBLE)."},
	{name: planner.WinDenseRank, signature: "dense_rank() OVER (...)", doc: "dense_rank(): the rank of the current row without gaps after ties (BIGINT)."},
	{name: planner.WinFirstValue, signature: "first_value(x) OVER (...)", doc: "first_value(x): x at the first row of the frame."},
	{name: planner.WinLag, signature: "lag(x[, offset[, default]]) OVER (...)", doc: "lag(x[, offset[, default]]): x at offset rows (default 1) before the current row, else default (NULL)."},
	{name: planner.WinLastValue, signature: "last_value(x) OVER (...)", doc: "last_value(x): x at the last row of the frame."},
	{name: planner.WinLead, signature: "lead(x[, offset[, default]]) OVER (...)", doc: "lead(x[, offset[, default]]): x at offset rows (default 1) after the current row, else default (NULL)."},
	{name: planner.WinNthValue, signature: "nth_value(x, n) OVER (...)", doc: "nth_value(x, n): x at the n-th row of the frame (1-based), NULL when the frame is shorter."},
	{name: planner.WinNtile, signature: "ntile(n) OVER (...)", doc: "ntile(n): the bucket 1..n of the current row when the partition is split into n groups of nearly equal size (BIGINT)."},
	{name: planner.WinPercentRank, signature: "percent_rank() OVER (...)", doc: "percent_rank(): (rank - 1) / (rows in the partition - 1), 0 for a single row (DOUBLE)."},
	{name: planner.WinRank, signature: "rank() OVER (...)", doc: "rank(): the rank of the current row, with gaps after ties (BIGINT)."},
	{name: planner.WinRowNumber, signature: "row_number() OVER (...)", doc: "row_number(): the number of the current row in its partition, from 1 (BIGINT)."},
}

// functionRows lists every visible function, sorted by name and kind.
func (s *Session) functionRows() []functionRow {
	infos := s.funcs.Functions()
	rows := make([]functionRow, 0, len(infos)+len(windowFunctions))
	for _, f := range infos {
		rows = append(rows, registryRow(f))
	}
	for _, w := range windowFunctions {
		w.kind, w.volatility, w.source = "window", udf.Immutable.String(), "builtin"
		rows = append(rows, w)
	}
	slices.SortFunc(rows, func(a, b functionRow) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.kind, b.kind))
	})
	return rows
}

// registryRow describes one registration of the session's registry.
func registryRow(f udf.FunctionInfo) functionRow {
	r := functionRow{name: f.Name, kind: string(f.Kind), source: "session"}
	if f.Builtin {
		r.source = "builtin"
	}
	if f.Fn == nil { // a MapPartitions function
		r.volatility = udf.Volatile.String()
		r.doc = "a partition function registered from Go (Session.RegisterPartitionFunc or RegisterBatchFunc), run by DataFrame.MapPartitions or MapBatches; not callable from SQL."
		return r
	}
	r.volatility = f.Fn.Volatility().String()
	r.doc = f.Fn.Doc()
	if sg, ok := f.Fn.(udf.Signed); ok {
		r.signature = sg.Signature()
	}
	return r
}

// showFunctions runs SHOW [USER|SYSTEM|ALL] FUNCTIONS [LIKE 'pattern'].
func (s *Session) showFunctions(x *parser.ShowFunctions) (*Result, error) {
	rows := s.functionRows()
	kept := rows[:0]
	for _, r := range rows {
		switch {
		case x.Scope == "user" && r.source != "session", x.Scope == "system" && r.source != "builtin":
			continue
		}
		kept = append(kept, r)
	}
	rows = kept
	if x.HasLike {
		var err error
		if rows, err = s.likeFunctions(rows, strings.ToLower(x.Like)); err != nil {
			return nil, err
		}
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = []string{r.name, r.kind, r.volatility, r.source}
	}
	return stringResult(s, []string{"name", "kind", "volatility", "source"}, out), nil
}

// likeFunctions keeps the rows whose names match a LIKE pattern, with the engine's LIKE
// (backslash escapes).
func (s *Session) likeFunctions(rows []functionRow, pattern string) ([]functionRow, error) {
	b := array.NewStringBuilder(s.cfg.mem)
	defer b.Release()
	for _, r := range rows {
		b.Append(r.name)
	}
	names := b.NewArray()
	defer names.Release()
	m, err := kernels.Like(s.cfg.mem, names, pattern, '\\', false)
	if err != nil {
		return nil, err
	}
	defer m.Release()
	match := m.(*array.Boolean)
	var kept []functionRow
	for i, r := range rows {
		if match.IsValid(i) && match.Value(i) {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// describeFunction runs DESCRIBE FUNCTION name: one row per kind registered under name. An
// unknown name is a plan error with the nearest known name.
func (s *Session) describeFunction(x *parser.DescribeFunction) (*Result, error) {
	name := strings.ToLower(x.Name)
	var rows [][]string
	var names []string
	for _, r := range s.functionRows() {
		names = append(names, r.name)
		if r.name == name {
			rows = append(rows, []string{r.name, r.kind, r.volatility, r.source, r.signature, r.doc})
		}
	}
	if len(rows) == 0 {
		msg := fmt.Sprintf("unknown function %q", x.Name)
		if near := udf.Nearest(name, names); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		return nil, errs.Planf("%s", msg)
	}
	return stringResult(s, []string{"name", "kind", "volatility", "source", "signature", "doc"}, rows), nil
}
