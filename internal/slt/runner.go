package slt

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Executor runs SQL for the runner: a fresh one per file. Rows come back already rendered
// as strings, one slice per row (NULL as "NULL").
type Executor interface {
	Statement(ctx context.Context, sql string) error
	Query(ctx context.Context, sql string) (rows [][]string, err error)
}

// Failure is one record that did not behave as expected.
type Failure struct {
	Record Record
	Msg    string
}

func (f Failure) Error() string {
	return fmt.Sprintf("%s:%d: %s\n%s", f.Record.File, f.Record.Line, f.Msg, indent(f.Record.SQL))
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// Run executes records in order and returns the failures. With rewrite, query records'
// actual results are collected into the returned map (by record index) for RewriteFile.
func Run(ctx context.Context, ex Executor, recs []Record) (fails []Failure, actual map[int][]string) {
	actual = map[int][]string{}
	for idx, r := range recs {
		switch r.Kind {
		case StatementOK:
			if err := ex.Statement(ctx, r.SQL); err != nil {
				fails = append(fails, Failure{r, "statement failed: " + err.Error()})
			}
		case StatementError:
			err := ex.Statement(ctx, r.SQL)
			if err == nil {
				fails = append(fails, Failure{r, "statement succeeded, expected an error matching " + r.Pattern})
				continue
			}
			if r.Pattern != "" {
				re, rerr := regexp.Compile(r.Pattern)
				if rerr != nil {
					fails = append(fails, Failure{r, "bad error pattern: " + rerr.Error()})
					continue
				}
				if !re.MatchString(err.Error()) {
					fails = append(fails, Failure{r, fmt.Sprintf("error %q does not match %q", err.Error(), r.Pattern)})
				}
			}
		case Query:
			rows, err := ex.Query(ctx, r.SQL)
			if err != nil {
				fails = append(fails, Failure{r, "query failed: " + err.Error()})
				continue
			}
			if len(rows) > 0 && len(rows[0]) != len(r.Types) {
				fails = append(fails, Failure{r, fmt.Sprintf("query returned %d columns, the record declares %d (%s)", len(rows[0]), len(r.Types), r.Types)})
				continue
			}
			got := render(rows, r.Sort)
			actual[idx] = got
			if !equalLines(got, r.Expected) {
				fails = append(fails, Failure{r, diff(r.Expected, got)})
			}
		}
	}
	return fails, actual
}

func render(rows [][]string, mode SortMode) []string {
	switch mode {
	case ValueSort:
		var vals []string
		for _, r := range rows {
			vals = append(vals, r...)
		}
		sort.Strings(vals)
		return vals
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			if c == "" {
				c = "(empty)"
			}
			cells[j] = strings.ReplaceAll(c, "\t", " ")
		}
		out[i] = strings.Join(cells, "\t")
	}
	if mode == RowSort {
		sort.Strings(out)
	}
	return out
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func diff(want, got []string) string {
	var b strings.Builder
	b.WriteString("results differ\n--- expected\n")
	for _, l := range want {
		b.WriteString("    " + l + "\n")
	}
	b.WriteString("+++ actual\n")
	for _, l := range got {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// RewriteFile replaces the expected results of the query records of one file (not of
// included files) with actual ones.
func RewriteFile(path string, recs []Record, actual map[int][]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	// Rewrite from the bottom so earlier line numbers stay valid.
	for idx := len(recs) - 1; idx >= 0; idx-- {
		r := recs[idx]
		got, ok := actual[idx]
		if r.Kind != Query || r.File != path || !ok {
			continue
		}
		// Find the "----" line after the SQL.
		start := r.Line // 1-based header line; SQL follows
		sep := -1
		for k := start; k < len(lines) && k < r.endLine+1; k++ {
			if strings.TrimSpace(lines[k]) == "----" {
				sep = k
				break
			}
		}
		var repl []string
		if sep < 0 {
			sep = r.endLine
			repl = append(repl, "----")
		} else {
			repl = append(repl, lines[sep])
		}
		repl = append(repl, got...)
		tail := append([]string{}, lines[r.endLine:]...)
		lines = append(append(lines[:sep], repl...), tail...)
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}
