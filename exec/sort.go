package exec

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// SortKeyExec is a compiled ORDER BY key.
type SortKeyExec struct {
	Expr       PhysExpr
	Desc       bool
	NullsFirst bool
}

// SortExec sorts each partition by Keys (the physical planner puts a single exchange under
// it for a global order). It materializes the partition: every input batch is retained
// until the end, the key columns are evaluated over the concatenated input, a permutation
// is sorted (stable; O(n log n) comparisons through typed per-column comparators), and the
// output is gathered in batches of tc.BatchSize. With Fetch >= 0 only the first Fetch rows
// are produced (top-N). Spilling past the memory budget is a later step.
type SortExec struct {
	Child Node
	Keys  []SortKeyExec
	Fetch int64
}

func (s *SortExec) Schema() *arrow.Schema      { return s.Child.Schema() }
func (s *SortExec) Children() []Node           { return []Node{s.Child} }
func (s *SortExec) Partitioning() Partitioning { return s.Child.Partitioning() }
func (s *SortExec) String() string {
	parts := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		p := k.Expr.String()
		if k.Desc {
			p += " DESC"
		} else {
			p += " ASC"
		}
		if k.NullsFirst {
			p += " NULLS FIRST"
		} else {
			p += " NULLS LAST"
		}
		parts[i] = p
	}
	s2 := "Sort: " + strings.Join(parts, ", ")
	if s.Fetch >= 0 {
		s2 += " fetch=" + strconv.FormatInt(s.Fetch, 10)
	}
	return s2
}

func (s *SortExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, s.Child, p)
	if err != nil {
		return nil, err
	}
	return &sortOp{node: s, child: child}, nil
}

type sortOp struct {
	node   *SortExec
	child  Operator
	sorted arrow.RecordBatch // the whole partition, concatenated
	perm   []int32
	pos    int
}

func (o *sortOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *sortOp) load(tc *TaskContext) error {
	all, err := drainConcat(tc, o.child, o.node.Schema())
	if err != nil {
		return err
	}
	o.sorted = all
	n := int(all.NumRows())
	keys := make([]arrow.Array, len(o.node.Keys))
	defer func() {
		for _, k := range keys {
			if k != nil {
				k.Release()
			}
		}
	}()
	cmps := make([]func(i, j int) int, len(o.node.Keys))
	for i, k := range o.node.Keys {
		a, err := k.Expr.Eval(tc, all)
		if err != nil {
			return err
		}
		keys[i] = a
		c, err := rowComparator(a, k.Desc, k.NullsFirst)
		if err != nil {
			return err
		}
		cmps[i] = c
	}
	perm := make([]int32, n)
	if len(keys) != 1 || !sortSingleKey(perm, keys[0], o.node.Keys[0].Desc) {
		for i := range perm {
			perm[i] = int32(i)
		}
		// pdqsort with the row number as the last key: stable, without a stable sort's
		// merges (2–3× faster for a million rows).
		slices.SortFunc(perm, func(a, b int32) int {
			for _, c := range cmps {
				if r := c(int(a), int(b)); r != 0 {
					return r
				}
			}
			return cmp.Compare(a, b)
		})
	}
	if f := o.node.Fetch; f >= 0 && int64(len(perm)) > f {
		perm = perm[:f]
	}
	o.perm = perm
	return nil
}

// sortSingleKey fills perm with the stable order of one key column without NULLs of an
// integer, date or decimal type, sorting (value, row) pairs held contiguously (no closure
// per comparison, no random reads of the column); false for other columns.
func sortSingleKey(perm []int32, key arrow.Array, desc bool) bool {
	if key.NullN() != 0 {
		return false
	}
	switch x := key.(type) {
	case *array.Int64:
		sortKeyed(perm, x.Int64Values(), desc)
	case *array.Int32:
		sortKeyed(perm, x.Int32Values(), desc)
	case *array.Date32:
		sortKeyed(perm, x.Date32Values(), desc)
	case *array.Decimal128:
		type kv struct {
			hi int64
			lo uint64
			i  int32
		}
		vals := x.Values()
		tmp := make([]kv, len(perm))
		for i, v := range vals {
			tmp[i] = kv{v.HighBits(), v.LowBits(), int32(i)}
		}
		slices.SortFunc(tmp, func(a, b kv) int {
			c := cmp.Compare(a.hi, b.hi)
			if c == 0 {
				c = cmp.Compare(a.lo, b.lo)
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		for i := range tmp {
			perm[i] = tmp[i].i
		}
	default:
		return false
	}
	return true
}

// sortKeyed sorts (value, row) pairs of vals, ties by row, into perm.
func sortKeyed[K cmp.Ordered](perm []int32, vals []K, desc bool) {
	type kv struct {
		k K
		i int32
	}
	tmp := make([]kv, len(perm))
	for i := range tmp {
		tmp[i] = kv{vals[i], int32(i)}
	}
	slices.SortFunc(tmp, func(a, b kv) int {
		c := cmp.Compare(a.k, b.k)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	for i := range tmp {
		perm[i] = tmp[i].i
	}
}

func (o *sortOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if o.sorted == nil {
		if err := o.load(tc); err != nil {
			return nil, err
		}
	}
	if o.pos >= len(o.perm) {
		return nil, nil
	}
	end := min(o.pos+tc.BatchSize, len(o.perm))
	out, err := TakeRows(tc.Mem, o.sorted, o.perm[o.pos:end])
	o.pos = end
	return out, err
}

func (o *sortOp) Close() error {
	if o.sorted != nil {
		o.sorted.Release()
		o.sorted = nil
	}
	return Close(o.child)
}

// concatBatches concatenates batches into one new batch owned by the caller (the inputs
// stay the caller's).
func concatBatches(tc *TaskContext, schema *arrow.Schema, in []arrow.RecordBatch) (arrow.RecordBatch, error) {
	var rows int64
	for _, b := range in {
		rows += b.NumRows()
	}
	cols := make([]arrow.Array, schema.NumFields())
	for j := range cols {
		parts := make([]arrow.Array, 0, len(in))
		for _, b := range in {
			parts = append(parts, b.Column(j))
		}
		var c arrow.Array
		var err error
		if len(parts) == 0 {
			c = array.MakeArrayOfNull(tc.Mem, schema.Field(j).Type, 0)
		} else {
			c, err = array.Concatenate(parts, tc.Mem)
		}
		if err != nil {
			for _, x := range cols[:j] {
				x.Release()
			}
			return nil, err
		}
		cols[j] = c
	}
	out := array.NewRecordBatch(schema, cols, rows)
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}
