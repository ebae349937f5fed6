package tpch

import (
	"context"
	"math/big"
	"slices"
	"strings"
	"testing"
)

func TestRewriteDivisions(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"select a / b from t", "select ember_mysql_div(a, b) from t", ""},
		// * and / bind as tightly and associate to the left.
		{"select 100.00 * sum(x) / sum(y * (1 - z)) as r", "select ember_mysql_div(100.00 * sum(x), sum(y * (1 - z))) as r", ""},
		{"sum(case when n = 'a/b' then v else 0 end) / sum(v)", "ember_mysql_div(sum(case when n = 'a/b' then v else 0 end), sum(v))", ""},
		{"sum(l_extendedprice) / 7.0 as avg_yearly", "ember_mysql_div(sum(l_extendedprice), 7.0) as avg_yearly", ""},
		{"a / b / c", "ember_mysql_div(ember_mysql_div(a, b), c)", ""},
		{"a + b * c / d - e", "a + ember_mysql_div(b * c, d) - e", ""},
		{"x / (y / z)", "ember_mysql_div(x, (ember_mysql_div(y, z)))", ""},
		{"t.a/t.b", "ember_mysql_div(t.a, t.b)", ""},
		{"where s like '%/%'", "where s like '%/%'", ""},
		{"where s = 'it''s / x' and a / 2 > 1", "where s = 'it''s / x' and ember_mysql_div(a, 2) > 1", ""},
		{"case when x then 1 else 2 end / 3", "", "keyword \"end\""},
		{"select / 3", "", "keyword \"select\""},
		{"a / -3", "", "right operand"},
		{"a / 'x'", "", "right operand"},
		{"'x' / a", "", "operand ending in \"'\""},
		{"a /* c */", "", "comment"},
		{"(a / b", "", ""}, // the ( is not part of the operand
		{"a) / b", "", "unbalanced"},
		{"a / (b", "", "unbalanced"},
	}
	for _, tc := range tests {
		got, err := rewriteDivisions(tc.in)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("rewriteDivisions(%q) = %q, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
		case tc.want == "":
			if err != nil {
				t.Errorf("rewriteDivisions(%q): %v", tc.in, err)
			}
		case err != nil || got != tc.want:
			t.Errorf("rewriteDivisions(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestMySQLDivide(t *testing.T) {
	tests := []struct {
		u1     int64
		s1     int32
		u2     int64
		s2     int32
		want   string // at scale s1+4; "NULL" for a zero divisor
		wantS  int32
		reason string
	}{
		{1, 0, 3, 0, "0.3333", 4, "1 / 3"},
		{2, 0, 3, 0, "0.6667", 4, "2 / 3 rounds up"},
		{-2, 0, 3, 0, "-0.6667", 4, "-2 / 3 rounds away from zero"},
		{2, 0, -3, 0, "-0.6667", 4, "2 / -3"},
		{100, 2, 3, 0, "0.333333", 6, "1.00 / 3"},
		{1, 0, 8, 0, "0.1250", 4, "exact"},
		{1, 0, 20000, 0, "0.0001", 4, "1 / 20000 = 0.00005, a tie, away from zero"},
		{-1, 0, 20000, 0, "-0.0001", 4, "-0.00005 away from zero"},
		{1, 0, 20001, 0, "0.0000", 4, "just below the tie"},
		// q17 at SF1: sum(l_extendedprice) / 7.0 = 2678821.86 / 7.0.
		{267882186, 2, 70, 1, "382688.837143", 6, "DECIMAL(p,2) / DECIMAL(2,1)"},
		{5, 0, 0, 0, "NULL", 4, "division by zero"},
		{0, 3, 7, 0, "0.0000000", 7, "zero keeps the scale"},
	}
	for _, tc := range tests {
		q, ok := mysqlDivide(big.NewInt(tc.u1), tc.s1, big.NewInt(tc.u2), tc.s2)
		got := "NULL"
		if ok {
			got = formatDecimal(q, tc.s1+divPrecisionIncrement)
		}
		if got != tc.want || tc.s1+divPrecisionIncrement != tc.wantS {
			t.Errorf("%s: got %s, want %s", tc.reason, got, tc.want)
		}
	}
}

// End to end in DuckDB: the rewritten division comes back as MySQL's decimal quotient.
func TestMySQLDivisionInDuckDB(t *testing.T) {
	ctx := context.Background()
	d, err := OpenDuckDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	q, err := ToDuckDB(`select g, sum(x) / sum(y) as r, 1 / 3 as third, 100.00 * sum(x) / 7.0 as s
		from (select 1 as g, CAST(2.50 AS DECIMAL(15,2)) as x, CAST(3.0000 AS DECIMAL(15,4)) as y
			union all select 2, -1.00, 0.0000
			union all select 3, NULL, 1.0000) t
		group by g order by g`)
	if err != nil {
		t.Fatal(err)
	}
	schema, batches, err := d.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseAll(batches)
	var types []string
	for _, f := range schema.Fields() {
		types = append(types, f.Type.String())
	}
	if want := "int32 decimal(38, 6) decimal(38, 4) decimal(38, 8)"; strings.Join(types, " ") != want {
		t.Errorf("types %s, want %s", strings.Join(types, " "), want)
	}
	rows, err := FormatRows(batches)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"1", "0.833333", "0.3333", "35.71428571"}, // 2.50/3.0000; 250.0000/7.0
		{"2", "NULL", "0.3333", "-14.28571429"},    // division by zero is NULL
		{"3", "NULL", "0.3333", "NULL"},            // NULL operand
	}
	if !slices.EqualFunc(rows, want, slices.Equal[[]string]) {
		t.Errorf("got %v, want %v", rows, want)
	}
	if _, _, err := d.Query(ctx, "select ember_mysql_div(1.5::DOUBLE, 2)"); err == nil || !strings.Contains(err.Error(), "exact operands") {
		t.Errorf("a DOUBLE dividend gave %v, want an error", err)
	}
}
