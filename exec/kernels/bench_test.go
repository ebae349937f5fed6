package kernels

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/sql/planner"
)

const benchRows = 8192

// benchInt64s returns benchRows random values; every 10th row is NULL when nulls is set.
func benchInt64s(mem memory.Allocator, rng *rand.Rand, nulls bool) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	for i := 0; i < benchRows; i++ {
		if nulls && i%10 == 0 {
			b.AppendNull()
			continue
		}
		b.Append(rng.Int63n(1<<40) - 1<<39)
	}
	return b.NewArray()
}

func BenchmarkArithInt64Add(b *testing.B) {
	for _, nulls := range []bool{false, true} {
		b.Run(fmt.Sprintf("nulls=%v", nulls), func(b *testing.B) {
			mem := memory.NewGoAllocator()
			rng := rand.New(rand.NewSource(1))
			l, r := benchInt64s(mem, rng, nulls), benchInt64s(mem, rng, nulls)
			defer l.Release()
			defer r.Release()
			b.SetBytes(benchRows * 8)
			b.ReportAllocs()
			for b.Loop() {
				out, err := Arith(mem, planner.OpAdd, l, r, planner.Int64)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
		})
	}
}

func BenchmarkArithDecimalMul(b *testing.B) {
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewSource(1))
	lb, rb := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 15, Scale: 2}),
		array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 15, Scale: 2})
	defer lb.Release()
	defer rb.Release()
	for i := 0; i < benchRows; i++ {
		lb.Append(decimal128.FromI64(rng.Int63n(10_000_000_00)))
		rb.Append(decimal128.FromI64(rng.Int63n(100)))
	}
	l, r := lb.NewArray(), rb.NewArray()
	defer l.Release()
	defer r.Release()
	out := planner.Decimal(30, 4)
	b.SetBytes(benchRows * 16)
	b.ReportAllocs()
	for b.Loop() {
		res, err := Arith(mem, planner.OpMul, l, r, out)
		if err != nil {
			b.Fatal(err)
		}
		res.Release()
	}
}

func BenchmarkCompareFloat64(b *testing.B) {
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewSource(1))
	lb, rb := array.NewFloat64Builder(mem), array.NewFloat64Builder(mem)
	defer lb.Release()
	defer rb.Release()
	for i := 0; i < benchRows; i++ {
		lb.Append(rng.Float64())
		rb.Append(rng.Float64())
	}
	l, r := lb.NewArray(), rb.NewArray()
	defer l.Release()
	defer r.Release()
	for _, op := range []planner.BinaryOp{planner.OpLt, planner.OpEq} {
		b.Run(string(op), func(b *testing.B) {
			b.SetBytes(benchRows * 8)
			b.ReportAllocs()
			for b.Loop() {
				out, err := Compare(mem, op, l, r)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
		})
	}
}

func BenchmarkLikePrefix(b *testing.B) {
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewSource(1))
	words := []string{"PROMO BRUSHED COPPER", "STANDARD POLISHED TIN", "PROMO ANODIZED STEEL", "ECONOMY PLATED BRASS"}
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	for i := 0; i < benchRows; i++ {
		sb.Append(words[rng.Intn(len(words))])
	}
	in := sb.NewArray()
	defer in.Release()
	for _, p := range []string{"PROMO%", "%BRASS", "%POLISHED%", "PROMO%STEEL"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := Like(mem, in, p, '\\', false)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
		})
	}
}
