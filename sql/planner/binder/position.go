package binder

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// sqlToken is one identifier or '.' of a SQL text, with its byte offset. Everything else
// (strings, comments, numbers' signs, operators) is skipped by tokenize.
type sqlToken struct {
	text   string // identifier text without backquotes; "." for a dot
	offset int
}

// tokenize returns the identifiers and dots of sql outside string literals and comments.
// Backquoted identifiers are unquoted (a doubled backquote stands for one). It never fails:
// an unterminated string or comment simply ends the scan.
func tokenize(sql string) []sqlToken {
	var toks []sqlToken
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			i = skipQuoted(sql, i, c)
		case c == '-' && strings.HasPrefix(sql[i:], "--") && (i+2 == len(sql) || sql[i+2] == ' ' || sql[i+2] == '\t' || sql[i+2] == '\n' || sql[i+2] == '\r'):
			i = skipLine(sql, i)
		case c == '#':
			i = skipLine(sql, i)
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return toks
			}
			i += 2 + end + 2
		case c == '`':
			start := i
			var b strings.Builder
			i++
			for i < len(sql) {
				if sql[i] == '`' {
					if i+1 < len(sql) && sql[i+1] == '`' {
						b.WriteByte('`')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(sql[i])
				i++
			}
			toks = append(toks, sqlToken{text: b.String(), offset: start})
		case c == '.':
			toks = append(toks, sqlToken{text: ".", offset: i})
			i++
		case isIdentByte(c):
			start := i
			for i < len(sql) && isIdentByte(sql[i]) {
				i++
			}
			toks = append(toks, sqlToken{text: sql[start:i], offset: start})
		default:
			i++
		}
	}
	return toks
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// skipQuoted returns the offset after the string literal that starts at i with quote q;
// a doubled quote and a backslash escape stay inside the literal.
func skipQuoted(sql string, i int, q byte) int {
	i++
	for i < len(sql) {
		switch sql[i] {
		case '\\':
			i += 2
			continue
		case q:
			if i+1 < len(sql) && sql[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return i
}

func skipLine(sql string, i int) int {
	if nl := strings.IndexByte(sql[i:], '\n'); nl >= 0 {
		return i + nl + 1
	}
	return len(sql)
}

// findName returns the byte offset of the first occurrence of the dotted name
// parts[0].parts[1]... in sql, outside strings and comments and case-insensitively; ok is
// false when the name does not occur.
func findName(sql string, parts []string) (offset int, ok bool) {
	toks := tokenize(sql)
	for i := range toks {
		if matchTokens(toks[i:], parts) {
			return toks[i].offset, true
		}
	}
	return 0, false
}

// matchTokens reports whether toks begins with parts joined by dots.
func matchTokens(toks []sqlToken, parts []string) bool {
	if len(parts) == 0 {
		return false
	}
	k := 0
	for j, p := range parts {
		if j > 0 {
			if k >= len(toks) || toks[k].text != "." {
				return false
			}
			k++
		}
		if k >= len(toks) || !strings.EqualFold(toks[k].text, p) {
			return false
		}
		k++
	}
	return true
}

// lineCol converts a byte offset of sql into a 1-based line and character column.
func lineCol(sql string, offset int) (line, col int) {
	before := sql[:offset]
	line = strings.Count(before, "\n") + 1
	if nl := strings.LastIndexByte(before, '\n'); nl >= 0 {
		before = before[nl+1:]
	}
	return line, utf8.RuneCountInString(before) + 1
}

// at returns " at line L, column C" for where the dotted name is written, or "" when it cannot
// be found. TiDB records where an expression node starts; when n's recorded offset really
// starts with the name it is used, else the first occurrence of the name in the statement's
// text is (TiDB keeps no position for table names and clause items). Lines and columns are
// those of the script the query was parsed from; for BindExpr, columns of the first line
// leave out the "SELECT " the binder put before the snippet.
func (s *state) at(n ast.Node, parts ...string) string {
	off, ok := -1, false
	if n != nil {
		if o := n.OriginTextPosition(); o > 0 && o < len(s.sql) {
			toks := tokenize(s.sql[o:])
			if len(toks) > 0 && toks[0].offset == 0 && matchTokens(toks, parts) {
				off, ok = o, true
			}
		}
	}
	if !ok {
		off, ok = findName(s.sql, parts)
	}
	if !ok {
		return ""
	}
	var line, col int
	if s.q != nil {
		line, col = s.q.Position(off)
	} else {
		line, col = lineCol(s.sql, off)
	}
	if line == 1 && s.prefix > 0 {
		col -= s.prefix
		if col < 1 {
			return ""
		}
	}
	return fmt.Sprintf(" at line %d, column %d", line, col)
}
