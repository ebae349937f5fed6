package parser

// SplitStatements splits a script on the ';' that lie outside strings, quoted identifiers and
// comments. complete holds each finished statement's original text without its ';', cut from
// its first to its last token that is not a comment (comments inside a statement stay; a
// statement made only of comments is dropped). rest is the trailing text after the last ';'
// from its first token, or "" when that text holds only white space and finished comments. An
// unterminated string, quoted identifier or comment makes rest non-empty, so an interactive
// shell keeps reading: a ';' typed later inside it ends nothing.
//
// Joining complete with ";" and splitting again gives complete back. O(len(script)).
func SplitStatements(script string) (complete []string, rest string) {
	toks := lex(script)
	stmts, restIdx := splitScript(script, toks)
	for _, s := range stmts {
		complete = append(complete, script[s.start:s.end])
	}
	if restIdx >= 0 {
		rest = script[toks[restIdx].start:]
	}
	return complete, rest
}

// span is one statement of a script: the bytes from its first to its last token that is not a
// comment, and its tokens in between, comments included. Offsets are into the whole script.
type span struct {
	start, end int
	toks       []token
}

// splitScript cuts a lexed script at its ';' tokens. Statements without any token but comments
// are dropped. restIdx is the index of the first token after the last ';' that is not a
// finished comment, or -1 when there is none.
func splitScript(src string, toks []token) (stmts []span, restIdx int) {
	first := 0
	for i, t := range toks {
		if t.kind == tokPunct && src[t.start] == ';' {
			if s, ok := trimSpan(toks[first:i]); ok {
				stmts = append(stmts, s)
			}
			first = i + 1
		}
	}
	for i := first; i < len(toks); i++ {
		if !toks[i].isComment() || toks[i].open {
			return stmts, i
		}
	}
	return stmts, -1
}

// trimSpan drops the leading and trailing comments of toks; ok is false when nothing remains.
func trimSpan(toks []token) (span, bool) {
	lo, hi := 0, len(toks)
	for lo < hi && toks[lo].isComment() {
		lo++
	}
	for hi > lo && toks[hi-1].isComment() {
		hi--
	}
	if lo == hi {
		return span{}, false
	}
	return span{start: toks[lo].start, end: toks[hi-1].end, toks: toks[lo:hi]}, true
}

// statementsOf returns every statement of a script for Parse: the finished ones and the
// trailing one without ';'. An unterminated comment at the end is returned as open.
func statementsOf(script string) (stmts []span, openComment *token) {
	toks := lex(script)
	stmts, restIdx := splitScript(script, toks)
	if restIdx < 0 {
		return stmts, nil
	}
	tail := toks[restIdx:]
	if s, ok := trimSpan(tail); ok {
		stmts = append(stmts, s)
	}
	if last := tail[len(tail)-1]; last.kind == tokBlockComment && last.open {
		return stmts, &last
	}
	return stmts, nil
}
