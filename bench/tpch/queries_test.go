package tpch

import (
	"os"
	"os/exec"
	"path/filepath"
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

func TestQueryScript(t *testing.T) {
	for n := 1; n <= NumQueries; n++ {
		s, err := QueryScript(n)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := Query(n)
		if s.Query != q {
			t.Errorf("q%d: the script's query is not Query(%d)", n, n)
		}
		if n != 15 && len(s.Statements()) != 1 {
			t.Errorf("q%d: %d statements, want the query alone", n, len(s.Statements()))
		}
	}
	s, _ := QueryScript(15)
	st := s.Statements()
	if len(st) != 3 || !strings.HasPrefix(st[0], "create or replace view revenue0 (supplier_no, total_revenue) as") ||
		!strings.Contains(st[1], "revenue0") || st[2] != "drop view revenue0" {
		t.Errorf("q15 statements: %q", st)
	}
	if got, want := TablesOf(strings.Join(st, ";\n")), []string{"supplier", "lineitem"}; !slices.Equal(got, want) {
		t.Errorf("q15 script tables %v, want %v", got, want)
	}
}

// The copy of q15's view must be go-tpc's text (cmd/go-tpc/misc.go, which has it inside a
// Go string with a final ";").
func TestQ15ViewIsGoTPCs(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pingcap/go-tpc").Output()
	if err != nil {
		t.Skipf("cannot locate go-tpc's sources: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "cmd", "go-tpc", "misc.go"))
	if err != nil {
		t.Skipf("cannot read go-tpc's misc.go: %v", err)
	}
	if !strings.Contains(string(src), "`"+q15View+";`") {
		t.Errorf("q15View differs from the view in go-tpc's cmd/go-tpc/misc.go")
	}
}

func TestParseQueryList(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"1,3,5,6,10", []int{1, 3, 5, 6, 10}, false},
		{" 2 , 15 ", []int{2, 15}, false},
		{"20-22,1", []int{20, 21, 22, 1}, false},
		{"3,3,1-3", []int{3, 1, 2}, false},
		{"0", nil, true},
		{"23", nil, true},
		{"5-3", nil, true},
		{"1-", nil, true},
		{"x", nil, true},
		{"", nil, true},
	}
	for _, tc := range tests {
		got, err := ParseQueryList(tc.in)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("ParseQueryList(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	all, err := ParseQueryList("all")
	if err != nil || len(all) != NumQueries || all[0] != 1 || all[21] != 22 {
		t.Errorf("ParseQueryList(all) = %v, %v", all, err)
	}
}
