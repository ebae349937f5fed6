package hashtable

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const (
	benchRows  = 1 << 20
	benchBatch = 8192
)

// benchBatches returns benchRows rows as batches of benchBatch rows of one column made by
// gen(i) and the total row count.
func benchBatches(b *testing.B, dt arrow.DataType, gen func(bld array.Builder, i int)) []arrow.Array {
	b.Helper()
	var out []arrow.Array
	for lo := 0; lo < benchRows; lo += benchBatch {
		bld := array.NewBuilder(memory.DefaultAllocator, dt)
		for i := lo; i < lo+benchBatch; i++ {
			gen(bld, i)
		}
		out = append(out, bld.NewArray())
		bld.Release()
	}
	b.Cleanup(func() { releaseAll(out) })
	return out
}

func benchGroupMap(b *testing.B, dt arrow.DataType, batches []arrow.Array) {
	groups := make([]uint32, benchBatch)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m := NewGroupMap([]arrow.DataType{dt}, memory.DefaultAllocator)
		for _, c := range batches {
			if err := m.Insert([]arrow.Array{c}, groups); err != nil {
				b.Fatal(err)
			}
		}
		m.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

func BenchmarkGroupMapInsertInt64(b *testing.B) {
	for _, distinct := range []int{1000, 100_000} {
		b.Run(fmt.Sprintf("distinct=%d", distinct), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			batches := benchBatches(b, arrow.PrimitiveTypes.Int64, func(bld array.Builder, _ int) {
				bld.(*array.Int64Builder).Append(int64(rng.IntN(distinct)) * 7919)
			})
			benchGroupMap(b, arrow.PrimitiveTypes.Int64, batches)
		})
	}
}

func BenchmarkGroupMapInsertString(b *testing.B) {
	for _, distinct := range []int{1000, 100_000} {
		b.Run(fmt.Sprintf("distinct=%d", distinct), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			batches := benchBatches(b, arrow.BinaryTypes.String, func(bld array.Builder, _ int) {
				bld.(*array.StringBuilder).Append(fmt.Sprintf("Customer#%09d", rng.IntN(distinct)))
			})
			benchGroupMap(b, arrow.BinaryTypes.String, batches)
		})
	}
}

// BenchmarkJoinInt64 builds a table of benchRows int64 keys (unique, or 4 rows per key)
// and probes benchRows keys, of which about half match; build and probe are timed apart.
func BenchmarkJoinInt64(b *testing.B) {
	for _, dup := range []int{1, 4} {
		perm := rand.New(rand.NewPCG(5, 6)).Perm(benchRows)
		build := benchBatches(b, arrow.PrimitiveTypes.Int64, func(bld array.Builder, i int) {
			bld.(*array.Int64Builder).Append(int64(perm[i] / dup))
		})
		rng := rand.New(rand.NewPCG(7, 8))
		probe := benchBatches(b, arrow.PrimitiveTypes.Int64, func(bld array.Builder, _ int) {
			bld.(*array.Int64Builder).Append(int64(rng.IntN(2 * benchRows / dup)))
		})
		newTable := func(b *testing.B) *JoinTable {
			jt := NewJoinTable([]arrow.DataType{arrow.PrimitiveTypes.Int64}, memory.DefaultAllocator)
			for _, c := range build {
				if err := jt.Add([]arrow.Array{c}); err != nil {
					b.Fatal(err)
				}
			}
			jt.Finish()
			return jt
		}
		b.Run(fmt.Sprintf("dup=%d/build", dup), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newTable(b).Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
		})
		b.Run(fmt.Sprintf("dup=%d/probe", dup), func(b *testing.B) {
			jt := newTable(b)
			defer jt.Release()
			pi, bi := make([]uint32, benchBatch), make([]uint32, benchBatch)
			it := jt.NewProbeIter()
			pairs := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for _, c := range probe {
					if err := it.Reset([]arrow.Array{c}); err != nil {
						b.Fatal(err)
					}
					for k := it.Next(pi, bi); k > 0; k = it.Next(pi, bi) {
						pairs += k
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
			b.ReportMetric(float64(pairs)/float64(b.N), "pairs")
		})
	}
}

func BenchmarkHashColumnsInt64String(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	ints := benchBatches(b, arrow.PrimitiveTypes.Int64, func(bld array.Builder, _ int) {
		bld.(*array.Int64Builder).Append(rng.Int64())
	})
	strs := benchBatches(b, arrow.BinaryTypes.String, func(bld array.Builder, _ int) {
		bld.(*array.StringBuilder).Append(fmt.Sprintf("Clerk#%09d", rng.IntN(1000)))
	})
	out := make([]uint64, benchBatch)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range ints {
			HashColumns([]arrow.Array{ints[i], strs[i]}, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

// BenchmarkGroupMapInsertOrderKeys inserts TPC-H-shaped keys: l_orderkey runs 1..8 of every
// 32, each key repeated about four times in a row (as lineitem stores them), all distinct
// keys new. Sequential keys are the case a weak hash clusters.
func BenchmarkGroupMapInsertOrderKeys(b *testing.B) {
	batches := benchBatches(b, arrow.PrimitiveTypes.Int64, func(bld array.Builder, i int) {
		o := i / 4
		bld.(*array.Int64Builder).Append(int64(o/8*32 + o%8 + 1))
	})
	benchGroupMap(b, arrow.PrimitiveTypes.Int64, batches)
}
