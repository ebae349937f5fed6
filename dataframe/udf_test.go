package dataframe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// sqlRows runs a query and renders its rows as "a|b|c" lines (NULL for NULL).
func sqlRows(t *testing.T, s *Session, query string) []string {
	t.Helper()
	res, err := s.Exec(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer res.Release()
	rows, err := rowsFromBatches(res.Batches)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, v := range r {
			if v == nil {
				cells[j] = "NULL"
			} else {
				cells[j] = fmt.Sprint(v)
			}
		}
		out[i] = strings.Join(cells, "|")
	}
	return out
}

func TestRegisterUDF(t *testing.T) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := dfSession(t, parts)
			if err := peopleDF(t, s).CreateOrReplaceTempView("people"); err != nil {
				t.Fatal(err)
			}
			err := s.RegisterUDF(udf.Scalar2("bonus", func(salary float64, age int64) float64 {
				return salary * float64(age) / 100
			}, udf.WithDoc("bonus(salary, age): salary × age / 100.")))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RegisterUDF(udf.Scalar1("Shout", strings.ToUpper)); err != nil {
				t.Fatal(err)
			}
			// An INT column passes to a DOUBLE parameter; NULL cities give NULL without a call.
			got := sqlRows(t, s, "SELECT name, bonus(salary, age), shout(city) FROM people WHERE id <= 4 ORDER BY id")
			want := []string{"Ann|1768|PARIS", "Ben|1148|LONDON", "Cid|2745|PARIS", "Dee|1521|NULL"}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// In WHERE and GROUP BY, and in a DataFrame expression.
			got = sqlRows(t, s, "SELECT shout(city) AS c, count(*) FROM people WHERE bonus(salary, age) > 1500 GROUP BY shout(city) ORDER BY c")
			if strings.Join(got, ",") != "NULL|1,PARIS|2" {
				t.Errorf("grouped: %v", got)
			}
			rows := collect(t, peopleDF(t, s).Select(Call("shout", Col("name")).Alias("n")).OrderBy("n").Limit(2))
			if fmt.Sprint(rows) != "[[ANN] [BEN]]" {
				t.Errorf("DataFrame: %v", rows)
			}
		})
	}
}

func TestRegisterUDFErrors(t *testing.T) {
	s := dfSession(t, 1)
	ctx := context.Background()
	// Bind-time type errors name the function, the argument and both types.
	if err := s.RegisterUDF(udf.Scalar2("hypot2", func(a, b float64) float64 { return a*a + b*b })); err != nil {
		t.Fatal(err)
	}
	_, err := s.Exec(ctx, "SELECT hypot2(1, 'x')")
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "hypot2: argument 2 must be DOUBLE, got VARCHAR") {
		t.Errorf("type error: %v", err)
	}
	// A checked cast: BIGINT 2^40 does not fit an INT parameter.
	if err := s.RegisterUDF(udf.Scalar1("inc32", func(a int32) int32 { return a + 1 })); err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, s, "SELECT inc32(41)"); got[0] != "42" {
		t.Errorf("inc32(41) = %v", got)
	}
	if _, err := s.Exec(ctx, "SELECT inc32(1099511627776)"); !errors.Is(err, errs.ErrExecution) {
		t.Errorf("inc32(2^40): %v", err)
	}
	// A Go error stops the query with an execution error naming the function.
	if err := s.RegisterUDF(udf.Scalar1E("must_pos", func(a int64) (int64, error) {
		if a <= 0 {
			return 0, fmt.Errorf("%d is not positive", a)
		}
		return a, nil
	})); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, "SELECT must_pos(x) FROM (SELECT 1 AS x UNION ALL SELECT -2) t"); !errors.Is(err, errs.ErrExecution) ||
		!strings.Contains(err.Error(), "must_pos: -2 is not positive") {
		t.Errorf("Go error: %v", err)
	}

	for _, tc := range []struct {
		f   udf.ScalarFunction
		msg string
	}{
		{nil, "RegisterUDF: nil function"},
		{udf.Scalar1("", func(a int64) int64 { return a }), "empty name"},
		{udf.Scalar1("my f", func(a int64) int64 { return a }), `"my f" is not a function name`},
		{udf.Scalar1("2x", func(a int64) int64 { return a }), `"2x" is not a function name`},
		{udf.Scalar1("SUM", func(a int64) int64 { return a }), `"sum" is an aggregate function`},
		{udf.Scalar1("coalesce", func(a int64) int64 { return a }), `"coalesce" is a built-in form`},
		{udf.Scalar1("__ember_x", func(a int64) int64 { return a }), `names starting with __ember_ are reserved`},
	} {
		if err := s.RegisterUDF(tc.f); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("RegisterUDF: got %v, want %q", err, tc.msg)
		}
	}
	sum, _ := s.Functions().Aggregate("sum")
	if err := s.RegisterAggregate(sum); err != nil {
		t.Errorf("RegisterAggregate(sum): %v", err)
	}
	if err := s.RegisterAggregate(aggNamed{sum, "abs"}); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `"abs" is a scalar function`) {
		t.Errorf("RegisterAggregate(abs): %v", err)
	}
	if err := s.RegisterAggregate(nil); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("RegisterAggregate(nil): %v", err)
	}
}

type aggNamed struct {
	udf.AggregateFunction
	name string
}

func (a aggNamed) Name() string { return a.name }

// TestRegisterUDFShadowsBuiltin: a session function hides the built-in of its name in this
// session only.
func TestRegisterUDFShadowsBuiltin(t *testing.T) {
	s, other := dfSession(t, 1), dfSession(t, 1)
	if err := s.RegisterUDF(udf.Scalar1("abs", func(a float64) string { return "mine" })); err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, s, "SELECT abs(-2)"); got[0] != "mine" {
		t.Errorf("shadowed abs: %v", got)
	}
	if got := sqlRows(t, other, "SELECT abs(-2)"); got[0] != "2" {
		t.Errorf("other session's abs: %v", got)
	}
	// Replacing a session function.
	if err := s.RegisterUDF(udf.Scalar1("abs", func(a float64) string { return "again" })); err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, s, "SELECT abs(-2)"); got[0] != "again" {
		t.Errorf("replaced abs: %v", got)
	}
}

func TestShowAndDescribeFunctions(t *testing.T) {
	s := dfSession(t, 1)
	if err := s.RegisterUDF(udf.Scalar2("vec_score", func(a, b float64) float64 { return a + b },
		udf.WithDoc("vec_score(a, b): the score."), udf.WithVolatility(udf.Volatile))); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterPartitionFunc("vec_part", func(*udf.PartitionContext, udf.BatchReader, udf.BatchWriter) error { return nil }); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sql  string
		want string
	}{
		{"SHOW FUNCTIONS LIKE 'vec%'", "vec_part|partition|volatile|session,vec_score|scalar|volatile|session," +
			"vector|scalar|immutable|builtin,vector_dims|scalar|immutable|builtin"},
		{"SHOW USER FUNCTIONS", "vec_part|partition|volatile|session,vec_score|scalar|volatile|session"},
		{"SHOW SYSTEM FUNCTIONS 'vec%'", "vector|scalar|immutable|builtin,vector_dims|scalar|immutable|builtin"},
		{"show functions like 'ROW\\_%'", "row_number|window|immutable|builtin"},
		{"SHOW FUNCTIONS LIKE 'su_'", "sum|aggregate|immutable|builtin"},
		{"DESCRIBE FUNCTION VEC_SCORE", "vec_score|scalar|volatile|session|vec_score(DOUBLE, DOUBLE) -> DOUBLE|vec_score(a, b): the score."},
		{"DESC FUNCTION EXTENDED rank", "rank|window|immutable|builtin|rank() OVER (...)|rank(): the rank of the current row, with gaps after ties (BIGINT)."},
	}
	for _, tc := range tests {
		if got := strings.Join(sqlRows(t, s, tc.sql), ","); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.sql, got, tc.want)
		}
	}
	// Every row of DESCRIBE FUNCTION abs comes from the built-in, whose Doc is its usage.
	if got := sqlRows(t, s, "DESCRIBE FUNCTION abs"); len(got) != 1 || !strings.HasPrefix(got[0], "abs|scalar|immutable|builtin||abs(x) ") {
		t.Errorf("DESCRIBE FUNCTION abs: %v", got)
	}
	// SHOW FUNCTIONS lists every registry function once per kind, plus the window functions.
	all := sqlRows(t, s, "SHOW FUNCTIONS")
	if want := len(s.Functions().Functions()) + len(windowFunctions); len(all) != want {
		t.Errorf("SHOW FUNCTIONS: %d rows, want %d", len(all), want)
	}
	_, err := s.Exec(context.Background(), "DESCRIBE FUNCTION vec_scor")
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `unknown function "vec_scor"; did you mean "vec_score"?`) {
		t.Errorf("unknown function: %v", err)
	}
	_, err = s.Exec(context.Background(), "DESCRIBE FUNCTION zzzzzz")
	if !errors.Is(err, errs.ErrPlan) || !strings.HasSuffix(err.Error(), `unknown function "zzzzzz"`) {
		t.Errorf("unknown function without a near name: %v", err)
	}
}
