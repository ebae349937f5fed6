package optimizer

import (
	"math"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/sql/planner"
)

// Cardinality estimation: how many rows a plan yields, and how many distinct values each of
// its columns holds, from the tables' statistics (planner.StatsProvider) and textbook
// selectivities (System R's). Estimates guide join order and build sides; they never change
// results. Unknown tables count as defaultRows.
//
// Selectivities without column statistics: column = constant 1/NDV (0.1 without NDV);
// column = column (join keys) 1/max(NDV, NDV'); ranges 1/3; IS NULL 0.05; LIKE 0.1; IN
// k/NDV; AND multiplies, OR adds minus the overlap, NOT complements; anything else 0.25.
//
// With a column's statistics (ANALYZE TABLE's, or a source's metadata) passed up from its
// scan through filters, projections, joins, sorts and limits unchanged:
//   - IS [NOT] NULL is the null fraction (or its complement);
//   - column op constant (< <= > >=) is the fraction of the histogram's rows on that side
//     of the constant, interpolating inside the bucket that holds it (linearly for numbers,
//     dates and timestamps, on the first bytes after the common prefix for strings); with
//     only Min and Max known, the constant's place between them. Bounds on one column in
//     one conjunction (BETWEEN, a >= x AND a < y) make one range, not a product;
//   - column = constant is the rows of the constant's bucket: exactly those of a bucket's
//     upper bound (where frequent values land), else the bucket's average per value; a
//     constant outside every bucket counts as one row. IN sums its constants, <> and NOT
//     IN complement within the non-NULL rows;
//   - joins multiply by the non-NULL fractions of both keys (NULL keys never match);
//   - a join key whose distinct count in its table is (within 10%) the table's row count is
//     taken as unique there, and the other side's key values as drawn from its values: the
//     other side's distinct count is capped at it (a foreign key into a primary key);
//   - after an inner or semi join, its key columns have at most the distinct values of the
//     side with fewer.
//
// Each of these is at least one row's worth (1/rows of the table): statistics may be stale.
// The fractions are of the table's rows when ANALYZE ran, applied to the rows estimated
// now (for managed tables the current row count is exact).

const (
	defaultRows        = 1000.0
	defaultSelectivity = 0.25
)

type estimate struct {
	rows float64
	ndv  map[planner.ColumnID]float64 // distinct values per output column (absent: unknown)
	// cols are the table statistics of output columns that carry a scanned column's
	// values unchanged (absent: none). Never modified once the estimate is built, so
	// estimates share it.
	cols map[planner.ColumnID]*colStats
}

// colStats is what the estimator knows of one scanned column.
type colStats struct {
	st  *planner.ColumnStats
	typ arrow.DataType
	// nullFrac is NullCount/RowCount of the table, -1 when unknown; tableRows is the
	// table's row count.
	nullFrac, tableRows float64
	// table identifies the scanned table's statistics (columns of one table share it).
	table *planner.TableStats
}

// distinctInTable is the column's distinct count in its whole table (its domain), or the
// table's rows when unknown.
func (c *colStats) distinctInTable() float64 {
	if c.st.Distinct > 0 {
		return math.Min(float64(c.st.Distinct), c.tableRows)
	}
	return c.tableRows
}

// nonNull is the fraction of rows whose value is not NULL (1 when unknown).
func (c *colStats) nonNull() float64 {
	if c.nullFrac < 0 {
		return 1
	}
	return 1 - c.nullFrac
}

// floor is the smallest selectivity statistics yield: one row of the table.
func (c *colStats) floor() float64 { return 1 / math.Max(c.tableRows, 1) }

// ranged reports whether range predicates on the column can use its statistics.
func (c *colStats) ranged() bool {
	return c.st.Histogram != nil && len(c.st.Histogram.Buckets) > 0 || c.st.Min != nil && c.st.Max != nil
}

// estimator caches the estimates of the nodes of one optimization.
type estimator struct {
	cache map[planner.Plan]*estimate
}

func newEstimator() *estimator { return &estimator{cache: map[planner.Plan]*estimate{}} }

// rows estimates the rows p yields.
func (e *estimator) rows(p planner.Plan) float64 { return e.est(p).rows }

// knownDistinct is distinct when statistics give column id's distinct count, else 0 (a
// comparison with a constant then takes its default selectivity rather than 1/rows).
func (e *estimator) knownDistinct(p planner.Plan, id planner.ColumnID) float64 {
	if d, ok := e.est(p).ndv[id]; ok && d > 0 {
		return e.distinct(p, id)
	}
	return 0
}

// distinct estimates the distinct values of column id in p's output (at most its rows).
func (e *estimator) distinct(p planner.Plan, id planner.ColumnID) float64 {
	x := e.est(p)
	if d, ok := x.ndv[id]; ok && d > 0 {
		return math.Min(d, math.Max(x.rows, 1))
	}
	return math.Max(x.rows, 1)
}

func (e *estimator) est(p planner.Plan) *estimate {
	if x, ok := e.cache[p]; ok {
		return x
	}
	x := e.compute(p)
	if x.rows < 0 || math.IsNaN(x.rows) {
		x.rows = 0
	}
	e.cache[p] = x
	return x
}

func (e *estimator) compute(p planner.Plan) *estimate {
	switch n := p.(type) {
	case *planner.Scan:
		return scanEstimate(n)
	case *planner.Values:
		return &estimate{rows: float64(len(n.Rows))}
	case *planner.Filter:
		in := e.est(n.Input)
		sel := e.selectivity(n.Cond, n.Input)
		return scaled(in, in.rows*sel)
	case *planner.Project:
		in := e.est(n.Input)
		out := &estimate{rows: in.rows, ndv: map[planner.ColumnID]float64{}, cols: map[planner.ColumnID]*colStats{}}
		for i, x := range n.Projections {
			if c, ok := x.(*planner.ColumnRef); ok {
				if d, ok := in.ndv[c.Col.ID]; ok {
					out.ndv[n.Out[i].ID] = d
				}
				if cs, ok := in.cols[c.Col.ID]; ok {
					out.cols[n.Out[i].ID] = cs
				}
			}
		}
		return out
	case *planner.Aggregate:
		in := e.est(n.Input)
		if len(n.GroupBy) == 0 {
			return &estimate{rows: 1}
		}
		groups := 1.0
		out := &estimate{ndv: map[planner.ColumnID]float64{}}
		for i, g := range n.GroupBy {
			d := math.Max(in.rows, 1)
			if c, ok := g.(*planner.ColumnRef); ok {
				d = e.distinct(n.Input, c.Col.ID)
			}
			groups *= d
			out.ndv[n.Out[i].ID] = d
		}
		out.rows = math.Min(groups, in.rows)
		return out
	case *planner.Join:
		return e.join(n)
	case *planner.Limit:
		in := e.est(n.Input)
		rows := math.Max(in.rows-float64(n.Offset), 0)
		if n.Count >= 0 {
			rows = math.Min(rows, float64(n.Count))
		}
		return scaled(in, rows)
	case *planner.Union:
		total := 0.0
		for _, in := range n.Inputs {
			total += e.rows(in)
		}
		return &estimate{rows: total}
	case *planner.Distinct:
		// As many rows as combinations of the columns' distinct values, when every
		// column's is known; else half the input.
		in := e.est(n.Input)
		groups := 1.0
		for _, c := range n.Schema() {
			d, ok := in.ndv[c.ID]
			if !ok || d <= 0 {
				return scaled(in, in.rows*0.5)
			}
			groups *= d
		}
		return scaled(in, math.Min(groups, in.rows))
	}
	// Sort, SubqueryAlias and nodes this file does not know: their first child's rows,
	// with its distinct counts and statistics (an alias or sort keeps column IDs).
	kids := p.Children()
	if len(kids) == 0 {
		return &estimate{rows: defaultRows}
	}
	in := e.est(kids[0])
	return &estimate{rows: in.rows, ndv: in.ndv, cols: in.cols}
}

// scanEstimate reads the statistics of a scanned table.
func scanEstimate(n *planner.Scan) *estimate {
	out := &estimate{rows: defaultRows, ndv: map[planner.ColumnID]float64{}}
	sp, ok := n.Table.(planner.StatsProvider)
	if !ok {
		return out
	}
	st := sp.Statistics()
	if st == nil || st.RowCount < 0 {
		return out
	}
	out.rows = float64(st.RowCount)
	out.cols = map[planner.ColumnID]*colStats{}
	for i, c := range n.Columns {
		ord := n.Ordinals[i]
		if ord >= len(st.Columns) {
			continue
		}
		cs := &st.Columns[ord]
		if cs.Distinct > 0 {
			out.ndv[c.ID] = float64(cs.Distinct)
		}
		info := &colStats{st: cs, typ: c.Type, nullFrac: -1, tableRows: out.rows, table: st}
		if cs.NullCount >= 0 && st.RowCount > 0 {
			info.nullFrac = math.Min(float64(cs.NullCount)/float64(st.RowCount), 1)
		}
		out.cols[c.ID] = info
	}
	return out
}

// scaled is in with rows rows: distinct counts shrink to at most rows.
func scaled(in *estimate, rows float64) *estimate {
	out := &estimate{rows: rows, ndv: make(map[planner.ColumnID]float64, len(in.ndv)), cols: in.cols}
	for id, d := range in.ndv {
		out.ndv[id] = math.Min(d, math.Max(rows, 1))
	}
	return out
}

func (e *estimator) join(j *planner.Join) *estimate {
	l, r := e.est(j.Left), e.est(j.Right)
	ls, rs := idSet(j.Left.Schema()), idSet(j.Right.Schema())
	sel := 1.0
	// The key pairs, grouped by left column (l.a = r.x AND l.a = r.y, after r.x = r.y was
	// joined below, is one key, not two).
	var groups []keyGroup
	if j.On != nil {
		for _, c := range planner.SplitConjunction(j.On) {
			if a, b, ok := joinKeyPair(c, ls, rs); ok {
				// NULL keys match nothing.
				if cs, ok := l.cols[a]; ok {
					sel *= cs.nonNull()
				}
				if cs, ok := r.cols[b]; ok {
					sel *= cs.nonNull()
				}
				k := slices.IndexFunc(groups, func(g keyGroup) bool { return g.left[0] == a })
				if k < 0 {
					groups = append(groups, keyGroup{left: []planner.ColumnID{a}})
					k = len(groups) - 1
				}
				groups[k].right = append(groups[k].right, b)
				continue
			}
			sel *= e.selectivity(c, nil)
		}
	}
	var keyNDV map[planner.ColumnID]float64
	if len(groups) > 0 {
		// Each side has at most the product of its keys' distinct counts in combinations,
		// and at most its rows (the columns of a composite key are correlated: partsupp's
		// (ps_partkey, ps_suppkey) takes 800K values at SF 1, not 200K x 10K).
		keysL, keysR := 1.0, 1.0
		keyNDV = map[planner.ColumnID]float64{}
		for _, g := range groups {
			dl := e.distinct(j.Left, g.left[0])
			dr := math.Inf(1)
			for _, b := range g.right {
				dr = math.Min(dr, e.distinct(j.Right, b))
			}
			keysL *= dl
			keysR *= dr
			for _, id := range append(append([]planner.ColumnID{}, g.left...), g.right...) {
				keyNDV[id] = math.Min(dl, dr)
			}
		}
		keysL = math.Min(keysL, math.Max(l.rows, 1))
		keysR = math.Min(keysR, math.Max(r.rows, 1))
		// Containment of a foreign key in a primary key: when one side's key takes (about)
		// as many values in its table as the table has rows, it is taken as a unique key,
		// and the other side's values as drawn from its values. Footer statistics bound a
		// column's distinct count by its min/max span, which over-counts a foreign key such
		// as l_orderkey (6M at SF 1, really 1.5M); o_orderkey's 1.5M caps it.
		domL, uniqL := keyDomain(groups, l.cols, true)
		domR, uniqR := keyDomain(groups, r.cols, false)
		if uniqR {
			keysL = math.Min(keysL, domR)
		}
		if uniqL {
			keysR = math.Min(keysR, domL)
		}
		sel /= math.Max(math.Max(keysL, keysR), 1)
	}
	inner := l.rows * r.rows * sel
	rows := inner
	switch j.Type {
	case planner.LeftJoin, planner.LeftSingle, planner.LeftMark:
		rows = math.Max(inner, l.rows)
	case planner.RightJoin:
		rows = math.Max(inner, r.rows)
	case planner.FullJoin:
		rows = math.Max(inner, math.Max(l.rows, r.rows))
	case planner.LeftSemi:
		rows = math.Min(inner, l.rows)
	case planner.LeftAnti:
		rows = math.Max(l.rows-math.Min(inner, l.rows), l.rows*0.1)
	}
	if j.Type == planner.LeftMark || j.Type == planner.LeftSingle {
		rows = l.rows
	}
	out := &estimate{rows: rows, ndv: map[planner.ColumnID]float64{}, cols: map[planner.ColumnID]*colStats{}}
	for _, side := range []*estimate{l, r} {
		for id, d := range side.ndv {
			out.ndv[id] = math.Min(d, math.Max(rows, 1))
		}
		for id, cs := range side.cols {
			out.cols[id] = cs
		}
	}
	// An inner join's key columns keep only the values both sides have.
	if j.Type == planner.InnerJoin || j.Type == planner.LeftSemi {
		for id, d := range keyNDV {
			if _, ok := out.ndv[id]; ok || j.Type == planner.InnerJoin {
				out.ndv[id] = math.Min(d, math.Max(rows, 1))
			}
		}
	}
	return out
}

// keyGroup is one key of a join: a left column and the right columns it equals.
type keyGroup struct {
	left, right []planner.ColumnID
}

// keyDomain is the number of values a join side's key (one column per group, left or right
// ones) takes in the table it is read from, and whether that equals (within 10%) the
// table's rows, so that the key is taken as unique there. Known only when every group has a
// column scanned from one same table: min(product of their distinct counts, table rows).
func keyDomain(groups []keyGroup, cols map[planner.ColumnID]*colStats, left bool) (float64, bool) {
	side := func(g keyGroup) []planner.ColumnID {
		if left {
			return g.left
		}
		return g.right
	}
	for _, first := range side(groups[0]) {
		cand, ok := cols[first]
		if !ok || cand.table == nil {
			continue
		}
		dom, found := 1.0, true
		for _, g := range groups {
			var pick *colStats
			for _, id := range side(g) {
				if cs, ok := cols[id]; ok && cs.table == cand.table {
					pick = cs
					break
				}
			}
			if pick == nil {
				found = false
				break
			}
			dom *= pick.distinctInTable()
		}
		if !found {
			continue
		}
		dom = math.Min(dom, cand.tableRows)
		return dom, dom >= 0.9*cand.tableRows
	}
	return 0, false
}

// joinKeyPair reports whether c is "a = b" between a left column and a right column.
func joinKeyPair(c planner.Expr, ls, rs map[planner.ColumnID]bool) (l, r planner.ColumnID, ok bool) {
	b, isBin := c.(*planner.Binary)
	if !isBin || b.Op != planner.OpEq {
		return 0, 0, false
	}
	x, ok1 := b.Left.(*planner.ColumnRef)
	y, ok2 := b.Right.(*planner.ColumnRef)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	switch {
	case ls[x.Col.ID] && rs[y.Col.ID]:
		return x.Col.ID, y.Col.ID, true
	case ls[y.Col.ID] && rs[x.Col.ID]:
		return y.Col.ID, x.Col.ID, true
	}
	return 0, 0, false
}

// selectivity estimates the fraction of input's rows for which cond is TRUE (input may be
// nil when no statistics apply).
func (e *estimator) selectivity(cond planner.Expr, input planner.Plan) float64 {
	ndv := func(x planner.Expr) float64 {
		if c, ok := x.(*planner.ColumnRef); ok && input != nil {
			return e.distinct(input, c.Col.ID)
		}
		return 0
	}
	known := func(x planner.Expr) float64 {
		if c, ok := x.(*planner.ColumnRef); ok && input != nil {
			return e.knownDistinct(input, c.Col.ID)
		}
		return 0
	}
	switch x := cond.(type) {
	case *planner.Literal:
		if v, ok := x.Value.(bool); ok && v {
			return 1
		}
		return 0
	case *planner.Binary:
		switch x.Op {
		case planner.OpAnd:
			return e.conjunction(planner.SplitConjunction(x), input)
		case planner.OpOr:
			a, b := e.selectivity(x.Left, input), e.selectivity(x.Right, input)
			return a + b - a*b
		case planner.OpEq:
			if cs, id, lit, _, ok := e.columnConstant(x, input); ok {
				return e.eqSel(cs, id, lit, input)
			}
			_, lc := x.Left.(*planner.ColumnRef)
			_, rc := x.Right.(*planner.ColumnRef)
			if lc && rc {
				return 1 / math.Max(math.Max(ndv(x.Left), ndv(x.Right)), 10)
			}
			if d := math.Max(known(x.Left), known(x.Right)); d > 0 {
				return 1 / d
			}
			return 0.1
		case planner.OpNe:
			if cs, id, lit, _, ok := e.columnConstant(x, input); ok && (cs.st.Histogram != nil || cs.st.Distinct > 0) {
				return math.Max(cs.nonNull()-e.eqSel(cs, id, lit, input), cs.floor())
			}
			return 0.9
		case planner.OpLt, planner.OpLe, planner.OpGt, planner.OpGe:
			if cs, _, lit, op, ok := e.columnConstant(x, input); ok && cs.ranged() {
				var r valueRange
				if r.add(op, lit) {
					if s, ok := r.selectivity(cs); ok {
						return s
					}
				}
			}
			return 1.0 / 3
		}
	case *planner.Not:
		return 1 - e.selectivity(x.E, input)
	case *planner.IsNull:
		if cs, ok := e.columnOf(x.E, input); ok && cs.nullFrac >= 0 {
			s := cs.nullFrac
			if x.Negated {
				s = 1 - s
			}
			return math.Max(s, cs.floor())
		}
		if x.Negated {
			return 0.95
		}
		return 0.05
	case *planner.Like:
		return 0.1
	case *planner.InList:
		if s, ok := e.inListSel(x, input); ok {
			return s
		}
		s := 0.1 * float64(len(x.List))
		if d := known(x.E); d > 0 {
			s = float64(len(x.List)) / d
		}
		s = math.Min(s, 1)
		if x.Negated {
			return 1 - s
		}
		return s
	}
	return defaultSelectivity
}

// conjunction is the selectivity of conds all TRUE: the product of the conjuncts', except
// that range bounds on one column with statistics combine into one range (BETWEEN).
func (e *estimator) conjunction(conds []planner.Expr, input planner.Plan) float64 {
	type colRange struct {
		cs *colStats
		r  valueRange
	}
	var ranges []*colRange // in order of first appearance, for deterministic products
	byCol := map[planner.ColumnID]*colRange{}
	sel := 1.0
	for _, c := range conds {
		if b, ok := c.(*planner.Binary); ok {
			switch b.Op {
			case planner.OpLt, planner.OpLe, planner.OpGt, planner.OpGe:
				if cs, id, lit, op, ok := e.columnConstant(b, input); ok && cs.ranged() {
					cr := byCol[id]
					if cr == nil {
						cr = &colRange{cs: cs}
						byCol[id] = cr
						ranges = append(ranges, cr)
					}
					if cr.r.add(op, lit) {
						continue
					}
				}
			}
		}
		sel *= e.selectivity(c, input)
	}
	for _, cr := range ranges {
		s, ok := cr.r.selectivity(cr.cs)
		if !ok {
			s = 1.0 / 3
		}
		sel *= s
	}
	return sel
}

// inListSel is the selectivity of x IN (constants) from the column's statistics.
func (e *estimator) inListSel(x *planner.InList, input planner.Plan) (float64, bool) {
	cs, ok := e.columnOf(x.E, input)
	if !ok {
		return 0, false
	}
	id := x.E.(*planner.ColumnRef).Col.ID
	s := 0.0
	for _, item := range x.List {
		lit, ok := item.(*planner.Literal)
		if !ok {
			return 0, false
		}
		if lit.Value != nil {
			s += e.eqSel(cs, id, lit, input)
		}
	}
	s = math.Min(s, cs.nonNull())
	if x.Negated {
		s = cs.nonNull() - s
	}
	return math.Max(s, cs.floor()), true
}

// columnOf returns the statistics of x when it is a column of input that has some.
func (e *estimator) columnOf(x planner.Expr, input planner.Plan) (*colStats, bool) {
	c, ok := x.(*planner.ColumnRef)
	if !ok || input == nil {
		return nil, false
	}
	cs, ok := e.est(input).cols[c.Col.ID]
	return cs, ok
}

// columnConstant matches "column op constant" (or "constant op column", returned with op
// mirrored) over a column of input with statistics and a non-NULL constant.
func (e *estimator) columnConstant(b *planner.Binary, input planner.Plan) (cs *colStats, id planner.ColumnID, lit *planner.Literal, op planner.BinaryOp, ok bool) {
	col, other, op := b.Left, b.Right, b.Op
	if _, isCol := col.(*planner.ColumnRef); !isCol {
		col, other, op = b.Right, b.Left, mirror(b.Op)
	}
	l, isLit := other.(*planner.Literal)
	if !isLit || l.Value == nil {
		return nil, 0, nil, "", false
	}
	cs, ok = e.columnOf(col, input)
	if !ok {
		return nil, 0, nil, "", false
	}
	return cs, col.(*planner.ColumnRef).Col.ID, l, op, true
}

// mirror is the operator of "b op a" for "a op b".
func mirror(op planner.BinaryOp) planner.BinaryOp {
	switch op {
	case planner.OpLt:
		return planner.OpGt
	case planner.OpLe:
		return planner.OpGe
	case planner.OpGt:
		return planner.OpLt
	case planner.OpGe:
		return planner.OpLe
	}
	return op
}

// eqSel is the selectivity of column = lit.
func (e *estimator) eqSel(cs *colStats, id planner.ColumnID, lit *planner.Literal, input planner.Plan) float64 {
	if h := cs.st.Histogram; h != nil && len(h.Buckets) > 0 {
		if f, ok := histEqual(h, lit.Value, lit.Typ, cs.typ); ok {
			return math.Max(cs.nonNull()*f, cs.floor())
		}
	}
	if cs.st.Min != nil && cs.st.Max != nil {
		lo, ok1 := compareStat(lit.Value, lit.Typ, cs.st.Min, cs.typ)
		hi, ok2 := compareStat(lit.Value, lit.Typ, cs.st.Max, cs.typ)
		if ok1 && ok2 && (lo < 0 || hi > 0) {
			return cs.floor()
		}
	}
	d := e.knownDistinct(input, id)
	if d <= 0 {
		return math.Max(cs.nonNull()*0.1, cs.floor())
	}
	return math.Max(cs.nonNull()/d, cs.floor())
}

// valueRange is the bounds that range predicates put on one column.
type valueRange struct {
	lo, hi         []*planner.Literal
	loIncl, hiIncl []bool
}

// add records "column op lit"; false for an operator that is not a range.
func (r *valueRange) add(op planner.BinaryOp, lit *planner.Literal) bool {
	switch op {
	case planner.OpGt, planner.OpGe:
		r.lo = append(r.lo, lit)
		r.loIncl = append(r.loIncl, op == planner.OpGe)
	case planner.OpLt, planner.OpLe:
		r.hi = append(r.hi, lit)
		r.hiIncl = append(r.hiIncl, op == planner.OpLe)
	default:
		return false
	}
	return true
}

// selectivity is the fraction of all rows within the range: of the non-NULL rows, those
// below the lowest upper bound less those below the highest lower bound.
func (r *valueRange) selectivity(cs *colStats) (float64, bool) {
	top, bottom := 1.0, 0.0
	for i, v := range r.hi {
		f, ok := below(cs, v, r.hiIncl[i])
		if !ok {
			return 0, false
		}
		top = math.Min(top, f)
	}
	for i, v := range r.lo {
		f, ok := below(cs, v, !r.loIncl[i])
		if !ok {
			return 0, false
		}
		bottom = math.Max(bottom, f)
	}
	return math.Max(cs.nonNull()*math.Max(top-bottom, 0), cs.floor()), true
}

// below is the fraction of the column's non-NULL values less than lit (orEqual: at most
// lit), from its histogram, else its Min and Max.
func below(cs *colStats, lit *planner.Literal, orEqual bool) (float64, bool) {
	if h := cs.st.Histogram; h != nil && len(h.Buckets) > 0 {
		return histBelow(h, lit.Value, lit.Typ, cs.typ, orEqual)
	}
	lo, ok1 := compareStat(lit.Value, lit.Typ, cs.st.Min, cs.typ)
	hi, ok2 := compareStat(lit.Value, lit.Typ, cs.st.Max, cs.typ)
	switch {
	case !ok1 || !ok2:
		return 0, false
	case lo < 0 || lo == 0 && !orEqual:
		return 0, true
	case hi > 0 || hi == 0 && orEqual:
		return 1, true
	}
	return position(cs.st.Min, cs.st.Max, cs.typ, lit.Value, lit.Typ), true
}

// histBelow is the fraction of h's rows with values below v (orEqual: at most v).
func histBelow(h *planner.Histogram, v any, vt, ct arrow.DataType, orEqual bool) (float64, bool) {
	total := float64(h.Total())
	if total <= 0 {
		return 0, false
	}
	acc := 0.0
	for _, b := range h.Buckets {
		lo, ok1 := compareStat(v, vt, b.Lower, ct)
		hi, ok2 := compareStat(v, vt, b.Upper, ct)
		if !ok1 || !ok2 {
			return 0, false
		}
		if lo < 0 {
			break // v is below this bucket and every later one
		}
		if hi > 0 {
			acc += float64(b.Count)
			continue
		}
		rest := float64(b.Count - b.UpperCount) // rows in [Lower, Upper)
		if hi == 0 {
			acc += rest
			if orEqual {
				acc += float64(b.UpperCount)
			}
			break
		}
		// Lower <= v < Upper.
		acc += rest * position(b.Lower, b.Upper, ct, v, vt)
		if orEqual {
			acc += math.Min(rest/math.Max(float64(b.Distinct-1), 1), rest)
		}
		break
	}
	return math.Min(acc/total, 1), true
}

// histEqual is the fraction of h's rows equal to v: the rows of an upper bound exactly,
// else the average per value of the bucket holding v, 0 outside every bucket.
func histEqual(h *planner.Histogram, v any, vt, ct arrow.DataType) (float64, bool) {
	total := float64(h.Total())
	if total <= 0 {
		return 0, false
	}
	bs := h.Buckets
	var err bool
	i := sort.Search(len(bs), func(i int) bool {
		c, ok := compareStat(v, vt, bs[i].Upper, ct)
		err = err || !ok
		return c <= 0
	})
	if err {
		return 0, false
	}
	if i == len(bs) {
		return 0, true
	}
	b := bs[i]
	if c, _ := compareStat(v, vt, b.Upper, ct); c == 0 {
		return float64(b.UpperCount) / total, true
	}
	if c, ok := compareStat(v, vt, b.Lower, ct); !ok || c < 0 {
		return 0, ok
	}
	rest := float64(b.Count - b.UpperCount)
	return rest / math.Max(float64(b.Distinct-1), 1) / total, true
}

// compareStat compares a constant v of type vt with a statistics value s of the column's
// type ct. Values of one type compare as planner.CompareValues does; numbers of different
// types (DECIMAL scales) compare as float64.
func compareStat(v any, vt arrow.DataType, s any, ct arrow.DataType) (int, bool) {
	if arrow.TypeEqual(vt, ct) {
		return planner.CompareValues(v, s)
	}
	x, ok1 := toFloat(v, vt)
	y, ok2 := toFloat(s, ct)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// position is where v lies between lo and hi (lo <= v <= hi, of the column's type ct), in
// [0, 1]; 0.5 when the type has no distance.
func position(lo, hi any, ct arrow.DataType, v any, vt arrow.DataType) float64 {
	if ls, ok := lo.(string); ok {
		hs, ok1 := hi.(string)
		vs, ok2 := v.(string)
		if !ok1 || !ok2 {
			return 0.5
		}
		return stringPosition(ls, hs, vs)
	}
	a, ok1 := toFloat(lo, ct)
	b, ok2 := toFloat(hi, ct)
	x, ok3 := toFloat(v, vt)
	if !ok1 || !ok2 || !ok3 || math.IsNaN(a+b+x) || math.IsInf(a+b+x, 0) {
		return 0.5
	}
	if b <= a {
		return 0.5
	}
	return math.Min(math.Max((x-a)/(b-a), 0), 1)
}

// stringPosition places v between lo and hi by the bytes after their common prefix, read
// as a fraction in base 256 (7 bytes: exact in a float64).
func stringPosition(lo, hi, v string) float64 {
	p := 0
	for p < len(lo) && p < len(hi) && lo[p] == hi[p] {
		p++
	}
	frac := func(s string) float64 {
		f, scale := 0.0, 1.0
		for i := p; i < p+7; i++ {
			scale /= 256
			if i < len(s) {
				f += float64(s[i]) * scale
			}
		}
		return f
	}
	a, b, x := frac(lo), frac(hi), frac(v)
	if len(v) < p || v[:p] != lo[:p] || b <= a {
		return 0.5
	}
	return math.Min(math.Max((x-a)/(b-a), 0), 1)
}

// toFloat converts a value of type t (as planner.Literal holds it) to a number on which
// distances make sense: integers, floats, decimals, dates (days) and timestamps.
func toFloat(v any, t arrow.DataType) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case decimal128.Num:
		scale := int32(0)
		if dt, ok := t.(*arrow.Decimal128Type); ok {
			scale = dt.Scale
		}
		return x.ToFloat64(scale), true
	case arrow.Date32:
		return float64(x), true
	case arrow.Timestamp:
		return float64(x), true
	}
	return 0, false
}

// bytes estimates the size of p's output: its rows times the width of a row (rowWidth).
// Build sides are compared by it: a hash table holds whole rows.
func (e *estimator) bytes(p planner.Plan) float64 { return e.rows(p) * rowWidth(p.Schema()) }

// rowWidth is the estimated width of a row of s in bytes: fixed-width types their width,
// strings and binaries varWidth, nested types nestedWidth, plus one bit of validity each.
func rowWidth(s planner.Schema) float64 {
	const varWidth, nestedWidth = 24, 64
	w := 0.0
	for _, c := range s {
		switch t := c.Type.(type) {
		case arrow.FixedWidthDataType:
			w += math.Max(float64(t.BitWidth())/8, 1.0/8)
		case arrow.NestedType:
			w += nestedWidth
		default:
			w += varWidth
		}
		w += 1.0 / 8
	}
	return math.Max(w, 1)
}
