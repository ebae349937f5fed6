package main

import (
	"slices"
	"strings"
	"unicode"

	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/parser"
)

// wordSeparators end the word being completed. go-prompt gets the same set
// (OptionCompletionWordSeparator), so the suggestion replaces exactly the word measured
// here.
const wordSeparators = " \t\n,;()=<>+-*/%|."

// keywords are the SQL keywords offered by completion.
var keywords = []string{
	"SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET",
	"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "ON", "USING", "AS",
	"AND", "OR", "NOT", "NULL", "IS", "IN", "BETWEEN", "LIKE", "EXISTS", "DISTINCT",
	"CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "TRUE", "FALSE", "ASC", "DESC",
	"NULLS", "FIRST", "LAST", "UNION", "ALL", "EXCEPT", "INTERSECT", "WITH", "OVER",
	"PARTITION", "ROWS", "RANGE", "WINDOW", "INSERT", "INTO", "VALUES", "CREATE",
	"TABLE", "VIEW", "DROP", "IF", "SHOW", "TABLES", "DESCRIBE", "EXPLAIN", "ANALYZE",
	"VERBOSE", "SET", "LOCATION", "MODEL", "CACHE", "UNCACHE", "LAZY", "CLEAR", "REFRESH",
	"OPTIONS", "FUNCTIONS", "FUNCTION", "MODELS", "EVALUATE", "JOBS", "JOB", "CANCEL", "ASYNC",
}

// tableKeywords are followed by a table name.
var tableKeywords = []string{"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "EXISTS"}

// suggestion is one completion candidate; kind is shown beside it.
type suggestion struct {
	text, kind string
}

// completer proposes keywords, tables, columns and functions. It caches the catalog's
// names until invalidate (called after every command, which may be DDL). It is used by one
// goroutine (go-prompt's loop, which also runs the statements).
type completer struct {
	cat       catalog
	loaded    bool
	tables    []string
	functions []string
	columns   map[string][]string // by table name as the catalog spells it
}

func newCompleter(cat catalog) *completer { return &completer{cat: cat} }

// invalidate drops the cached names; the next completion reloads them.
func (c *completer) invalidate() { c.loaded = false }

func (c *completer) load() {
	if c.loaded {
		return
	}
	c.tables = sortedCopy(c.cat.TableNames())
	c.functions = sortedCopy(c.cat.FunctionNames())
	c.columns = map[string][]string{}
	c.loaded = true
}

// columnsOf returns the columns of table (matched case-insensitively), or nil.
func (c *completer) columnsOf(table string) []string {
	for _, t := range c.tables {
		if strings.EqualFold(t, table) {
			cols, ok := c.columns[t]
			if !ok {
				cols = sortedCopy(c.cat.ColumnNames(t))
				c.columns[t] = cols
			}
			return cols
		}
	}
	return nil
}

// suggest returns candidates for the word that ends at the cursor. before is the
// statement's text up to the cursor (earlier lines of an unfinished statement included),
// after the rest of the current line. There are none when the word is empty or the cursor
// is inside a string, quoted identifier or comment.
func (c *completer) suggest(before, after string) []suggestion {
	word := before[strings.LastIndexAny(before, wordSeparators)+1:]
	if word == "" || strings.ContainsAny(word[:1], "'\"`") {
		return nil
	}
	if line := strings.TrimLeft(before, " \t"); isMeta(line) {
		return c.metaSuggestions(line, word)
	}
	// The splitter knows SQL's quoting: a ';' typed at the cursor ends a statement that
	// ends with the word, unless the cursor is inside a string, quoted identifier or
	// comment (the ';' is then swallowed, or the comment trimmed off the statement).
	complete, rest := parser.SplitStatements(before + ";")
	if rest != "" || len(complete) == 0 || !strings.HasSuffix(before, complete[len(complete)-1]) {
		return nil
	}
	head := before[:len(before)-len(word)]
	c.load()
	toks := tokens(head)
	if strings.HasSuffix(head, ".") {
		// qualifier.col: the qualifier's columns if it is a table, else those in scope.
		var cols []string
		if len(toks) > 0 {
			cols = c.columnsOf(toks[len(toks)-1])
		}
		if cols == nil {
			cols = c.scopeColumns(tokens(before + after))
		}
		return match(word, nil, group{cols, "column"})
	}
	if tableContext(toks) {
		return match(word, nil, group{c.tables, "table"})
	}
	return match(word, keywords,
		group{c.scopeColumns(tokens(before + after)), "column"},
		group{c.functions, "function"})
}

// scopeColumns returns the columns of the tables the statement names after FROM or JOIN,
// or of every table when it names none.
func (c *completer) scopeColumns(toks []string) []string {
	scope := scopeTables(toks)
	if len(scope) == 0 {
		scope = c.tables
	}
	var cols []string
	for _, t := range scope {
		cols = append(cols, c.columnsOf(t)...)
	}
	slices.Sort(cols)
	return slices.Compact(cols)
}

// tableContext reports whether the next word is a table name: after FROM, JOIN, INTO,
// UPDATE, TABLE or EXISTS, after a comma in a FROM list, and after a leading DESCRIBE.
func tableContext(toks []string) bool {
	if len(toks) == 0 {
		return false
	}
	prev := strings.ToUpper(toks[len(toks)-1])
	if slices.Contains(tableKeywords, prev) {
		return true
	}
	if len(toks) == 1 && (prev == "DESCRIBE" || prev == "DESC") {
		return true
	}
	if prev != "," {
		return false
	}
	for i := len(toks) - 2; i >= 0; i-- {
		if u := strings.ToUpper(toks[i]); slices.Contains(keywords, u) {
			return u == "FROM"
		}
	}
	return false
}

// scopeTables returns the tables named after FROM and JOIN (FROM a x, b AS y JOIN c).
func scopeTables(toks []string) []string {
	var out []string
	isName := func(t string) bool {
		return t != "," && t != "(" && t != ")" && t != ";" && !slices.Contains(keywords, strings.ToUpper(t))
	}
	for i, t := range toks {
		if u := strings.ToUpper(t); u != "FROM" && u != "JOIN" {
			continue
		}
		j := i + 1
		for j < len(toks) && isName(toks[j]) {
			out = append(out, toks[j])
			j++
			if j+1 < len(toks) && strings.EqualFold(toks[j], "AS") {
				j += 2
			} else if j < len(toks) && isName(toks[j]) {
				j++
			}
			if j >= len(toks) || toks[j] != "," {
				break
			}
			j++
		}
	}
	return out
}

// tokens splits SQL text roughly into identifiers (backquoted ones unquoted, dots kept
// inside) and the punctuation , ( ) ;. Strings and comments are skipped. It serves
// completion only; statements are split by the parser package.
func tokens(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '\'' || r == '"' || r == '`':
			j := i + 1
			for j < len(rs) && rs[j] != r {
				j++
			}
			if r == '`' {
				out = append(out, string(rs[i+1:j]))
			}
			i = j + 1
		case r == '-' && i+1 < len(rs) && rs[i+1] == '-':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case r == '/' && i+1 < len(rs) && rs[i+1] == '*':
			i += 2
			for i+1 < len(rs) && !(rs[i] == '*' && rs[i+1] == '/') {
				i++
			}
			i += 2
		case isIdentRune(r):
			j := i
			for j < len(rs) && (isIdentRune(rs[j]) || rs[j] == '.') {
				j++
			}
			out = append(out, strings.TrimSuffix(string(rs[i:j]), "."))
			i = j
		case r == ',' || r == '(' || r == ')' || r == ';':
			out = append(out, string(r))
			i++
		default:
			i++
		}
	}
	return out
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// group is one kind of candidates.
type group struct {
	names []string
	kind  string
}

// match returns the candidates that start with word (case-insensitively), without word
// itself: first each group's names, then keywords, spelled in lower case when word is.
func match(word string, kws []string, groups ...group) []suggestion {
	lw := strings.ToLower(word)
	seen := map[string]bool{}
	var out []suggestion
	add := func(name, kind string) {
		l := strings.ToLower(name)
		if l == lw || !strings.HasPrefix(l, lw) || seen[l] {
			return
		}
		seen[l] = true
		out = append(out, suggestion{name, kind})
	}
	for _, g := range groups {
		for _, n := range g.names {
			add(n, g.kind)
		}
	}
	lower := word == lw
	for _, k := range kws {
		if lower {
			k = strings.ToLower(k)
		}
		add(k, "keyword")
	}
	return out
}

// metaSuggestions completes a meta-command line: its name (dot commands lose their dot,
// which is a word separator and stays in the buffer), or the argument word of .mode
// (modes), .schema and \d (tables) and the on|off switches.
func (c *completer) metaSuggestions(line, word string) []suggestion {
	name, _, hasArgs := strings.Cut(line, " ")
	if !hasArgs {
		var out []suggestion
		for _, m := range metaCommands() {
			for _, n := range m.names {
				if n != line && strings.HasPrefix(n, line) {
					out = append(out, suggestion{strings.TrimPrefix(n, "."), m.help})
				}
			}
		}
		return out
	}
	switch name {
	case ".mode":
		return match(word, nil, group{format.ModeNames(), "mode"})
	case ".schema", `\d`:
		c.load()
		return match(word, nil, group{c.tables, "table"})
	case ".headers", ".timer", `\timing`, ".bail", ".echo", `\x`:
		return match(word, nil, group{[]string{"on", "off"}, ""})
	}
	return nil
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
