package binder

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// pairsFunction is a test table function: pairs(n[, prefix]) has columns k BIGINT and
// v VARCHAR. Bind records the arguments it got.
type pairsFunction struct{ got []any }

func (f *pairsFunction) Name() string               { return "pairs" }
func (f *pairsFunction) Doc() string                { return "" }
func (f *pairsFunction) Volatility() udf.Volatility { return udf.Immutable }
func (f *pairsFunction) Bind(_ context.Context, args []any) (udf.FunctionTable, error) {
	f.got = args
	if len(args) == 0 {
		return nil, errs.Planf("pairs: argument 1 (n) is missing")
	}
	if len(args) > 2 {
		return nil, errors.New("too many arguments")
	}
	return pairsTable{}, nil
}

type pairsTable struct{}

func (pairsTable) Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "k", Type: planner.Int64}, {Name: "v", Type: planner.String, Nullable: true}}, nil)
}
func (pairsTable) Parts() int { return 1 }
func (pairsTable) Read(context.Context, int, memory.Allocator, int, func(arrow.RecordBatch) error) error {
	return nil
}

func tableFuncBinder() (*Binder, *pairsFunction) {
	b := newBinder()
	f := &pairsFunction{}
	b.Funcs.RegisterTable(f)
	return b, f
}

func TestBindTableFunction(t *testing.T) {
	tests := []struct {
		sql     string
		args    string // what Bind got, as %v of each value with its Go type
		plan    string
		outputs string
	}{
		{"SELECT * FROM pairs(3)", "3:int64", "Project: pairs.k, pairs.v\n  Scan: pairs(3) [k, v]", "k:BIGINT, v:VARCHAR"},
		{"SELECT p.v FROM pairs(1 + 2 * 3, 'x') AS p", "7:int64 x:string",
			"Project: p.v\n  Scan: pairs(7, 'x') [k, v]", "v:VARCHAR"},
		{"SELECT k FROM pairs(-(2 - 5) DIV 2, CAST(12 AS DOUBLE))", "1:int64 12:float64", "Project: pairs.k\n  Scan: pairs(1, 12) [k, v]", "k:BIGINT"},
		{"SELECT v FROM pairs(CAST('4' AS SIGNED), 1.5e0 * 2)", "4:int64 3:float64", "Project: pairs.v\n  Scan: pairs(4, 3) [k, v]", "v:VARCHAR"},
		{"SELECT k FROM pairs(NULL, 7 % 0)", "<nil>:<nil> <nil>:<nil>", "Project: pairs.k\n  Scan: pairs(NULL, NULL) [k, v]", "k:BIGINT"},
		{"SELECT x.n FROM pairs(1) x(n, s)", "1:int64",
			"Project: x.n\n  Project: x.k AS n, x.v AS s\n    Scan: pairs(1) [k, v]", "n:BIGINT"},
		{"SELECT t.a, p.k FROM t JOIN pairs(2) p ON p.k = t.a", "2:int64",
			"Project: t.a, p.k\n  Join: Inner on (p.k = CAST(t.a AS BIGINT))\n    Scan: t [a, b, c, d, ts, n]\n    Scan: pairs(2) [k, v]", "a:INT, k:BIGINT"},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			b, f := tableFuncBinder()
			p, err := bindSQL(t, b, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, a := range f.got {
				args = append(args, fmt.Sprintf("%v:%T", a, a))
			}
			if got := strings.Join(args, " "); got != tc.args {
				t.Errorf("Bind got %s, want %s", got, tc.args)
			}
			if got := strings.TrimSpace(planner.Explain(p)); got != tc.plan {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tc.plan)
			}
			if got := outputs(p.Schema()); got != tc.outputs {
				t.Errorf("outputs %s, want %s", got, tc.outputs)
			}
		})
	}
}

func TestBindTableFunctionErrors(t *testing.T) {
	tests := []struct {
		sql  string
		kind error
		msg  string
	}{
		{"SELECT * FROM piars(1)", errs.ErrPlan, `plan error: unknown table function "piars" at line 1, column 15; did you mean "pairs"?`},
		{"SELECT *\nFROM t, Nothing(1)", errs.ErrPlan, `plan error: unknown table function "Nothing" at line 2, column 9`},
		{"SELECT * FROM upper('a')", errs.ErrPlan, `plan error: "upper" at line 1, column 15 is a scalar function, not a table function: call it in the SELECT list, or name a table function in FROM`},
		{"SELECT * FROM sum(1)", errs.ErrPlan, `plan error: "sum" at line 1, column 15 is an aggregate function, not a table function`},
		{"SELECT * FROM t JOIN pairs(t.a + 1) p ON true", errs.ErrPlan,
			`plan error: table function pairs: argument 1 (t.a + 1) refers to column t.a at line 1, column 28; table function arguments must be constants (LATERAL is not supported)`},
		{"SELECT (SELECT count(*) FROM pairs(a)) FROM t", errs.ErrPlan,
			`plan error: table function pairs: argument 1 (a) refers to column a at line 1, column 36; table function arguments must be constants (LATERAL is not supported)`},
		{"SELECT * FROM pairs(1, (SELECT 2))", errs.ErrPlan, `plan error: table function pairs: argument 2 ((select 2)) is a subquery at line 1, column 24; table function arguments must be constants`},
		{"SELECT * FROM pairs(abs(1))", errs.ErrPlan,
			`plan error: table function pairs: argument 1 (abs(1)) must be a constant: a literal, arithmetic on literals or a CAST of one at line 1, column 21`},
		{"SELECT * FROM pairs(10 / 4)", errs.ErrPlan,
			`plan error: table function pairs: argument 1 (10 / 4) must be a constant: a literal, arithmetic on literals or a CAST of one at line 1, column 21`},
		{"SELECT * FROM pairs(9223372036854775807 * 2)", errs.ErrPlan,
			`plan error: table function pairs: argument 1 (9223372036854775807 * 2): BIGINT value is out of range in (9223372036854775807 * 2) at line 1, column 21`},
		{"SELECT * FROM pairs(CAST('x1' AS SIGNED))", errs.ErrPlan,
			`plan error: table function pairs: argument 1 (cast('x1' as signed)): cannot convert 'x1' to a number in CAST at line 1, column 21`},
		{"SELECT * FROM pairs(max(1))", errs.ErrPlan, "plan error: aggregate function max is not allowed in the arguments of table function pairs at line 1, column 21"},
		{"SELECT * FROM pairs()", errs.ErrPlan, "plan error: pairs: argument 1 (n) is missing at line 1, column 15"},
		{"SELECT * FROM pairs(1, 2, 3)", errs.ErrPlan, "plan error: table function pairs at line 1, column 15: too many arguments"},
		{"SELECT * FROM pairs(1) AS p(a)", errs.ErrPlan, "plan error: table function pairs (alias p) has 2 columns but 1 column names"},
		{"SELECT * FROM pairs(1), pairs(2)", errs.ErrPlan, `plan error: table name or alias "pairs" is used twice in FROM at line 1, column 15; give one of them another alias`},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			b, _ := tableFuncBinder()
			p, err := bindSQL(t, b, tc.sql)
			if err == nil {
				t.Fatalf("no error, plan:\n%s", planner.Explain(p))
			}
			if !errors.Is(err, tc.kind) || err.Error() != tc.msg {
				t.Errorf("got:  %v\nwant: %s", err, tc.msg)
			}
		})
	}
}
