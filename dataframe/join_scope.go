package dataframe

import "fmt"

// Open joins. Spark users name a join's input columns by their DataFrame after the join
// (a.Col("id") where both inputs have an "id"). Reading the join as a derived table would
// hide the inputs' names (and a derived table cannot hold two columns of one name), so a
// join stays open: its DataFrame keeps the join's FROM clause, and the Filters, OrderBy and
// Limit applied to it since, and the next projection (Select, WithColumn, Drop ...), GroupBy,
// Count or further Join selects from that FROM clause directly, where the inputs' aliases
// qualify their columns. A step that cannot be written at the join's query level closes
// the join: the result reads it as a derived table, as any other DataFrame.
//
// Invariant: a DataFrame with join set has sql == join.text().

// joinScope is an open join's query level.
type joinScope struct {
	from  string // "(a) AS `x` JOIN (b) AS `y` ON ...", joins nested as written
	where string // conditions of the Filters since the join ("" none), each parenthesized
	order string // ORDER BY list of the last OrderBy since the join ("" none)
	limit int64  // LIMIT since the join, -1 for none
}

// rows is the FROM clause with the Filters: where the join's rows come from, unordered.
func (j *joinScope) rows() string {
	if j.where == "" {
		return j.from
	}
	return j.from + " WHERE " + j.where
}

// full is rows with the order and limit: what a projection selects from.
func (j *joinScope) full() string {
	out := j.rows()
	if j.order != "" {
		out += " ORDER BY " + j.order
	}
	if j.limit >= 0 {
		out += fmt.Sprintf(" LIMIT %d", j.limit)
	}
	return out
}

func (j *joinScope) text() string { return "SELECT * FROM " + j.full() }

// plain reports whether the join has no Filter, order or limit since it was made.
func (j *joinScope) plain() bool { return j.where == "" && j.order == "" && j.limit < 0 }

// open returns d's open join, or nil (not a join, or cached: a cached join is read as a
// table).
func (d *DataFrame) open() *joinScope {
	if d.join == nil || d.cache.Load() != nil {
		return nil
	}
	return d.join
}

// rowScope is what a step that reads d's rows unordered (GroupBy, Count) selects from: an
// open join without a limit, else d as a derived table.
func (d *DataFrame) rowScope() string {
	if j := d.open(); j != nil && j.limit < 0 {
		return j.rows()
	}
	return d.from()
}

// projection returns a DataFrame of "SELECT list FROM" d: at an open join's level (keeping
// its order and limit), else over d as a derived table.
func (d *DataFrame) projection(list string, err error) *DataFrame {
	j := d.open()
	if j == nil {
		return d.derive("SELECT "+list+" FROM "+d.from(), err)
	}
	out := d.derive("SELECT "+list+" FROM "+j.full(), err)
	out.ordered = out.err == nil && j.order != "" && j.limit < 0
	return out
}

// withScope returns a DataFrame over the open join j (derived from d, keeping d's error).
func (d *DataFrame) withScope(j *joinScope, err error) *DataFrame {
	out := d.derive(j.text(), err)
	if out.err == nil {
		out.join = j
		out.ordered = j.order != "" && j.limit < 0
	}
	return out
}

// and joins two SQL conditions ("" is none).
func and(a, b string) string {
	if a == "" {
		return b
	}
	return a + " AND " + b
}

// joinFrom renders d kw other cond as a FROM clause, flattening open joins so that their
// inputs stay in scope: a left open join with Filters keeps them as WHERE conditions when
// the new join cannot drop or null-extend its rows by them (inner, left, cross), and a
// right one is parenthesized when it is plain. where is the condition the result keeps.
func (d *DataFrame) joinFrom(kw string, other *DataFrame, cond string) (from, where string) {
	left := d.from()
	if j := d.open(); j != nil && j.order == "" && j.limit < 0 &&
		(j.where == "" || kw == "JOIN" || kw == "LEFT JOIN" || kw == "CROSS JOIN") {
		left, where = j.from, j.where
	}
	right := other.from()
	if j := other.open(); j != nil && j.plain() {
		right = "(" + j.from + ")"
	}
	return fmt.Sprintf("%s %s %s%s", left, kw, right, cond), where
}
