package planner

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// TableStats is what a table knows of its data for cardinality estimation: the row count
// and per-column facts, each -1 (or nil) when unknown. Sources fill what their metadata
// gives cheaply (Parquet footers: rows, null counts); ANALYZE TABLE adds distinct counts,
// bounds and histograms.
type TableStats struct {
	RowCount int64
	// Columns is by the table's column ordinal; nil when nothing is known per column.
	Columns []ColumnStats
}

// ColumnStats are the facts of one column; -1 or nil means unknown.
type ColumnStats struct {
	NullCount int64
	Distinct  int64
	// Min and Max are values as planner.Literal holds them, of the column's type.
	Min, Max any
	// Histogram describes the distribution of the non-NULL values; nil when unknown.
	Histogram *Histogram
}

// StatsProvider is implemented by tables that know their statistics. The result is
// shared: callers never modify it.
type StatsProvider interface {
	Statistics() *TableStats
}

// Histogram is an equi-depth histogram of a column's non-NULL values: buckets in
// ascending order, each holding about the same number of rows, that never overlap (all
// rows of one value are in one bucket, so a value more frequent than a bucket's share
// fills a bucket of its own and is that bucket's Upper). Built from a sample, its counts
// are scaled to the rows the sample stands for. Immutable once built.
type Histogram struct {
	Buckets []HistogramBucket
}

// HistogramBucket is one bucket: the rows whose value v has Lower <= v <= Upper (values of
// the column's type as planner.Literal holds them; Lower <= Upper < the next bucket's
// Lower).
type HistogramBucket struct {
	Lower, Upper any
	// Count is the rows in the bucket, Distinct the distinct values among them, and
	// UpperCount the rows equal to Upper (at most Count).
	Count, Distinct, UpperCount int64
}

// Total is the number of rows the histogram describes (the sum of its bucket counts).
func (h *Histogram) Total() int64 {
	var n int64
	for _, b := range h.Buckets {
		n += b.Count
	}
	return n
}

// BuildHistogram builds an equi-depth histogram of at most buckets buckets from sorted, a
// sample of a column's non-NULL values in ascending CompareValues order (the whole column
// when it is small). rows is the number of non-NULL rows the sample stands for (counts are
// scaled by rows/len(sorted)); distinct is the column's distinct count (<= 0 unknown), which
// spreads over the buckets in proportion to the sample's distinct values when the sample
// saw fewer. It returns nil for an empty sample or buckets < 1. O(len(sorted)).
func BuildHistogram(sorted []any, buckets int, rows, distinct int64) *Histogram {
	n := len(sorted)
	if n == 0 || buckets < 1 {
		return nil
	}
	scale := float64(max(rows, int64(n))) / float64(n)
	h := &Histogram{}
	var cur *HistogramBucket
	// The current bucket starts at sample row start, holds curN rows, curUpper of them
	// equal to its Upper.
	var start, curN, curUpper, sampleDistinct int
	closeBucket := func() {
		cur.Count = int64(math.Round(float64(curN) * scale))
		cur.UpperCount = int64(math.Round(float64(curUpper) * scale))
		h.Buckets = append(h.Buckets, *cur)
		cur = nil
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n {
			if c, ok := CompareValues(sorted[i], sorted[j]); !ok || c != 0 {
				break
			}
			j++
		}
		if cur == nil {
			cur = &HistogramBucket{Lower: sorted[i]}
			start, curN = i, 0
		}
		curN += j - i
		curUpper = j - i
		cur.Upper = sorted[i]
		cur.Distinct++
		sampleDistinct++
		// Close the bucket once it holds its share of the rows left to the buckets left
		// (a frequent value that overfills one leaves the others their even share); the
		// last bucket takes the rest.
		if curN*(buckets-len(h.Buckets)) >= n-start || j == n {
			closeBucket()
		}
		i = j
	}
	if distinct > int64(sampleDistinct) {
		f := float64(distinct) / float64(sampleDistinct)
		for i := range h.Buckets {
			b := &h.Buckets[i]
			b.Distinct = max(b.Distinct, int64(math.Round(float64(b.Distinct)*f)))
		}
	}
	return h
}

// CompareValues compares two values of the same Go type as planner.Literal holds them, in
// Ember's order (NaN above every other float, -0 = 0, false < true); ok is false for values
// it cannot compare (different or unknown types). DECIMAL values compare as their
// unscaled integers: both must have the same scale.
func CompareValues(a, b any) (c int, ok bool) {
	defer func() {
		if !ok {
			c = 0
		}
	}()
	switch x := a.(type) {
	case int64:
		y, ok := b.(int64)
		return cmp3(x < y, x > y), ok
	case float64:
		y, ok := b.(float64)
		return compareFloat(x, y), ok
	case string:
		y, ok := b.(string)
		return strings.Compare(x, y), ok
	case decimal128.Num:
		y, ok := b.(decimal128.Num)
		return x.Cmp(y), ok
	case arrow.Date32:
		y, ok := b.(arrow.Date32)
		return cmp3(x < y, x > y), ok
	case arrow.Timestamp:
		y, ok := b.(arrow.Timestamp)
		return cmp3(x < y, x > y), ok
	case bool:
		y, ok := b.(bool)
		return cmp3(!x && y, x && !y), ok
	}
	return 0, false
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// compareFloat is Ember's total order on floats: NaN equals NaN and is above everything;
// -0 equals 0.
func compareFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	}
	return cmp3(x < y, x > y)
}
