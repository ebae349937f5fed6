package binder

import (
	"strings"
	"testing"
)

func TestFindName(t *testing.T) {
	cases := []struct {
		sql       string
		name      string // dotted
		line, col int    // 0, 0: not found
	}{
		{"SELECT l_quantit FROM t", "l_quantit", 1, 8},
		{"SELECT L_QUANTIT FROM t", "l_quantit", 1, 8},
		{"SELECT 'l_quantit', l_quantit", "l_quantit", 1, 21},
		{`SELECT "x", x`, "x", 1, 13},
		{"SELECT 'it''s x', x", "x", 1, 19},
		{`SELECT 'a\'x', x`, "x", 1, 16},
		{"-- x\nSELECT x", "x", 2, 8},
		{"#x\n  x", "x", 2, 3},
		{"/* x\n x */ SELECT x", "x", 2, 14},
		{"SELECT a-- x\n, x", "x", 2, 3},
		{"SELECT `weird name` FROM t", "weird name", 1, 8},
		{"SELECT `a``b`", "a`b", 1, 8},
		{"SELECT ta.a, t . a", "t.a", 1, 14},
		{"SELECT t.ab, t.a", "t.a", 1, 14},
		{"SELECT 'é', ü, x", "x", 1, 16},
		{"SELECT xy", "x", 0, 0},
		{"SELECT 'x", "x", 0, 0},
		{"SELECT /* x", "x", 0, 0},
	}
	for _, tc := range cases {
		off, ok := findName(tc.sql, strings.Split(tc.name, "."))
		var line, col int
		if ok {
			line, col = lineCol(tc.sql, off)
		}
		if line != tc.line || col != tc.col {
			t.Errorf("findName(%q, %q) at %d:%d, want %d:%d", tc.sql, tc.name, line, col, tc.line, tc.col)
		}
	}
}
