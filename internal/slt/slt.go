package slt

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// RecordKind is the kind of one sqllogictest record.
type RecordKind int

const (
	// StatementOK must succeed.
	StatementOK RecordKind = iota
	// StatementError must fail with an error matching Pattern.
	StatementError
	// Query must succeed and return Expected.
	Query
)

// SortMode says how query results are compared.
type SortMode string

const (
	NoSort    SortMode = "nosort"
	RowSort   SortMode = "rowsort"
	ValueSort SortMode = "valuesort"
)

// Record is one test case of a .slt file.
type Record struct {
	Kind     RecordKind
	SQL      string
	Pattern  string   // StatementError: regular expression the error must match ("" = any)
	Types    string   // Query: one letter per column (I integer, R real/decimal, T text, B bool, D date/time)
	Sort     SortMode // Query
	Expected []string // Query: expected lines, values separated by a tab
	File     string
	Line     int // line of the record's first line, 1-based
	// headerLine and endLine delimit the record's text in its file, for -rewrite.
	endLine int
}

// ParseFile reads a .slt file, following include directives (paths relative to the
// including file; globs allowed).
func ParseFile(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, string(data))
}

var wsRe = regexp.MustCompile(`\s+`)

func parse(path, text string) ([]Record, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []Record
	i := 0
	errf := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
	}
	for i < len(lines) {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			i++
			continue
		}
		fields := wsRe.Split(line, -1)
		start := i + 1
		switch fields[0] {
		case "include":
			if len(fields) != 2 {
				return nil, errf(start, "include takes one path")
			}
			matches, err := filepath.Glob(filepath.Join(filepath.Dir(path), fields[1]))
			if err != nil || len(matches) == 0 {
				return nil, errf(start, "include %s matches no file", fields[1])
			}
			sort.Strings(matches)
			for _, m := range matches {
				recs, err := ParseFile(m)
				if err != nil {
					return nil, err
				}
				out = append(out, recs...)
			}
			i++
		case "halt":
			return out, nil
		case "statement":
			if len(fields) < 2 {
				return nil, errf(start, "statement needs ok or error")
			}
			r := Record{File: path, Line: start}
			switch fields[1] {
			case "ok":
				r.Kind = StatementOK
			case "error":
				r.Kind = StatementError
				r.Pattern = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(line, "statement")), "error"))
			default:
				return nil, errf(start, "statement needs ok or error, got %q", fields[1])
			}
			i++
			var sql []string
			for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
				sql = append(sql, lines[i])
				i++
			}
			if len(sql) == 0 {
				return nil, errf(start, "statement without SQL")
			}
			r.SQL = strings.Join(sql, "\n")
			r.endLine = i
			out = append(out, r)
		case "query":
			if len(fields) < 2 {
				return nil, errf(start, "query needs column types")
			}
			r := Record{Kind: Query, File: path, Line: start, Types: fields[1], Sort: NoSort}
			if len(fields) > 2 {
				switch SortMode(fields[2]) {
				case NoSort, RowSort, ValueSort:
					r.Sort = SortMode(fields[2])
				default:
					return nil, errf(start, "unknown sort mode %q", fields[2])
				}
			}
			i++
			var sql []string
			for i < len(lines) && strings.TrimSpace(lines[i]) != "----" && strings.TrimSpace(lines[i]) != "" {
				sql = append(sql, lines[i])
				i++
			}
			if len(sql) == 0 {
				return nil, errf(start, "query without SQL")
			}
			r.SQL = strings.Join(sql, "\n")
			if i < len(lines) && strings.TrimSpace(lines[i]) == "----" {
				i++
				for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
					if len(r.Types) == 1 {
						// One column: the whole line is the value, spaces and all.
						r.Expected = append(r.Expected, strings.TrimRight(lines[i], "\r"))
					} else {
						r.Expected = append(r.Expected, normalizeLine(lines[i]))
					}
					i++
				}
			}
			r.endLine = i
			out = append(out, r)
		default:
			return nil, errf(start, "unknown record %q", fields[0])
		}
	}
	return out, nil
}

// normalizeLine turns an expected line into tab-separated values. A line holding a tab is
// taken as it is (values may then contain spaces); a line without one is split on runs of
// spaces, so hand-written results may be aligned with spaces.
func normalizeLine(l string) string {
	l = strings.TrimRight(l, "\r")
	if strings.Contains(l, "\t") {
		return l
	}
	return strings.Join(strings.Fields(l), "\t")
}
