package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/embersql/ember/sql/planner"
)

// joinState is what the hash join and the nested-loop join share: the two child operators,
// the build (right) side read whole into one batch, the probe (left) batch in flight with
// its per-row match flags (left and full joins), and the bitmap of matched build rows (right
// and full joins). It owns build and probe and releases them in close.
type joinState struct {
	schema      *arrow.Schema
	typ         planner.JoinType
	left, right Operator
	build       arrow.RecordBatch
	matched     []byte
	probe       arrow.RecordBatch
	probeHit    []bool
	tailDone    bool
}

func (j *joinState) open(tc *TaskContext) error {
	if err := Open(tc, j.left); err != nil {
		return err
	}
	return Open(tc, j.right)
}

// keepsProbeMisses reports whether unmatched probe rows are emitted (left, full).
func (j *joinState) keepsProbeMisses() bool {
	return j.typ == planner.LeftJoin || j.typ == planner.FullJoin
}

// loadBuild reads the whole build side into one batch.
func (j *joinState) loadBuild(tc *TaskContext, schema *arrow.Schema) error {
	all, err := drainConcat(tc, j.right, schema)
	if err != nil {
		return err
	}
	j.build = all
	if j.typ == planner.RightJoin || j.typ == planner.FullJoin {
		j.matched = make([]byte, bitutil.BytesForBits(all.NumRows()))
	}
	return nil
}

// startProbe takes ownership of the next probe batch.
func (j *joinState) startProbe(b arrow.RecordBatch) {
	j.probe = b
	j.probeHit = nil
	if j.keepsProbeMisses() {
		j.probeHit = make([]bool, b.NumRows())
	}
}

// markMatch records that probe row p matched build row b.
func (j *joinState) markMatch(p, b int) {
	if j.probeHit != nil {
		j.probeHit[p] = true
	}
	if j.matched != nil {
		bitutil.SetBit(j.matched, b)
	}
}

// finishProbe releases the probe batch and returns its unmatched rows padded with NULLs
// (left and full joins), or nil when there are none.
func (j *joinState) finishProbe(tc *TaskContext) (arrow.RecordBatch, error) {
	var out arrow.RecordBatch
	var err error
	var miss []int32
	for i, hit := range j.probeHit {
		if !hit {
			miss = append(miss, int32(i))
		}
	}
	if len(miss) > 0 {
		out, err = joinRows(tc.Mem, j.schema, j.probe, miss, j.build, nil, len(miss))
	}
	j.probe.Release()
	j.probe, j.probeHit = nil, nil
	return out, err
}

// unmatchedBuild returns, once, the build rows no probe row matched, padded with NULLs
// (right and full joins), or nil.
func (j *joinState) unmatchedBuild(tc *TaskContext) (arrow.RecordBatch, error) {
	if j.matched == nil || j.tailDone {
		return nil, nil
	}
	j.tailDone = true
	var miss []int32
	for i := 0; i < int(j.build.NumRows()); i++ {
		if !bitutil.BitIsSet(j.matched, i) {
			miss = append(miss, int32(i))
		}
	}
	if len(miss) == 0 {
		return nil, nil
	}
	return joinRows(tc.Mem, j.schema, nil, nil, j.build, miss, len(miss))
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
