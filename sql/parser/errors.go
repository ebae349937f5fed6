package parser

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a parse error at a position of the original script: Line and Column are 1-based,
// Column counts characters (not bytes) from the start of the line. Positions refer to the text
// the user wrote, also after Ember's rewrites and in scripts of several statements.
type Error struct {
	Line, Column int
	// Msg says what is wrong, in lower case ("syntax error", "unterminated string literal").
	Msg string
	// Near is the text of the token the error points at; empty at the end of a statement.
	Near string
}

// Error renders `line 1 column 10: syntax error near "FORM"`.
func (e *Error) Error() string {
	if e.Near == "" {
		return fmt.Sprintf("line %d column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("line %d column %d: %s near %q", e.Line, e.Column, e.Msg, e.Near)
}

// maxNear bounds the length of Error.Near, in bytes.
const maxNear = 40

// errorAt builds an Error at byte offset off of script. near is the text to quote, cut at its
// first line break and at maxNear bytes (on a character boundary).
func errorAt(script string, off int, msg, near string) *Error {
	line, col := lineCol(script, off)
	if i := strings.IndexAny(near, "\r\n"); i >= 0 {
		near = near[:i]
	}
	if len(near) > maxNear {
		cut := maxNear
		for cut > 0 && !utf8.RuneStart(near[cut]) {
			cut--
		}
		near = near[:cut] + "..."
	}
	return &Error{Line: line, Column: col, Msg: msg, Near: near}
}

// errorAtToken builds an Error pointing at token t.
func errorAtToken(script string, t token, msg string) *Error {
	return errorAt(script, t.start, msg, script[t.start:t.end])
}

// lineCol converts a byte offset into a 1-based line and a 1-based column in characters.
func lineCol(script string, off int) (line, col int) {
	off = min(max(off, 0), len(script))
	before := script[:off]
	line = 1 + strings.Count(before, "\n")
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCountInString(before[lineStart:])
}

var (
	// tidbPos matches the position TiDB's lexer writes into its errors:
	// `line %d column %d near "%s"%s %s` where the quoted text is the source from the offending
	// token to the end (cut at 2048 bytes) and the last part "(total length N)" when cut.
	tidbPos = regexp.MustCompile(`line (\d+) column (\d+) near "`)
	// tidbTotal matches the suffix TiDB adds when it cut the quoted text.
	tidbTotal = regexp.MustCompile(`\(total length (\d+)\)\s*$`)
	// tidbCode matches the "[parser:1064]" prefix of TiDB's coded errors.
	tidbCode = regexp.MustCompile(`^\[[a-z]+:\d+\]`)
)

// tidbError translates an error of TiDB's parser on the rewritten text rw into an Error at the
// matching position of the original script.
func tidbError(err error, rw *rewritten, script string, toks []token) *Error {
	msg := err.Error()
	loc := tidbPos.FindStringSubmatchIndex(msg)
	if loc == nil {
		// An error raised by a grammar action (for example a too-big precision) has no
		// position: point at the statement.
		msg = strings.TrimSuffix(strings.TrimSpace(tidbCode.ReplaceAllString(msg, "")), ".")
		return errorAtToken(script, toks[0], msg)
	}
	line, _ := strconv.Atoi(msg[loc[2]:loc[3]])
	col, _ := strconv.Atoi(msg[loc[4]:loc[5]])
	rest := msg[loc[1]:]
	src := rw.text
	off, extra := nearOffset(src, rest, line, col, rw, toks)
	orig := rw.origStart(off)
	text := "syntax error"
	if extra != "" {
		text = extra
	}
	for _, t := range toks {
		if t.start <= orig && orig < t.end {
			return errorAt(script, t.start, text, script[t.start:t.end])
		}
	}
	return errorAt(script, orig, text+" at end of statement", "")
}

// nearOffset finds the offset in src of the text TiDB quoted after `near "`. rest is the
// message after that quote; line and col are TiDB's position (the end of the offending token,
// bytes, 0-based column), used as the starting point of the search. extra is any message TiDB
// wrote after the quoted text.
func nearOffset(src, rest string, line, col int, rw *rewritten, toks []token) (off int, extra string) {
	if m := tidbTotal.FindStringSubmatchIndex(rest); m != nil {
		total, _ := strconv.Atoi(rest[m[2]:m[3]])
		if total <= len(src) {
			off = len(src) - total
			if n := min(len(src)-off, 2048); n+1 <= m[0] {
				extra = strings.TrimSpace(rest[n+1 : m[0]])
			}
			return off, extra
		}
	}
	hint := 0
	for l := 1; l < line && hint < len(src); l++ {
		i := strings.IndexByte(src[hint:], '\n')
		if i < 0 {
			hint = len(src)
			break
		}
		hint += i + 1
	}
	hint = min(hint+col, len(src))
	matches := func(o int) bool {
		n := len(src) - o
		return strings.HasPrefix(rest, src[o:]) && len(rest) > n && rest[n] == '"'
	}
	fallback := -1
	for o := hint; o >= 0; o-- {
		if !matches(o) {
			continue
		}
		if o == len(src) || isTokenStart(toks, rw.origStart(o)) {
			return o, strings.TrimSpace(rest[len(src)-o+1:])
		}
		if fallback < 0 {
			fallback = o
		}
	}
	if fallback >= 0 {
		return fallback, strings.TrimSpace(rest[len(src)-fallback+1:])
	}
	return hint, ""
}

// isTokenStart reports whether some token of toks (sorted) starts at offset off.
func isTokenStart(toks []token, off int) bool {
	i := sort.Search(len(toks), func(i int) bool { return toks[i].start >= off })
	return i < len(toks) && toks[i].start == off
}
