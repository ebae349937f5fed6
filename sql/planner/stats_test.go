package planner

import (
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

func ints(vs ...int64) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func seq(from, to int64) []int64 {
	var out []int64
	for v := from; v <= to; v++ {
		out = append(out, v)
	}
	return out
}

func TestBuildHistogram(t *testing.T) {
	type b struct{ lo, hi, count, distinct, upper int64 }
	heavy := append(make([]int64, 50), seq(1, 50)...) // 0 fifty times, then 1..50
	cases := []struct {
		name     string
		vals     []int64
		buckets  int
		rows     int64
		distinct int64
		want     []b
	}{
		{"uniform", seq(1, 12), 3, 12, 12, []b{{1, 4, 4, 4, 1}, {5, 8, 4, 4, 1}, {9, 12, 4, 4, 1}}},
		{"fewer values than buckets", []int64{7, 7, 9}, 5, 3, 2, []b{{7, 7, 2, 1, 2}, {9, 9, 1, 1, 1}}},
		// A frequent value fills a bucket of its own; the rest share the other buckets.
		{"frequent value", heavy, 4, 100, 51, []b{{0, 0, 50, 1, 50}, {1, 17, 17, 17, 1}, {18, 34, 17, 17, 1}, {35, 50, 16, 16, 1}}},
		// A sample of 4 standing for 400 rows and 40 distinct values: counts and
		// distinct counts scale.
		{"scaled sample", []int64{1, 2, 3, 4}, 2, 400, 40, []b{{1, 2, 200, 20, 100}, {3, 4, 200, 20, 100}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := BuildHistogram(ints(c.vals...), c.buckets, c.rows, c.distinct)
			var got []b
			for _, x := range h.Buckets {
				got = append(got, b{x.Lower.(int64), x.Upper.(int64), x.Count, x.Distinct, x.UpperCount})
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("buckets %v, want %v", got, c.want)
			}
			if h.Total() != c.rows {
				t.Errorf("total %d, want %d", h.Total(), c.rows)
			}
		})
	}
	if BuildHistogram(nil, 4, 0, 0) != nil {
		t.Error("a histogram of nothing")
	}
}

func TestCompareValues(t *testing.T) {
	cases := []struct {
		a, b any
		want int
		ok   bool
	}{
		{int64(1), int64(2), -1, true},
		{2.5, 2.5, 0, true},
		{math.NaN(), 1e300, 1, true},
		{math.Copysign(0, -1), 0.0, 0, true},
		{"b", "a", 1, true},
		{decimal128.FromI64(150), decimal128.FromI64(-3), 1, true},
		{arrow.Date32(3), arrow.Date32(4), -1, true},
		{arrow.Timestamp(9), arrow.Timestamp(9), 0, true},
		{false, true, -1, true},
		{int64(1), 1.0, 0, false},
		{nil, int64(1), 0, false},
	}
	for _, c := range cases {
		got, ok := CompareValues(c.a, c.b)
		if got != c.want || ok != c.ok {
			t.Errorf("CompareValues(%v, %v) = %d %v, want %d %v", c.a, c.b, got, ok, c.want, c.ok)
		}
	}
}
