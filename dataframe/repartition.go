package dataframe

import (
	"fmt"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Repartition returns the DataFrame's rows spread over exactly n partitions, which the
// next per-partition steps (MapPartitions, ForeachPartition) and the operators after it
// see (Spark's repartition). With column names, rows are hash-partitioned on them: rows
// with equal values of the columns land in the same partition (some partitions may get
// none). Without, rows are dealt round-robin, so the partitions get equal row counts. Either way the rows are shuffled (an exchange) and any
// order the DataFrame had is lost: a Limit after it keeps some n rows, not the first.
//
// Errors, returned by the next action as for other transformations: n < 1, and a column
// name the DataFrame lacks (with the nearest name). Filters after a Repartition run before
// its shuffle (the optimizer pushes them below it); the partitions stay n.
func (d *DataFrame) Repartition(n int, cols ...string) *DataFrame {
	return d.repartition("Repartition", n, cols, false)
}

// Coalesce returns the DataFrame's rows in at most n partitions, merging neighbouring
// partitions without a shuffle (Spark's coalesce): with n or fewer partitions nothing
// changes; otherwise partition i of the result reads partitions i*m/n to (i+1)*m/n - 1
// of the m it had, in order. Coalesce(1) puts every row in one partition (one task: no
// parallelism left for what reads it). An error (n < 1) is returned by the next action.
func (d *DataFrame) Coalesce(n int) *DataFrame {
	return d.repartition("Coalesce", n, nil, true)
}

// repartition registers the hidden relation of a Repartition or Coalesce step (like
// mapPartitions in shared.go) and returns a DataFrame reading it. Column names are checked
// now, against the bound schema, and kept as ordinals.
func (d *DataFrame) repartition(what string, n int, cols []string, coalesce bool) *DataFrame {
	if d.err != nil {
		return d.derive("", nil)
	}
	if n < 1 {
		return d.derive("", errs.Planf("%s needs 1 or more partitions, not %d", what, n))
	}
	var keys []int
	var names []string
	if len(cols) > 0 {
		schema, err := d.bound()
		if err != nil {
			return d.derive("", err)
		}
		for _, c := range cols {
			i := columnIndex(schema, c)
			if i < 0 {
				return d.derive("", errs.Wrap(errs.ErrPlan, unknownColumn(schema, c), "%s", what))
			}
			keys, names = append(keys, i), append(names, schema[i].Name)
		}
	}
	name := d.s.nextName(hiddenPrefix + "_repartition")
	d.s.cat.addHidden(name, hiddenRel{view: &repartitionView{name: name, input: d.text(), n: n, keys: keys, names: names, coalesce: coalesce}})
	return d.derive("SELECT * FROM "+sqlIdent(name), nil)
}

// repartitionView is the hidden relation of a Repartition or Coalesce step: its input text,
// bound afresh at every use, under a planner.Repartition whose keys are the input columns
// at the ordinals keys (checked against the same text's schema when the step was made;
// names are their names, for messages).
type repartitionView struct {
	name, input string
	n           int
	keys        []int
	names       []string
	coalesce    bool
}

func (v *repartitionView) Name() string { return v.name }
func (v *repartitionView) SQL() string {
	if v.coalesce {
		return fmt.Sprintf("Coalesce(%d) over (%s)", v.n, v.input)
	}
	args := strings.Join(append([]string{fmt.Sprint(v.n)}, v.names...), ", ")
	return "Repartition(" + args + ") over (" + v.input + ")"
}

// BindPlan implements planner.PlanView.
func (v *repartitionView) BindPlan(bind func(string) (planner.Plan, error)) (planner.Plan, error) {
	in, err := bind(v.input)
	if err != nil {
		return nil, err
	}
	var p *planner.Repartition
	if v.coalesce {
		p, err = planner.NewCoalesce(in, v.n)
	} else {
		s := in.Schema()
		keys := make([]planner.Expr, len(v.keys))
		for i, k := range v.keys {
			if k >= len(s) {
				return nil, errs.Internalf("repartition key #%d of a %d-column input", k, len(s))
			}
			keys[i] = planner.NewColumnRef(s[k])
		}
		p, err = planner.NewRepartition(in, v.n, keys)
	}
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "")
	}
	return p, nil
}
