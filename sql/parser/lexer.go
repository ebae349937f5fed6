package parser

import (
	"strings"
	"unicode"
)

// tokKind classifies the tokens of Ember's own lexer. The lexer knows only as much SQL as the
// splitter, the rewrites and the recogniser of Ember's statements need: where strings, quoted
// identifiers and comments begin and end (following the rules of TiDB's lexer, so that both
// agree on what is code), words, and single-byte punctuation.
type tokKind uint8

const (
	// tokWord is a run of [A-Za-z0-9_$] and non-ASCII bytes: a keyword, an identifier or
	// the digits of a number (1.5 lexes as word, '.', word).
	tokWord tokKind = iota
	// tokQuotedIdent is a `back-quoted` identifier (`` doubles a back-quote).
	tokQuotedIdent
	// tokString is a '...' or "..." literal (backslash escapes, doubled quotes).
	tokString
	// tokPunct is any other single byte that is not white space.
	tokPunct
	// tokLineComment is -- (followed by white space or the end) or # up to the line end.
	tokLineComment
	// tokBlockComment is /* ... */, including MySQL's /*! ... */ and hints /*+ ... */.
	tokBlockComment
)

// token is a span of the lexed text. Offsets are byte offsets into the whole script.
type token struct {
	kind       tokKind
	start, end int
	// open is set when a string, quoted identifier or block comment reaches the end of the
	// text without its closing delimiter.
	open bool
}

func (t token) isComment() bool { return t.kind == tokLineComment || t.kind == tokBlockComment }

// isWordByte reports whether c can be part of a word.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '$' || c >= 0x80
}

// isSpaceByte reports the white space that separates tokens.
func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// lex splits src into tokens, skipping white space. It never fails: unterminated strings,
// quoted identifiers and block comments run to the end and are marked open. O(len(src)).
func lex(src string) []token {
	var toks []token
	n := len(src)
	for i := 0; i < n; {
		c := src[i]
		start := i
		switch {
		case isSpaceByte(c):
			i++
			continue
		case c == '\'' || c == '"':
			end, open := scanQuoted(src, i, c, true)
			toks = append(toks, token{kind: tokString, start: start, end: end, open: open})
			i = end
		case c == '`':
			end, open := scanQuoted(src, i, c, false)
			toks = append(toks, token{kind: tokQuotedIdent, start: start, end: end, open: open})
			i = end
		case c == '#' || c == '-' && isDashComment(src, i):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = n
			} else {
				end += i
			}
			toks = append(toks, token{kind: tokLineComment, start: start, end: end})
			i = end
		case c == '/' && i+1 < n && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			t := token{kind: tokBlockComment, start: start}
			if end < 0 {
				t.end, t.open = n, true
			} else {
				t.end = i + 2 + end + 2
			}
			toks = append(toks, t)
			i = t.end
		case isWordByte(c):
			for i < n && isWordByte(src[i]) {
				i++
			}
			toks = append(toks, token{kind: tokWord, start: start, end: i})
		default:
			i++
			toks = append(toks, token{kind: tokPunct, start: start, end: i})
		}
	}
	return toks
}

// isDashComment applies TiDB's (and MySQL's) rule: "--" starts a comment only when followed by
// white space or the end of the text; "1--1" is 1 minus minus 1.
func isDashComment(src string, i int) bool {
	if i+1 >= len(src) || src[i+1] != '-' {
		return false
	}
	return i+2 == len(src) || unicode.IsSpace(rune(src[i+2]))
}

// scanQuoted returns the end of the quoted token starting at src[i] == q. A doubled quote
// stands for itself; with escapes, a backslash protects the next byte.
func scanQuoted(src string, i int, q byte, escapes bool) (end int, open bool) {
	for j := i + 1; j < len(src); {
		switch src[j] {
		case '\\':
			if escapes {
				j += 2
				continue
			}
		case q:
			if j+1 < len(src) && src[j+1] == q {
				j += 2
				continue
			}
			return j + 1, false
		}
		j++
	}
	return len(src), true
}

// significant returns the tokens that are not comments.
func significant(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if !t.isComment() {
			out = append(out, t)
		}
	}
	return out
}

// unquoteIdent returns the name a word or back-quoted identifier stands for.
func unquoteIdent(src string, t token) string {
	s := src[t.start:t.end]
	if t.kind != tokQuotedIdent {
		return s
	}
	return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
}

// unquoteString decodes a closed string token with MySQL's rules: a doubled quote stands for
// one, and backslash escapes \0 \b \n \r \t \Z \\ \' \" map to their bytes, \% and \_ keep
// the backslash, and any other escaped byte stands for itself.
func unquoteString(src string, t token) string {
	s := src[t.start+1 : t.end-1]
	q := src[t.start]
	if strings.IndexByte(s, '\\') < 0 && strings.IndexByte(s, q) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i++
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'Z':
				b.WriteByte(0x1a)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(e)
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
