package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// Derived runtime filters carry a join's runtime filter across a second join, into that
// join's build side, where a decorrelated subquery aggregates a whole table for a few outer
// keys (TPC-H Q2, Q17, Q20):
//
//	HashJoin J: LeftSingle on p_partkey = l_partkey
//	  HashJoin#1 K: Inner on l_partkey = p_partkey      K's filter: the filtered parts' keys
//	    Scan: lineitem                                   (its own consumer)
//	    Filter ... Scan: part                            K's producer
//	  HashAggregate: keys=[l_partkey] avg(l_quantity)
//	    Scan: lineitem                                   derived consumer of K's filter
//
// Every row reaching J's probe side passed K, so its key is one of K's build keys; a build
// row of J (single, semi or inner) that matches no probe row produces nothing, so the rows
// of the subquery's scan whose key is not among K's build keys can go before they are
// decoded further, aggregated and shuffled. The subquery then aggregates the parts that
// matter instead of all 200,000 (DuckDB reaches the same end with its delim joins; this
// needs no second evaluation of the outer side).
//
// planDerivedFilter finds K by following J's probe key down its probe side (through
// projections, filters, exchanges and either side of joins, to an inner or semi join
// having the column as a key and a one-key runtime filter) and the consumer by following
// J's build key down its build side through at least one hash aggregate's group key
// (traceToScan's nodes plus aggregates: all rows of a group share its key, so a group goes
// whole or stays whole). The derived filter shares K's run state (one build, two
// consumers). It never waits in a cycle: K's producer lies in J's probe subtree and the
// consumer in J's build subtree, and no stage of J's probe subtree waits for J's build.

// planDerivedFilters adds derived consumers of runtime filters for a hash join of type typ
// with probe side left (key columns lkeys) and build side right (rkeys), before their
// exchanges.
func (pp *PhysicalPlanner) planDerivedFilters(typ planner.JoinType, left Node, lkeys []int, right Node, rkeys []int) {
	if pp.NoRuntimeFilters || (typ != planner.LeftSingle && typ != planner.LeftSemi) {
		return
	}
	for i := range lkeys {
		src := joinKeyFilter(left, lkeys[i])
		if src == nil {
			continue
		}
		s, col, ok := traceThroughAggregate(right, rkeys[i], false)
		if !ok || len(s.Splits) == 0 {
			continue
		}
		f := s.Schema().Field(col)
		if !arrow.TypeEqual(f.Type, src.Keys[0].Type) || consumes(s, src) {
			continue
		}
		d := &RuntimeFilter{ID: src.ID, Parts: src.Parts, source: src, Keys: []RuntimeFilterKey{{
			Build: src.Keys[0].Build, Probe: col, Column: s.Columns[col], Name: f.Name, Type: f.Type}}}
		s.RuntimeFilters = append(s.RuntimeFilters, d)
	}
}

// consumes reports whether scan s already takes filter f (directly or derived).
func consumes(s *ScanExec, f *RuntimeFilter) bool {
	for _, g := range s.RuntimeFilters {
		if g == f || g.source == f {
			return true
		}
	}
	return false
}

// joinKeyFilter follows column col of n down to an inner or left semi hash join that has it as
// a key and a runtime filter over that one key, and returns the filter (nil when none).
// Every row of n then has col's value among the filter's build keys.
func joinKeyFilter(n Node, col int) *RuntimeFilter {
	for {
		switch x := n.(type) {
		case *FilterExec:
			n = x.Child
		case *Exchange:
			n = x.Child
		case *RuntimeFilterBuildExec:
			n = x.Child
		case *ProjectExec:
			c, ok := x.Exprs[col].(*colExpr)
			if !ok {
				return nil
			}
			n, col = x.Child, c.idx
		case *HashJoinExec:
			if x.BuildOuter {
				return nil
			}
			lw := x.Left.Schema().NumFields()
			if rf := x.RuntimeFilter; rf != nil && len(rf.Keys) == 1 && rf.source == nil &&
				(x.Type == planner.InnerJoin || x.Type == planner.LeftSemi) {
				for k := range x.LeftKeys {
					if x.RightKeys[k] != rf.Keys[0].Build {
						continue
					}
					if col == x.LeftKeys[k] || col == lw+x.RightKeys[k] && x.Type.KeepsRightColumns() {
						return rf
					}
				}
			}
			if col >= lw {
				// A build column carries a build row's value (or NULL, which never matches).
				if !x.Type.KeepsRightColumns() {
					return nil
				}
				n, col = x.Right, col-lw
				continue
			}
			n = x.Left
		default:
			return nil
		}
	}
}

// traceThroughAggregate is traceToScan that may also pass hash aggregates from a group key
// column to the input column it groups by; ok only if at least one aggregate was passed
// (seen says whether one already was).
func traceThroughAggregate(n Node, col int, seen bool) (*ScanExec, int, bool) {
	for {
		switch x := n.(type) {
		case *HashAggregateExec:
			if col >= len(x.Keys) {
				return nil, 0, false
			}
			n, col, seen = x.Child, x.Keys[col], true
		case *ScanExec:
			return x, col, seen && col < x.Schema().NumFields()
		case *FilterExec:
			n = x.Child
		case *Exchange:
			n = x.Child
		case *RuntimeFilterBuildExec:
			n = x.Child
		case *ProjectExec:
			c, ok := x.Exprs[col].(*colExpr)
			if !ok {
				return nil, 0, false
			}
			n, col = x.Child, c.idx
		case *HashJoinExec:
			if x.Type == planner.LeftSingle || x.BuildOuter {
				return nil, 0, false
			}
			if lw := x.Left.Schema().NumFields(); col >= lw {
				k := -1
				for i, r := range x.RightKeys {
					if r == col-lw {
						k = i
					}
				}
				if k < 0 || !x.Type.KeepsRightColumns() {
					return nil, 0, false
				}
				col = x.LeftKeys[k]
			}
			n = x.Left
		default:
			return nil, 0, false
		}
	}
}

// derive returns res as seen by derived consumer f of src: the same build keys, read from
// f's scan columns.
func (res *filterResult) derive(src, f *RuntimeFilter) *filterResult {
	out := &filterResult{empty: res.empty, bloom: res.bloom}
	for i, k := range res.keys {
		k.probe = f.Keys[i].Probe
		out.keys = append(out.keys, k)
	}
	for _, p := range res.preds {
		for i, k := range src.Keys {
			if p.Column == k.Column && p.Name == k.Name {
				p.Column, p.Name = f.Keys[i].Column, f.Keys[i].Name
				out.preds = append(out.preds, p)
				break
			}
		}
	}
	return out
}
