package exec

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/sql/planner"
)

// Operator-level micro-benchmarks (issue 9): HashAggregate, HashJoin, Filter, Sort and
// Project driven through Build/Open/Next/Close exactly as a task drives them, over
// in-memory batches built once per benchmark (never in the timed loop, never at package
// init, so `go test` without -bench pays nothing).
//
// Every benchmark first runs its plan once on a checked allocator, checks the answer
// (row count plus a checksum or an order check) and that no Arrow memory is left, then
// times whole runs on a Go allocator, asserting the output row count on every run. It
// reports rows/s (input rows per second; for the join, probe rows) and allocs/op (per
// whole run over all input rows, not per row). The kernels and hash tables underneath have
// their own benchmarks (exec/kernels, exec/hashtable); these add what the operators do
// around them: batch plumbing, gathers, concatenation, accumulators.

const (
	opBenchRows  = 1 << 20 // input rows of every benchmark (the join's probe side)
	opBenchBatch = 8192    // rows per input batch and TaskContext.BatchSize
)

var opBenchDec = &arrow.Decimal128Type{Precision: 15, Scale: 2}

// opBenchSource is a single-partition leaf that returns the same prebuilt batches on every
// run: each Next retains one and hands it to the caller (no copy), so a benchmark times
// only the operators above it. The batches belong to the node; release them with Release.
type opBenchSource struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

func (s *opBenchSource) Schema() *arrow.Schema      { return s.schema }
func (s *opBenchSource) Children() []Node           { return nil }
func (s *opBenchSource) Partitioning() Partitioning { return Partitioning{Kind: SinglePartition, N: 1} }
func (s *opBenchSource) String() string             { return "BenchSource" }
func (s *opBenchSource) Execute(*TaskContext, int) (Operator, error) {
	return &opBenchSourceOp{batches: s.batches}, nil
}

// Release releases the node's batches.
func (s *opBenchSource) Release() {
	for _, b := range s.batches {
		b.Release()
	}
	s.batches = nil
}

// rows is the number of rows the source produces per run.
func (s *opBenchSource) rows() int64 {
	var n int64
	for _, b := range s.batches {
		n += b.NumRows()
	}
	return n
}

// cols returns a source over the given columns of s's batches (sharing their buffers),
// released at the end of the benchmark.
func (s *opBenchSource) cols(b *testing.B, idx ...int) *opBenchSource {
	fields := make([]arrow.Field, len(idx))
	for i, c := range idx {
		fields[i] = s.schema.Field(c)
	}
	out := &opBenchSource{schema: arrow.NewSchema(fields, nil)}
	for _, rb := range s.batches {
		cs := make([]arrow.Array, len(idx))
		for i, c := range idx {
			cs[i] = rb.Column(c)
		}
		out.batches = append(out.batches, array.NewRecordBatch(out.schema, cs, rb.NumRows()))
	}
	b.Cleanup(out.Release)
	return out
}

type opBenchSourceOp struct {
	batches []arrow.RecordBatch
	next    int
}

func (o *opBenchSourceOp) Open(*TaskContext) error { return nil }
func (o *opBenchSourceOp) Next(*TaskContext) (arrow.RecordBatch, error) {
	if o.next >= len(o.batches) {
		return nil, nil
	}
	b := o.batches[o.next]
	o.next++
	b.Retain() // the caller's reference
	return b, nil
}
func (o *opBenchSourceOp) Close() error { return nil }

// opBenchTable builds n rows of schema in batches of opBenchBatch, calling gen once per row
// to append one value to every field builder. The batches are released at the end of the
// benchmark.
func opBenchTable(b *testing.B, schema *arrow.Schema, n int, gen func(rb *array.RecordBuilder, i int)) *opBenchSource {
	b.Helper()
	mem := memory.NewGoAllocator()
	src := &opBenchSource{schema: schema}
	for lo := 0; lo < n; lo += opBenchBatch {
		rb := array.NewRecordBuilder(mem, schema)
		for i := lo; i < min(lo+opBenchBatch, n); i++ {
			gen(rb, i)
		}
		src.batches = append(src.batches, rb.NewRecordBatch())
		rb.Release()
	}
	b.Cleanup(src.Release)
	return src
}

// runOperatorOnce builds partition 0 of n under a fresh TaskContext, pulls it to its end
// through Next, passes every batch to each (nil for none; each must not keep the batch),
// releases it, closes the operator and returns the number of rows produced.
func runOperatorOnce(b *testing.B, mem memory.Allocator, n Node, each func(arrow.RecordBatch)) int64 {
	tc := &TaskContext{Ctx: context.Background(), Mem: mem, BatchSize: opBenchBatch}
	op, err := Build(tc, n, 0)
	if err != nil {
		b.Fatal(err)
	}
	if err := Open(tc, op); err != nil {
		Close(op)
		b.Fatal(err)
	}
	var rows int64
	for {
		out, err := Next(tc, op)
		if err != nil {
			Close(op)
			b.Fatal(err)
		}
		if out == nil {
			break
		}
		rows += out.NumRows()
		if each != nil {
			each(out)
		}
		out.Release()
	}
	if err := Close(op); err != nil {
		b.Fatal(err)
	}
	return rows
}

// opCheck verifies one run of a benchmarked plan: each sees every output batch, done runs
// after the last one (either may be nil).
type opCheck struct {
	each func(arrow.RecordBatch)
	done func()
}

// benchOperator runs n once on a checked allocator under check, asserting wantRows output
// rows and that every Arrow buffer was freed, then times runs of n on a Go allocator,
// asserting wantRows on each, and reports inRows/s.
func benchOperator(b *testing.B, n Node, inRows, wantRows int64, check opCheck) {
	b.Helper()
	if inRows <= 0 || wantRows <= 0 {
		b.Fatalf("%d input rows, %d output rows wanted: nothing to measure", inRows, wantRows)
	}
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if got := runOperatorOnce(b, checked, n, check.each); got != wantRows {
		b.Fatalf("%d output rows, want %d", got, wantRows)
	}
	if check.done != nil {
		check.done()
	}
	checked.AssertSize(b, 0)

	mem := memory.NewGoAllocator()
	b.ReportAllocs()
	for b.Loop() {
		if got := runOperatorOnce(b, mem, n, nil); got != wantRows {
			b.Fatalf("%d output rows, want %d", got, wantRows)
		}
	}
	b.ReportMetric(float64(inRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// opBenchKey is the string form of key k (TPC-H's customer names).
func opBenchKey(k int) string { return fmt.Sprintf("Customer#%09d", k) }

// BenchmarkOperatorHashAggregate: GROUP BY one key, sum(x) and count(x), single phase
// (AggSingle, one partition), over 1M rows. Keys: int64 or an 18-byte string, with 16
// groups or 2^18 groups (1M/4; every group has exactly 4 rows, in random order). x: a
// DOUBLE (integer-valued, so the sum is exact) or a DECIMAL(15,2).
func BenchmarkOperatorHashAggregate(b *testing.B) {
	sum, ok := aggFnOK("sum")
	count, ok2 := aggFnOK("count")
	if !ok || !ok2 {
		b.Fatal("no sum or count aggregate")
	}
	// Columns: k int64, s string (the same group as k), v float64, d decimal(15,2).
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64},
		{Name: "d", Type: opBenchDec},
	}, nil)
	tables := map[int]*opBenchSource{} // by group count, built on first use, released when b ends
	table := func(groups int) *opBenchSource {
		if t := tables[groups]; t != nil {
			return t
		}
		perm := rand.New(rand.NewPCG(1, uint64(groups))).Perm(opBenchRows)
		names := make([]string, groups)
		for k := range names {
			names[k] = opBenchKey(k)
		}
		t := opBenchTable(b, schema, opBenchRows, func(rb *array.RecordBuilder, i int) {
			k := perm[i] % groups
			rb.Field(0).(*array.Int64Builder).Append(int64(k))
			rb.Field(1).(*array.StringBuilder).Append(names[k])
			rb.Field(2).(*array.Float64Builder).Append(float64(i % 1000))
			rb.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i % 100_000)))
		})
		tables[groups] = t
		return t
	}
	// The exact totals of v and of d's unscaled values over all rows.
	var wantV float64
	var wantD int64
	for i := range opBenchRows {
		wantV += float64(i % 1000)
		wantD += int64(i % 100_000)
	}
	for _, key := range []struct {
		name string
		col  int
	}{{"int64", 0}, {"string", 1}} {
		for _, val := range []struct {
			name string
			col  int
		}{{"float64", 2}, {"decimal", 3}} {
			if key.name == "string" && val.name == "decimal" {
				continue // the key's cost is what the string case measures
			}
			for _, groups := range []int{16, opBenchRows / 4} {
				b.Run(fmt.Sprintf("key=%s/groups=%d/sum_count_%s", key.name, groups, val.name), func(b *testing.B) {
					src := table(groups).cols(b, key.col, val.col)
					vt := src.schema.Field(1).Type
					st, err := sum.ReturnType([]arrow.DataType{vt})
					if err != nil {
						b.Fatal(err)
					}
					out := arrow.NewSchema([]arrow.Field{src.schema.Field(0),
						{Name: "sum", Type: st, Nullable: true}, {Name: "count", Type: arrow.PrimitiveTypes.Int64}}, nil)
					aggs := []AggSpec{
						{Fn: sum, Args: []int{1}, ArgTypes: []arrow.DataType{vt}, Name: "sum"},
						{Fn: count, Args: []int{1}, ArgTypes: []arrow.DataType{vt}, Name: "count"},
					}
					node := NewHashAggregateExec(src, []int{0}, aggs, AggSingle, out)

					var gotV float64
					var gotD decimal128.Num
					check := opCheck{
						each: func(rb arrow.RecordBatch) {
							counts := rb.Column(2).(*array.Int64)
							for i := range counts.Len() {
								if c := counts.Value(i); c != opBenchRows/int64(groups) {
									b.Fatalf("a group counted %d rows, want %d", c, opBenchRows/groups)
								}
							}
							switch s := rb.Column(1).(type) {
							case *array.Float64:
								for _, v := range s.Float64Values() {
									gotV += v
								}
							case *array.Decimal128:
								for i := range s.Len() {
									gotD = gotD.Add(s.Value(i))
								}
							}
						},
						done: func() {
							if val.name == "float64" && gotV != wantV {
								b.Fatalf("sum of sums %v, want %v", gotV, wantV)
							}
							if val.name == "decimal" && gotD != decimal128.FromI64(wantD) {
								b.Fatalf("sum of sums %v, want %d (unscaled)", gotD, wantD)
							}
						},
					}
					if src.rows() != opBenchRows {
						b.Fatalf("%d input rows, want %d", src.rows(), opBenchRows)
					}
					benchOperator(b, node, src.rows(), int64(groups), check)
				})
			}
		}
	}
}

// BenchmarkOperatorHashJoin: an inner HashJoin of 1M probe rows (left) against 100k build
// rows (right, unique keys), every probe row matching exactly one build row; output: the
// two probe columns and the two build columns, 1M rows. Keys: int64 or an 18-byte string;
// the other columns are a float64 (probe) and an int64 payload (build). build+probe times
// the whole join (rows/s counts probe rows); build probes a single row, so it times loading
// and concatenating the build side and filling the table (rows/s counts build rows).
func BenchmarkOperatorHashJoin(b *testing.B) {
	const buildRows = 100_000
	var build, probe *opBenchSource // built on first use, released when b ends
	tables := func() {
		if build != nil {
			return
		}
		rng := rand.New(rand.NewPCG(3, 4))
		perm := rng.Perm(buildRows)
		names := make([]string, buildRows)
		for k := range names {
			names[k] = opBenchKey(k)
		}
		// build: k int64 (unique, shuffled), s string, payload int64 = 3k.
		build = opBenchTable(b, arrow.NewSchema([]arrow.Field{
			{Name: "bk", Type: arrow.PrimitiveTypes.Int64},
			{Name: "bs", Type: arrow.BinaryTypes.String},
			{Name: "bp", Type: arrow.PrimitiveTypes.Int64},
		}, nil), buildRows, func(rb *array.RecordBuilder, i int) {
			k := perm[i]
			rb.Field(0).(*array.Int64Builder).Append(int64(k))
			rb.Field(1).(*array.StringBuilder).Append(names[k])
			rb.Field(2).(*array.Int64Builder).Append(3 * int64(k))
		})
		// probe: k int64 uniform over the build keys, s string, v float64.
		probe = opBenchTable(b, arrow.NewSchema([]arrow.Field{
			{Name: "pk", Type: arrow.PrimitiveTypes.Int64},
			{Name: "ps", Type: arrow.BinaryTypes.String},
			{Name: "pv", Type: arrow.PrimitiveTypes.Float64},
		}, nil), opBenchRows, func(rb *array.RecordBuilder, _ int) {
			k := rng.IntN(buildRows)
			rb.Field(0).(*array.Int64Builder).Append(int64(k))
			rb.Field(1).(*array.StringBuilder).Append(names[k])
			rb.Field(2).(*array.Float64Builder).Append(rng.Float64())
		})
	}
	for _, key := range []struct {
		name string
		col  int
	}{{"int64", 0}, {"string", 1}} {
		for _, phase := range []string{"build", "build+probe"} {
			b.Run(fmt.Sprintf("key=%s/%s", key.name, phase), func(b *testing.B) {
				tables()
				left := probe.cols(b, key.col, 2)
				if phase == "build" {
					first := left.batches[0].NewSlice(0, 1)
					left.Release()
					left = &opBenchSource{schema: left.schema, batches: []arrow.RecordBatch{first}}
					b.Cleanup(left.Release)
				}
				right := build.cols(b, key.col, 2)
				node := &HashJoinExec{Left: left, Right: right, LeftKeys: []int{0}, RightKeys: []int{0}, Type: planner.InnerJoin}
				node.init()

				// Every output row pairs equal keys; the payloads add up to 3 × the probe keys
				// (the int64 column of the probe table holds the key of every row).
				var wantPayload, gotPayload int64
				keys := left.rows() // the probe rows used: the first ones of the table
				for _, rb := range probe.batches {
					for _, k := range rb.Column(0).(*array.Int64).Int64Values() {
						if keys == 0 {
							break
						}
						wantPayload += 3 * k
						keys--
					}
				}
				check := opCheck{
					each: func(rb arrow.RecordBatch) {
						switch l := rb.Column(0).(type) {
						case *array.Int64:
							r := rb.Column(2).(*array.Int64)
							for i := range l.Len() {
								if l.Value(i) != r.Value(i) {
									b.Fatalf("row %d joins key %d with %d", i, l.Value(i), r.Value(i))
								}
							}
						case *array.String:
							r := rb.Column(2).(*array.String)
							for i := range l.Len() {
								if l.Value(i) != r.Value(i) {
									b.Fatalf("row %d joins key %s with %s", i, l.Value(i), r.Value(i))
								}
							}
						}
						for _, p := range rb.Column(3).(*array.Int64).Int64Values() {
							gotPayload += p
						}
					},
					done: func() {
						if gotPayload != wantPayload {
							b.Fatalf("payload sum %d, want %d", gotPayload, wantPayload)
						}
					},
				}
				in := left.rows()
				if phase == "build" {
					in = right.rows()
				}
				benchOperator(b, node, in, left.rows(), check)
			})
		}
	}
}

// BenchmarkOperatorFilter: a Filter over 1M rows of (k int64 uniform in [0,1000), v float64
// uniform in [0,1)) with k < 500, v < 0.5 (about 50% each) and their conjunction (about
// 25%), compiled from logical expressions as the physical planner compiles them.
func BenchmarkOperatorFilter(b *testing.B) {
	kCol := planner.NewColumn("k", "t", planner.Int64, false)
	vCol := planner.NewColumn("v", "t", planner.Float64, false)
	var src *opBenchSource // built on first use, released when b ends
	parent := b
	kLt := &planner.Binary{Op: planner.OpLt, Left: planner.NewColumnRef(kCol), Right: planner.NewLiteral(int64(500), planner.Int64), Typ: planner.Boolean}
	vLt := &planner.Binary{Op: planner.OpLt, Left: planner.NewColumnRef(vCol), Right: planner.NewLiteral(0.5, planner.Float64), Typ: planner.Boolean}
	for _, c := range []struct {
		name string
		pred planner.Expr
		keep func(k int64, v float64) bool
	}{
		{"int64_lt", kLt, func(k int64, _ float64) bool { return k < 500 }},
		{"float64_lt", vLt, func(_ int64, v float64) bool { return v < 0.5 }},
		{"and", &planner.Binary{Op: planner.OpAnd, Left: kLt, Right: vLt, Typ: planner.Boolean},
			func(k int64, v float64) bool { return k < 500 && v < 0.5 }},
		// About 98% kept (as Q1's shipdate filter): long runs of selected rows.
		{"int64_lt_98pct", &planner.Binary{Op: planner.OpLt, Left: planner.NewColumnRef(kCol), Right: planner.NewLiteral(int64(980), planner.Int64), Typ: planner.Boolean},
			func(k int64, _ float64) bool { return k < 980 }},
	} {
		b.Run(c.name, func(b *testing.B) {
			if src == nil {
				rng := rand.New(rand.NewPCG(5, 6))
				src = opBenchTable(parent, arrow.NewSchema([]arrow.Field{
					{Name: "k", Type: arrow.PrimitiveTypes.Int64},
					{Name: "v", Type: arrow.PrimitiveTypes.Float64},
				}, nil), opBenchRows, func(rb *array.RecordBuilder, _ int) {
					rb.Field(0).(*array.Int64Builder).Append(rng.Int64N(1000))
					rb.Field(1).(*array.Float64Builder).Append(rng.Float64())
				})
			}
			pred, err := Compile(c.pred, planner.Schema{kCol, vCol})
			if err != nil {
				b.Fatal(err)
			}
			var want int64
			for _, rb := range src.batches {
				k, v := rb.Column(0).(*array.Int64), rb.Column(1).(*array.Float64)
				for i := range k.Len() {
					if c.keep(k.Value(i), v.Value(i)) {
						want++
					}
				}
			}
			check := opCheck{each: func(rb arrow.RecordBatch) {
				k, v := rb.Column(0).(*array.Int64), rb.Column(1).(*array.Float64)
				for i := range k.Len() {
					if !c.keep(k.Value(i), v.Value(i)) {
						b.Fatalf("row (%d, %v) passed %s", k.Value(i), v.Value(i), c.pred)
					}
				}
			}}
			benchOperator(b, &FilterExec{Child: src, Pred: pred}, src.rows(), want, check)
		})
	}
}

// BenchmarkOperatorSort: a Sort (no fetch) of 1M rows of two columns by an int64 key
// (random), by a string key (18 bytes, random), or by two keys (an int64 with 1024
// distinct values ASC, then a float64 DESC); the other column rides along.
func BenchmarkOperatorSort(b *testing.B) {
	var src *opBenchSource // built on first use, released when b ends
	table := func() *opBenchSource {
		if src == nil {
			rng := rand.New(rand.NewPCG(7, 8))
			src = opBenchTable(b, arrow.NewSchema([]arrow.Field{
				{Name: "k", Type: arrow.PrimitiveTypes.Int64},
				{Name: "s", Type: arrow.BinaryTypes.String},
				{Name: "g", Type: arrow.PrimitiveTypes.Int64},
				{Name: "v", Type: arrow.PrimitiveTypes.Float64},
			}, nil), opBenchRows, func(rb *array.RecordBuilder, _ int) {
				rb.Field(0).(*array.Int64Builder).Append(rng.Int64())
				rb.Field(1).(*array.StringBuilder).Append(opBenchKey(rng.IntN(opBenchRows)))
				rb.Field(2).(*array.Int64Builder).Append(rng.Int64N(1024))
				rb.Field(3).(*array.Float64Builder).Append(rng.Float64())
			})
		}
		return src
	}
	col := func(i int, t arrow.DataType) *colExpr { return &colExpr{idx: i, typ: t} }
	for _, c := range []struct {
		name string
		cols []int // of the table: the key columns first
		keys []SortKeyExec
		// less reports whether row i of a sorts strictly before row j of b on the keys.
		less func(a arrow.RecordBatch, i int, b arrow.RecordBatch, j int) bool
	}{
		{"int64", []int{0, 3}, []SortKeyExec{{Expr: col(0, planner.Int64), NullsFirst: true}},
			func(a arrow.RecordBatch, i int, b arrow.RecordBatch, j int) bool {
				return a.Column(0).(*array.Int64).Value(i) < b.Column(0).(*array.Int64).Value(j)
			}},
		{"string", []int{1, 3}, []SortKeyExec{{Expr: col(0, planner.String), NullsFirst: true}},
			func(a arrow.RecordBatch, i int, b arrow.RecordBatch, j int) bool {
				return a.Column(0).(*array.String).Value(i) < b.Column(0).(*array.String).Value(j)
			}},
		{"int64_asc,float64_desc", []int{2, 3}, []SortKeyExec{
			{Expr: col(0, planner.Int64), NullsFirst: true}, {Expr: col(1, planner.Float64), Desc: true}},
			func(a arrow.RecordBatch, i int, b arrow.RecordBatch, j int) bool {
				ga, gb := a.Column(0).(*array.Int64).Value(i), b.Column(0).(*array.Int64).Value(j)
				if ga != gb {
					return ga < gb
				}
				return a.Column(1).(*array.Float64).Value(i) > b.Column(1).(*array.Float64).Value(j)
			}},
	} {
		b.Run("keys="+c.name, func(b *testing.B) {
			in := table().cols(b, c.cols...)
			// Sorted: no row sorts before its predecessor, across batch boundaries too.
			var prev arrow.RecordBatch
			check := opCheck{
				each: func(rb arrow.RecordBatch) {
					if prev != nil && c.less(rb, 0, prev, int(prev.NumRows())-1) {
						b.Fatal("a batch starts before the end of the previous one")
					}
					for i := 1; i < int(rb.NumRows()); i++ {
						if c.less(rb, i, rb, i-1) {
							b.Fatalf("row %d of a batch sorts before its predecessor", i)
						}
					}
					if prev != nil {
						prev.Release()
					}
					rb.Retain()
					prev = rb
				},
				done: func() {
					if prev != nil {
						prev.Release()
					}
				},
			}
			benchOperator(b, &SortExec{Child: in, Keys: c.keys, Fetch: -1}, in.rows(), in.rows(), check)
		})
	}
}

// BenchmarkOperatorProjectDecimal: a Project of TPC-H's revenue expression
// ext * (1 - disc) over 1M rows of two DECIMAL(15,2) columns, typed as the binder types it
// (1 - disc: DECIMAL(16,2); the product: DECIMAL(31,4)).
func BenchmarkOperatorProjectDecimal(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	var want int64 // the exact sum of the products, unscaled at scale 4
	src := opBenchTable(b, arrow.NewSchema([]arrow.Field{
		{Name: "ext", Type: opBenchDec}, {Name: "disc", Type: opBenchDec},
	}, nil), opBenchRows, func(rb *array.RecordBuilder, _ int) {
		ext, disc := 100+rng.Int64N(10_000_000), rng.Int64N(11) // 1.00..100000.00, 0.00..0.10
		rb.Field(0).(*array.Decimal128Builder).Append(decimal128.FromI64(ext))
		rb.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(disc))
		want += ext * (100 - disc)
	})
	ext := planner.NewColumn("ext", "t", opBenchDec, false)
	disc := planner.NewColumn("disc", "t", opBenchDec, false)
	outType := planner.Decimal(31, 4)
	e := &planner.Binary{Op: planner.OpMul, Left: planner.NewColumnRef(ext), Typ: outType,
		Right: &planner.Binary{Op: planner.OpSub, Left: planner.NewLiteral(decimal128.FromI64(100), opBenchDec),
			Right: planner.NewColumnRef(disc), Typ: planner.Decimal(16, 2)}}
	pe, err := Compile(e, planner.Schema{ext, disc})
	if err != nil {
		b.Fatal(err)
	}
	node := NewProjectExec(src, []PhysExpr{pe}, arrow.NewSchema([]arrow.Field{{Name: "revenue", Type: outType}}, nil))
	var got decimal128.Num
	check := opCheck{
		each: func(rb arrow.RecordBatch) {
			r := rb.Column(0).(*array.Decimal128)
			for i := range r.Len() {
				got = got.Add(r.Value(i))
			}
		},
		done: func() {
			if got != decimal128.FromI64(want) {
				b.Fatalf("revenue sum %v, want %d (unscaled)", got, want)
			}
		},
	}
	benchOperator(b, node, src.rows(), src.rows(), check)
}
