package exec

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/sql/planner"
)

// HashJoinExec joins two inputs hash-partitioned on their keys with the same partition
// count: partition p of the output joins partition p of each side. The right side is the
// build side: the operator reads all of its partition into memory (one concatenated batch
// plus a JoinTable over its keys) before streaming the left side through the table. Output
// order follows the left side; unmatched right rows (right and full joins) come last.
// Output columns: the left columns, then the right ones. Residual, when set, is evaluated
// over each candidate joined row; a pair failing it does not count as a match.
type HashJoinExec struct {
	Left, Right         Node
	LeftKeys, RightKeys []int
	Type                planner.JoinType
	Residual            PhysExpr
	schema              *arrow.Schema
}

// init sets the output schema from the children (all columns of both sides, nullable on the
// side an outer join may fill with NULLs).
func (h *HashJoinExec) init() {
	h.schema = joinSchema(h.Left.Schema(), h.Right.Schema(), h.Type)
}

func joinSchema(l, r *arrow.Schema, typ planner.JoinType) *arrow.Schema {
	var fs []arrow.Field
	for _, f := range l.Fields() {
		if typ == planner.RightJoin || typ == planner.FullJoin {
			f.Nullable = true
		}
		fs = append(fs, f)
	}
	for _, f := range r.Fields() {
		if typ == planner.LeftJoin || typ == planner.FullJoin {
			f.Nullable = true
		}
		fs = append(fs, f)
	}
	return arrow.NewSchema(fs, nil)
}

func (h *HashJoinExec) Schema() *arrow.Schema { return h.schema }
func (h *HashJoinExec) Children() []Node      { return []Node{h.Left, h.Right} }
func (h *HashJoinExec) Partitioning() Partitioning {
	p := h.Left.Partitioning()
	if h.Type == planner.RightJoin || h.Type == planner.FullJoin {
		return Partitioning{Kind: AnyPartitioning, N: p.N}
	}
	return p
}
func (h *HashJoinExec) String() string {
	ls, rs := h.Left.Schema(), h.Right.Schema()
	pairs := make([]string, len(h.LeftKeys))
	for i := range h.LeftKeys {
		pairs[i] = ls.Field(h.LeftKeys[i]).Name + " = " + rs.Field(h.RightKeys[i]).Name
	}
	s := fmt.Sprintf("HashJoin: %s on %s", h.Type, strings.Join(pairs, " AND "))
	if h.Residual != nil {
		s += " filter " + h.Residual.String()
	}
	return s
}

func (h *HashJoinExec) Execute(tc *TaskContext, p int) (Operator, error) {
	l, err := Build(tc, h.Left, p)
	if err != nil {
		return nil, err
	}
	r, err := Build(tc, h.Right, p)
	if err != nil {
		Close(l)
		return nil, err
	}
	return &hashJoinOp{node: h, joinState: joinState{schema: h.schema, typ: h.Type, left: l, right: r}}, nil
}

type hashJoinOp struct {
	joinState
	node     *HashJoinExec
	table    *hashtable.JoinTable
	iter     *hashtable.ProbeIter
	leftDone bool
	pi, bi   []uint32
}

func (o *hashJoinOp) Open(tc *TaskContext) error { return o.open(tc) }

func (o *hashJoinOp) buildSide(tc *TaskContext) error {
	if err := o.loadBuild(tc, o.node.Right.Schema()); err != nil {
		return err
	}
	rs := o.node.Right.Schema()
	kt := make([]arrow.DataType, len(o.node.RightKeys))
	keys := make([]arrow.Array, len(o.node.RightKeys))
	for i, k := range o.node.RightKeys {
		kt[i] = rs.Field(k).Type
		keys[i] = o.build.Column(k)
	}
	o.table = hashtable.NewJoinTable(kt, tc.Mem)
	if err := o.table.Add(keys); err != nil {
		return err
	}
	o.table.Finish()
	o.iter = o.table.NewProbeIter()
	return nil
}

func (o *hashJoinOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if o.table == nil {
		if err := o.buildSide(tc); err != nil {
			return nil, err
		}
	}
	for !o.leftDone {
		if o.probe == nil {
			b, err := Next(tc, o.left)
			if err != nil {
				return nil, err
			}
			if b == nil {
				o.leftDone = true
				break
			}
			keys := make([]arrow.Array, len(o.node.LeftKeys))
			for i, k := range o.node.LeftKeys {
				keys[i] = b.Column(k)
			}
			if err := o.iter.Reset(keys); err != nil {
				b.Release()
				return nil, err
			}
			o.startProbe(b)
		}
		if cap(o.pi) < tc.BatchSize {
			o.pi, o.bi = make([]uint32, tc.BatchSize), make([]uint32, tc.BatchSize)
		}
		n := o.iter.Next(o.pi[:tc.BatchSize], o.bi[:tc.BatchSize])
		if n == 0 {
			out, err := o.finishProbe(tc)
			if err != nil || out != nil {
				return out, err
			}
			continue
		}
		out, err := joinRows(tc.Mem, o.node.schema, o.probe, asInt32(o.pi[:n]), o.build, asInt32(o.bi[:n]), n)
		if err != nil {
			return nil, err
		}
		keep, err := o.applyResidual(tc, out, o.pi[:n], o.bi[:n])
		if err != nil {
			return nil, err
		}
		if keep != nil {
			if keep.NumRows() == 0 {
				keep.Release()
				continue
			}
			return keep, nil
		}
		return out, nil
	}
	return o.unmatchedBuild(tc)
}

// applyResidual filters the candidate rows of out by the residual and records matches.
// It returns nil when out is to be used as it is (no residual), else the filtered batch
// (out is then released).
func (o *hashJoinOp) applyResidual(tc *TaskContext, out arrow.RecordBatch, pi, bi []uint32) (arrow.RecordBatch, error) {
	if o.node.Residual == nil {
		for k := range pi {
			o.markMatch(int(pi[k]), int(bi[k]))
		}
		return nil, nil
	}
	mask, err := o.node.Residual.Eval(tc, out)
	if err != nil {
		out.Release()
		return nil, err
	}
	defer mask.Release()
	for k := range pi {
		if mask.IsValid(k) && maskValue(mask, k) {
			o.markMatch(int(pi[k]), int(bi[k]))
		}
	}
	f, err := FilterBatch(tc.Mem, out, mask)
	out.Release()
	return f, err
}

func (o *hashJoinOp) Close() error {
	if o.table != nil {
		o.table.Release()
		o.table = nil
	}
	return o.close()
}

// joinRows builds n output rows: left columns gathered from l at li (all NULL when li is
// nil), then right columns gathered from r at ri (all NULL when ri is nil). l and r stay
// owned by the caller.
func joinRows(mem memory.Allocator, schema *arrow.Schema, l arrow.RecordBatch, li []int32, r arrow.RecordBatch, ri []int32, n int) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, 0, schema.NumFields())
	fail := func(err error) (arrow.RecordBatch, error) {
		for _, c := range cols {
			c.Release()
		}
		return nil, err
	}
	k := 0
	add := func(src arrow.RecordBatch, idx []int32, width int) error {
		for j := 0; j < width; j++ {
			var c arrow.Array
			if idx == nil {
				c = array.MakeArrayOfNull(mem, schema.Field(k).Type, n)
			} else {
				var err error
				c, err = TakeArray(mem, src.Column(j), idx)
				if err != nil {
					return err
				}
			}
			cols = append(cols, c)
			k++
		}
		return nil
	}
	lw := schema.NumFields() - int(r.NumCols())
	if err := add(l, li, lw); err != nil {
		return fail(err)
	}
	if err := add(r, ri, int(r.NumCols())); err != nil {
		return fail(err)
	}
	out := array.NewRecordBatch(schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// asInt32 reinterprets row indices (always < 2^31: a batch or build side never holds more
// rows) as the int32 indices the take kernel wants, without copying.
func asInt32(s []uint32) []int32 {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&s[0])), len(s))
}
