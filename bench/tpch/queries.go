package tpch

import (
	"fmt"
	"regexp"
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
// removed; nothing else is touched. Query 15 is several statements (a view, the query,
// the drop) and is returned as go-tpc has it.
func Query(n int) (string, error) {
	q, ok := goTPCQueries[fmt.Sprintf("q%d:mysql", n)]
	if !ok {
		return "", fmt.Errorf("tpch: no query %d (queries are numbered 1 to %d)", n, NumQueries)
	}
	q = strings.TrimSpace(q)
	q = strings.TrimSpace(strings.TrimPrefix(q, "/*PLACEHOLDER*/"))
	return strings.TrimSuffix(q, ";"), nil
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
