package parser

import (
	"fmt"
	"strings"

	tidb "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	// The value driver makes TiDB's parser build literal nodes without TiDB's executor types.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// No parser pool: a TiDB parser reuses the memory of the AST it returned (the result slice
// and some nodes) on its next Parse, and Ember keeps ASTs long after parsing (views, the
// binder, EXPLAIN). A pooled parser would let one session's parse overwrite another's tree,
// which the race detector caught. So each script gets a parser of its own; building one costs
// a few microseconds and some allocations (see BenchmarkParse).

// Parse parses a script of one or more statements separated by ';' (a last statement may go
// without one; comments and empty statements are skipped). Each statement is either one of
// Ember's own (*CreateTableUsing, *CreateView, *CacheTable, *UncacheTable, *ClearCache,
// *RefreshTable) or a *Query parsed by TiDB after Ember's
// rewrites. Every error is a *Error at a line and column of sql. Parse is safe for concurrent
// use.
func Parse(sql string) ([]Statement, error) {
	spans, openComment := statementsOf(sql)
	out := make([]Statement, 0, len(spans))
	for _, s := range spans {
		st, err := parseStatement(sql, s)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if openComment != nil {
		return nil, errorAt(sql, openComment.start, "unterminated comment", "/*")
	}
	return out, nil
}

// parseStatement parses the statement s of script.
func parseStatement(script string, s span) (Statement, error) {
	sig := significant(s.toks)
	if last := sig[len(sig)-1]; last.open {
		what := "unterminated string literal"
		if last.kind == tokQuotedIdent {
			what = "unterminated quoted identifier"
		}
		return nil, errorAt(script, last.start, what, script[last.start:last.end])
	}
	if sig[0].kind == tokWord && strings.EqualFold(script[sig[0].start:sig[0].end], "CREATE") {
		st, ok, err := parseCreate(script, sig, s.end)
		if err != nil || ok {
			return st, err
		}
	}
	if modelStatement(script, sig) {
		return parseModelForms(script, sig, s.end)
	}
	if sig[0].kind == tokWord {
		switch strings.ToUpper(script[sig[0].start:sig[0].end]) {
		case "CACHE", "UNCACHE", "CLEAR", "REFRESH":
			st, ok, err := parseCacheForms(script, sig, s.end)
			if err != nil || ok {
				return st, err
			}
		case "SHOW", "DESCRIBE", "DESC":
			if st, ok, err := parseFunctionForms(script, sig, s.end); err != nil || ok {
				return st, err
			}
		}
	}
	return parseQuery(script, sig, s.start, s.end)
}

// parseQuery parses script[start:end], whose significant tokens are sig, with TiDB's parser
// after Ember's rewrites.
func parseQuery(script string, sig []token, start, end int) (*Query, error) {
	rw, rerr := rewrite(script, sig, start, end)
	if rerr != nil {
		return nil, rerr
	}
	nodes, panicked, err := parseTiDB(rw.text)
	switch {
	case panicked:
		return nil, literalError(script, sig)
	case err != nil:
		return nil, tidbError(err, rw, script, sig)
	case len(nodes) != 1:
		return nil, errorAtToken(script, sig[0], fmt.Sprintf("expected one statement, found %d", len(nodes)))
	}
	ext, err := collect(nodes[0], rw, script, start, end)
	if err != nil {
		return nil, err
	}
	ext.cascade, ext.overwrite, ext.showStats = rw.cascade, rw.overwrite, rw.showStats
	return &Query{Node: nodes[0], SQL: script[start:end], ext: ext}, nil
}

// parseTiDB runs a new TiDB parser on text. TiDB's value driver panics on some literals (a
// decimal of more than 81 digits); panicked reports that, and that parser is dropped.
func parseTiDB(text string) (nodes []ast.StmtNode, panicked bool, err error) {
	p := tidb.New()
	defer func() {
		if r := recover(); r != nil {
			nodes, panicked, err = nil, true, nil
		}
	}()
	nodes, _, err = p.Parse(text, "", "")
	return nodes, false, err
}

// maxDecimalDigits is the most digits MySQL's DECIMAL holds.
const maxDecimalDigits = 65

// literalError explains a panic of TiDB's value driver: it points at the longest numeric
// literal when that has more than maxDecimalDigits digits.
func literalError(script string, sig []token) *Error {
	best, bestDigits := -1, 0
	for i := 0; i < len(sig); i++ {
		if !isDigits(script, sig[i]) {
			continue
		}
		digits, j := sig[i].end-sig[i].start, i
		if j+2 < len(sig) && sig[j+1].start == sig[j].end && script[sig[j+1].start] == '.' &&
			sig[j+2].start == sig[j+1].end && isDigits(script, sig[j+2]) {
			digits += sig[j+2].end - sig[j+2].start
		}
		if digits > bestDigits {
			best, bestDigits = i, digits
		}
	}
	if best < 0 || bestDigits <= maxDecimalDigits {
		return errorAtToken(script, sig[0], "the SQL parser failed on a literal in this statement")
	}
	return errorAtToken(script, sig[best], fmt.Sprintf("numeric literal of %d digits is too long (at most %d)", bestDigits, maxDecimalDigits))
}

func isDigits(script string, t token) bool {
	if t.kind != tokWord {
		return false
	}
	for i := t.start; i < t.end; i++ {
		if script[i] < '0' || script[i] > '9' {
			return false
		}
	}
	return true
}
