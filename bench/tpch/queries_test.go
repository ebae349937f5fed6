package tpch

import (
	"slices"
	"strings"
	"testing"
)

func TestQuery(t *testing.T) {
	for n := 1; n <= NumQueries; n++ {
		q, err := Query(n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(q, "PLACEHOLDER") || strings.HasSuffix(q, ";") || q != strings.TrimSpace(q) {
			t.Errorf("q%d is not cleaned: %.60q...", n, q)
		}
		if !strings.HasPrefix(strings.ToLower(q), "select") && !strings.HasPrefix(strings.ToLower(q), "create") {
			t.Errorf("q%d starts with %.20q", n, q)
		}
	}
	q6, _ := Query(6)
	if !strings.Contains(q6, "l_shipdate < date_add('1994-01-01', interval '1' year)") {
		t.Errorf("q6 is not go-tpc's MySQL text:\n%s", q6)
	}
	for _, n := range []int{0, 23} {
		if _, err := Query(n); err == nil {
			t.Errorf("Query(%d) succeeded", n)
		}
	}
}

func TestTablesOf(t *testing.T) {
	tests := []struct {
		n    int
		want []string
	}{
		{1, []string{"lineitem"}},
		{3, []string{"customer", "orders", "lineitem"}},
		{5, []string{"nation", "region", "supplier", "customer", "orders", "lineitem"}},
		{6, []string{"lineitem"}},
		{10, []string{"nation", "customer", "orders", "lineitem"}},
		{2, []string{"nation", "region", "supplier", "part", "partsupp"}},
	}
	for _, tc := range tests {
		q, err := Query(tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if got := TablesOf(q); !slices.Equal(got, tc.want) {
			t.Errorf("q%d: TablesOf = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestToDuckDB(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"l_shipdate <= date_sub('1998-12-01', interval 108 day)", "l_shipdate <= (DATE '1998-12-01' - INTERVAL 108 DAY)", ""},
		{"o_orderdate < date_add('1995-01-01', interval '3' month)", "o_orderdate < (DATE '1995-01-01' + INTERVAL '3' MONTH)", ""},
		{"x < DATE_ADD( '1994-01-01' , INTERVAL '1' YEAR )", "x < (DATE '1994-01-01' + INTERVAL '1' YEAR)", ""},
		{"avg(l_quantity) as a, AVG (x)", "ember_mysql_avg(l_quantity) as a, ember_mysql_avg(x)", ""},
		// Strings compared with dates stay: DuckDB casts them as MySQL does.
		{"o_orderdate < '1995-03-13'", "o_orderdate < '1995-03-13'", ""},
		{"date_add(o_orderdate, interval 1 day)", "", "cannot translate"},
		{"date_sub('1998-12-01', interval 1 week)", "", "cannot translate"},
	}
	for _, tc := range tests {
		got, err := ToDuckDB(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ToDuckDB(%q) = %q, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ToDuckDB(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
