package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/sql/planner"
)

// TestDecFast64AgreesWithDecArith checks the 64-bit path of +, − and × against the
// 128-bit one on random and boundary operands: wherever it answers, the answers are equal,
// and it declines (never answers wrong) on overflow and precision limits.
func TestDecFast64AgreesWithDecArith(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	edge := []int64{0, 1, -1, 99, -99, 1e9, -1e9, 999999999999999, -999999999999999, math.MaxInt64, math.MinInt64 + 1, math.MaxInt32, 1 << 62}
	pick := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return edge[rng.IntN(len(edge))]
		case 1:
			return rng.Int64N(2e15) - 1e15
		case 2:
			return rng.Int64N(2000) - 1000
		}
		return int64(rng.Uint64())
	}
	type shape struct{ sx, sy, so, po int32 }
	shapes := map[planner.BinaryOp][]shape{
		planner.OpAdd: {{2, 2, 2, 16}, {0, 2, 2, 16}, {2, 0, 2, 38}, {4, 2, 4, 19}, {2, 2, 2, 3}},
		planner.OpSub: {{2, 2, 2, 16}, {0, 2, 2, 16}, {3, 1, 3, 38}},
		planner.OpMul: {{2, 2, 4, 31}, {2, 0, 2, 17}, {2, 2, 4, 10}, {0, 0, 0, 38}},
	}
	answered := 0
	for op, ss := range shapes {
		for _, sh := range ss {
			f := decFast64For(op, sh.sx, sh.sy, sh.so, sh.po)
			if !f.ok {
				t.Fatalf("%s %+v: no fast path", op, sh)
			}
			for i := 0; i < 20000; i++ {
				x, y := decimal128.FromI64(pick()), decimal128.FromI64(pick())
				got, ok := f.apply(x, y)
				if !ok {
					continue
				}
				answered++
				want, st := decArith(op, x, y, sh.sx, sh.sy, sh.so, sh.po)
				if st != decOK || got != want {
					t.Fatalf("%s %+v: %v op %v: fast %v, 128-bit %v (status %d)", op, sh, x, y, got, want, st)
				}
			}
		}
	}
	if answered < 50000 {
		t.Errorf("the fast path answered only %d times", answered)
	}
	if f := decFast64For(planner.OpMul, 2, 2, 2, 38); f.ok {
		t.Error("a product rescaled to a smaller scale took the fast path")
	}
	if f := decFast64For(planner.OpDiv, 2, 2, 6, 38); f.ok {
		t.Error("division took the fast path")
	}
}
