package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestSuggest(t *testing.T) {
	// The fake catalog: orders(id, customer_id, amount), customers(id, name);
	// functions abs, avg, count, substring, sum.
	tests := []struct {
		before, after string
		want          []string // "text/kind"; for meta-commands only the text
	}{
		{before: "sel", want: []string{"select/keyword"}},
		{before: "SEL", want: []string{"SELECT/keyword"}},
		{before: "select * from o", want: []string{"orders/table"}},
		{before: "select * from orders join c", want: []string{"customers/table"}},
		{before: "select * from orders o, c", want: []string{"customers/table"}},
		{before: "describe o", want: []string{"orders/table"}},
		{before: "select c", after: " from orders",
			want: []string{"customer_id/column", "count/function", "cross/keyword", "case/keyword", "cast/keyword", "create/keyword", "cache/keyword", "clear/keyword", "cancel/keyword"}},
		{before: "select su", want: []string{"substring/function", "sum/function"}},
		{before: "select orders.cu", want: []string{"customer_id/column"}},
		{before: "select o.am", after: " from orders o", want: []string{"amount/column"}},
		{before: "select id from orders where customers.na", want: []string{"name/column"}},
		{before: "select id\nfrom orders\nwhere am", want: []string{"amount/column"}},
		// No suggestions: empty word, inside a string or a comment, a word already complete.
		{before: "select ", want: nil},
		{before: "select count(", want: nil},
		{before: "select 'abc", want: nil},
		{before: "select 'ab cd", want: nil},
		{before: "select x -- fr", want: nil},
		{before: "select x /* fr", want: nil},
		{before: "select", want: nil},
		// Meta-commands.
		{before: ".ta", want: []string{"tables"}},
		{before: `\d`, want: []string{`\dt`}},
		{before: ".mode c", want: []string{"csv"}},
		{before: ".mode j", want: []string{"json", "jsonl"}},
		{before: `\d cu`, want: []string{"customers"}},
		{before: ".timer o", want: []string{"on", "off"}},
		{before: ".read fi", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.before, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			c := newCompleter(newFakeEngine(mem))
			var got []string
			for _, s := range c.suggest(tc.before, tc.after) {
				if strings.HasPrefix(tc.before, ".") || strings.HasPrefix(tc.before, `\`) {
					got = append(got, s.text)
				} else {
					got = append(got, fmt.Sprintf("%s/%s", s.text, s.kind))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("suggest(%q, %q) = %q, want %q", tc.before, tc.after, got, tc.want)
			}
		})
	}
}

func TestCompletionCacheRefreshedAfterCommands(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	eng := newFakeEngine(mem)
	var out, errOut strings.Builder
	s := newShell(eng, &out, &errOut, settings{})
	tables := func() []string {
		var names []string
		for _, sg := range s.comp.suggest("select * from z", "") {
			names = append(names, sg.text)
		}
		return names
	}
	if got := tables(); got != nil {
		t.Fatalf("before create: %q", got)
	}
	eng.tables["zebra_hidden"] = []string{"a"} // not through a statement: the cache still holds
	if got := tables(); got != nil {
		t.Errorf("cache was not used: %q", got)
	}
	if !s.runScript(context.Background(), strings.NewReader("create table zebra (a int);")) {
		t.Fatalf("create failed: %s", errOut.String())
	}
	if got := tables(); !slices.Equal(got, []string{"zebra", "zebra_hidden"}) {
		t.Errorf("after create: %q", got)
	}
}
