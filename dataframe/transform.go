package dataframe

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/udf"
)

// Transformations: each returns a new DataFrame whose text reads the receiver as a derived
// table (DataFrame.from). Arguments that name columns take a Column or a string (a column
// name, as Col takes it); Filter and SelectExpr also take SQL text.

// toColumn turns a transformation's argument into a Column: a Column as is, a string as a
// column name.
func toColumn(x any, what string) (Column, error) {
	switch v := x.(type) {
	case Column:
		return v, v.Err()
	case *Column:
		if v == nil {
			return Column{}, errs.Planf("%s: a nil Column", what)
		}
		return *v, v.Err()
	case string:
		c := Col(v)
		return c, c.Err()
	}
	return Column{}, errs.Planf("%s takes Columns or column names, not %T", what, x)
}

// noOrdering refuses an ordering Column (Asc, Desc ...) where no order is meant: its
// direction would be dropped silently.
func noOrdering(x any, what string) error {
	if c, ok := x.(Column); ok && (c.dir != sortNone || c.nulls != nullsDefault) {
		return errs.Planf("%s takes no ordering Column (%s); sort with OrderBy", what, c.String())
	}
	return nil
}

// selectList renders columns as a select list (aliases included).
func selectList(cols []any, what string) (string, error) {
	if len(cols) == 0 {
		return "", errs.Planf("%s needs at least one column", what)
	}
	items := make([]string, len(cols))
	for i, x := range cols {
		c, err := toColumn(x, what)
		if err == nil {
			err = noOrdering(c, what)
		}
		if err != nil {
			return "", err
		}
		items[i] = selectItemSQL(c)
	}
	return strings.Join(items, ", "), nil
}

// Select projects columns (Columns with expressions and aliases, or column names).
func (d *DataFrame) Select(cols ...any) *DataFrame {
	list, err := selectList(cols, "Select")
	return d.projection(list, err)
}

// SelectExpr projects SQL expressions ("a + 1 AS b", "upper(name)"), as Spark's selectExpr.
func (d *DataFrame) SelectExpr(exprs ...string) *DataFrame {
	cols := make([]any, len(exprs))
	for i, e := range exprs {
		cols[i] = selectExpr(e)
	}
	return d.Select(cols...)
}

// selectExpr is one SelectExpr item: an expression, optionally with an alias ("x + 1 AS y",
// "x + 1 y"), as in a SELECT list. The alias is found by parsing the item as a select field;
// the expression is the text before it.
func selectExpr(e string) Column {
	c := Expr(e)
	if c.err == nil {
		return c
	}
	stmts, err := parser.Parse("SELECT " + e + " FROM t")
	if err != nil || len(stmts) != 1 {
		return c
	}
	q, ok := stmts[0].(*parser.Query)
	if !ok {
		return c
	}
	sel, ok := q.Node.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].AsName.L == "" {
		return c
	}
	alias := sel.Fields.Fields[0].AsName.O
	body := strings.TrimRightFunc(e, unicode.IsSpace)
	stripped := false
	for _, quoted := range []string{"`" + strings.ReplaceAll(alias, "`", "``") + "`", `"` + alias + `"`, "'" + alias + "'", alias} {
		if len(body) > len(quoted) && strings.EqualFold(body[len(body)-len(quoted):], quoted) {
			body, stripped = body[:len(body)-len(quoted)], true
			break
		}
	}
	if !stripped {
		return c
	}
	body = strings.TrimRightFunc(body, unicode.IsSpace)
	if n := len(body); n > 3 && strings.EqualFold(body[n-2:], "AS") && unicode.IsSpace(rune(body[n-3])) {
		body = body[:n-2]
	}
	return Expr(body).As(alias)
}

// Filter keeps the rows for which cond is TRUE: a boolean Column or SQL text ("age > 21").
func (d *DataFrame) Filter(cond any) *DataFrame {
	var text string
	var err error
	switch c := cond.(type) {
	case string:
		if strings.TrimSpace(c) == "" {
			err = errs.Planf("Filter needs a condition")
		}
		text = c
	case Column:
		text, err = c.SQL(), c.Err()
	default:
		err = errs.Planf("Filter takes a Column or SQL text, not %T", cond)
	}
	if err == nil {
		err = noOrdering(cond, "Filter")
	}
	if j := d.open(); j != nil && j.limit < 0 {
		// The join stays open: later steps still see its inputs' names.
		nj := *j
		nj.where = and(j.where, "("+text+")")
		return d.withScope(&nj, err)
	}
	return d.derive("SELECT * FROM "+d.from()+" WHERE "+text, err)
}

// Where is Filter.
func (d *DataFrame) Where(cond any) *DataFrame { return d.Filter(cond) }

// WithColumn adds a column, or replaces the column of that name, keeping the column order.
func (d *DataFrame) WithColumn(name string, col Column) *DataFrame {
	schema, err := d.bound()
	if err == nil {
		err = col.Err()
	}
	if err == nil && name == "" {
		err = errs.Planf("WithColumn needs a column name")
	}
	if err != nil {
		return d.derive("", err)
	}
	var items []string
	replaced := false
	for _, c := range schema {
		if strings.EqualFold(c.Name, name) {
			items = append(items, "("+col.SQL()+") AS "+sqlIdent(name))
			replaced = true
			continue
		}
		items = append(items, sqlIdent(c.Name))
	}
	if !replaced {
		items = append(items, "("+col.SQL()+") AS "+sqlIdent(name))
	}
	return d.projection(strings.Join(items, ", "), noOrdering(col, "WithColumn"))
}

// WithColumnRenamed renames a column; an unknown name is an error (Spark ignores it, which
// hides typos).
func (d *DataFrame) WithColumnRenamed(existing, newName string) *DataFrame {
	schema, err := d.bound()
	if err != nil {
		return d.derive("", err)
	}
	if columnIndex(schema, existing) < 0 {
		return d.derive("", unknownColumn(schema, existing))
	}
	if newName == "" {
		return d.derive("", errs.Planf("WithColumnRenamed needs a new name"))
	}
	items := make([]string, len(schema))
	for i, c := range schema {
		items[i] = sqlIdent(c.Name)
		if strings.EqualFold(c.Name, existing) {
			items[i] += " AS " + sqlIdent(newName)
		}
	}
	return d.projection(strings.Join(items, ", "), nil)
}

// Drop removes columns by name; dropping every column is an error, an unknown name too.
func (d *DataFrame) Drop(names ...string) *DataFrame {
	schema, err := d.bound()
	if err != nil {
		return d.derive("", err)
	}
	drop := map[int]bool{}
	for _, n := range names {
		i := columnIndex(schema, n)
		if i < 0 {
			return d.derive("", unknownColumn(schema, n))
		}
		drop[i] = true
	}
	var items []string
	for i, c := range schema {
		if !drop[i] {
			items = append(items, sqlIdent(c.Name))
		}
	}
	if len(items) == 0 {
		return d.derive("", errs.Planf("Drop would remove every column"))
	}
	return d.projection(strings.Join(items, ", "), nil)
}

// orderList renders ordering columns: Columns (Asc, Desc ... or plain, ascending) or names.
func orderList(cols []any, what string) (string, error) {
	if len(cols) == 0 {
		return "", errs.Planf("%s needs at least one column", what)
	}
	items := make([]string, len(cols))
	for i, x := range cols {
		c, err := toColumn(x, what)
		if err != nil {
			return "", err
		}
		items[i] = orderItemSQL(c)
	}
	return strings.Join(items, ", "), nil
}

// OrderBy sorts the rows (ascending unless a Column says Desc; NULLs first when ascending,
// as MySQL and Spark). A Limit right after keeps the order (a top-N).
func (d *DataFrame) OrderBy(cols ...any) *DataFrame {
	list, err := orderList(cols, "OrderBy")
	if j := d.open(); j != nil && j.limit < 0 {
		nj := *j
		nj.order = list
		return d.withScope(&nj, err)
	}
	out := d.derive("SELECT * FROM "+d.from()+" ORDER BY "+list, err)
	out.ordered = err == nil && d.err == nil
	return out
}

// Sort is OrderBy.
func (d *DataFrame) Sort(cols ...any) *DataFrame { return d.OrderBy(cols...) }

// Limit keeps the first n rows (of the order, after OrderBy).
func (d *DataFrame) Limit(n int64) *DataFrame {
	if n < 0 {
		return d.derive("", errs.Planf("Limit needs a count of 0 or more, not %d", n))
	}
	if j := d.open(); j != nil {
		nj := *j
		if nj.limit < 0 || n < nj.limit {
			nj.limit = n
		}
		return d.withScope(&nj, nil)
	}
	if d.ordered && d.cache.Load() == nil {
		return d.derive(fmt.Sprintf("%s LIMIT %d", d.sql, n), nil)
	}
	return d.derive(fmt.Sprintf("SELECT * FROM %s LIMIT %d", d.from(), n), nil)
}

// Distinct keeps one of each distinct row.
func (d *DataFrame) Distinct() *DataFrame {
	return d.derive("SELECT DISTINCT * FROM "+d.from(), nil)
}

// DropDuplicates keeps one row per distinct combination of the named columns (all columns
// when none are named): the first such row met, which is not deterministic across
// partitions, as in Spark.
func (d *DataFrame) DropDuplicates(names ...string) *DataFrame {
	if len(names) == 0 {
		return d.Distinct()
	}
	schema, err := d.bound()
	if err != nil {
		return d.derive("", err)
	}
	keys := make([]string, len(names))
	for i, n := range names {
		j := columnIndex(schema, n)
		if j < 0 {
			return d.derive("", unknownColumn(schema, n))
		}
		keys[i] = sqlIdent(schema[j].Name)
	}
	rn := d.s.nextName("__rn")
	items := make([]string, len(schema))
	for i, c := range schema {
		items[i] = sqlIdent(c.Name)
	}
	inner := fmt.Sprintf("SELECT *, row_number() OVER (PARTITION BY %s) AS %s FROM %s",
		strings.Join(keys, ", "), sqlIdent(rn), d.from())
	return d.derive(fmt.Sprintf("SELECT %s FROM (%s) AS %s WHERE %s = 1",
		strings.Join(items, ", "), inner, sqlIdent(d.s.nextName("__t")), sqlIdent(rn)), nil)
}

// setOp combines d and other with a set operation.
func (d *DataFrame) setOp(other *DataFrame, op string) *DataFrame {
	if other == nil {
		return d.derive("", errs.Planf("%s needs another DataFrame", op))
	}
	if other.s != d.s {
		return d.derive("", errs.Planf("%s: the DataFrames belong to different sessions", op))
	}
	if other.err != nil {
		return d.derive("", other.err)
	}
	return d.derive(fmt.Sprintf("SELECT * FROM %s %s SELECT * FROM %s", d.from(), op, other.from()), nil)
}

// Union appends other's rows (columns matched by position, duplicates kept: SQL's UNION
// ALL, as Spark's union).
func (d *DataFrame) Union(other *DataFrame) *DataFrame { return d.setOp(other, "UNION ALL") }

// UnionByName appends other's rows matching columns by name (other must have the same
// column names, in any order).
func (d *DataFrame) UnionByName(other *DataFrame) *DataFrame {
	if other == nil {
		return d.derive("", errs.Planf("UnionByName needs another DataFrame"))
	}
	ls, err := d.bound()
	if err != nil {
		return d.derive("", err)
	}
	rs, err := other.bound()
	if err != nil {
		return d.derive("", err)
	}
	if len(ls) != len(rs) {
		return d.derive("", errs.Planf("UnionByName: %d columns against %d", len(ls), len(rs)))
	}
	items := make([]string, len(ls))
	for i, c := range ls {
		if columnIndex(rs, c.Name) < 0 {
			return d.derive("", fmt.Errorf("UnionByName: the other DataFrame: %w", unknownColumn(rs, c.Name)))
		}
		items[i] = sqlIdent(c.Name)
	}
	reordered := other.derive("SELECT "+strings.Join(items, ", ")+" FROM "+other.from(), nil)
	return d.setOp(reordered, "UNION ALL")
}

// Intersect keeps the distinct rows found in both (SQL's INTERSECT).
func (d *DataFrame) Intersect(other *DataFrame) *DataFrame { return d.setOp(other, "INTERSECT") }

// IntersectAll keeps rows found in both, as many times as in both (INTERSECT ALL).
func (d *DataFrame) IntersectAll(other *DataFrame) *DataFrame {
	return d.setOp(other, "INTERSECT ALL")
}

// Except keeps the distinct rows of d not in other (SQL's EXCEPT, Spark's subtract).
func (d *DataFrame) Except(other *DataFrame) *DataFrame { return d.setOp(other, "EXCEPT") }

// ExceptAll keeps d's rows not matched one for one in other (EXCEPT ALL).
func (d *DataFrame) ExceptAll(other *DataFrame) *DataFrame { return d.setOp(other, "EXCEPT ALL") }

// Alias names the DataFrame for qualified column references: after df.Alias("o"),
// Col("o.id") reads its id (in a Join, for example).
func (d *DataFrame) Alias(name string) *DataFrame {
	if name == "" {
		return d.derive("", errs.Planf("Alias needs a name"))
	}
	out := d.derive("SELECT * FROM "+d.from(), nil)
	out.alias = name
	return out
}

// Col returns a Column naming one of d's columns, qualified by d's alias, so that it stays
// unambiguous in a join of d with another DataFrame (left.Col("id").EqualTo(right.Col("id"))).
func (d *DataFrame) Col(name string) Column {
	return Col(d.alias + "." + name)
}

// Join joins d with other. on is a boolean Column (the join condition), a column name or a
// []string of names present on both sides (USING: the named columns appear once), or nil
// for a cross join. how is one of inner (""), left (left_outer), right (right_outer), full
// (outer, full_outer), cross, semi (left_semi) and anti (left_anti); semi and anti keep d's
// rows with, or without, a match, and only d's columns.
func (d *DataFrame) Join(other *DataFrame, on any, how string) *DataFrame {
	if other == nil {
		return d.derive("", errs.Planf("Join needs another DataFrame"))
	}
	if other.s != d.s {
		return d.derive("", errs.Planf("Join: the DataFrames belong to different sessions"))
	}
	if other.err != nil {
		return d.derive("", other.err)
	}
	if strings.EqualFold(d.alias, other.alias) {
		return d.derive("", errs.Planf("Join: both sides are named %q; give one an Alias (a self-join needs two names)", d.alias))
	}
	var cond string // " ON ..." or " USING (...)"
	var using []string
	switch v := on.(type) {
	case nil:
	case Column:
		if err := v.Err(); err != nil {
			return d.derive("", err)
		}
		cond = " ON " + v.SQL()
	case string:
		using = []string{v}
	case []string:
		using = v
	default:
		return d.derive("", errs.Planf("Join takes a Column, a column name or a []string of names as its condition, not %T", on))
	}
	if len(using) > 0 {
		q := make([]string, len(using))
		for i, n := range using {
			q[i] = sqlIdent(n)
		}
		cond = " USING (" + strings.Join(q, ", ") + ")"
	}
	var kw string
	switch strings.ToLower(strings.ReplaceAll(how, "_", "")) {
	case "", "inner":
		kw = "JOIN"
	case "left", "leftouter":
		kw = "LEFT JOIN"
	case "right", "rightouter":
		kw = "RIGHT JOIN"
	case "full", "outer", "fullouter":
		kw = "FULL JOIN"
	case "cross":
		if cond != "" {
			return d.derive("", errs.Planf("a cross join takes no condition"))
		}
		kw = "CROSS JOIN"
	case "semi", "leftsemi", "anti", "leftanti":
		return d.semiJoin(other, on, using, strings.Contains(strings.ToLower(how), "anti"))
	default:
		return d.derive("", errs.Planf("unknown join type %q (use inner, left, right, full, cross, semi or anti)", how))
	}
	if cond == "" && kw != "CROSS JOIN" {
		return d.derive("", errs.Planf("a %s join needs a condition (or use how = \"cross\")", strings.ToLower(strings.TrimSuffix(kw, " JOIN"))))
	}
	// (a JOIN b) JOIN c reads as a JOIN b JOIN c: a, b and c all qualify their columns.
	from, where := d.joinFrom(kw, other, cond)
	return d.withScope(&joinScope{from: from, where: where, limit: -1}, nil)
}

// semiJoin is a semi (EXISTS) or anti (NOT EXISTS) join: SQL spells it as a correlated
// subquery, which the optimizer turns into a semi or anti join.
func (d *DataFrame) semiJoin(other *DataFrame, on any, using []string, anti bool) *DataFrame {
	var cond string
	switch {
	case len(using) > 0:
		parts := make([]string, len(using))
		for i, n := range using {
			parts[i] = sqlIdent(d.alias) + "." + sqlIdent(n) + " = " + sqlIdent(other.alias) + "." + sqlIdent(n)
		}
		cond = strings.Join(parts, " AND ")
	case on != nil:
		cond = on.(Column).SQL()
	default:
		return d.derive("", errs.Planf("a semi or anti join needs a condition"))
	}
	not := ""
	if anti {
		not = "NOT "
	}
	if j := d.open(); j != nil && j.limit < 0 && len(using) == 0 {
		// The condition may name the join's inputs: the join stays open.
		nj := *j
		nj.where = and(j.where, not+"EXISTS (SELECT 1 FROM "+other.from()+" WHERE "+cond+")")
		return d.withScope(&nj, nil)
	}
	return d.derive(fmt.Sprintf("SELECT %s.* FROM %s WHERE %sEXISTS (SELECT 1 FROM %s WHERE %s)",
		sqlIdent(d.alias), d.from(), not, other.from(), cond), nil)
}

// GroupBy groups the rows by columns (Columns or names) for Agg.
func (d *DataFrame) GroupBy(cols ...any) *GroupedData {
	return &GroupedData{df: d, keys: cols}
}

// GroupedData is a DataFrame grouped by keys, waiting for its aggregates (Agg).
type GroupedData struct {
	df   *DataFrame
	keys []any
}

// Agg computes aggregates (Sum(...), Count("*").Alias("n") ...) per group; the result has
// the group keys, then the aggregates. Without keys it aggregates the whole DataFrame into
// one row.
func (g *GroupedData) Agg(aggs ...Column) *DataFrame {
	d := g.df
	if len(aggs) == 0 {
		return d.derive("", errs.Planf("Agg needs at least one aggregate"))
	}
	var keys, items []string
	for _, x := range g.keys {
		c, err := toColumn(x, "GroupBy")
		if err == nil {
			err = noOrdering(c, "GroupBy")
		}
		if err != nil {
			return d.derive("", err)
		}
		keys = append(keys, c.SQL())
		items = append(items, selectItemSQL(c))
	}
	for _, a := range aggs {
		if err := a.Err(); err != nil {
			return d.derive("", err)
		}
		if err := noOrdering(a, "Agg"); err != nil {
			return d.derive("", err)
		}
		items = append(items, selectItemSQL(a))
	}
	sql := "SELECT " + strings.Join(items, ", ") + " FROM " + d.rowScope()
	if len(keys) > 0 {
		sql += " GROUP BY " + strings.Join(keys, ", ")
	}
	return d.derive(sql, nil)
}

// Count counts the rows of each group (column "count", as Spark's).
func (g *GroupedData) Count() *DataFrame { return g.Agg(Count("*").Alias("count")) }

// Sample keeps each row with probability fraction (0 to 1), drawn by rand(seed): the same
// seed over the same input in the same partitioning keeps the same rows.
func (d *DataFrame) Sample(fraction float64, seed int64) *DataFrame {
	if fraction < 0 || fraction > 1 {
		return d.derive("", errs.Planf("Sample needs a fraction between 0 and 1, not %g", fraction))
	}
	return d.derive(fmt.Sprintf("SELECT * FROM %s WHERE rand(%d) < %s", d.from(), seed, formatFloat(fraction)), nil)
}

// RandomSplit splits the rows into len(weights) DataFrames, a row going to split i with
// probability weights[i]/sum(weights), by one draw per row from a generator seeded with
// (seed, partition index) that walks the partition's rows in order (Spark's per-partition
// sampler). Over the same input partitioned the same way (a cached DataFrame: its splits
// keep their rows and order) the splits are disjoint and together hold every row, at any
// partition count.
func (d *DataFrame) RandomSplit(weights []float64, seed int64) []*DataFrame {
	total := 0.0
	for _, w := range weights {
		if w < 0 {
			return []*DataFrame{d.derive("", errs.Planf("RandomSplit: weights must not be negative"))}
		}
		total += w
	}
	if len(weights) == 0 || total == 0 {
		return []*DataFrame{d.derive("", errs.Planf("RandomSplit needs positive weights"))}
	}
	in, err := d.Schema()
	if err != nil {
		return []*DataFrame{d.derive("", err)}
	}
	items := make([]string, in.NumFields())
	for i, f := range in.Fields() {
		items[i] = sqlIdent(f.Name)
	}
	r := d.s.nextName("__r")
	out := arrow.NewSchema(append(append([]arrow.Field(nil), in.Fields()...), arrow.Field{Name: r, Type: arrow.PrimitiveTypes.Float64}), nil)
	fn := d.s.nextName(hiddenPrefix + "split")
	if err := d.s.funcs.RegisterPartitionFunc(fn, splitDraws(out, seed)); err != nil {
		return []*DataFrame{d.derive("", err)}
	}
	drawn := d.mapPartitions(fn, out)
	res := make([]*DataFrame, len(weights))
	lo := 0.0
	for i, w := range weights {
		hi := lo + w/total
		cond := fmt.Sprintf("%s >= %s AND %s < %s", sqlIdent(r), formatFloat(lo), sqlIdent(r), formatFloat(hi))
		if i == len(weights)-1 {
			cond = fmt.Sprintf("%s >= %s", sqlIdent(r), formatFloat(lo))
		}
		res[i] = drawn.derive(fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(items, ", "), drawn.from(), cond), nil)
		lo = hi
	}
	return res
}

// splitDraws is RandomSplit's partition function: it appends a column of uniform draws in
// [0, 1) from a PCG generator seeded with (seed, partition index), in row order.
func splitDraws(out *arrow.Schema, seed int64) udf.PartitionFunc {
	return func(pc *udf.PartitionContext, in udf.BatchReader, w udf.BatchWriter) error {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(pc.Partition)))
		for {
			b, err := in.Next()
			if err != nil || b == nil {
				return err
			}
			n := int(b.NumRows())
			fb := array.NewFloat64Builder(pc.Mem)
			fb.Reserve(n)
			for i := 0; i < n; i++ {
				fb.UnsafeAppend(rng.Float64())
			}
			draws := fb.NewArray()
			fb.Release()
			cols := append(append([]arrow.Array(nil), b.Columns()...), draws)
			rec := array.NewRecordBatch(out, cols, int64(n))
			draws.Release() // rec holds it; b's columns stay the reader's
			err = w.Write(rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
	}
}

// formatFloat renders a float as a SQL literal (never in exponent form, which MySQL reads
// as DOUBLE anyway, but keeps the text short and exact).
func formatFloat(f float64) string { return fmt.Sprintf("%.17g", f) }

// selectItemSQL renders a Column as a select-list item (with its alias).
func selectItemSQL(c Column) string { return c.selectSQL() }

// orderItemSQL renders a Column as an ORDER BY item (with its direction).
func orderItemSQL(c Column) string { return c.orderSQL() }

// Agg aggregates the whole DataFrame into one row (GroupBy with no keys).
func (d *DataFrame) Agg(aggs ...Column) *DataFrame { return d.GroupBy().Agg(aggs...) }
