package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/sql/planner"
)

// scanPredicates turns the filters pushed into a scan (planner.Scan.Filters, conjuncts
// over the scan's columns) into pruning hints for its source. A conjunct becomes a hint
// when it is, over a column c (or a cast of c that keeps order, datasource.MonotoneCast)
// and constants k:
//
//	c op k (op one of = <> < <= > >=, either side), c IN (k...), c IS [NOT] NULL,
//	c LIKE 'prefix%' (or a pattern without wildcards), and AND / OR of such.
//
// Conjuncts of any other shape are left out (an AND keeps its translatable side, an OR
// needs both). BETWEEN reaches here as two comparisons. A hint is never stronger than its
// filter, which still runs above the scan.
func scanPredicates(s *planner.Scan) []datasource.Predicate {
	var out []datasource.Predicate
	for _, f := range s.Filters {
		if p, ok := toPredicate(f, s); ok {
			out = append(out, p)
		}
	}
	return out
}

var flipOp = map[planner.BinaryOp]planner.BinaryOp{
	planner.OpEq: planner.OpEq, planner.OpNe: planner.OpNe,
	planner.OpLt: planner.OpGt, planner.OpLe: planner.OpGe,
	planner.OpGt: planner.OpLt, planner.OpGe: planner.OpLe,
}

var predOps = map[planner.BinaryOp]datasource.PredOp{
	planner.OpEq: datasource.PredEq, planner.OpNe: datasource.PredNe,
	planner.OpLt: datasource.PredLt, planner.OpLe: datasource.PredLe,
	planner.OpGt: datasource.PredGt, planner.OpGe: datasource.PredGe,
}

func toPredicate(e planner.Expr, s *planner.Scan) (datasource.Predicate, bool) {
	switch x := e.(type) {
	case *planner.Binary:
		switch x.Op {
		case planner.OpAnd, planner.OpOr:
			l, lok := toPredicate(x.Left, s)
			r, rok := toPredicate(x.Right, s)
			switch {
			case lok && rok:
				op := datasource.PredAnd
				if x.Op == planner.OpOr {
					op = datasource.PredOr
				}
				return datasource.Predicate{Op: op, Args: []datasource.Predicate{l, r}}, true
			case x.Op == planner.OpAnd && lok:
				return l, true
			case x.Op == planner.OpAnd && rok:
				return r, true
			}
			return datasource.Predicate{}, false
		}
		op, ok := predOps[x.Op]
		if !ok {
			return datasource.Predicate{}, false
		}
		col, k := x.Left, x.Right
		if _, _, _, isCol := scanColumn(col, s); !isCol {
			col, k = x.Right, x.Left
			op = predOps[flipOp[x.Op]]
		}
		p, ok := leaf(col, s)
		if !ok {
			return p, false
		}
		v, ok := constant(k, p.Type)
		if !ok || v == nil {
			return p, false
		}
		p.Op, p.Values = op, []any{v}
		return p, true
	case *planner.IsNull:
		p, ok := leaf(x.E, s)
		p.Op = datasource.PredIsNull
		if x.Negated {
			p.Op = datasource.PredIsNotNull
		}
		return p, ok
	case *planner.InList:
		p, ok := leaf(x.E, s)
		if !ok || x.Negated {
			return p, false
		}
		p.Op = datasource.PredIn
		for _, item := range x.List {
			v, ok := constant(item, p.Type)
			if !ok {
				return p, false
			}
			if v != nil {
				p.Values = append(p.Values, v)
			}
		}
		return p, len(p.Values) > 0
	case *planner.Like:
		p, ok := leaf(x.E, s)
		if !ok || x.Negated || p.Type.ID() != arrow.STRING {
			return p, false
		}
		pat, ok := constant(x.Pattern, planner.String)
		str, isStr := pat.(string)
		if !ok || !isStr {
			return p, false
		}
		prefix, exact := likePrefix(str, x.Escape)
		switch {
		case exact:
			p.Op = datasource.PredEq
		case prefix != "":
			p.Op = datasource.PredPrefix
		default:
			return p, false
		}
		p.Values = []any{prefix}
		return p, true
	}
	return datasource.Predicate{}, false
}

// leaf returns a predicate leaf over the column e reads (no op or values yet).
func leaf(e planner.Expr, s *planner.Scan) (datasource.Predicate, bool) {
	ord, name, t, ok := scanColumn(e, s)
	return datasource.Predicate{Column: ord, Name: name, Type: t}, ok
}

// scanColumn recognizes a column of the scan, or an order-keeping cast of one: it returns
// the column's ordinal in the source, its name, and the type values compare in.
func scanColumn(e planner.Expr, s *planner.Scan) (ord int, name string, t arrow.DataType, ok bool) {
	ref, isRef := e.(*planner.ColumnRef)
	cast, isCast := e.(*planner.Cast)
	if isCast {
		ref, isRef = cast.E.(*planner.ColumnRef)
	}
	if !isRef {
		return 0, "", nil, false
	}
	for i, c := range s.Columns {
		if c.ID != ref.Col.ID {
			continue
		}
		ord = s.Ordinals[i]
		schema := s.Table.ArrowSchema()
		if ord < 0 || ord >= schema.NumFields() {
			return 0, "", nil, false
		}
		colType := schema.Field(ord).Type
		t = colType
		if isCast {
			if !datasource.MonotoneCast(colType, cast.To) {
				return 0, "", nil, false
			}
			t = cast.To
		}
		return ord, c.Name, t, true
	}
	return 0, "", nil, false
}

// constant evaluates an expression without columns to a value of type t (its type must
// be t, up to decimal precision); ok is false for anything else or when it fails.
func constant(e planner.Expr, t arrow.DataType) (any, bool) {
	if len(planner.ColumnsOf(e, nil)) > 0 {
		return nil, false
	}
	et := e.Type()
	if et.ID() != t.ID() {
		return nil, false
	}
	if d, ok := t.(*arrow.Decimal128Type); ok && et.(*arrow.Decimal128Type).Scale != d.Scale {
		return nil, false
	}
	lit, ok := e.(*planner.Literal)
	if !ok {
		var err error
		if lit, err = EvalConstant(e); err != nil {
			return nil, false
		}
	}
	return lit.Value, true
}

// likePrefix returns the literal text a LIKE pattern starts with (up to its first
// unescaped % or _), and whether the whole pattern is literal. escape 0 means none; an
// escape at the end of the pattern is literal (as kernels.Like reads it).
func likePrefix(pat string, escape byte) (string, bool) {
	var b []byte
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case escape != 0 && c == escape && i+1 < len(pat):
			i++
			b = append(b, pat[i])
		case c == '%' || c == '_':
			return string(b), false
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}
