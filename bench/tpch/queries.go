package tpch

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	_ "unsafe" // for go:linkname

	// The published queries, answers and answer precisions live in unexported variables
	// of go-tpc's tpch package; linking the package runs the init that fills them.
	_ "github.com/pingcap/go-tpc/tpch"
)

// go-tpc keeps the 22 queries (MySQL and PostgreSQL text), the SF1 answers and the
// per-column precision classes in unexported package variables. Reading them by linkname
// keeps one source of truth, the pinned module (github.com/pingcap/go-tpc v1.0.12, files
// tpch/query.go, tpch/answer.go, tpch/check.go), instead of a copy that could drift.
// The Go types below must match the originals: queries map[string]string,
// ans map[string][][]string, queryColPrecisions map[string][]precision where
// precision is an int enumeration (see Precision).

//go:linkname goTPCQueries github.com/pingcap/go-tpc/tpch.queries
var goTPCQueries map[string]string

//go:linkname goTPCAnswers github.com/pingcap/go-tpc/tpch.ans
var goTPCAnswers map[string][][]string

//go:linkname goTPCPrecisions github.com/pingcap/go-tpc/tpch.queryColPrecisions
var goTPCPrecisions map[string][]int

// NumQueries is the number of TPC-H queries.
const NumQueries = 22

// Query returns TPC-H query n (1..22) in go-tpc's MySQL text, as Ember runs it: the
// "/*PLACEHOLDER*/" marker (where go-tpc splices "explain analyze") and the final ";" are
// removed; nothing else is touched. Query 15 reads a view that the query text does not
// create: QueryScript(15) adds the statements around it.
func Query(n int) (string, error) {
	q, ok := goTPCQueries[fmt.Sprintf("q%d:mysql", n)]
	if !ok {
		return "", fmt.Errorf("tpch: no query %d (queries are numbered 1 to %d)", n, NumQueries)
	}
	q = strings.TrimSpace(q)
	q = strings.TrimSpace(strings.TrimPrefix(q, "/*PLACEHOLDER*/"))
	return strings.TrimSuffix(q, ";"), nil
}

// Script is everything that runs TPC-H query n: statements to run first (Setup), the
// query whose rows are the answer (Query, as Query(n) returns it), and statements that undo
// the setup (Teardown). All run in one session, in that order.
type Script struct {
	Setup    []string
	Query    string
	Teardown []string
}

// Statements lists the script's statements in the order they run.
func (s Script) Statements() []string {
	out := append([]string(nil), s.Setup...)
	out = append(out, s.Query)
	return append(out, s.Teardown...)
}

// q15View is the view that query 15 reads, in go-tpc's MySQL text: go-tpc v1.0.12 does not
// keep it with the queries but creates it in its command before a run (cmd/go-tpc/misc.go,
// executeWorkload), so it cannot be read by linkname; TestQ15ViewIsGoTPCs checks this copy
// against that file. The final ";" is removed, as Query removes it.
const q15View = `create or replace view revenue0 (supplier_no, total_revenue) as
	select
		l_suppkey,
		sum(l_extendedprice * (1 - l_discount))
	from
		lineitem
	where
		l_shipdate >= '1997-07-01'
		and l_shipdate < date_add('1997-07-01', interval '3' month)
	group by
		l_suppkey`

// q15Drop removes the view again, as TPC-H's Q15 does (clause 2.4.15.1); go-tpc leaves it.
const q15Drop = "drop view revenue0"

// QueryScript returns the script of query n (1..22). Every query but 15 is its query
// alone. Query 15 reads a view revenue0: its Setup creates it (go-tpc's text, see q15View)
// and its Teardown drops it.
func QueryScript(n int) (Script, error) {
	q, err := Query(n)
	if err != nil {
		return Script{}, err
	}
	s := Script{Query: q}
	if n == 15 {
		s.Setup, s.Teardown = []string{q15View}, []string{q15Drop}
	}
	return s, nil
}

// ParseQueryList reads a command line's list of query numbers: "all" (1 to 22), or
// comma-separated numbers and ranges such as "1,3,5-7". The result is in the order given,
// without duplicates.
func ParseQueryList(s string) ([]int, error) {
	if strings.TrimSpace(s) == "all" {
		out := make([]int, NumQueries)
		for i := range out {
			out[i] = i + 1
		}
		return out, nil
	}
	var out []int
	seen := make(map[int]bool)
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		lo, hi, isRange := strings.Cut(f, "-")
		a, errA := strconv.Atoi(strings.TrimSpace(lo))
		b, errB := a, error(nil)
		if isRange {
			b, errB = strconv.Atoi(strings.TrimSpace(hi))
		}
		if errA != nil || errB != nil || a < 1 || b > NumQueries || a > b {
			return nil, fmt.Errorf("bad query number or range %q (want all, or numbers and ranges from 1 to %d)", f, NumQueries)
		}
		for n := a; n <= b; n++ {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// Answer returns go-tpc's published result of query n at scale factor 1, one []string per
// row in the query's order. The caller must not modify it.
func Answer(n int) ([][]string, error) {
	a, ok := goTPCAnswers[fmt.Sprintf("q%d", n)]
	if !ok {
		return nil, fmt.Errorf("tpch: no published answer for query %d", n)
	}
	return a, nil
}

// Precisions returns how each output column of query n is compared (see CheckRows).
func Precisions(n int) ([]Precision, error) {
	raw, ok := goTPCPrecisions[fmt.Sprintf("q%d", n)]
	if !ok {
		return nil, fmt.Errorf("tpch: no column precisions for query %d", n)
	}
	out := make([]Precision, len(raw))
	for i, p := range raw {
		if p < int(PrecString) || p > int(PrecRatio) {
			return nil, fmt.Errorf("tpch: query %d column %d has unknown precision class %d", n, i, p)
		}
		out[i] = Precision(p)
	}
	return out, nil
}

// tableRef finds a table name used as a whole word; column names such as n_nationkey do
// not match nation because "_" is a word character.
var tableRefs = func() map[string]*regexp.Regexp {
	m := make(map[string]*regexp.Regexp, len(Tables))
	for _, t := range Tables {
		m[t.Name] = regexp.MustCompile(`(?i)\b` + t.Name + `\b`)
	}
	return m
}()

// TablesOf lists the TPC-H tables a query text names, in the order of Tables. It matches
// whole words, which is exact for the TPC-H texts (no literal or alias there spells a
// table name) but is not a SQL parser.
func TablesOf(query string) []string {
	var out []string
	for _, t := range Tables {
		if tableRefs[t.Name].MatchString(query) {
			out = append(out, t.Name)
		}
	}
	return out
}
