package dataframe

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/udf"
)

// sumXFold adds column 0 (a DOUBLE), times the weight w, into state[0] and counts rows
// into state[1].
func sumXFold(w *float64) FoldFunc {
	return func(_ *udf.PartitionContext, st []float64, b arrow.RecordBatch) error {
		x := b.Column(0).(*array.Float64).Float64Values()
		for _, v := range x {
			st[0] += *w * v
		}
		st[1] += float64(len(x))
		return nil
	}
}

func TestTreeAggregateIteratesOverACacheAndReadsTheSourceOnce(t *testing.T) {
	for _, parts := range []int{1, 3, 8} {
		s := dfSession(t, parts)
		ctx := context.Background()
		type row struct {
			X float64 `ember:"x"`
		}
		rows := make([]row, 1000)
		want := 0.0
		for i := range rows {
			rows[i].X = float64(i%17) + 0.25
			want += rows[i].X
		}
		data, err := s.FromStructs(rows)
		if err != nil {
			t.Fatal(err)
		}
		data.Cache()
		w := 1.0
		agg, err := data.NewTreeAggregator([]float64{0, 0}, sumXFold(&w), nil)
		if err != nil {
			t.Fatal(err)
		}
		before := s.Metrics()
		var first []float64
		for round := 0; round < 5; round++ {
			w = float64(round + 1)
			got, err := agg.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got[1] != 1000 || math.Abs(got[0]-w*want) > 1e-9*w*want {
				t.Fatalf("parts=%d round %d: got %v, want [%g 1000]", parts, round, got, w*want)
			}
			if round == 0 {
				first = got
			}
		}
		// The merge order is fixed: the same run gives bit-identical sums.
		w = 1
		again, err := agg.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again[0] != first[0] {
			t.Errorf("parts=%d: two runs gave %v and %v", parts, first[0], again[0])
		}
		after := s.Metrics()
		if d := after.SourceScans - before.SourceScans; d > 1 {
			t.Errorf("parts=%d: %d source scans over 6 runs, want at most 1 (the cache build)", parts, d)
		}
		agg.Close()
		if _, err := agg.Run(ctx); err == nil || !strings.Contains(err.Error(), "closed") {
			t.Errorf("Run after Close: %v", err)
		}
		if _, ok := s.Functions().PartitionFunc(agg.fn); ok {
			t.Errorf("Close left the fold %s registered", agg.fn)
		}
	}
}

func TestTreeAggregateMergeAndErrors(t *testing.T) {
	s := dfSession(t, 4)
	ctx := context.Background()
	type row struct {
		X float64 `ember:"x"`
	}
	data, err := s.FromStructs([]row{{3}, {-7}, {12}, {5}, {0.5}})
	if err != nil {
		t.Fatal(err)
	}
	minMax := func(dst, src []float64) {
		dst[0] = math.Min(dst[0], src[0])
		dst[1] = math.Max(dst[1], src[1])
	}
	got, err := data.TreeAggregate(ctx, []float64{math.Inf(1), math.Inf(-1)}, func(_ *udf.PartitionContext, st []float64, b arrow.RecordBatch) error {
		for _, v := range b.Column(0).(*array.Float64).Float64Values() {
			st[0], st[1] = math.Min(st[0], v), math.Max(st[1], v)
		}
		return nil
	}, minMax)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != -7 || got[1] != 12 {
		t.Errorf("min/max = %v, want [-7 12]", got)
	}
	_, err = data.TreeAggregate(ctx, []float64{0}, func(*udf.PartitionContext, []float64, arrow.RecordBatch) error {
		return errTest
	}, nil)
	if err == nil || !strings.Contains(err.Error(), errTest.Error()) {
		t.Errorf("a failing fold: %v", err)
	}
	empty := data.Filter("x > 100")
	got, err = empty.TreeAggregate(ctx, []float64{1, 2}, func(*udf.PartitionContext, []float64, arrow.RecordBatch) error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("empty input gave %v", got)
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errTest = testError("the fold failed on purpose")
