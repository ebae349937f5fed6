package binder

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Table-generating functions (Spark's generators) in the select list:
//
//	SELECT id, explode(tags) AS tag FROM t
//
// gives one row per element of tags, with id repeated; explode_outer also keeps the rows
// whose array is NULL or empty, with a NULL tag. The call binds to a reference to the
// generated column of a planner.Generate that bindSelect puts right below the select list's
// Project (after grouping, HAVING and window functions), so the rest of the select list, and
// ORDER BY through the alias, see one row per element. As in Spark, a select list may call
// one generator (the same call may appear more than once), and nowhere else: not in WHERE,
// GROUP BY, HAVING, ORDER BY or inside an aggregate's arguments.

// nestedGenerator is the clause of a generator's argument.
const nestedGenerator = "the argument of a generator"

// generators maps the generator names to whether they keep NULL and empty arrays.
var generators = map[string]bool{"explode": false, "explode_outer": true}

// generateState collects the table-generating call (explode) of one select list.
type generateState struct {
	bound bool
	arg   planner.Expr
	outer bool
	out   planner.Column // the generated column
	fp    string         // fingerprint of the call, to recognise a repeat
}

func newGenerateState() *generateState { return &generateState{} }

// bindGenerator binds a call of a table-generating function; ok is false when x is not one.
func (s *state) bindGenerator(ctx *exprCtx, x *ast.FuncCallExpr) (e planner.Expr, ok bool, err error) {
	outer, isGen := generators[x.FnName.L]
	if !isGen || x.Schema.O != "" {
		return nil, false, nil
	}
	name := x.FnName.L
	switch {
	case ctx.clause == nestedGenerator:
		return nil, true, errs.Planf("generators cannot be nested: %s%s", s.text(x), s.at(x, x.FnName.O))
	case ctx.inAgg:
		return nil, true, errs.Planf("%s is not allowed inside an aggregate function%s", name, s.at(x, x.FnName.O))
	case ctx.gen == nil:
		return nil, true, errs.Planf("%s is only allowed in the SELECT list, not in %s%s", name, ctx.clause, s.at(x, x.FnName.O))
	}
	if len(x.Args) != 1 {
		return nil, true, errs.Planf("%s takes 1 argument, got %d in %s", name, len(x.Args), s.text(x))
	}
	// The argument may not call another generator.
	argCtx := *ctx
	argCtx.gen = nil
	argCtx.clause = nestedGenerator
	arg, err := s.bindExpr(&argCtx, x.Args[0])
	if err != nil {
		return nil, true, err
	}
	elem := planner.ElemType(arg.Type())
	if elem == nil {
		return nil, true, errs.Planf("%s needs an ARRAY or VECTOR, got %s in %s", name, planner.TypeString(arg.Type()), s.text(x))
	}
	if ctx.agg != nil {
		// Under GROUP BY the argument is computed from the Aggregate's output.
		if arg, err = s.rewrite(ctx.agg, arg, "SELECT"); err != nil {
			return nil, true, err
		}
	}
	g := ctx.gen
	fp := name + " " + fingerprint(arg)
	if g.bound {
		if g.fp != fp {
			return nil, true, errs.Planf("only one generator (explode) is allowed per SELECT list: %s is the second%s", s.text(x), s.at(x, x.FnName.O))
		}
		return planner.NewColumnRef(g.out), true, nil
	}
	col := planner.NewColumn(s.text(x), "", elem, true)
	if ctx.agg != nil {
		// The select list is rewritten over the Aggregate's output, which this column
		// (made above it) joins.
		ctx.agg.outIDs[col.ID] = true
	}
	*g = generateState{bound: true, arg: arg, outer: outer, out: col, fp: fp}
	return planner.NewColumnRef(col), true, nil
}

// plan puts the generators over input (input itself when there are none).
func (g *generateState) plan(input planner.Plan) (planner.Plan, error) {
	if !g.bound {
		return input, nil
	}
	p, err := planner.NewGenerate(input, g.arg, g.outer, g.out)
	if err != nil {
		return nil, internal(err)
	}
	return p, nil
}
