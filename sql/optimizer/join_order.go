package optimizer

import (
	"math"
	"math/bits"
	"sort"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// JoinReorder chooses the order of each tree of inner joins by estimated cost, and puts the
// smaller input of every join on the build (right) side:
//
//	Join: Inner on (l.k = o.k)              Join: Inner on (l.k = o.k)
//	  Join: Inner on (o.c = c.k)       →      Scan: lineitem l
//	    Scan: orders o                          Join: Inner on (o.c = c.k)
//	    Filter: c.seg = 'X'                       Scan: orders o
//	      Scan: customer c                        Filter: c.seg = 'X' ...
//
// The build side is the smaller in bytes (estimated rows times row width, rowWidth): a hash
// table holds whole rows, so a narrow orders (two columns) is built rather than a filtered
// lineitem carrying six. ProjectionPruning runs just before, so widths count only the
// columns the query reads.
//
// A tree is a maximal set of relations joined by inner (or cross) joins; its conditions are
// the conjuncts of their ON clauses (FilterPushdown has already moved WHERE conjuncts there
// and turned cross joins with equalities into inner joins). The cost of a plan is the sum of
// the estimated rows of its joins (C_out). Up to maxDPRelations relations, dynamic
// programming over connected subsets finds the cheapest bushy tree, joining two subsets
// only when a condition links them; past that, or when not all relations are linked, a
// greedy search joins the linked pair with the smallest result first (a cross product only
// when nothing links the rest). The dynamic programme keeps the written order of a
// subset unless another is estimated more than tieMargin cheaper. Each conjunct goes to
// the lowest join that has all its relations. A Project on top restores the tree's column
// order, so the root schema never changes.
//
// Refuses: outer, semi, anti, mark and single joins stay where they are (their order is
// their meaning); relations under them are reordered within their own trees.
type JoinReorder struct{}

// maxDPRelations bounds the exhaustive search (3^n subset pairs).
const maxDPRelations = 10

// tieMargin: the dynamic programme departs from the query's own order only for a plan
// estimated at least this fraction cheaper; within it, the orders count as equally good
// and the written one stays. The relations are in the order the query names them (by
// column ID), so joining a subset's last relation to the best plan of the others,
// recursively, is the written left-deep order. Estimates are rarely better than a factor
// of two, so a small estimated gain is no gain: in TPC-H Q10, joining customer to nation
// before orders looks 3.4% cheaper with the Parquet footers' statistics (a date range
// taken as 1/9 of orders, really 4%), and lineitem ⋈ orders before customer looks as cheap
// as the written order with ANALYZE's (l_returnflag and o_orderdate are correlated, which
// independence cannot see); both move more rows than the written order.
const tieMargin = 0.1

// Name implements Rule.
func (JoinReorder) Name() string { return "JoinReorder" }

// Apply implements Rule.
func (JoinReorder) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	est := newEstimator()
	out, err := reorderJoins(p, est)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	if planEqual(out, p) {
		return p, nil
	}
	return out, nil
}

func isInnerTree(p planner.Plan) bool {
	j, ok := p.(*planner.Join)
	return ok && (j.Type == planner.InnerJoin || j.Type == planner.CrossJoin)
}

// reorderJoins reorders the join trees of p, bottom-up.
func reorderJoins(p planner.Plan, est *estimator) (planner.Plan, error) {
	if isInnerTree(p) {
		var leaves []planner.Plan
		var conds []planner.Expr
		collectTree(p, &leaves, &conds)
		for i, l := range leaves {
			nl, err := reorderJoins(l, est)
			if err != nil {
				return nil, err
			}
			leaves[i] = nl
		}
		// A canonical order of the relations and conditions (by column IDs and text), so
		// the result does not depend on the order the query was written in: the rule is
		// then idempotent.
		sort.SliceStable(leaves, func(i, j int) bool { return minID(leaves[i]) < minID(leaves[j]) })
		sort.SliceStable(conds, func(i, j int) bool { return conds[i].String() < conds[j].String() })
		tree, err := orderTree(leaves, conds, est)
		if err != nil {
			return nil, err
		}
		return restoreOrder(tree, p.Schema())
	}
	kids := p.Children()
	if len(kids) == 0 {
		return p, nil
	}
	nk := make([]planner.Plan, len(kids))
	for i, k := range kids {
		x, err := reorderJoins(k, est)
		if err != nil {
			return nil, err
		}
		nk[i] = x
	}
	return p.WithChildren(nk)
}

// minID is the smallest column ID of p's output.
func minID(p planner.Plan) planner.ColumnID {
	m := planner.ColumnID(math.MaxInt64)
	for _, c := range p.Schema() {
		m = min(m, c.ID)
	}
	return m
}

func collectTree(p planner.Plan, leaves *[]planner.Plan, conds *[]planner.Expr) {
	// A Project that only drops columns between two inner joins (ProjectionPruning's) is
	// seen through: the tree's order is chosen anew and the columns pruned again after.
	if pr, ok := p.(*planner.Project); ok && onlyColumns(pr) && isInnerTree(pr.Input) {
		p = pr.Input
	}
	if !isInnerTree(p) {
		*leaves = append(*leaves, p)
		return
	}
	j := p.(*planner.Join)
	if j.On != nil {
		*conds = append(*conds, planner.SplitConjunction(j.On)...)
	}
	collectTree(j.Left, leaves, conds)
	collectTree(j.Right, leaves, conds)
}

// onlyColumns reports whether every output column of p is an input column passed on
// unchanged (same ID).
func onlyColumns(p *planner.Project) bool {
	for i, e := range p.Projections {
		c, ok := e.(*planner.ColumnRef)
		if !ok || c.Col.ID != p.Out[i].ID {
			return false
		}
	}
	return true
}

// restoreOrder projects p to want's columns (by ID) when the order differs.
func restoreOrder(p planner.Plan, want planner.Schema) (planner.Plan, error) {
	if p.Schema().Equal(want) {
		return p, nil
	}
	s := p.Schema()
	exprs := make([]planner.Expr, len(want))
	for i, c := range want {
		exprs[i] = planner.NewColumnRef(s[s.IndexOf(c.ID)])
	}
	return planner.NewProject(p, exprs, want)
}

// treePlan is a candidate for a subset of relations.
type treePlan struct {
	plan  planner.Plan
	rows  float64
	width float64 // bytes per row (rowWidth)
	cost  float64
}

// orderTree finds a cheap join order of leaves under conds.
func orderTree(leaves []planner.Plan, conds []planner.Expr, est *estimator) (planner.Plan, error) {
	n := len(leaves)
	// rel[c] is the set (bitmask) of leaves conjunct c reads.
	rel := make([]uint32, len(conds))
	for ci, c := range conds {
		cols := planner.ColumnsOf(c, nil)
		for li, l := range leaves {
			for _, col := range l.Schema() {
				if cols[col.ID] {
					rel[ci] |= 1 << li
					break
				}
			}
		}
	}
	// Conditions on one relation (or none) are filters: put them on their leaf now.
	var joinConds []int
	for ci := range conds {
		if bits.OnesCount32(rel[ci]) >= 2 {
			joinConds = append(joinConds, ci)
			continue
		}
		li := 0
		if rel[ci] != 0 {
			li = bits.TrailingZeros32(rel[ci])
		}
		f, err := planner.NewFilter(leaves[li], rebind(conds[ci], leaves[li].Schema()))
		if err != nil {
			return nil, err
		}
		leaves[li] = f
	}
	best := map[uint32]*treePlan{}
	for i, l := range leaves {
		best[1<<i] = &treePlan{plan: l, rows: est.rows(l), width: rowWidth(l.Schema())}
	}
	join := func(a, b *treePlan, am, bm uint32) (*treePlan, error) {
		// The larger input (in bytes: rows times row width) probes; the smaller is built
		// into the hash table.
		if a.rows*a.width < b.rows*b.width {
			a, b, am, bm = b, a, bm, am
		}
		var on []planner.Expr
		for _, ci := range joinConds {
			r := rel[ci]
			if r&(am|bm) == r && r&am != 0 && r&bm != 0 {
				on = append(on, conds[ci])
			}
		}
		typ := planner.InnerJoin
		var cond planner.Expr
		if len(on) == 0 {
			typ = planner.CrossJoin
		} else {
			both := append(append(planner.Schema{}, a.plan.Schema()...), b.plan.Schema()...)
			cond = rebind(planner.Conjunction(on), both)
		}
		j, err := planner.NewJoin(a.plan, b.plan, typ, cond)
		if err != nil {
			return nil, err
		}
		rows := est.rows(j)
		return &treePlan{plan: j, rows: rows, width: a.width + b.width, cost: a.cost + b.cost + rows}, nil
	}
	linked := func(am, bm uint32) bool {
		for _, ci := range joinConds {
			r := rel[ci]
			if r&am != 0 && r&bm != 0 && r&(am|bm) == r {
				return true
			}
		}
		return false
	}
	full := uint32(1)<<n - 1
	if n <= maxDPRelations {
		// Subsets in order of size; each split once (the lowest leaf stays in a).
		for size := 2; size <= n; size++ {
			for s := uint32(1); s <= full; s++ {
				if bits.OnesCount32(s) != size {
					continue
				}
				// Only connected subsets get a plan (no cross products); a query whose
				// relations are not all linked falls to the greedy search below.
				var bestHere, written *treePlan
				low := s & -s
				high := uint32(1) << (31 - bits.LeadingZeros32(s))
				for a := (s - 1) & s; a > 0; a = (a - 1) & s {
					if a&low == 0 {
						continue
					}
					b := s &^ a
					pa, pb := best[a], best[b]
					if pa == nil || pb == nil || !linked(a, b) {
						continue
					}
					cand, err := join(pa, pb, a, b)
					if err != nil {
						return nil, err
					}
					if bestHere == nil || cand.cost < bestHere.cost {
						bestHere = cand
					}
					if b == high {
						written = cand
					}
				}
				// Estimates cannot tell apart orders within tieMargin of each other: keep
				// the written one (the last relation joined last) when it is among them.
				if written != nil && written.cost <= bestHere.cost*(1+tieMargin) {
					bestHere = written
				}
				if bestHere != nil {
					best[s] = bestHere
				}
			}
		}
		if b := best[full]; b != nil {
			return b.plan, nil
		}
	}
	// Greedy: join the linked pair with the smallest result, until one plan remains.
	parts := make([]uint32, n)
	for i := range parts {
		parts[i] = 1 << i
	}
	for len(parts) > 1 {
		var pick *treePlan
		pi, pj := -1, -1
		for _, crossOK := range []bool{false, true} {
			for i := range parts {
				for j := i + 1; j < len(parts); j++ {
					if !crossOK && !linked(parts[i], parts[j]) {
						continue
					}
					cand, err := join(best[parts[i]], best[parts[j]], parts[i], parts[j])
					if err != nil {
						return nil, err
					}
					if pick == nil || cand.rows < pick.rows || (cand.rows == pick.rows && cand.cost < pick.cost) {
						pick, pi, pj = cand, i, j
					}
				}
			}
			if pick != nil {
				break
			}
		}
		m := parts[pi] | parts[pj]
		best[m] = pick
		parts = append(parts[:pj], parts[pj+1:]...)
		parts[pi] = m
	}
	out := best[parts[0]]
	if out == nil || math.IsNaN(out.rows) {
		return nil, errs.Internalf("join reordering found no plan")
	}
	return out.plan, nil
}
