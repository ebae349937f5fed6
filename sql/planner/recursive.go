package planner

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// WorkTableID links a RecursiveCTE to the WorkTable its recursive term reads.
type WorkTableID int64

var lastWorkTableID atomic.Int64

// NewWorkTableID returns a process-wide unique work table ID.
func NewWorkTableID() WorkTableID { return WorkTableID(lastWorkTableID.Add(1)) }

// WorkTable is a leaf inside the recursive term of a RecursiveCTE: the rows the previous
// iteration produced (the anchor's rows in the first iteration). Out are its own columns
// (IDs of their own), with the CTE's names and types; Name is the CTE's name, for EXPLAIN.
type WorkTable struct {
	ID   WorkTableID
	Name string
	Out  []Column
}

// NewWorkTable returns the work table of the recursive CTE with the given ID.
func NewWorkTable(id WorkTableID, name string, out []Column) *WorkTable {
	return &WorkTable{ID: id, Name: name, Out: out}
}

func (w *WorkTable) Schema() Schema                      { return w.Out }
func (w *WorkTable) Children() []Plan                    { return nil }
func (w *WorkTable) WithChildren(c []Plan) (Plan, error) { return w, nil }
func (w *WorkTable) Exprs() []Expr                       { return nil }
func (w *WorkTable) WithExprs(es []Expr) (Plan, error)   { return w, nil }
func (w *WorkTable) String() string                      { return "WorkTable: " + w.Name }

// RecursiveCTE is WITH RECURSIVE name AS (anchor UNION [ALL] recursive): the rows of Anchor,
// then the rows of Recursive run over the previous iteration's rows (its WorkTable with ID
// Work), again and again until an iteration produces no rows. With Distinct (UNION) every
// row already produced is dropped from later output and from the next work table, so the
// result has no duplicates and cycles end. Anchor and Recursive have Out's column count and
// exact types (the binder casts the recursive term to the anchor's types, as MySQL does);
// Out has columns of its own (new IDs) named after the CTE's columns.
type RecursiveCTE struct {
	Name              string
	Anchor, Recursive Plan
	Work              WorkTableID
	Distinct          bool
	Out               []Column
}

// NewRecursiveCTE validates that both terms match Out in count and type.
func NewRecursiveCTE(name string, anchor, recursive Plan, work WorkTableID, distinct bool, out []Column) (*RecursiveCTE, error) {
	for i, in := range []Plan{anchor, recursive} {
		what := [...]string{"anchor", "recursive term"}[i]
		s := in.Schema()
		if len(s) != len(out) {
			return nil, fmt.Errorf("recursive CTE %s: the %s has %d columns, expected %d", name, what, len(s), len(out))
		}
		for j, c := range s {
			if !arrow.TypeEqual(c.Type, out[j].Type) {
				return nil, fmt.Errorf("recursive CTE %s: the %s's column %d has type %s, expected %s", name, what, j+1, TypeString(c.Type), TypeString(out[j].Type))
			}
		}
	}
	return &RecursiveCTE{Name: name, Anchor: anchor, Recursive: recursive, Work: work, Distinct: distinct, Out: out}, nil
}

func (r *RecursiveCTE) Schema() Schema   { return r.Out }
func (r *RecursiveCTE) Children() []Plan { return []Plan{r.Anchor, r.Recursive} }
func (r *RecursiveCTE) WithChildren(c []Plan) (Plan, error) {
	if c[0] == r.Anchor && c[1] == r.Recursive {
		return r, nil
	}
	return NewRecursiveCTE(r.Name, c[0], c[1], r.Work, r.Distinct, r.Out)
}
func (r *RecursiveCTE) Exprs() []Expr                     { return nil }
func (r *RecursiveCTE) WithExprs(es []Expr) (Plan, error) { return r, nil }
func (r *RecursiveCTE) String() string {
	if r.Distinct {
		return "RecursiveCTE: " + r.Name + " (union)"
	}
	return "RecursiveCTE: " + r.Name + " (union all)"
}
