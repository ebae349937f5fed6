package parser

import (
	"sort"
	"strings"
)

// Names of the functions that carry NULLS FIRST/LAST through TiDB's parser, and the prefix
// reserved for them: a statement naming any identifier with this prefix is rejected, so that a
// marker in the AST always comes from a rewrite.
const (
	reservedPrefix   = "__ember_"
	markerNullsFirst = "__ember_nulls_first"
	markerNullsLast  = "__ember_nulls_last"
	// markerTableFunction('name', args...) is the only field of the derived table a table
	// function call in FROM becomes; markerTableColumns('c', ...) is its second field when
	// the alias has a column list.
	markerTableFunction = "__ember_table_function"
	markerTableColumns  = "__ember_table_columns"
)

// edit replaces script[start:end] (absolute offsets; start == end inserts) with text.
type edit struct {
	start, end int
	text       string
}

// mark records where an edit landed in the rewritten text.
type mark struct{ newStart, newEnd, origStart, origEnd int }

// rewritten is a statement's text after Ember's rewrites, with the map back to the script and
// the number of each rewrite done (collect checks the AST holds exactly as many markers).
type rewritten struct {
	text  string
	start int // script offset of the statement
	marks []mark
	// cascade is DROP DATABASE ... CASCADE; overwrite is Spark's INSERT OVERWRITE [TABLE];
	// showStats is SHOW STATS t (analyze.go).
	cascade, overwrite, showStats bool
	// fullJoins, nullsItems and boolCasts count the FULL JOIN, NULLS FIRST/LAST and
	// CAST(... AS BOOLEAN) rewrites.
	fullJoins, nullsItems, boolCasts int
	// groupings counts the grouping-set marker calls (grouping.go).
	groupings int
	// tableFuncs counts the table function calls in FROM made derived tables.
	tableFuncs int
}

// origStart maps offset p of the rewritten text to the script: a position inside inserted or
// replacing text maps to the start of the text it replaced.
func (r *rewritten) origStart(p int) int {
	i := sort.Search(len(r.marks), func(i int) bool { return r.marks[i].newStart > p }) - 1
	if i < 0 {
		return r.start + p
	}
	m := r.marks[i]
	if p < m.newEnd {
		return m.origStart
	}
	return m.origEnd + p - m.newEnd
}

// origEnd maps an exclusive end offset p of the rewritten text to the script: an end inside
// inserted or replacing text maps to the end of the text it replaced.
func (r *rewritten) origEnd(p int) int {
	i := sort.Search(len(r.marks), func(i int) bool { return r.marks[i].newStart >= p }) - 1
	if i < 0 {
		return r.start + p
	}
	m := r.marks[i]
	if p <= m.newEnd {
		return m.origEnd
	}
	return m.origEnd + p - m.newEnd
}

// rewriter applies the rewrites to the significant tokens of one statement.
type rewriter struct {
	src   string
	sig   []token
	edits []edit
	out   rewritten
	// frames and factor track FROM clauses for tableFunction: one frame per open
	// parenthesis (frames[0] is the statement's level), and the index of the token that
	// starts the next table reference (-1 when none).
	frames []fromFrame
	factor int
}

// selectOptions are the words TiDB accepts between SELECT and the field list; a
// STRAIGHT_JOIN among them is the select option, not the join operator.
var selectOptions = map[string]bool{
	"ALL": true, "DISTINCT": true, "DISTINCTROW": true, "HIGH_PRIORITY": true,
	"LOW_PRIORITY": true, "DELAYED": true, "SQL_SMALL_RESULT": true, "SQL_BIG_RESULT": true,
	"SQL_BUFFER_RESULT": true, "SQL_CACHE": true, "SQL_NO_CACHE": true,
	"SQL_CALC_FOUND_ROWS": true,
}

// rewrite returns the text of script[start:end] with Ember's rewrites applied to sig, the
// statement's tokens that are not comments. Text inside strings, quoted identifiers and
// comments is never changed: edits replace or insert at word tokens only.
func rewrite(script string, sig []token, start, end int) (*rewritten, *Error) {
	r := &rewriter{src: script, sig: sig, frames: []fromFrame{{query: true}}, factor: -1}
	r.statementForms()
	selectOpts := false
	for i, t := range sig {
		if t.kind == tokWord || t.kind == tokQuotedIdent {
			if name := unquoteIdent(script, t); len(name) >= len(reservedPrefix) &&
				strings.EqualFold(name[:len(reservedPrefix)], reservedPrefix) {
				return nil, errorAtToken(script, t, "identifiers starting with "+reservedPrefix+" are reserved by Ember")
			}
		}
		if r.tableFunction(i) {
			selectOpts = false
			continue
		}
		w := r.word(i)
		if w == "" || r.afterDot(i) {
			selectOpts = false
			continue
		}
		keepOpts := false
		switch {
		case w == "SELECT":
			keepOpts = true
		case w == "STRAIGHT_JOIN":
			// The join operator is an inner join with a join-order hint: write it JOIN, so
			// that every STRAIGHT_JOIN TiDB sees comes from a FULL JOIN.
			if selectOpts {
				keepOpts = true
			} else {
				r.replace(i, "JOIN")
			}
		case selectOptions[w]:
			keepOpts = selectOpts
		case w == "FULL":
			r.fullJoin(i)
		case w == "NULLS":
			r.nullsOrder(i)
		case w == "GROUP" && r.isWord(i+1, "BY"):
			r.groupBy(i + 1)
		case (w == "VERBOSE" || w == "LOGICAL" || w == "PHYSICAL") && i == 1 && r.isWord(0, "EXPLAIN"):
			// EXPLAIN VERBOSE (Spark, DataFusion, Postgres), EXPLAIN LOGICAL and EXPLAIN
			// PHYSICAL (DataFusion's plan types) are TiDB's EXPLAIN FORMAT='verbose' and so on.
			r.replace(i, "FORMAT='"+strings.ToLower(w)+"'")
		case w == "CAST":
			if err := r.cast(i); err != nil {
				return nil, err
			}
		case (w == "ARRAY" || w == "VECTOR" || w == "CARDINALITY") && r.isPunct(i+1, '(') && !r.isWord(i-1, "AS"):
			// Function names TiDB reserves as keywords: quoted, they are ordinary calls
			// (array(1, 2), vector(a, b)); CAST(x AS VECTOR(3)) keeps its type name.
			r.replace(i, "`"+strings.ToLower(w)+"`")
		}
		selectOpts = keepOpts
	}
	r.subscripts()
	r.build(start, end)
	return &r.out, nil
}

// word returns token i upper-cased when it is a word, else "".
func (r *rewriter) word(i int) string {
	if i < 0 || i >= len(r.sig) || r.sig[i].kind != tokWord {
		return ""
	}
	return strings.ToUpper(r.src[r.sig[i].start:r.sig[i].end])
}

func (r *rewriter) isWord(i int, kw string) bool {
	if i < 0 || i >= len(r.sig) || r.sig[i].kind != tokWord {
		return false
	}
	return strings.EqualFold(r.src[r.sig[i].start:r.sig[i].end], kw)
}

func (r *rewriter) isPunct(i int, c byte) bool {
	return i >= 0 && i < len(r.sig) && r.sig[i].kind == tokPunct && r.src[r.sig[i].start] == c
}

// afterDot reports whether token i follows a '.', where a word is a name (t.full, db.cast).
func (r *rewriter) afterDot(i int) bool { return r.isPunct(i-1, '.') }

func (r *rewriter) replace(i int, text string) {
	r.edits = append(r.edits, edit{start: r.sig[i].start, end: r.sig[i].end, text: text})
}

func (r *rewriter) insert(at int, text string) {
	r.edits = append(r.edits, edit{start: at, end: at, text: text})
}

// fullJoin rewrites FULL [OUTER] JOIN (token i is FULL) to STRAIGHT_JOIN, which takes the same
// ON or USING clause. After AS or NATURAL, FULL is left alone (an alias named full, or a
// NATURAL FULL JOIN, which Ember does not support and TiDB rejects).
func (r *rewriter) fullJoin(i int) {
	if r.isWord(i-1, "AS") || r.isWord(i-1, "NATURAL") {
		return
	}
	j := i + 1
	if r.isWord(j, "OUTER") {
		j++
	}
	if !r.isWord(j, "JOIN") {
		return
	}
	r.replace(i, "STRAIGHT_JOIN")
	for k := i + 1; k <= j; k++ {
		r.replace(k, "")
	}
	r.out.fullJoins++
}

// nullsOrder rewrites an ORDER BY item `expr [ASC|DESC] NULLS FIRST|LAST` (token i is NULLS)
// to ` __ember_nulls_first(expr) [ASC|DESC]`. Anything else is left for TiDB to reject.
func (r *rewriter) nullsOrder(i int) {
	marker := markerNullsFirst
	switch {
	case r.isWord(i+1, "FIRST"):
	case r.isWord(i+1, "LAST"):
		marker = markerNullsLast
	default:
		return
	}
	exprEnd := i - 1
	if r.isWord(exprEnd, "ASC") || r.isWord(exprEnd, "DESC") {
		exprEnd--
	}
	itemStart, ok := r.orderByItemStart(exprEnd)
	if !ok || itemStart > exprEnd {
		return
	}
	r.insert(r.sig[itemStart].start, " "+marker+"(")
	r.insert(r.sig[exprEnd].end, ")")
	r.replace(i, "")
	r.replace(i+1, "")
	r.out.nullsItems++
}

// orderByItemStart walks back from token last, at its parenthesis depth, to the start of its
// item in an ORDER BY list: the token after the nearest ',' or after ORDER BY. ok is false when
// the list is not an ORDER BY list (GROUP BY, PARTITION BY), no BY precedes it, or the item
// already holds a NULLS FIRST/LAST (a second one is left for TiDB to reject).
func (r *rewriter) orderByItemStart(last int) (start int, ok bool) {
	depth, start := 0, -1
	for j := last; j >= 0; j-- {
		switch {
		case r.isPunct(j, ')'):
			depth++
		case r.isPunct(j, '('):
			if depth == 0 {
				return 0, false
			}
			depth--
		case depth > 0:
		case start < 0 && r.isWord(j, "NULLS") && (r.isWord(j+1, "FIRST") || r.isWord(j+1, "LAST")):
			return 0, false
		case r.isPunct(j, ','):
			if start < 0 {
				start = j + 1
			}
		case r.isWord(j, "BY") && !r.afterDot(j):
			if !r.isWord(j-1, "ORDER") {
				return 0, false
			}
			if start < 0 {
				start = j + 1
			}
			return start, true
		}
	}
	return 0, false
}

// cast rewrites the target type of CAST(expr AS type) (token i is CAST) where TiDB lacks
// Spark's name for it; see doc.go for the table. A user's CAST(... AS type ARRAY) is refused,
// because that form marks a boolean cast.
func (r *rewriter) cast(i int) *Error {
	if !r.isPunct(i+1, '(') {
		return nil
	}
	depth, as, closing := 0, -1, -1
	for j := i + 1; j < len(r.sig) && closing < 0; j++ {
		switch {
		case r.isPunct(j, '('):
			depth++
		case r.isPunct(j, ')'):
			depth--
			if depth == 0 {
				closing = j
			}
		case depth == 1 && as < 0 && r.isWord(j, "AS"):
			as = j
		}
	}
	if as < 0 || closing < 0 || as+1 >= closing {
		return nil
	}
	if r.isWord(closing-1, "ARRAY") {
		return errorAtToken(r.src, r.sig[closing-1], "CAST to an ARRAY type is not supported")
	}
	typ, single := as+1, as+2 == closing
	switch r.word(typ) {
	case "INTEGER", "INT", "BIGINT":
		r.replace(typ, "SIGNED")
	case "VARCHAR", "TEXT", "STRING":
		if single {
			r.replace(typ, "CHAR")
		}
	case "TIMESTAMP":
		r.replace(typ, "DATETIME")
	case "BOOLEAN", "BOOL":
		if single {
			r.replace(typ, "SIGNED ARRAY")
			r.out.boolCasts++
		}
	}
	return nil
}

// fromFrame is one parenthesis level of the FROM-clause tracking of tableFunction.
type fromFrame struct {
	// query is set where a query may start: the statement's level, a '(' before SELECT,
	// WITH or '(' and a parenthesized table reference. FROM starts a FROM list only there
	// (not in EXTRACT(YEAR FROM d) or SUBSTRING(s FROM 2)).
	query bool
	// inFrom is set inside a FROM list of this level, where a ',' starts a table reference.
	inFrom bool
}

// fromEnd holds the words that end a FROM list at its own parenthesis depth.
var fromEnd = map[string]bool{
	"WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true, "WINDOW": true,
	"UNION": true, "EXCEPT": true, "INTERSECT": true, "INTO": true, "FOR": true, "LOCK": true,
	"SELECT": true, "SET": true, "VALUES": true, "UPDATE": true, "QUALIFY": true,
}

// notTableFunction holds words that may stand before '(' at the start of a table reference
// without naming a table function: they are left for TiDB.
var notTableFunction = map[string]bool{"LATERAL": true, "VALUES": true, "SELECT": true, "WITH": true, "TABLE": true}

// notAlias holds the words that may follow a table reference and are not its alias.
var notAlias = map[string]bool{
	"ON": true, "USING": true, "JOIN": true, "INNER": true, "CROSS": true, "LEFT": true,
	"RIGHT": true, "NATURAL": true, "STRAIGHT_JOIN": true, "FULL": true, "OUTER": true,
	"USE": true, "IGNORE": true, "FORCE": true, "PARTITION": true, "TABLESAMPLE": true,
	"OFFSET": true, "FETCH": true, "WITH": true, "AS": true,
}

// tableFunction is called for every token i in order. It tracks FROM clauses (frames) and
// rewrites a table function call, a name followed by '(' where a table reference starts
// (after FROM, after JOIN in any join form, after a ',' of a FROM list at the list's depth,
// or first in a parenthesized table reference), into a derived table TiDB parses:
//
//	range(1, 10) r        → (SELECT __ember_table_function('range', 1, 10)) r
//	range(3)              → (SELECT __ember_table_function('range', 3)) AS `range`
//	generate_series(1, 3) AS g(v)
//	    → (SELECT __ember_table_function('generate_series', 1, 3), __ember_table_columns('v')) AS g
//
// (TiDB requires an alias for a derived table and has no column list after one.) The
// arguments keep their text and positions. It reports whether token i was rewritten.
// Never rewritten: a name after or before '.' (db.t, parquet.`/path`), LATERAL, VALUES, a
// subquery FROM (SELECT ...), and words elsewhere (INSERT INTO t (a), USING (a),
// PARTITION (p)).
func (r *rewriter) tableFunction(i int) bool {
	start := r.factor == i
	if start {
		r.factor = -1
	}
	top := &r.frames[len(r.frames)-1]
	switch {
	case r.isPunct(i, '('):
		next := r.word(i + 1)
		sub := (next == "SELECT" || next == "WITH") && !r.afterDot(i+1)
		r.frames = append(r.frames, fromFrame{query: sub || start || r.isPunct(i+1, '('), inFrom: start && !sub})
		if start && !sub {
			r.factor = i + 1 // FROM (range(3) r JOIN t ON ...)
		}
		return false
	case r.isPunct(i, ')'):
		if len(r.frames) > 1 {
			r.frames = r.frames[:len(r.frames)-1]
		}
		return false
	case r.isPunct(i, ','):
		if top.inFrom {
			r.factor = i + 1
		}
		return false
	case r.afterDot(i):
		return false
	}
	w := r.word(i)
	switch {
	case w == "FROM":
		if top.query {
			top.inFrom = true
			r.factor = i + 1
		}
		return false
	case w == "JOIN" || w == "STRAIGHT_JOIN" && !r.selectOption(i):
		r.factor = i + 1
		return false
	case fromEnd[w]:
		top.inFrom = false
	}
	if !start || !r.isPunct(i+1, '(') || notTableFunction[w] || r.sig[i].kind != tokWord && r.sig[i].kind != tokQuotedIdent {
		return false
	}
	closing := r.closing(i + 1)
	if closing < 0 {
		return false // an unclosed call: TiDB reports it
	}
	name := unquoteIdent(r.src, r.sig[i])
	cols, colStart, colEnd := r.aliasColumns(closing + 1)
	r.replace(i, "(SELECT "+markerTableFunction)
	head := sqlString(name)
	if closing > i+2 {
		head += ", "
	}
	r.insert(r.sig[i+1].end, head)
	tail := ""
	if len(cols) > 0 {
		quoted := make([]string, len(cols))
		for k, c := range cols {
			quoted[k] = sqlString(c)
		}
		tail = ", " + markerTableColumns + "(" + strings.Join(quoted, ", ") + ")"
		for k := colStart; k <= colEnd; k++ {
			r.replace(k, "")
		}
	}
	tail += ")"
	if !r.hasAlias(closing + 1) {
		tail += " AS `" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	r.insert(r.sig[closing].end, tail)
	r.out.tableFuncs++
	return true
}

// selectOption reports whether STRAIGHT_JOIN at token i is the select option
// (SELECT [DISTINCT ...] STRAIGHT_JOIN ...), not the join operator.
func (r *rewriter) selectOption(i int) bool {
	j := i - 1
	for selectOptions[r.word(j)] {
		j--
	}
	return r.isWord(j, "SELECT")
}

// hasAlias reports whether the table reference ending before token k has an alias: AS, or
// a name that is not a word that can follow a table reference.
func (r *rewriter) hasAlias(k int) bool {
	if k >= len(r.sig) {
		return false
	}
	switch r.sig[k].kind {
	case tokQuotedIdent:
		return true
	case tokWord:
		return r.isWord(k, "AS") || !notAlias[r.word(k)] && !fromEnd[r.word(k)]
	}
	return false
}

// aliasColumns reads the column list of an alias, [AS] alias (c1, c2, ...), when the table
// reference ending before token k has one: the names, and the tokens from '(' to ')' (which
// the caller removes, as TiDB has no such list). cols is nil when there is no list or it is
// not a plain list of names (TiDB then reports the syntax error).
func (r *rewriter) aliasColumns(k int) (cols []string, open, closing int) {
	if r.isWord(k, "AS") {
		k++
	}
	if !r.hasAlias(k) || r.isWord(k, "AS") || !r.isPunct(k+1, '(') {
		return nil, 0, 0
	}
	open = k + 1
	for j := open + 1; j < len(r.sig); j += 2 {
		if t := r.sig[j]; t.kind != tokWord && t.kind != tokQuotedIdent {
			return nil, 0, 0
		}
		cols = append(cols, unquoteIdent(r.src, r.sig[j]))
		switch {
		case r.isPunct(j+1, ')'):
			return cols, open, j + 1
		case !r.isPunct(j+1, ','):
			return nil, 0, 0
		}
	}
	return nil, 0, 0
}

// sqlString quotes s as a SQL string literal TiDB reads back as s.
func sqlString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// build applies the edits to script[start:end] and records the marks.
func (r *rewriter) build(start, end int) {
	r.out.start = start
	if len(r.edits) == 0 {
		r.out.text = r.src[start:end]
		return
	}
	// Insertions sort before a replacement at the same offset; ties keep their order.
	sort.SliceStable(r.edits, func(a, b int) bool {
		ea, eb := r.edits[a], r.edits[b]
		if ea.start != eb.start {
			return ea.start < eb.start
		}
		return ea.end-ea.start < eb.end-eb.start
	})
	var b strings.Builder
	b.Grow(end - start + 32*len(r.edits))
	cur := start
	for _, e := range r.edits {
		b.WriteString(r.src[cur:e.start])
		ns := b.Len()
		b.WriteString(e.text)
		r.out.marks = append(r.out.marks, mark{newStart: ns, newEnd: b.Len(), origStart: e.start, origEnd: e.end})
		cur = e.end
	}
	b.WriteString(r.src[cur:end])
	r.out.text = b.String()
}

// statementForms rewrites whole-statement forms TiDB lacks, recording them in r.out:
// DROP DATABASE|SCHEMA ... CASCADE (Spark, PostgreSQL) loses its CASCADE,
// INSERT OVERWRITE [TABLE] t (Spark) becomes INSERT INTO t, and SET a.b.c = v quotes the
// dotted name.
func (r *rewriter) statementForms() {
	switch {
	case r.isWord(0, "DROP") && (r.isWord(1, "DATABASE") || r.isWord(1, "SCHEMA")):
		last := len(r.sig) - 1
		if r.isPunct(last, ';') {
			last--
		}
		if last > 2 && r.isWord(last, "CASCADE") {
			r.replace(last, "")
			r.out.cascade = true
		}
	case r.isWord(0, "SET") && r.word(1) != "" && r.isPunct(2, '.'):
		// SET ember.optimizer.disabled_rules = ... (a dotted setting name, Spark's form):
		// TiDB reads a back-quoted name as one variable.
		end := 1
		for r.isPunct(end+1, '.') && r.word(end+2) != "" {
			end += 2
		}
		name := r.src[r.sig[1].start:r.sig[end].end]
		r.replace(1, "`"+name+"`")
		for i := 2; i <= end; i++ {
			r.replace(i, "")
		}
	case r.isWord(0, "INSERT") && r.isWord(1, "OVERWRITE"):
		r.replace(1, "INTO")
		if r.isWord(2, "TABLE") {
			r.replace(2, "")
		}
		r.out.overwrite = true
	case r.isWord(0, "ANALYZE"), r.isWord(0, "SHOW") && r.isWord(1, "STATS"):
		r.statsForms() // analyze.go
	}
}
