package kernels

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// AddInterval returns a new array of a + INTERVAL (months, days, micros); subtraction
// passes negated amounts. a is DATE or TIMESTAMP (microseconds). Months apply first, with
// MySQL's clamping to the target month's last day (Jan 31 + 1 month = Feb 28 or 29; a
// timestamp keeps its time of day), then days, then micros. A DATE stays a DATE when micros
// is 0 and becomes a TIMESTAMP otherwise (planner.AddInterval's Typ says the same). A result
// outside DATE's or TIMESTAMP's range is an execution error. NULL stays NULL.
func AddInterval(mem memory.Allocator, a arrow.Array, months int32, days int32, micros int64) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	switch t := a.DataType().(type) {
	case *arrow.Date32Type:
		in := values[int32](a)
		if micros == 0 {
			buf, out := newValues[int32](mem, n)
			for i, d := range in {
				out[i] = 0
				if !bitSet(valid, i) {
					continue
				}
				r := addMonths(int64(d), months) + int64(days)
				if !dateInRange(r) {
					buf.Release()
					return nil, errs.Execf("date out of range adding %s to %s", intervalString(months, days, micros),
						appendDate(nil, int64(d)))
				}
				out[i] = int32(r)
			}
			return finish(planner.Date, n, newValidOut(mem, n, valid), buf), nil
		}
		buf, out := newValues[int64](mem, n)
		for i, d := range in {
			out[i] = 0
			if !bitSet(valid, i) {
				continue
			}
			r, ok := addToTimestamp(int64(d)*microsPerDay, months, days, micros)
			if !ok {
				buf.Release()
				return nil, errs.Execf("timestamp out of range adding %s to %s", intervalString(months, days, micros),
					appendDate(nil, int64(d)))
			}
			out[i] = r
		}
		return finish(planner.Timestamp, n, newValidOut(mem, n, valid), buf), nil
	case *arrow.TimestampType:
		if t.Unit != arrow.Microsecond {
			return nil, errs.NotImplementedf("interval arithmetic on timestamps in %s", t.Unit)
		}
		in := values[int64](a)
		buf, out := newValues[int64](mem, n)
		for i, ts := range in {
			out[i] = 0
			if !bitSet(valid, i) {
				continue
			}
			r, ok := addToTimestamp(ts, months, days, micros)
			if !ok {
				buf.Release()
				return nil, errs.Execf("timestamp out of range adding %s to %s", intervalString(months, days, micros),
					appendTimestamp(nil, ts))
			}
			out[i] = r
		}
		return finish(a.DataType(), n, newValidOut(mem, n, valid), buf), nil
	case *arrow.NullType:
		return array.NewNull(n), nil
	}
	return nil, errs.Internalf("interval arithmetic on %s", planner.TypeString(a.DataType()))
}

// addToTimestamp adds the interval to micros since the epoch; ok is false on overflow.
func addToTimestamp(ts int64, months, days int32, micros int64) (int64, bool) {
	day := floorDiv(ts, microsPerDay)
	tod := ts - day*microsPerDay
	day = addMonths(day, months) + int64(days)
	hi, lo := bits.Mul64(uint64(absInt64(day)), microsPerDay)
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	r := int64(lo)
	if day < 0 {
		r = -r
	}
	r, ok := addInt64Checked(r, tod)
	if !ok {
		return 0, false
	}
	return addInt64Checked(r, micros)
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func addInt64Checked(x, y int64) (int64, bool) {
	s := x + y
	return s, (x^s)&(y^s) >= 0
}

func intervalString(months, days int32, micros int64) string {
	return fmt.Sprintf("INTERVAL (months=%d days=%d micros=%d)", months, days, micros)
}
