package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/sql/planner"
)

// Runtime filters (dynamic filters) carry what a hash join's build side holds to a scan on
// its probe side, so that the scan leaves out what cannot match before it is decoded,
// exchanged and probed, as DuckDB's dynamic filters and Spark's runtime bloom filters do.
//
// The edge. The physical planner (planRuntimeFilter, called by planJoin) links three nodes
// through one *RuntimeFilter: the HashJoinExec (HashJoin#ID in EXPLAIN), a
// RuntimeFilterBuildExec put on the build side just below its exchange (the producer), and
// the ScanExec that the probe key columns come from (the consumer: ScanExec.RuntimeFilters).
// The producer sees the build rows before they are shuffled: every partition keeps the
// hashes of its key tuples (hashtable.HashColumns over the filter's key columns; rows with a
// NULL key are left out, they never match) and the bounds of each key; when the last of its
// Parts partitions ends, the partials are merged into one result: a bloom filter of the
// hashes and per key the min/max bounds. Merging before use makes the filter right whatever
// the partitioning of either side (hash, broadcast, any).
//
// The consumer applies a ready filter at three levels: row groups whose statistics put the
// key outside [min, max] are not opened (datasource.Pruner), the bounds go to the reader as
// page-pruning hints (ReadOptions.Predicates), and each batch loses its rows with a key that
// is NULL or outside its bounds (integer-like keys), or a key tuple absent from the bloom
// filter, in vectorized passes over the key columns. Rows it drops, and the rows of the row
// groups it skips, count as "rows skipped" of the scan in EXPLAIN ANALYZE. A scan task stops
// testing the bloom filter when it drops under a tenth of the first bloomTrialRows rows it
// tests (bounds cost little and stay).
//
// When. The producer's stage and the consumer's stage are siblings that the scheduler may
// run at the same time, so the consumer takes the filter when it is there: it checks before
// each split and each batch without blocking, and waits only when waiting is cheap, that is
// when every partition of the producer has already started (so it holds a task slot and
// cannot be starved by the waiting scan). awaitRuntimeFilters is the stage-level wait a
// scheduler calls before starting a stage's tasks (waiting there holds no slot), which
// makes every consumer see its filters complete. The dependency is acyclic: the consumer is
// on the probe side of the join and the producer on its build side.
//
// Correctness. A filter only drops probe rows whose key equals no build key (NULL never
// does), so the planner places one only where such rows produce nothing: inner, left-semi
// and right joins (never left, full, anti, mark or single joins, which output unmatched
// probe rows). The key may reach the join from the scan through filters, projections that
// pass the column on, exchanges, and the probe (left) side of other hash joins (not single
// joins), whose output rows carry the probe row's key (or NULL); a build key column of such
// a join leads to the probe key it is equal to. Bounds are kept for
// integers, DATE, TIMESTAMP, DECIMAL and VARCHAR; floats get the bloom filter only.
//
// Runs and memory. A RuntimeFilter's state belongs to the first query run that touches it;
// a plan run again (or concurrently) runs without its runtime filters, never with stale
// ones. The hashes and the bloom filter are Go memory (at most 8 bytes per build row while
// building, maxBloomKeys in all, then 2 bytes per key), outside the query's Arrow
// accounting.

// RuntimeFilter is the edge from a hash join's build side to a scan on its probe side. The
// physical planner creates it; its per-run state is internal.
type RuntimeFilter struct {
	// ID numbers the join in EXPLAIN (HashJoin#ID), from 1 in planning order.
	ID int
	// Keys are the join keys the filter covers (those that trace to the consumer scan).
	Keys []RuntimeFilterKey
	// Parts is the number of partitions of the producer (the build side below its exchange).
	Parts int

	// source is the filter whose build this one shares, for a derived consumer
	// (runtime_filter_derive.go); nil for a join's own filter.
	source *RuntimeFilter

	mu  sync.Mutex
	run *filterRun
}

// RuntimeFilterKey is one join key of a RuntimeFilter.
type RuntimeFilterKey struct {
	Build  int            // column of the producer's input holding the build key
	Probe  int            // column of the consumer scan's output holding the probe key
	Column int            // that column's ordinal in the scan's source (for pruning hints)
	Name   string         // the scan column's name
	Type   arrow.DataType // the key's type, the same on both sides
}

// String is "HashJoin#ID on k1, k2" (the probe-side column names).
func (f *RuntimeFilter) String() string {
	names := make([]string, len(f.Keys))
	for i, k := range f.Keys {
		names[i] = k.Name
	}
	return fmt.Sprintf("HashJoin#%d on %s", f.ID, strings.Join(names, ", "))
}

// maxBloomKeys bounds the build key tuples a filter hashes (8 bytes each while building, 2
// in the bloom filter): past it the filter keeps only the bounds.
const maxBloomKeys = 1 << 20

// bloomTrialRows is how many rows a scan task tests against a bloom filter before judging
// whether it drops enough of them to be worth testing.
const bloomTrialRows = 1 << 18

// filterRun is a RuntimeFilter's state during one query run.
type filterRun struct {
	q *queryState

	mu      sync.Mutex
	started int           // producer partitions that began
	ended   int           // producer partitions that ended, with their keys or failed
	merged  partialFilter // what the ended partitions saw

	collected atomic.Int64 // hashes kept over all partitions (bounded by maxBloomKeys)
	overflow  atomic.Bool  // collected passed maxBloomKeys: no bloom filter

	ready  chan struct{} // closed once result is final
	result *filterResult // nil when unusable; read only after ready is closed
}

// runFor returns the filter's state for the run of query q, nil when another run owns it.
func (f *RuntimeFilter) runFor(q *queryState) *filterRun {
	if f.source != nil {
		return f.source.runFor(q)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.run == nil {
		f.run = &filterRun{q: q, merged: partialFilter{keys: make([]keyStats, len(f.Keys))}, ready: make(chan struct{})}
	}
	if f.run.q != q {
		return nil
	}
	return f.run
}

// start records that a producer partition began.
func (r *filterRun) start() {
	r.mu.Lock()
	r.started++
	r.mu.Unlock()
}

// allStarted reports whether every producer partition began (or ended).
func (r *filterRun) allStarted(parts int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started >= parts
}

// isReady reports, without blocking, whether the result is final.
func (r *filterRun) isReady() bool {
	select {
	case <-r.ready:
		return true
	default:
		return false
	}
}

// wait blocks until the result is final or ctx ends; it reports whether the result is final.
func (r *filterRun) wait(ctx context.Context) bool {
	select {
	case <-r.ready:
		return true
	case <-ctx.Done():
		return false
	}
}

// partialFilter is what producer partitions saw of the build rows: how many have no NULL
// key, the hashes of their key tuples (unless there were too many), and each key's bounds.
type partialFilter struct {
	full   int64
	hashes []uint64
	keys   []keyStats
}

// end merges what a producer partition that read all its rows saw (p), or records one that
// stopped early (p nil); the last partition to end makes the result final.
func (r *filterRun) end(f *RuntimeFilter, p *partialFilter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended++
	if r.isReady() {
		return // an earlier partition stopped early: the result is final (unusable)
	}
	if p != nil {
		r.merged.full += p.full
		r.merged.hashes = append(r.merged.hashes, p.hashes...)
		for i := range r.merged.keys {
			r.merged.keys[i].widen(p.keys[i].lo, p.keys[i].hi)
		}
		if r.ended < f.Parts {
			return
		}
		r.result = buildResult(f, &r.merged, !r.overflow.Load())
	} // else the result stays nil: a partial filter would drop rows that match
	r.merged = partialFilter{}
	close(r.ready)
}

// filterResult is a ready filter: what a probe row's keys must satisfy to possibly match.
// It is read-only and shared by the consumer's tasks.
type filterResult struct {
	// empty: no build row has non-NULL values in every key, so no probe row can match.
	empty bool
	keys  []keyFilter
	// bloom holds the hashes of the build's key tuples; nil when there were too many.
	bloom *bloomFilter
	// preds are the bounds as pruning hints over the scan's source (Ge and Le per key).
	preds []datasource.Predicate
}

// keyFilter is what one probe key column must satisfy besides not being NULL.
type keyFilter struct {
	probe    int   // the scan's output column
	lo, hi   int64 // bounds of integer-like keys (hasRange)
	hasRange bool
}

// buildResult turns what every producer partition saw into a filter.
func buildResult(f *RuntimeFilter, p *partialFilter, withBloom bool) *filterResult {
	res := &filterResult{empty: p.full == 0}
	if withBloom && !res.empty {
		res.bloom = newBloomFilter(len(p.hashes))
		for _, h := range p.hashes {
			res.bloom.insert(h)
		}
	}
	for i, k := range f.Keys {
		ks := &p.keys[i]
		kf := keyFilter{probe: k.Probe}
		if ks.lo != nil && ks.hi != nil {
			for _, b := range []struct {
				op datasource.PredOp
				v  any
			}{{datasource.PredGe, ks.lo}, {datasource.PredLe, ks.hi}} {
				res.preds = append(res.preds, datasource.Predicate{Op: b.op, Column: k.Column, Name: k.Name, Type: k.Type, Values: []any{b.v}})
			}
			kf.lo, kf.hi, kf.hasRange = intBounds(ks.lo, ks.hi)
		}
		res.keys = append(res.keys, kf)
	}
	return res
}

// intBounds returns the bounds of an integer-like key as int64, ok false for other types.
func intBounds(lo, hi any) (int64, int64, bool) {
	switch l := lo.(type) {
	case int64:
		h, ok := hi.(int64)
		return l, h, ok
	case arrow.Date32:
		h, ok := hi.(arrow.Date32)
		return int64(l), int64(h), ok
	case arrow.Timestamp:
		h, ok := hi.(arrow.Timestamp)
		return int64(l), int64(h), ok
	}
	return 0, 0, false
}

// filterJoinType reports whether the unmatched probe rows of a join of type t produce no
// output, so that a runtime filter may drop them.
func filterJoinType(t planner.JoinType) bool {
	return t == planner.InnerJoin || t == planner.LeftSemi || t == planner.RightJoin
}

// planRuntimeFilter links a hash join of type typ (probe side left with key columns lkeys,
// build side right with key columns rkeys, both before their exchanges) to the scan its
// probe keys come from, and returns the filter, or nil when none applies (the setting is
// off, the join keeps unmatched probe rows, no key traces to a scan, or the scan reads
// nothing). The caller puts a RuntimeFilterBuildExec over right and gives the join the
// filter.
func (pp *PhysicalPlanner) planRuntimeFilter(typ planner.JoinType, left Node, lkeys []int, right Node, rkeys []int) *RuntimeFilter {
	if pp.NoRuntimeFilters || !filterJoinType(typ) {
		return nil
	}
	var scan *ScanExec
	var keys []RuntimeFilterKey
	for i := range lkeys {
		s, col, ok := traceToScan(left, lkeys[i])
		if !ok || scan != nil && s != scan || len(s.Splits) == 0 {
			continue
		}
		t := right.Schema().Field(rkeys[i]).Type
		f := s.Schema().Field(col)
		if !arrow.TypeEqual(f.Type, t) || hashtable.CheckKeyTypes([]arrow.DataType{t}) != nil {
			continue
		}
		scan = s
		keys = append(keys, RuntimeFilterKey{Build: rkeys[i], Probe: col, Column: s.Columns[col], Name: f.Name, Type: t})
	}
	if scan == nil {
		return nil
	}
	pp.runtimeFilters++
	f := &RuntimeFilter{ID: pp.runtimeFilters, Keys: keys, Parts: right.Partitioning().N}
	scan.RuntimeFilters = append(scan.RuntimeFilters, f)
	return f
}

// traceToScan follows column col of n down to the scan it is read from, through nodes
// whose output rows carry the column's value of one of their input rows (or NULL), so that
// dropping an input row whose value cannot match drops only output rows that cannot match
// either: filters, projections passing the column on, exchanges and the probe side of hash
// joins (from a build key column, to the probe key it equals). It returns the scan and the
// column's ordinal in the scan's output.
func traceToScan(n Node, col int) (*ScanExec, int, bool) {
	for {
		switch x := n.(type) {
		case *ScanExec:
			return x, col, col < x.Schema().NumFields()
		case *FilterExec:
			n = x.Child
		case *Exchange:
			n = x.Child
		case *ProjectExec:
			c, ok := x.Exprs[col].(*colExpr)
			if !ok {
				return nil, 0, false
			}
			n, col = x.Child, c.idx
		case *HashJoinExec:
			// Output columns [0, left width) are the probe row's (NULL for the unmatched
			// build rows of right and full joins, which a NULL key drops anyway). A build
			// key column holds NULL or a value equal to the probe key it is paired with,
			// so a filter on it is one on that probe key. Not through a single join: a
			// probe row it errors on (two matches) must not be dropped before it does.
			if x.Type == planner.LeftSingle {
				return nil, 0, false
			}
			if x.BuildOuter {
				// The output rows are build rows, unchanged.
				n = x.Right
				continue
			}
			if lw := x.Left.Schema().NumFields(); col >= lw {
				k := slices.Index(x.RightKeys, col-lw)
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

// awaitRuntimeFilters blocks until every runtime filter consumed by a scan of the stage
// rooted at root (the nodes above its exchanges) is ready for query q, or ctx ends. A
// scheduler calls it before starting the stage's tasks: waiting there holds no task slot,
// and the producers run in other stages that do not wait for this one (see the package
// comment on runtime filters), so it cannot deadlock.
func awaitRuntimeFilters(ctx context.Context, q *queryState, root Node) {
	var walk func(n Node)
	walk = func(n Node) {
		if s, ok := n.(*ScanExec); ok {
			for _, f := range s.RuntimeFilters {
				if r := f.runFor(q); r != nil {
					r.wait(ctx)
				}
			}
		}
		if _, ok := n.(*Exchange); ok {
			return
		}
		for _, c := range n.Children() {
			walk(c)
		}
	}
	walk(root)
}
