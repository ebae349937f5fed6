package parser

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// ColumnDef is one column of the optional column list of CREATE TABLE ... USING.
type ColumnDef struct {
	// Name is the column name, unquoted.
	Name string
	// TypeText is the rest of the column's definition as written ("DECIMAL(10, 2)",
	// "ARRAY<INT>", "STRING NOT NULL"); the catalog interprets it.
	TypeText string
}

// CreateTableUsing is Spark's data source table:
//
//	CREATE [OR REPLACE] [TEMPORARY | EXTERNAL] TABLE [IF NOT EXISTS] name [(col type, ...)]
//	  USING format [OPTIONS (key 'value', key = 'value', ...)] [PARTITIONED BY (col, ...)]
//	  [LOCATION 'path'] [AS select]
//
// OPTIONS, PARTITIONED BY and LOCATION come in any order, each at most once.
type CreateTableUsing struct {
	// Name is the table name, its parts unquoted and joined with "." ("db.t").
	Name                   string
	OrReplace, IfNotExists bool
	Temporary, External    bool
	// Columns is the optional column list; nil when none was written.
	Columns []ColumnDef
	// Format is the data source, lower-cased ("parquet", "csv", "json"); the catalog checks
	// that it knows it.
	Format string
	// Options maps lower-cased keys to their values (strings unquoted, numbers as written,
	// booleans "true"/"false"). Never nil.
	Options map[string]string
	// Location is the LOCATION path, or "".
	Location string
	// PartitionedBy lists the PARTITIONED BY columns (hive-style folders), unquoted.
	PartitionedBy []string
	// AsSelect is the query of CREATE TABLE ... AS select, or nil.
	AsSelect *Query
	SQL      string
}

// Text returns the original text.
func (s *CreateTableUsing) Text() string { return s.SQL }

// CreateView is every CREATE VIEW form:
//
//	CREATE [OR REPLACE] [[GLOBAL] TEMPORARY] VIEW [IF NOT EXISTS] name [(col [COMMENT 'c'], ...)]
//	  AS select
type CreateView struct {
	// Name is the view name, its parts unquoted and joined with ".".
	Name                                      string
	OrReplace, Global, Temporary, IfNotExists bool
	// Columns renames the query's columns; nil when no list was written.
	Columns []string
	// Query is the view's query (a SELECT or a set operation) parsed by TiDB.
	Query *Query
	// QuerySQL is the query's original text.
	QuerySQL string
	SQL      string
}

// Text returns the original text.
func (s *CreateView) Text() string { return s.SQL }

// cursor reads the significant tokens of one statement for the recognisers.
type cursor struct {
	src  string
	toks []token
	i    int
	end  int // script offset of the statement's end, for errors there
}

func (c *cursor) atEnd() bool { return c.i >= len(c.toks) }

func (c *cursor) isWord(kw string) bool {
	if c.atEnd() || c.toks[c.i].kind != tokWord {
		return false
	}
	t := c.toks[c.i]
	return strings.EqualFold(c.src[t.start:t.end], kw)
}

func (c *cursor) acceptWord(kw string) bool {
	if c.isWord(kw) {
		c.i++
		return true
	}
	return false
}

func (c *cursor) isPunct(b byte) bool {
	return !c.atEnd() && c.toks[c.i].kind == tokPunct && c.src[c.toks[c.i].start] == b
}

func (c *cursor) acceptPunct(b byte) bool {
	if c.isPunct(b) {
		c.i++
		return true
	}
	return false
}

// fail returns an Error at the current token, or at the end of the statement.
func (c *cursor) fail(format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if c.atEnd() {
		return errorAt(c.src, c.end, msg+" at end of statement", "")
	}
	return errorAtToken(c.src, c.toks[c.i], msg)
}

func (c *cursor) expectWord(kw string) error {
	if !c.acceptWord(kw) {
		return c.fail("expected %s", kw)
	}
	return nil
}

func (c *cursor) expectPunct(b byte) error {
	if !c.acceptPunct(b) {
		return c.fail("expected '%c'", b)
	}
	return nil
}

// notNames are words that cannot be a bare table, view or column name here; refusing them
// makes `CREATE VIEW AS SELECT` say that the name is missing.
var notNames = map[string]bool{
	"AS": true, "USING": true, "OPTIONS": true, "LOCATION": true, "SELECT": true,
	"WITH": true, "IF": true, "TABLE": true, "VIEW": true, "FROM": true,
}

// ident reads one identifier: a word that is not all digits nor in notNames, or a
// back-quoted name.
func (c *cursor) ident(what string) (string, error) {
	if c.atEnd() {
		return "", c.fail("expected %s", what)
	}
	t := c.toks[c.i]
	switch t.kind {
	case tokQuotedIdent:
		if name := unquoteIdent(c.src, t); name != "" {
			c.i++
			return name, nil
		}
	case tokWord:
		w := c.src[t.start:t.end]
		if !isDigits(c.src, t) && !notNames[strings.ToUpper(w)] {
			c.i++
			return w, nil
		}
	}
	return "", c.fail("expected %s", what)
}

// name reads ident ('.' ident)* and returns the parts joined with ".".
func (c *cursor) name(what string) (name string, parts int, err error) {
	var b strings.Builder
	for {
		part, err := c.ident(what)
		if err != nil {
			return "", 0, err
		}
		if parts > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
		parts++
		if !c.acceptPunct('.') {
			return b.String(), parts, nil
		}
	}
}

// stringLit reads a single- or double-quoted string and returns its value.
func (c *cursor) stringLit(what string) (string, error) {
	if c.atEnd() || c.toks[c.i].kind != tokString {
		return "", c.fail("expected %s", what)
	}
	c.i++
	return unquoteString(c.src, c.toks[c.i-1]), nil
}

// rest parses the tokens from the current one to the end of the statement as a query.
func (c *cursor) rest() (*Query, string, error) {
	if c.atEnd() {
		return nil, "", c.fail("expected a query after AS")
	}
	first := c.toks[c.i]
	q, err := parseQuery(c.src, c.toks[c.i:], first.start, c.end)
	if err != nil {
		return nil, "", err
	}
	switch q.Node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		return q, q.SQL, nil
	}
	return nil, "", errorAtToken(c.src, first, "expected a SELECT query after AS")
}

// parseCreate recognises Ember's CREATE statements in sig (sig[0] is CREATE); end is the
// statement's end offset. ok is false for a statement that is not one of them (CREATE TABLE
// without USING, CREATE DATABASE, ...): it goes to TiDB.
func parseCreate(src string, sig []token, end int) (st Statement, ok bool, err error) {
	c := &cursor{src: src, toks: sig, i: 1, end: end}
	orReplace := false
	if c.isWord("OR") {
		c.i++
		if err := c.expectWord("REPLACE"); err != nil {
			return nil, false, err
		}
		orReplace = true
	}
	globalTok := c.i
	global := c.acceptWord("GLOBAL")
	kindTok := c.i
	temporary := c.acceptWord("TEMPORARY")
	external := !temporary && c.acceptWord("EXTERNAL")
	stmtText := src[sig[0].start:end]
	switch {
	case c.acceptWord("VIEW"):
		switch {
		case global && !temporary:
			return nil, false, errorAtToken(src, sig[globalTok], "GLOBAL needs TEMPORARY: CREATE GLOBAL TEMPORARY VIEW")
		case external:
			return nil, false, errorAtToken(src, sig[kindTok], "a view cannot be EXTERNAL")
		}
		v := &CreateView{OrReplace: orReplace, Global: global, Temporary: temporary, SQL: stmtText}
		if err := c.view(v); err != nil {
			return nil, false, err
		}
		return v, true, nil
	case c.acceptWord("TABLE"):
		if using, at := c.hasUsing(); !using {
			if orReplace || external {
				c.i = at
				return nil, false, c.fail("expected USING (Ember's CREATE OR REPLACE and EXTERNAL tables are CREATE TABLE ... USING format)")
			}
			return nil, false, nil
		}
		if global {
			return nil, false, errorAtToken(src, sig[globalTok], "GLOBAL is only allowed in CREATE GLOBAL TEMPORARY VIEW")
		}
		t := &CreateTableUsing{OrReplace: orReplace, Temporary: temporary, External: external, SQL: stmtText}
		if err := c.table(t); err != nil {
			return nil, false, err
		}
		return t, true, nil
	case c.acceptWord("MODEL"):
		if global || temporary || external {
			return nil, false, errorAtToken(src, sig[globalTok], "a model cannot be GLOBAL, TEMPORARY or EXTERNAL")
		}
		m := &CreateModel{OrReplace: orReplace, SQL: stmtText, Options: map[string]string{}, ListOptions: map[string][]string{}}
		if err := c.model(m); err != nil {
			return nil, false, err
		}
		return m, true, nil
	case c.isWord("ALGORITHM") || c.isWord("DEFINER") || c.isWord("SQL"):
		return nil, false, c.fail("view options ALGORITHM, DEFINER and SQL SECURITY are not supported")
	case orReplace || global || temporary || external:
		return nil, false, c.fail("expected TABLE, VIEW or MODEL")
	}
	return nil, false, nil
}

// hasUsing looks ahead, without moving, past [IF NOT EXISTS] name [(...)] for USING; at is
// the index of the token where USING was looked for.
func (c *cursor) hasUsing() (using bool, at int) {
	defer func(i int) { c.i = i }(c.i)
	if c.acceptWord("IF") && !(c.acceptWord("NOT") && c.acceptWord("EXISTS")) {
		return false, c.i
	}
	if _, _, err := c.name("table name"); err != nil {
		return false, c.i
	}
	if c.isPunct('(') {
		for depth := 0; !c.atEnd(); c.i++ {
			if c.isPunct('(') {
				depth++
			} else if c.isPunct(')') {
				if depth--; depth == 0 {
					c.i++
					break
				}
			}
		}
	}
	return c.isWord("USING"), c.i
}

// ifNotExists reads [IF NOT EXISTS].
func (c *cursor) ifNotExists() (bool, error) {
	if !c.acceptWord("IF") {
		return false, nil
	}
	if err := c.expectWord("NOT"); err != nil {
		return false, err
	}
	return true, c.expectWord("EXISTS")
}

// table reads the rest of CREATE ... TABLE after the TABLE keyword.
func (c *cursor) table(t *CreateTableUsing) error {
	var err error
	ifTok := c.i
	if t.IfNotExists, err = c.ifNotExists(); err != nil {
		return err
	}
	if t.IfNotExists && t.OrReplace {
		return errorAtToken(c.src, c.toks[ifTok], "OR REPLACE and IF NOT EXISTS cannot be used together")
	}
	if t.Name, _, err = c.name("table name"); err != nil {
		return err
	}
	if c.isPunct('(') {
		if t.Columns, err = c.columnDefs(); err != nil {
			return err
		}
	}
	if err := c.expectWord("USING"); err != nil {
		return err
	}
	format, err := c.ident("a data source format after USING")
	if err != nil {
		return err
	}
	t.Format = strings.ToLower(format)
	t.Options = map[string]string{}
	seenOptions, seenLocation, seenPartitions := false, false, false
	for !c.atEnd() {
		kw := c.toks[c.i]
		switch {
		case c.acceptWord("PARTITIONED"):
			if seenPartitions {
				return errorAtToken(c.src, kw, "PARTITIONED BY given twice")
			}
			seenPartitions = true
			if err := c.expectWord("BY"); err != nil {
				return err
			}
			if err := c.expectPunct('('); err != nil {
				return err
			}
			for {
				col, err := c.ident("a partition column")
				if err != nil {
					return err
				}
				t.PartitionedBy = append(t.PartitionedBy, col)
				if c.acceptPunct(')') {
					break
				}
				if err := c.expectPunct(','); err != nil {
					return err
				}
			}
		case c.acceptWord("OPTIONS"):
			if seenOptions {
				return errorAtToken(c.src, kw, "OPTIONS given twice")
			}
			seenOptions = true
			if err := c.options(t.Options); err != nil {
				return err
			}
		case c.acceptWord("LOCATION"):
			if seenLocation {
				return errorAtToken(c.src, kw, "LOCATION given twice")
			}
			seenLocation = true
			if t.Location, err = c.stringLit("a quoted path after LOCATION"); err != nil {
				return err
			}
			if t.Location == "" {
				return errorAtToken(c.src, c.toks[c.i-1], "LOCATION must not be empty")
			}
		case c.acceptWord("AS"):
			if t.Columns != nil {
				return errorAtToken(c.src, kw, "a column list cannot be given with AS SELECT (the query defines the columns)")
			}
			if t.AsSelect, _, err = c.rest(); err != nil {
				return err
			}
			return nil
		default:
			return c.fail("expected OPTIONS, PARTITIONED BY, LOCATION, AS or the end of the statement")
		}
	}
	if t.External && t.Location == "" && t.Options["path"] == "" {
		return errorAt(c.src, c.end, "an EXTERNAL table needs a LOCATION", "")
	}
	return nil
}

// columnDefs reads "(name type..., ...)". A type runs to the next ',' or ')' outside
// parentheses and angle brackets (DECIMAL(10, 2), MAP<STRING, INT>).
func (c *cursor) columnDefs() ([]ColumnDef, error) {
	c.i++ // '('
	var cols []ColumnDef
	seen := map[string]bool{}
	for {
		nameTok := c.i
		name, err := c.ident("a column name")
		if err != nil {
			return nil, err
		}
		if seen[strings.ToLower(name)] {
			return nil, errorAtToken(c.src, c.toks[nameTok], fmt.Sprintf("duplicate column name %q", name))
		}
		seen[strings.ToLower(name)] = true
		first := c.i
		for depth := 0; !c.atEnd(); c.i++ {
			if depth == 0 && (c.isPunct(',') || c.isPunct(')')) {
				break
			}
			switch {
			case c.isPunct('(') || c.isPunct('<'):
				depth++
			case (c.isPunct(')') || c.isPunct('>')) && depth > 0:
				depth--
			}
		}
		if c.i == first {
			return nil, c.fail("expected a type for column %s", name)
		}
		cols = append(cols, ColumnDef{Name: name, TypeText: c.src[c.toks[first].start:c.toks[c.i-1].end]})
		if c.acceptPunct(',') {
			continue
		}
		if err := c.expectPunct(')'); err != nil {
			return nil, err
		}
		return cols, nil
	}
}

// options reads "(key value, key = value, ...)" into opts. A key is a quoted string or
// ident('.' ident)*; a value is a quoted string, a number or TRUE/FALSE.
func (c *cursor) options(opts map[string]string) error { return c.optionsWithLists(opts, nil) }

// optionsWithLists is options where, when lists is not nil, a value may also be a
// bracketed list [v, ...], stored in lists (CREATE MODEL's input_label_cols = ['y']). A key
// is in at most one of the maps.
func (c *cursor) optionsWithLists(opts map[string]string, lists map[string][]string) error {
	if err := c.expectPunct('('); err != nil {
		return err
	}
	if c.acceptPunct(')') {
		return nil
	}
	for {
		keyTok := c.i
		var key string
		var err error
		if !c.atEnd() && c.toks[c.i].kind == tokString {
			key, err = c.stringLit("an option name")
		} else {
			key, _, err = c.name("an option name")
		}
		if err != nil {
			return err
		}
		key = strings.ToLower(key)
		_, dup := opts[key]
		_, dupList := lists[key]
		if dup || dupList {
			return errorAtToken(c.src, c.toks[keyTok], fmt.Sprintf("option %q given twice", key))
		}
		c.acceptPunct('=')
		if lists != nil && c.acceptPunct('[') {
			if lists[key], err = c.optionList(key); err != nil {
				return err
			}
		} else if opts[key], err = c.optionValue(key); err != nil {
			return err
		}
		if c.acceptPunct(',') {
			continue
		}
		return c.expectPunct(')')
	}
}

// optionList reads the values of a list option after its '[' up to and with its ']'.
func (c *cursor) optionList(key string) ([]string, error) {
	list := []string{}
	if c.acceptPunct(']') {
		return list, nil
	}
	for {
		v, err := c.optionValue(key)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		if c.acceptPunct(']') {
			return list, nil
		}
		if err := c.expectPunct(','); err != nil {
			return nil, err
		}
	}
}

// optionValue reads the value of option key.
func (c *cursor) optionValue(key string) (string, error) {
	if c.atEnd() {
		return "", c.fail("expected a value for option %q", key)
	}
	t := c.toks[c.i]
	switch {
	case t.kind == tokString:
		return c.stringLit("a value")
	case c.isWord("TRUE") || c.isWord("FALSE"):
		c.i++
		return strings.ToLower(c.src[t.start:t.end]), nil
	case numberStart(c.src[t.start:t.end]):
		// A number lexes as several adjacent tokens (a sign, digits, '.', an exponent
		// word such as 1e, '-', digits): take the adjacent run of number characters.
		end, j := t.end, c.i+1
		for j < len(c.toks) && c.toks[j].start == end && numberChars(c.src[c.toks[j].start:c.toks[j].end]) {
			end = c.toks[j].end
			j++
		}
		text := c.src[t.start:end]
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return "", c.fail("%q is not a number (the value of option %q)", text, key)
		}
		c.i = j
		return strings.TrimPrefix(text, "+"), nil
	}
	return "", c.fail("expected a quoted string, a number, TRUE or FALSE as the value of option %q", key)
}

// numberStart reports whether a token can start a number: a sign, or a digit first.
func numberStart(tok string) bool {
	return tok == "-" || tok == "+" || tok != "" && tok[0] >= '0' && tok[0] <= '9' || tok == "."
}

// numberChars reports whether a token holds only characters of a number.
func numberChars(tok string) bool {
	return tok != "" && strings.Trim(tok, "0123456789.eE+-") == ""
}

// view reads the rest of CREATE ... VIEW after the VIEW keyword.
func (c *cursor) view(v *CreateView) error {
	var err error
	ifTok := c.i
	if v.IfNotExists, err = c.ifNotExists(); err != nil {
		return err
	}
	if v.IfNotExists && v.OrReplace {
		return errorAtToken(c.src, c.toks[ifTok], "OR REPLACE and IF NOT EXISTS cannot be used together")
	}
	nameTok := c.i
	var parts int
	if v.Name, parts, err = c.name("a view name"); err != nil {
		return err
	}
	if v.Temporary && parts > 1 {
		return errorAtToken(c.src, c.toks[nameTok], "a temporary view name cannot be qualified with a database")
	}
	if c.acceptPunct('(') {
		v.Columns = []string{}
		for {
			col, err := c.ident("a column name")
			if err != nil {
				return err
			}
			v.Columns = append(v.Columns, col)
			if c.acceptWord("COMMENT") {
				if _, err := c.stringLit("a quoted comment"); err != nil {
					return err
				}
			}
			if c.acceptPunct(',') {
				continue
			}
			if err := c.expectPunct(')'); err != nil {
				return err
			}
			break
		}
	}
	if err := c.expectWord("AS"); err != nil {
		return err
	}
	v.Query, v.QuerySQL, err = c.rest()
	return err
}
