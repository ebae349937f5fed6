package optimizer

import (
	"math"

	"github.com/embersql/ember/sql/planner"
)

// Cardinality estimation: how many rows a plan yields, and how many distinct values each of
// its columns holds, from the tables' statistics (planner.StatsProvider) and textbook
// selectivities (System R's). Estimates guide join order and build sides; they never change
// results. Unknown tables count as defaultRows.
//
// Selectivities: column = constant 1/NDV (0.1 without NDV); column = column (join keys)
// 1/max(NDV, NDV'); ranges 1/3; IS NULL its null fraction (0.05 unknown); LIKE 0.1; IN
// k/NDV; AND multiplies, OR adds minus the overlap, NOT complements; anything else 0.25.

const (
	defaultRows        = 1000.0
	defaultSelectivity = 0.25
)

type estimate struct {
	rows float64
	ndv  map[planner.ColumnID]float64 // distinct values per output column (absent: unknown)
}

// estimator caches the estimates of the nodes of one optimization.
type estimator struct {
	cache map[planner.Plan]*estimate
}

func newEstimator() *estimator { return &estimator{cache: map[planner.Plan]*estimate{}} }

// rows estimates the rows p yields.
func (e *estimator) rows(p planner.Plan) float64 { return e.est(p).rows }

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
		for i, c := range n.Columns {
			ord := n.Ordinals[i]
			if ord < len(st.Columns) && st.Columns[ord].Distinct > 0 {
				out.ndv[c.ID] = float64(st.Columns[ord].Distinct)
			}
		}
		return out
	case *planner.Values:
		return &estimate{rows: float64(len(n.Rows))}
	case *planner.Filter:
		in := e.est(n.Input)
		sel := e.selectivity(n.Cond, n.Input)
		return scaled(in, in.rows*sel)
	case *planner.Project:
		in := e.est(n.Input)
		out := &estimate{rows: in.rows, ndv: map[planner.ColumnID]float64{}}
		for i, x := range n.Projections {
			if c, ok := x.(*planner.ColumnRef); ok {
				if d, ok := in.ndv[c.Col.ID]; ok {
					out.ndv[n.Out[i].ID] = d
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
		in := e.est(n.Input)
		return scaled(in, in.rows*0.5)
	}
	// Sort, SubqueryAlias and nodes this file does not know: their first child's rows,
	// with its distinct counts (an alias or sort keeps column IDs).
	kids := p.Children()
	if len(kids) == 0 {
		return &estimate{rows: defaultRows}
	}
	in := e.est(kids[0])
	return &estimate{rows: in.rows, ndv: in.ndv}
}

// scaled is in with rows rows: distinct counts shrink to at most rows.
func scaled(in *estimate, rows float64) *estimate {
	out := &estimate{rows: rows, ndv: make(map[planner.ColumnID]float64, len(in.ndv))}
	for id, d := range in.ndv {
		out.ndv[id] = math.Min(d, math.Max(rows, 1))
	}
	return out
}

func (e *estimator) join(j *planner.Join) *estimate {
	l, r := e.est(j.Left), e.est(j.Right)
	ls, rs := idSet(j.Left.Schema()), idSet(j.Right.Schema())
	sel := 1.0
	if j.On != nil {
		for _, c := range planner.SplitConjunction(j.On) {
			if a, b, ok := joinKeyPair(c, ls, rs); ok {
				sel *= 1 / math.Max(e.distinct(j.Left, a), e.distinct(j.Right, b))
				continue
			}
			sel *= e.selectivity(c, nil)
		}
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
	out := &estimate{rows: rows, ndv: map[planner.ColumnID]float64{}}
	for id, d := range l.ndv {
		out.ndv[id] = math.Min(d, math.Max(rows, 1))
	}
	for id, d := range r.ndv {
		out.ndv[id] = math.Min(d, math.Max(rows, 1))
	}
	return out
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
	switch x := cond.(type) {
	case *planner.Literal:
		if v, ok := x.Value.(bool); ok && v {
			return 1
		}
		return 0
	case *planner.Binary:
		switch x.Op {
		case planner.OpAnd:
			return e.selectivity(x.Left, input) * e.selectivity(x.Right, input)
		case planner.OpOr:
			a, b := e.selectivity(x.Left, input), e.selectivity(x.Right, input)
			return a + b - a*b
		case planner.OpEq:
			_, lc := x.Left.(*planner.ColumnRef)
			_, rc := x.Right.(*planner.ColumnRef)
			if lc && rc {
				return 1 / math.Max(math.Max(ndv(x.Left), ndv(x.Right)), 10)
			}
			if d := math.Max(ndv(x.Left), ndv(x.Right)); d > 0 {
				return 1 / d
			}
			return 0.1
		case planner.OpNe:
			return 0.9
		case planner.OpLt, planner.OpLe, planner.OpGt, planner.OpGe:
			return 1.0 / 3
		}
	case *planner.Not:
		return 1 - e.selectivity(x.E, input)
	case *planner.IsNull:
		if x.Negated {
			return 0.95
		}
		return 0.05
	case *planner.Like:
		return 0.1
	case *planner.InList:
		s := 0.1 * float64(len(x.List))
		if d := ndv(x.E); d > 0 {
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
