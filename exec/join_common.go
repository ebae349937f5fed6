package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// joinState is what the hash join and the nested-loop join share: the two child operators,
// the build (right) side read whole into one batch, the probe (left) batch in flight with
// its per-row match flags, and the bitmap of matched build rows (right and full joins). It
// owns build and probe and releases them in close.
//
// Candidate pairs (a probe row and a build row the keys, or the loop, brought together) are
// judged by matchPairs: the residual must be TRUE; then, for the subquery joins with a
// comparison (cmp), the comparison decides between a match (TRUE), a NULL (NULL) or
// nothing. Emitting joins (inner, outer, single) output the matching pairs as they go; the
// semi, anti and mark joins output only when a probe batch is finished (finishProbe).
type joinState struct {
	schema      *arrow.Schema
	pairSchema  *arrow.Schema // a candidate pair: the probe's columns, then the build's (schema itself for emitting joins)
	typ         planner.JoinType
	residual    PhysExpr
	cmp         PhysExpr
	left, right Operator
	build       arrow.RecordBatch
	matched     []byte
	probe       arrow.RecordBatch
	probeHit    []bool  // probe row has a matching pair
	probeNull   []bool  // probe row has a pair whose cmp is NULL (semi, anti, mark)
	probeCount  []int32 // matching pairs per probe row (single)
	tailDone    bool
	// buildOuter: a semi or anti join whose build side holds the outer rows
	// (HashJoinExec.BuildOuter); matched marks them and the tail outputs them.
	buildOuter bool
	// swapped: a join turned around at run time (hashJoinOp.swapBuildSide): build holds
	// the left input's rows and probe the right's, so pairs are output build first, and
	// typ is the mirror of the node's (a left join runs as a right join of the swapped
	// inputs: its preserved rows are the build side's).
	swapped bool
}

func (j *joinState) open(tc *TaskContext) error {
	if err := Open(tc, j.left); err != nil {
		return err
	}
	return Open(tc, j.right)
}

// emitsPairs reports whether matching pairs are output as joined rows.
func (j *joinState) emitsPairs() bool {
	if j.buildOuter {
		return false
	}
	switch j.typ {
	case planner.LeftSemi, planner.LeftAnti, planner.LeftMark:
		return false
	}
	return true
}

// keepsProbeMisses reports whether unmatched probe rows are emitted padded with NULLs.
func (j *joinState) keepsProbeMisses() bool {
	return j.typ == planner.LeftJoin || j.typ == planner.FullJoin || j.typ == planner.LeftSingle
}

// loadBuild reads the whole build side into one batch.
func (j *joinState) loadBuild(tc *TaskContext, schema *arrow.Schema) error {
	all, err := drainConcat(tc, j.right, schema)
	if err != nil {
		return err
	}
	j.build = all
	if j.typ == planner.RightJoin || j.typ == planner.FullJoin || j.buildOuter {
		j.matched = make([]byte, bitutil.BytesForBits(all.NumRows()))
	}
	return nil
}

// startProbe takes ownership of the next probe batch.
func (j *joinState) startProbe(b arrow.RecordBatch) {
	j.probe = b
	n := int(b.NumRows())
	j.probeHit, j.probeNull, j.probeCount = nil, nil, nil
	if j.buildOuter {
		return
	}
	if j.keepsProbeMisses() || !j.emitsPairs() {
		j.probeHit = make([]bool, n)
	}
	if !j.emitsPairs() {
		j.probeNull = make([]bool, n)
	}
	if j.typ == planner.LeftSingle {
		j.probeCount = make([]int32, n)
	}
}

// markMatch records that probe row p matched build row b.
func (j *joinState) markMatch(p, b int) error {
	if j.probeHit != nil {
		j.probeHit[p] = true
	}
	if j.matched != nil {
		bitutil.SetBit(j.matched, b)
	}
	if j.probeCount != nil {
		if j.probeCount[p]++; j.probeCount[p] > 1 {
			return errs.Execf("a scalar subquery returned more than one row")
		}
	}
	return nil
}

// quickMatch reports whether candidate pairs match without being materialized (no residual
// and no comparison), recording them if so.
func (j *joinState) quickMatch(pi, bi []int32) (bool, error) {
	if j.residual != nil || j.cmp != nil {
		return false, nil
	}
	if j.buildOuter {
		for _, b := range bi {
			bitutil.SetBit(j.matched, int(b))
		}
		return true, nil
	}
	for k := range pi {
		if err := j.markMatch(int(pi[k]), int(bi[k])); err != nil {
			return true, err
		}
	}
	return true, nil
}

// matchPairs judges n candidate pairs (probe rows pi with build rows bi) and records the
// matches. For emitting joins it returns the matching pairs as output rows (nil when none);
// the semi, anti and mark joins return nil.
func (j *joinState) matchPairs(tc *TaskContext, pi, bi []int32) (arrow.RecordBatch, error) {
	n := len(pi)
	if n == 0 {
		return nil, nil
	}
	if !j.emitsPairs() {
		if ok, err := j.quickMatch(pi, bi); ok || err != nil {
			return nil, err
		}
	}
	var pairs arrow.RecordBatch
	var err error
	if j.swapped {
		pairs, err = joinRows(tc.Mem, j.pairSchema, j.build, bi, j.probe, pi, n)
	} else {
		pairs, err = joinRows(tc.Mem, j.pairSchema, j.probe, pi, j.build, bi, n)
	}
	if err != nil {
		return nil, err
	}
	var mask *array.Boolean
	if j.residual != nil {
		m, err := j.residual.Eval(tc, pairs)
		if err != nil {
			pairs.Release()
			return nil, err
		}
		mask = m.(*array.Boolean)
		defer mask.Release()
	}
	pass := func(k int) bool { return mask == nil || (mask.IsValid(k) && mask.Value(k)) }
	if !j.emitsPairs() {
		defer pairs.Release()
		var cmp *array.Boolean
		if j.cmp != nil {
			c, err := j.cmp.Eval(tc, pairs)
			if err != nil {
				return nil, err
			}
			cmp = c.(*array.Boolean)
			defer cmp.Release()
		}
		for k := 0; k < n; k++ {
			switch {
			case !pass(k):
			case j.buildOuter:
				bitutil.SetBit(j.matched, int(bi[k]))
			case cmp == nil || (cmp.IsValid(k) && cmp.Value(k)):
				j.probeHit[pi[k]] = true
			case cmp.IsNull(k):
				j.probeNull[pi[k]] = true
			}
		}
		return nil, nil
	}
	for k := 0; k < n; k++ {
		if pass(k) {
			if err := j.markMatch(int(pi[k]), int(bi[k])); err != nil {
				pairs.Release()
				return nil, err
			}
		}
	}
	if mask == nil {
		return pairs, nil
	}
	f, err := FilterBatch(tc.Mem, pairs, mask)
	pairs.Release()
	if err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		f.Release()
		return nil, nil
	}
	return f, nil
}

// finishProbe releases the probe batch and returns what it still owes: its unmatched rows
// padded with NULLs (left, full, single), its rows with (semi) or without (anti) a match, or
// all its rows with their mark (mark); nil when there is nothing.
func (j *joinState) finishProbe(tc *TaskContext) (arrow.RecordBatch, error) {
	defer func() {
		j.probe.Release()
		j.probe, j.probeHit, j.probeNull, j.probeCount = nil, nil, nil, nil
	}()
	var rows []int32
	switch {
	case j.buildOuter:
		return nil, nil // the build rows are output at the end (unmatchedBuild)
	case j.typ == planner.LeftSemi:
		for i, hit := range j.probeHit {
			if hit {
				rows = append(rows, int32(i))
			}
		}
	case j.typ == planner.LeftAnti:
		for i, hit := range j.probeHit {
			if !hit && !j.probeNull[i] {
				rows = append(rows, int32(i))
			}
		}
	case j.typ == planner.LeftMark:
		return j.markRows(tc)
	default:
		for i, hit := range j.probeHit {
			if !hit {
				rows = append(rows, int32(i))
			}
		}
		if len(rows) == 0 {
			return nil, nil
		}
		if j.swapped { // the probe rows are the right input's
			return joinRows(tc.Mem, j.schema, nil, nil, j.probe, rows, len(rows))
		}
		return joinRows(tc.Mem, j.schema, j.probe, rows, j.build, nil, len(rows))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return takeRows(tc, j.schema, j.probe, rows)
}

// markRows returns every probe row followed by its mark: TRUE (a match), NULL (no match but
// a NULL comparison) or FALSE.
func (j *joinState) markRows(tc *TaskContext) (arrow.RecordBatch, error) {
	n := int(j.probe.NumRows())
	if n == 0 {
		return nil, nil
	}
	mb := array.NewBooleanBuilder(tc.Mem)
	defer mb.Release()
	mb.Reserve(n)
	for i := 0; i < n; i++ {
		switch {
		case j.probeHit[i]:
			mb.UnsafeAppend(true)
		case j.probeNull[i]:
			mb.UnsafeAppendBoolToBitmap(false)
		default:
			mb.UnsafeAppend(false)
		}
	}
	mark := mb.NewArray()
	defer mark.Release()
	cols := make([]arrow.Array, 0, j.schema.NumFields())
	for c := 0; c < j.schema.NumFields()-1; c++ {
		cols = append(cols, j.probe.Column(c))
	}
	cols = append(cols, mark)
	return array.NewRecordBatch(j.schema, cols, int64(n)), nil
}

// takeRows gathers rows of b into a batch of schema (b's leading columns).
func takeRows(tc *TaskContext, schema *arrow.Schema, b arrow.RecordBatch, rows []int32) (arrow.RecordBatch, error) {
	if len(rows) == int(b.NumRows()) && schema.NumFields() == int(b.NumCols()) {
		return array.NewRecordBatch(schema, b.Columns(), b.NumRows()), nil // retains the columns
	}
	cols := make([]arrow.Array, 0, schema.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for c := 0; c < schema.NumFields(); c++ {
		a, err := TakeArray(tc.Mem, b.Column(c), rows)
		if err != nil {
			return nil, err
		}
		cols = append(cols, a)
	}
	return array.NewRecordBatch(schema, cols, int64(len(rows))), nil
}

// unmatchedBuild returns, once, the build rows no probe row matched, padded with NULLs
// (right and full joins), or the build rows with (semi) or without (anti) a match of a
// join that builds its outer side; nil when there are none.
func (j *joinState) unmatchedBuild(tc *TaskContext) (arrow.RecordBatch, error) {
	if j.matched == nil || j.tailDone {
		return nil, nil
	}
	j.tailDone = true
	want := j.buildOuter && j.typ == planner.LeftSemi // the rows to output are the marked ones
	var rows []int32
	for i := 0; i < int(j.build.NumRows()); i++ {
		if bitutil.BitIsSet(j.matched, i) == want {
			rows = append(rows, int32(i))
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if j.buildOuter {
		return takeRows(tc, j.schema, j.build, rows)
	}
	if j.swapped { // the build rows are the left input's
		return joinRows(tc.Mem, j.schema, j.build, rows, nil, nil, len(rows))
	}
	return joinRows(tc.Mem, j.schema, nil, nil, j.build, rows, len(rows))
}

func (j *joinState) close() error {
	if j.probe != nil {
		j.probe.Release()
		j.probe = nil
	}
	if j.build != nil {
		j.build.Release()
		j.build = nil
	}
	err := Close(j.left)
	if err2 := Close(j.right); err == nil {
		err = err2
	}
	return err
}

// drainConcat pulls op to its end and returns everything it produced as one new batch
// owned by the caller (the pulled batches are released).
func drainConcat(tc *TaskContext, op Operator, schema *arrow.Schema) (arrow.RecordBatch, error) {
	var in []arrow.RecordBatch
	defer func() {
		for _, b := range in {
			b.Release()
		}
	}()
	for {
		b, err := Next(tc, op)
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		in = append(in, b)
	}
	return concatBatches(tc, schema, in)
}
