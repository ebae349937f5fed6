package parser

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		complete []string
		rest     string
	}{
		{"incomplete last", "SELECT 1; SELECT 2", []string{"SELECT 1"}, "SELECT 2"},
		{"quotes", "SELECT ';'; SELECT \";\"; SELECT `a;b`;", []string{"SELECT ';'", "SELECT \";\"", "SELECT `a;b`"}, ""},
		{"line comments", "SELECT 1 -- ; no split\n; SELECT 2 # ;\n;", []string{"SELECT 1", "SELECT 2"}, ""},
		{"block comment inside", "SELECT /* ; */ 1;", []string{"SELECT /* ; */ 1"}, ""},
		{"unterminated string", "SELECT 'abc;", nil, "SELECT 'abc;"},
		{"unterminated string keeps trailing space", "SELECT 1; SELECT 'a\n", []string{"SELECT 1"}, "SELECT 'a\n"},
		{"unterminated comment", "SELECT 1; /* open ;", []string{"SELECT 1"}, "/* open ;"},
		{"finished comment rest", "SELECT 1; -- done", []string{"SELECT 1"}, ""},
		{"finished block comment rest", "SELECT 1; /* done */ ", []string{"SELECT 1"}, ""},
		{"white space", "   \n\t ", nil, ""},
		{"empty", "", nil, ""},
		{"double dash without space is minus", "SELECT 1--1;", []string{"SELECT 1--1"}, ""},
		{"dash dash at end", "SELECT 1; --", []string{"SELECT 1"}, ""},
		{"doubled quote", "SELECT 'it''s;' ; x", []string{"SELECT 'it''s;'"}, "x"},
		{"backslash escape", "SELECT 'a\\';' ;", []string{"SELECT 'a\\';'"}, ""},
		{"doubled backtick", "SELECT `a``;b`;", []string{"SELECT `a``;b`"}, ""},
		{"empty statements", ";;  ;", nil, ""},
		{"leading white space of rest", "SELECT 1;\n  SELECT 2", []string{"SELECT 1"}, "SELECT 2"},
		{"leading comment dropped", "-- c\nSELECT 1;", []string{"SELECT 1"}, ""},
		{"comment before rest dropped", "SELECT 1; -- c\nSELECT", []string{"SELECT 1"}, "SELECT"},
		{"multi-line statement", "SELECT a,\n  b\nFROM t;", []string{"SELECT a,\n  b\nFROM t"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			complete, rest := SplitStatements(tc.script)
			if !reflect.DeepEqual(complete, tc.complete) || rest != tc.rest {
				t.Errorf("got %q, %q; want %q, %q", complete, rest, tc.complete, tc.rest)
			}
		})
	}
}

func TestLex(t *testing.T) {
	type tok struct {
		kind tokKind
		text string
		open bool
	}
	tests := []struct {
		src  string
		want []tok
	}{
		{"a.b", []tok{{tokWord, "a", false}, {tokPunct, ".", false}, {tokWord, "b", false}}},
		{"x'0F' N'é'", []tok{{tokWord, "x", false}, {tokString, "'0F'", false}, {tokWord, "N", false}, {tokString, "'é'", false}}},
		{"1--1", []tok{{tokWord, "1", false}, {tokPunct, "-", false}, {tokPunct, "-", false}, {tokWord, "1", false}}},
		{"1-- c\n2", []tok{{tokWord, "1", false}, {tokLineComment, "-- c", false}, {tokWord, "2", false}}},
		{"#c\r\nx", []tok{{tokLineComment, "#c\r", false}, {tokWord, "x", false}}},
		{"/**/x/*/", []tok{{tokBlockComment, "/**/", false}, {tokWord, "x", false}, {tokBlockComment, "/*/", true}}},
		{"'a\\'b''c'", []tok{{tokString, "'a\\'b''c'", false}}},
		{"\"a", []tok{{tokString, "\"a", true}}},
		{"`a\\`b", []tok{{tokQuotedIdent, "`a\\`", false}, {tokWord, "b", false}}},
		{"'a\\", []tok{{tokString, "'a\\", true}}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			var got []tok
			for _, x := range lex(tc.src) {
				got = append(got, tok{x.kind, tc.src[x.start:x.end], x.open})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct{ src, want string }{
		{"'abc'", "abc"},
		{"'it''s'", "it's"},
		{`"say ""hi"""`, `say "hi"`},
		{`'a\tb\nc\\d\'e\%f\_g\qh\0'`, "a\tb\nc\\d'e\\%f\\_gqh\x00"},
		{"`a``b`", "a`b"},
	}
	for _, tc := range tests {
		toks := lex(tc.src)
		if len(toks) != 1 {
			t.Fatalf("%s: %d tokens", tc.src, len(toks))
		}
		var got string
		if toks[0].kind == tokQuotedIdent {
			got = unquoteIdent(tc.src, toks[0])
		} else {
			got = unquoteString(tc.src, toks[0])
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.src, got, tc.want)
		}
	}
}
