package exec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/sql/planner"
)

// TestBloomFilter checks that a bloom filter never forgets a key and that its
// false-positive rate stays near what 16 bits per key promise (about 0.2%).
func TestBloomFilter(t *testing.T) {
	for _, n := range []int{1, 100, 10_000, 200_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			hash := func(lo, hi int64) []uint64 {
				b := array.NewInt64Builder(memory.DefaultAllocator)
				defer b.Release()
				for k := lo; k < hi; k++ {
					b.Append(k)
				}
				a := b.NewArray()
				defer a.Release()
				hs := make([]uint64, a.Len())
				hashtable.HashColumns([]arrow.Array{a}, hs)
				return hs
			}
			f := newBloomFilter(n)
			for _, h := range hash(0, int64(n)) {
				f.insert(h)
			}
			for k, h := range hash(0, int64(n)) {
				if !f.mayContain(h) {
					t.Fatalf("key %d was inserted but is not found", k)
				}
			}
			const probes = 1_000_000
			fp := 0
			for _, h := range hash(int64(n), int64(n)+probes) {
				if f.mayContain(h) {
					fp++
				}
			}
			if rate := float64(fp) / probes; rate > 0.005 {
				t.Fatalf("false-positive rate %.4f with %d keys, want under 0.005", rate, n)
			}
		})
	}
}

// TestColumnBounds checks the bounds a producer keeps per key type and their merging over
// partitions.
func TestColumnBounds(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	cases := []struct {
		name   string
		typ    arrow.DataType
		parts  []string // one JSON array per partition
		lo, hi any      // nil: no bounds
	}{
		{"int32 with NULLs", planner.Int32, []string{`[5, null, -3]`, `[null]`, `[40, 7]`}, int64(-3), int64(40)},
		{"int8", planner.Int8, []string{`[-128, 127]`}, int64(-128), int64(127)},
		{"int64", planner.Int64, []string{`[9000000000]`, `[-1]`}, int64(-1), int64(9000000000)},
		{"date", planner.Date, []string{`["2024-01-02", "1999-12-31"]`}, arrow.Date32(10956), arrow.Date32(19724)},
		{"timestamp", planner.Timestamp, []string{`["2024-01-01 00:00:01"]`, `["2024-01-01 00:00:00"]`}, arrow.Timestamp(1704067200000000), arrow.Timestamp(1704067201000000)},
		{"decimal", planner.Decimal(9, 2), []string{`["1.50", "-2.25"]`, `["10.00"]`}, decimal128.FromI64(-225), decimal128.FromI64(1000)},
		{"string", planner.String, []string{`["pear", "apple"]`, `[null, "zebra", ""]`}, "", "zebra"},
		{"all NULL", planner.Int64, []string{`[null, null]`, `[]`}, nil, nil},
		{"double has no bounds", planner.Float64, []string{`[1.5, 2.5]`}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Merge the partitions in both orders: the bounds must not depend on it.
			for _, order := range [][]int{identity(len(c.parts)), reversed(len(c.parts))} {
				var merged keyStats
				for _, p := range order {
					a, _, err := array.FromJSON(mem, c.typ, strings.NewReader(c.parts[p]))
					if err != nil {
						t.Fatal(err)
					}
					var part keyStats
					part.widen(columnBounds(a))
					a.Release()
					merged.widen(part.lo, part.hi)
				}
				if merged.lo != c.lo || merged.hi != c.hi {
					t.Fatalf("order %v: bounds [%v, %v], want [%v, %v]", order, merged.lo, merged.hi, c.lo, c.hi)
				}
			}
		})
	}
}

func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func reversed(n int) []int {
	out := identity(n)
	slices.Reverse(out)
	return out
}

// jsonTable is an in-memory source over JSON rows, in batches of 16 rows dealt into splits.
func jsonTable(t *testing.T, mem memory.Allocator, name string, schema *arrow.Schema, rows string, splits int) datasource.Source {
	t.Helper()
	all, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	defer all.Release()
	var batches []arrow.RecordBatch
	for i := int64(0); i < all.NumRows(); i += 16 {
		batches = append(batches, all.NewSlice(i, min(i+16, all.NumRows())))
	}
	src := datasource.NewMemory(name, schema, batches, splits)
	for _, b := range batches {
		b.Release()
	}
	t.Cleanup(func() { src.(interface{ Release() }).Release() })
	return src
}

// resultRows renders every row of a run, sorted.
func resultRows(ex *Execution) []string {
	var out []string
	for _, b := range ex.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			var cells []string
			for c := 0; c < int(b.NumCols()); c++ {
				cells = append(cells, b.Column(c).ValueStr(i))
			}
			out = append(out, strings.Join(cells, ","))
		}
	}
	slices.Sort(out)
	return out
}

// factRows is 200 rows (k BIGINT, s VARCHAR, v INT): k = i % 50 except NULL where 17
// divides i, s = 's' followed by i % 7 except NULL where 23 divides i, v = i.
func factRows() string {
	var rows []string
	for i := range 200 {
		k, s := fmt.Sprint(i%50), fmt.Sprintf(`"s%d"`, i%7)
		if i%17 == 0 {
			k = "null"
		}
		if i%23 == 0 {
			s = "null"
		}
		rows = append(rows, fmt.Sprintf(`{"k": %s, "s": %s, "v": %d}`, k, s, i))
	}
	return "[" + strings.Join(rows, ",") + "]"
}

// TestRuntimeFilterJoins runs joins with and without runtime filters, over one and four
// partitions, and checks that the answers agree and that filters are planned only for the
// joins that drop unmatched probe rows.
func TestRuntimeFilterJoins(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // after the tables' cleanups
	fschema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: planner.Int64, Nullable: true},
		{Name: "s", Type: planner.String, Nullable: true},
		{Name: "v", Type: planner.Int32},
	}, nil)
	dschema := arrow.NewSchema([]arrow.Field{
		{Name: "dk", Type: planner.Int64, Nullable: true},
		{Name: "ds", Type: planner.String, Nullable: true},
		{Name: "w", Type: planner.Int32},
	}, nil)
	fact := jsonTable(t, mem, "f", fschema, factRows(), 4)
	dim := jsonTable(t, mem, "d", dschema, `[
		{"dk": 3, "ds": "s3", "w": 1}, {"dk": 7, "ds": "s0", "w": 2}, {"dk": 7, "ds": "s1", "w": 3},
		{"dk": 48, "ds": null, "w": 4}, {"dk": null, "ds": "s2", "w": 5}, {"dk": 60, "ds": "s4", "w": 6}]`, 2)
	eschema := arrow.NewSchema([]arrow.Field{{Name: "ek", Type: planner.Int64, Nullable: true}}, nil)
	extra := jsonTable(t, mem, "e", eschema, `[{"ek": 7}, {"ek": 48}, {"ek": 99}, {"ek": null}]`, 1)
	col := func(s *planner.Scan, i int) planner.Expr { return planner.NewColumnRef(s.Columns[i]) }
	eq := func(l, r planner.Expr) planner.Expr {
		return &planner.Binary{Op: planner.OpEq, Left: l, Right: r, Typ: planner.Boolean}
	}
	and := func(l, r planner.Expr) planner.Expr {
		return &planner.Binary{Op: planner.OpAnd, Left: l, Right: r, Typ: planner.Boolean}
	}
	type build func(f, d, e *planner.Scan) (planner.Plan, error)
	join := func(typ planner.JoinType, on func(f, d *planner.Scan) planner.Expr) build {
		return func(f, d, _ *planner.Scan) (planner.Plan, error) { return planner.NewJoin(f, d, typ, on(f, d)) }
	}
	onK := func(f, d *planner.Scan) planner.Expr { return eq(col(f, 0), col(d, 0)) }
	// (f ⋈ d on k) ⋈ e on d's key: the second join's filter reaches f's scan through the
	// first join's key equality.
	chain := func(first planner.JoinType) build {
		return func(f, d, e *planner.Scan) (planner.Plan, error) {
			j, err := planner.NewJoin(f, d, first, onK(f, d))
			if err != nil {
				return nil, err
			}
			return planner.NewJoin(j, e, planner.InnerJoin, eq(col(d, 0), col(e, 0)))
		}
	}
	const one, two = "runtime filter from HashJoin#1 on k", "runtime filters from HashJoin#1 on k; HashJoin#2 on k"
	cases := []struct {
		name string
		plan build
		edge string // what EXPLAIN shows on f's scan; "" for no runtime filter
		rows int    // -1: not worked out by hand
	}{
		// k = 3: i in {3, 53, 103} (153 is NULL); k = 7: {7, 57, 107, 157}, twice each;
		// k = 48: {48, 98, 148, 198}: 3 + 8 + 4.
		{"inner", join(planner.InnerJoin, onK), one, 15},
		// and s: k = 3 with s3 (i = 3); k = 7 with s0 (i = 7) or with s1 (i = 57).
		{"inner on two keys", join(planner.InnerJoin, func(f, d *planner.Scan) planner.Expr {
			return and(eq(col(f, 0), col(d, 0)), eq(col(f, 1), col(d, 1)))
		}), "runtime filter from HashJoin#1 on k, s", 3},
		{"semi", join(planner.LeftSemi, onK), one, 11},
		{"right", join(planner.RightJoin, onK), one, 17},
		{"left keeps unmatched probe rows", join(planner.LeftJoin, onK), "", -1},
		{"anti keeps unmatched probe rows", join(planner.LeftAnti, onK), "", -1},
		// The inner pairs with dk 7 (8 rows) or 48 (4 rows).
		{"through an inner join's build key", chain(planner.InnerJoin), two, 12},
		// The left join's unmatched rows have a NULL dk: the same 12 rows.
		{"through a left join's build key", chain(planner.LeftJoin), one, 12},
		{"through a filter and a projection", func(f, d, _ *planner.Scan) (planner.Plan, error) {
			cond := &planner.Binary{Op: planner.OpGt, Left: &planner.Cast{E: col(f, 2), To: planner.Int64}, Right: planner.NewLiteral(int64(100), planner.Int64), Typ: planner.Boolean}
			filt, err := planner.NewFilter(f, cond)
			if err != nil {
				return nil, err
			}
			proj, err := planner.ProjectExprs(filt, []planner.Expr{col(f, 2), col(f, 0)}, nil)
			if err != nil {
				return nil, err
			}
			return planner.NewJoin(proj, d, planner.InnerJoin, onK(f, d))
		}, one, 7}, // v > 100: k = 3 at i = 103; k = 7 at 107 and 157, twice; k = 48 at 148 and 198
		{"empty build side", func(f, d, _ *planner.Scan) (planner.Plan, error) {
			cond := &planner.Binary{Op: planner.OpGt, Left: col(d, 0), Right: planner.NewLiteral(int64(1000), planner.Int64), Typ: planner.Boolean}
			filt, err := planner.NewFilter(d, cond)
			if err != nil {
				return nil, err
			}
			return planner.NewJoin(f, filt, planner.InnerJoin, onK(f, d))
		}, one, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, parts := range []int{1, 4} {
				var answers [2][]string
				for i, off := range []bool{true, false} {
					p, err := c.plan(planner.NewScan(fact, ""), planner.NewScan(dim, ""), planner.NewScan(extra, ""))
					if err != nil {
						t.Fatal(err)
					}
					pp := &PhysicalPlanner{Partitions: parts, NoRuntimeFilters: off}
					node, err := pp.Plan(p)
					if err != nil {
						t.Fatal(err)
					}
					text := ExplainPhysical(node)
					want := "Scan: f [k, s, v] splits=4"
					if c.edge != "" && !off {
						want += " " + c.edge + " ["
					} else {
						want += " ["
					}
					if !strings.Contains(text, want) {
						t.Fatalf("partitions=%d off=%v: EXPLAIN lacks %q\n%s", parts, off, want, text)
					}
					ex, err := Run(context.Background(), node, Config{Parallelism: 4, BatchSize: 7, Mem: mem})
					if err != nil {
						t.Fatal(err)
					}
					answers[i] = resultRows(ex)
					ex.Release()
				}
				if !slices.Equal(answers[0], answers[1]) {
					t.Fatalf("partitions=%d: without runtime filters\n%v\nwith them\n%v", parts, answers[0], answers[1])
				}
				if c.rows >= 0 && len(answers[1]) != c.rows {
					t.Fatalf("partitions=%d: %d rows, want %d: %v", parts, len(answers[1]), c.rows, answers[1])
				}
			}
		})
	}
}

// sortedParquet writes 1000 rows (id = 0..999) in 10 row groups of 100 and returns the
// source over it.
func sortedParquet(t *testing.T, mem memory.Allocator) datasource.Source {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: planner.Int64}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	for i := range 1000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	batch := b.NewRecordBatch()
	b.Release()
	defer batch.Release()
	path := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	err = datasource.WriteParquet(f, schema, []arrow.RecordBatch{batch}, datasource.WriteOptions{RowGroupSize: 100})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	src, err := datasource.NewParquet("t", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// broadcastFilteredJoin builds probe ⋈ build on their first columns as a broadcast hash
// join with a runtime filter: the build side's stage runs before the probe scan's, so the
// scan always finds the filter ready.
func broadcastFilteredJoin(t *testing.T, probe *ScanExec, build Node) *HashJoinExec {
	t.Helper()
	pp := &PhysicalPlanner{Partitions: probe.N}
	f := pp.planRuntimeFilter(planner.InnerJoin, probe, []int{0}, build, []int{0})
	if f == nil {
		t.Fatal("no runtime filter planned")
	}
	right := NewExchange(&RuntimeFilterBuildExec{Child: build, Filter: f}, Partitioning{Kind: BroadcastPartitioning, N: probe.N})
	hj := &HashJoinExec{Left: probe, Right: right, LeftKeys: []int{0}, RightKeys: []int{0}, Type: planner.InnerJoin, RuntimeFilter: f}
	hj.init()
	return hj
}

// TestRuntimeFilterPrunesParquet checks what a ready filter spares a Parquet scan: row
// groups outside the build keys' bounds are not opened, and rows inside them that match
// no build key are dropped (both count as rows skipped).
func TestRuntimeFilterPrunesParquet(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // after the tables' cleanups
	src := sortedParquet(t, mem)
	dschema := arrow.NewSchema([]arrow.Field{{Name: "dk", Type: planner.Int64, Nullable: true}}, nil)
	cases := []struct {
		name  string
		keys  string
		scans string // ExplainScans of the probe scan
		rows  int
	}{
		// Bounds [250, 259]: row group 2 only; of its 100 rows three match.
		{"narrow keys", `[{"dk": 250}, {"dk": 255}, {"dk": null}, {"dk": 259}]`,
			"t: row_groups read=1 pruned=0, pages read=1 skipped=0, rows skipped=997, rows=3", 3},
		// Bounds [5, 995] keep every row group; the bloom filter keeps two rows.
		{"wide keys", `[{"dk": 995}, {"dk": 5}]`,
			"t: row_groups read=10 pruned=0, pages read=10 skipped=0, rows skipped=998, rows=2", 2},
		{"no key matches", `[{"dk": -5}, {"dk": 2000}]`,
			"t: row_groups read=10 pruned=0, pages read=10 skipped=0, rows skipped=1000, rows=0", 0},
		{"only NULL keys", `[{"dk": null}]`,
			"t: row_groups read=0 pruned=0, rows skipped=1000, rows=0", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dim := jsonTable(t, mem, "d", dschema, c.keys, 1)
			for _, parts := range []int{1, 4} {
				probe := NewScanExec(src, []int{0}, splits(t, src), parts)
				hj := broadcastFilteredJoin(t, probe, NewScanExec(dim, []int{0}, splits(t, dim), 1))
				if s := ExplainPhysical(hj); !strings.Contains(s, "Scan: t [id] splits=10 runtime filter from HashJoin#1 on id") ||
					!strings.Contains(s, "RuntimeFilterBuild: HashJoin#1 [dk]") || !strings.Contains(s, "HashJoin#1: Inner on id = dk") {
					t.Fatalf("EXPLAIN lacks the runtime filter edge:\n%s", s)
				}
				// The second run of the same plan runs without the filter, never with a stale one.
				for run, want := range []string{c.scans, "t: row_groups read=10 pruned=0, pages read=10 skipped=0, rows=1000"} {
					ex, err := Run(context.Background(), hj, Config{Parallelism: 2, BatchSize: 64, Mem: mem})
					if err != nil {
						t.Fatal(err)
					}
					rows := len(resultRows(ex))
					ex.Release()
					if rows != c.rows {
						t.Fatalf("partitions=%d run %d: %d rows, want %d", parts, run+1, rows, c.rows)
					}
					if got, _, _ := strings.Cut(ExplainScans(hj, ex), "\n"); got != want {
						t.Fatalf("partitions=%d run %d: probe scan %q, want %q", parts, run+1, got, want)
					}
				}
			}
		})
	}
}

// TestRuntimeFilterConcurrency runs eight producer partitions and eight consumers at once
// (go test -race): every consumer gets the same merged filter, which holds every build key.
func TestRuntimeFilterConcurrency(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // after the tables' cleanups
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: planner.Int64, Nullable: true}}, nil)
	var rows []string
	for i := range 1000 {
		if i%10 == 9 {
			rows = append(rows, `{"k": null}`)
		} else {
			rows = append(rows, fmt.Sprintf(`{"k": %d}`, 3*i+7))
		}
	}
	src := jsonTable(t, mem, "b", schema, "["+strings.Join(rows, ",")+"]", 8)
	build := NewScanExec(src, []int{0}, splits(t, src), 8)
	probe := NewScanExec(src, []int{0}, splits(t, src), 8)
	pp := &PhysicalPlanner{Partitions: 8}
	f := pp.planRuntimeFilter(planner.InnerJoin, probe, []int{0}, build, []int{0})
	if f == nil || f.Parts != 8 {
		t.Fatalf("filter %v, want one over 8 producer partitions", f)
	}
	node := &RuntimeFilterBuildExec{Child: build, Filter: f}
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]*filterResult, 8)
	errs := make(chan error, 16)
	for p := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			tc := &TaskContext{Ctx: ctx, Mem: mem, BatchSize: 16}
			out, err := drain(tc, node, p)
			for _, b := range out {
				b.Release()
			}
			if err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			sf := newScanFilters(nil, probe)
			for len(sf.active) == 0 {
				sf.refresh(ctx, true)
				if len(sf.active) == 0 {
					sf.runs[0].wait(ctx)
				}
			}
			results[p] = sf.active[0].filterResult
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	res := results[0]
	for p, r := range results {
		if r != res {
			t.Fatalf("consumer %d got another filter", p)
		}
	}
	if res.empty || res.bloom == nil || len(res.keys) != 1 || !res.keys[0].hasRange || res.keys[0].lo != 7 || res.keys[0].hi != 3*998+7 {
		t.Fatalf("filter %+v, want bounds [7, 3001] and a bloom filter", res)
	}
	for i := range 1000 {
		b := array.NewInt64Builder(mem)
		b.Append(int64(3*i + 7))
		a := b.NewArray()
		b.Release()
		hs := make([]uint64, 1)
		hashtable.HashColumns([]arrow.Array{a}, hs)
		a.Release()
		if i%10 != 9 && !res.bloom.mayContain(hs[0]) {
			t.Fatalf("build key %d is not in the merged bloom filter", 3*i+7)
		}
	}
}

// TestRuntimeFilterWaits checks awaitRuntimeFilters (it returns once the last producer
// partition ends, or when the query is cancelled) and that a producer partition that stops
// early makes the filter unusable rather than partial.
func TestRuntimeFilterWaits(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // after the tables' cleanups
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: planner.Int64}}, nil)
	src := jsonTable(t, mem, "p", schema, `[{"k": 1}, {"k": 2}, {"k": 3}]`, 1)
	newFilter := func() (*RuntimeFilter, *ScanExec) {
		probe := NewScanExec(src, []int{0}, splits(t, src), 1)
		pp := &PhysicalPlanner{Partitions: 1}
		f := pp.planRuntimeFilter(planner.LeftSemi, probe, []int{0}, probe, []int{0})
		f.Parts = 2
		return f, probe
	}
	t.Run("ready", func(t *testing.T) {
		f, probe := newFilter()
		q := &queryState{}
		r := f.runFor(q)
		var ended atomic.Int32
		done := make(chan struct{})
		go func() {
			awaitRuntimeFilters(context.Background(), q, &FilterExec{Child: probe})
			if ended.Load() != 2 {
				t.Errorf("awaitRuntimeFilters returned after %d of 2 producer partitions ended", ended.Load())
			}
			close(done)
		}()
		for range 2 {
			ended.Add(1)
			r.end(f, &partialFilter{full: 1, hashes: []uint64{42}, keys: make([]keyStats, 1)})
		}
		<-done
		if r.result == nil || r.result.empty {
			t.Fatalf("result %+v, want a usable filter", r.result)
		}
		if f.runFor(&queryState{}) != nil {
			t.Fatal("another run got the state of the first")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		f, probe := newFilter()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		q := &queryState{}
		awaitRuntimeFilters(ctx, q, probe)
		if f.runFor(q).isReady() {
			t.Fatal("the filter is ready though no producer ended")
		}
	})
	t.Run("producer stopped early", func(t *testing.T) {
		f, probe := newFilter()
		r := f.runFor(nil)
		r.end(f, nil)
		if !r.isReady() || r.result != nil {
			t.Fatalf("ready %v result %+v, want ready and unusable", r.isReady(), r.result)
		}
		r.end(f, &partialFilter{keys: make([]keyStats, 1)}) // the other partition ends later
		sf := newScanFilters(nil, probe)
		sf.refresh(context.Background(), true)
		if len(sf.active) != 0 || len(sf.pending) != 0 {
			t.Fatalf("active %d pending %d, want the filter dropped", len(sf.active), len(sf.pending))
		}
	})
}

// TestRuntimeFilterBloomTrial checks that a scan task stops testing a bloom filter that
// drops almost nothing, and keeps one that drops enough.
func TestRuntimeFilterBloomTrial(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, c := range []struct {
		name    string
		keep    func(k int64) bool // the build keys among 0..n
		wantOff bool
	}{
		{"drops nothing", func(int64) bool { return true }, true},
		{"drops half", func(k int64) bool { return k%2 == 0 }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			const n = 4096
			kb := array.NewInt64Builder(mem)
			for k := int64(0); k < n; k++ {
				kb.Append(k)
			}
			keys := kb.NewArray()
			kb.Release()
			defer keys.Release()
			hs := make([]uint64, n)
			hashtable.HashColumns([]arrow.Array{keys}, hs)
			bloom := newBloomFilter(n)
			for k, h := range hs {
				if c.keep(int64(k)) {
					bloom.insert(h)
				}
			}
			schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: planner.Int64}}, nil)
			batch := array.NewRecordBatch(schema, []arrow.Array{keys}, n)
			defer batch.Release()
			a := &activeFilter{filterResult: &filterResult{keys: []keyFilter{{probe: 0}}, bloom: bloom}}
			sf := &scanFilters{}
			sel := make([]int32, n)
			for range bloomTrialRows/n + 1 {
				for i := range sel {
					sel[i] = int32(i)
				}
				sf.keep(a, batch.Columns(), int(batch.NumRows()), sel)
			}
			if a.bloomOff != c.wantOff {
				t.Fatalf("bloom filter off: %v, want %v (tested %d, passed %d)", a.bloomOff, c.wantOff, a.tested, a.passed)
			}
		})
	}
}
