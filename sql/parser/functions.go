package parser

import "strings"

// ShowFunctions is Spark's SHOW FUNCTIONS:
//
//	SHOW [USER | SYSTEM | ALL] FUNCTIONS [[LIKE] 'pattern']
//
// USER lists the session's own functions, SYSTEM the built-ins, ALL (the default) both.
// The pattern is a LIKE pattern (% and _, backslash escapes), matched case-insensitively
// against the lower-case names, as SHOW ... LIKE is in MySQL.
type ShowFunctions struct {
	// Scope is "all", "user" or "system".
	Scope string
	// Like is the pattern; HasLike is false when the statement has none.
	Like    string
	HasLike bool
	SQL     string
}

// Text returns the original text.
func (s *ShowFunctions) Text() string { return s.SQL }

// DescribeFunction is Spark's DESCRIBE FUNCTION:
//
//	{DESCRIBE | DESC} FUNCTION [EXTENDED] name
//
// name is an identifier or a quoted string. TiDB's parser would read DESCRIBE FUNCTION f
// as "describe column f of table function"; a table of that name is still reached as
// DESCRIBE `function`.
type DescribeFunction struct {
	Name     string
	Extended bool
	SQL      string
}

// Text returns the original text.
func (s *DescribeFunction) Text() string { return s.SQL }

// parseFunctionForms recognises SHOW ... FUNCTIONS and DESCRIBE FUNCTION (sig[0] is SHOW,
// DESCRIBE or DESC). ok is false for any other SHOW or DESCRIBE statement, which goes to
// TiDB; so is a bare DESCRIBE FUNCTION, which describes a table named function.
func parseFunctionForms(src string, sig []token, end int) (st Statement, ok bool, err error) {
	c := &cursor{src: src, toks: sig, i: 1, end: end}
	text := src[sig[0].start:end]
	switch strings.ToUpper(src[sig[0].start:sig[0].end]) {
	case "SHOW":
		s := &ShowFunctions{SQL: text, Scope: "all"}
		for _, scope := range []string{"USER", "SYSTEM", "ALL"} {
			if c.isWord(scope) && c.i+1 < len(c.toks) && isWordToken(src, c.toks[c.i+1], "FUNCTIONS") {
				s.Scope = strings.ToLower(scope)
				c.i++
			}
		}
		if !c.acceptWord("FUNCTIONS") {
			return nil, false, nil
		}
		if c.atEnd() {
			return s, true, nil
		}
		liked := c.acceptWord("LIKE")
		if s.Like, err = c.stringLit("a quoted LIKE pattern"); err != nil {
			if !liked {
				err = c.fail("expected LIKE or the end of the statement")
			}
			return nil, false, err
		}
		s.HasLike = true
		return s, true, c.expectEnd()
	case "DESCRIBE", "DESC":
		if !c.isWord("FUNCTION") || len(c.toks) == 2 {
			return nil, false, nil
		}
		c.i++
		s := &DescribeFunction{SQL: text}
		if c.isWord("EXTENDED") && c.i+1 < len(c.toks) {
			s.Extended = true
			c.i++
		}
		if !c.atEnd() && c.toks[c.i].kind == tokString {
			s.Name, _ = c.stringLit("a function name")
		} else if s.Name, _, err = c.name("a function name"); err != nil {
			return nil, false, err
		}
		return s, true, c.expectEnd()
	}
	return nil, false, nil
}

// isWordToken reports whether t is the word kw (case-insensitive).
func isWordToken(src string, t token, kw string) bool {
	return t.kind == tokWord && strings.EqualFold(src[t.start:t.end], kw)
}
