package kernels

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Cast returns a new array of a converted to type to. NULL rows stay NULL; a value that
// cannot be converted is an execution error naming the value and the target type, never a
// silent NULL (ANSI behaviour, as Spark's ANSI mode and DuckDB). Conversions:
//   - integer ↔ integer: range-checked.
//   - integer, DECIMAL, FLOAT → integer: rounded half away from zero (as MySQL), range-checked.
//   - → FLOAT/DOUBLE from integers, decimals (correctly rounded), BOOLEAN, the other float.
//   - → DECIMAL(p,s): rescaled, rounding half away from zero when digits are dropped; a
//     value needing more than p digits is an error. FLOAT → DECIMAL rounds the float's
//     shortest decimal representation (0.1 → 0.1, not 0.1000000000000000055).
//   - → BOOLEAN from numbers: non-zero is true.
//   - BOOLEAN → numbers: 1 and 0.
//   - → VARCHAR from anything: decimals with exactly scale digits, floats as appendFloat,
//     DATE yyyy-mm-dd, TIMESTAMP yyyy-mm-dd hh:mm:ss[.ffffff], BOOLEAN true/false.
//   - VARCHAR → anything, after trimming spaces: integers in decimal notation, floats as
//     strconv.ParseFloat (also inf, nan), decimals [+-]d[.d][e±d], DATE y-m-d (a full
//     timestamp's time is dropped), TIMESTAMP y-m-d[( |T)h:mm[:ss[.f]]], BOOLEAN
//     true/false/t/f/yes/no/y/n/1/0 in any case.
//   - DATE ↔ TIMESTAMP (midnight; flooring), TIMESTAMP ↔ TIMESTAMP of another unit.
//   - NULL-typed → any type: all NULL. Same type: the data is shared.
//   - ARRAY and VECTOR: see castNested (list.go).
//
// Anything else is a not-implemented error. O(n).
func Cast(mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	from := a.DataType()
	if from.ID() == arrow.NULL {
		return allNull(mem, to, a.Len())
	}
	if arrow.TypeEqual(from, to) {
		return shareArray(a), nil
	}
	if planner.IsNested(from) || planner.IsNested(to) {
		return castNested(mem, a, to) // list.go
	}
	if to.ID() == arrow.STRING {
		return castToString(mem, a)
	}
	if from.ID() == arrow.STRING {
		return castFromString(mem, a.(*array.String), to)
	}
	switch {
	case from.ID() == arrow.BOOL:
		bits := boolBits(a)
		ints := make([]int64, a.Len())
		for i := range ints {
			ints[i] = int64(bits[i>>3] >> (i & 7) & 1)
		}
		return castInts(mem, a, ints, to)
	case planner.IsInteger(from):
		ints, err := intsOf(a)
		if err != nil {
			return nil, err
		}
		return castInts(mem, a, ints, to)
	case from.ID() == arrow.FLOAT32:
		f32 := values[float32](a)
		f64 := make([]float64, len(f32))
		for i, f := range f32 {
			f64[i] = float64(f)
		}
		return castFloats(mem, a, f64, 32, to)
	case from.ID() == arrow.FLOAT64:
		return castFloats(mem, a, values[float64](a), 64, to)
	case from.ID() == arrow.DECIMAL128:
		return castDecimals(mem, a, values[decimal128.Num](a), from.(*arrow.Decimal128Type).Scale, to)
	case from.ID() == arrow.DATE32:
		if tt, ok := to.(*arrow.TimestampType); ok {
			days := values[int32](a)
			valid := validBits(a)
			ts := make([]int64, len(days))
			for i, d := range days {
				if (int64(d) > math.MaxInt64/microsPerDay || int64(d) < math.MinInt64/microsPerDay) && bitSet(valid, i) {
					return nil, castError(a, i, to, "out of range")
				}
				ts[i] = int64(d) * microsPerDay
			}
			return emitTimestamps(mem, a, ts, tt)
		}
	case from.ID() == arrow.TIMESTAMP:
		micros, err := timestampMicros(a)
		if err != nil {
			return nil, err
		}
		switch tt := to.(type) {
		case *arrow.TimestampType:
			return emitTimestamps(mem, a, micros, tt)
		case *arrow.Date32Type:
			buf, out := newValues[int32](mem, len(micros))
			for i, m := range micros {
				out[i] = int32(floorDiv(m, microsPerDay)) // |m| / 8.64e10 fits easily
			}
			return finish(to, a.Len(), newValidOut(mem, a.Len(), validBits(a)), buf), nil
		}
	}
	return nil, errs.NotImplementedf("cast from %s to %s", planner.TypeString(from), planner.TypeString(to))
}

func castError(a arrow.Array, i int, to arrow.DataType, why string) error {
	if why != "" {
		why = ": " + why
	}
	return errs.Execf("cannot cast %s to %s%s", valueString(a, i), planner.TypeString(to), why)
}

// intsOf reads any integer array as int64 (aliasing a BIGINT array's buffer).
func intsOf(a arrow.Array) ([]int64, error) {
	switch a.DataType().ID() {
	case arrow.INT64:
		return values[int64](a), nil
	case arrow.INT8:
		return widen(values[int8](a)), nil
	case arrow.INT16:
		return widen(values[int16](a)), nil
	case arrow.INT32:
		return widen(values[int32](a)), nil
	case arrow.UINT8:
		return widen(values[uint8](a)), nil
	case arrow.UINT16:
		return widen(values[uint16](a)), nil
	case arrow.UINT32:
		return widen(values[uint32](a)), nil
	case arrow.UINT64:
		u := values[uint64](a)
		valid := validBits(a)
		for i, x := range u {
			if x > math.MaxInt64 && bitSet(valid, i) {
				return nil, errs.NotImplementedf("BIGINT UNSIGNED value %d above 9223372036854775807", x)
			}
		}
		return widen(u), nil
	}
	return nil, errs.Internalf("cast: %s is not an integer type", planner.TypeString(a.DataType()))
}

func widen[T integer](in []T) []int64 {
	out := make([]int64, len(in))
	for i, x := range in {
		out[i] = int64(x)
	}
	return out
}

// castInts converts integer values (read from a, whose validity applies) to type to.
func castInts(mem memory.Allocator, a arrow.Array, ints []int64, to arrow.DataType) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	switch {
	case planner.IsInteger(to):
		return emitInts(mem, a, ints, to)
	case to.ID() == arrow.FLOAT64:
		buf, out := newValues[float64](mem, n)
		for i, x := range ints {
			out[i] = float64(x)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case to.ID() == arrow.FLOAT32:
		buf, out := newValues[float32](mem, n)
		for i, x := range ints {
			out[i] = float32(x)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case to.ID() == arrow.DECIMAL128:
		dt := to.(*arrow.Decimal128Type)
		buf, out := newValues[decimal128.Num](mem, n)
		for i, x := range ints {
			out[i] = decimal128.Num{}
			if !bitSet(valid, i) {
				continue
			}
			m, neg := absNum(decimal128.FromI64(x))
			m, ov := m.scaleUp(dt.Scale)
			if ov || !m.fits(dt.Precision) {
				buf.Release()
				return nil, castError(a, i, to, "out of range")
			}
			out[i] = m.toNum(neg)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case to.ID() == arrow.BOOL:
		buf, out := newBitmap(mem, n)
		for i, x := range ints {
			out[i>>3] |= b2u(x != 0) << (i & 7)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	}
	return nil, errs.NotImplementedf("cast from %s to %s", planner.TypeString(a.DataType()), planner.TypeString(to))
}

// emitInts narrows int64 values to the integer type to, range-checking valid rows; a is the
// source, for validity and error messages.
func emitInts(mem memory.Allocator, a arrow.Array, ints []int64, to arrow.DataType) (arrow.Array, error) {
	switch to.ID() {
	case arrow.INT8:
		return narrowInts[int8](mem, a, ints, to)
	case arrow.INT16:
		return narrowInts[int16](mem, a, ints, to)
	case arrow.INT32:
		return narrowInts[int32](mem, a, ints, to)
	case arrow.INT64:
		return narrowInts[int64](mem, a, ints, to)
	case arrow.UINT8:
		return narrowInts[uint8](mem, a, ints, to)
	case arrow.UINT16:
		return narrowInts[uint16](mem, a, ints, to)
	case arrow.UINT32:
		return narrowInts[uint32](mem, a, ints, to)
	case arrow.UINT64:
		return narrowInts[uint64](mem, a, ints, to)
	}
	return nil, errs.Internalf("cast: %s is not an integer type", planner.TypeString(to))
}

func narrowInts[D integer](mem memory.Allocator, a arrow.Array, ints []int64, to arrow.DataType) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	buf, out := newValues[D](mem, n)
	var bad byte
	for i, x := range ints {
		d := D(x)
		out[i] = d
		bad |= b2u(int64(d) != x || (x < 0) != (d < 0))
	}
	if bad != 0 {
		for i, x := range ints {
			d := D(x)
			if (int64(d) != x || (x < 0) != (d < 0)) && bitSet(valid, i) {
				buf.Release()
				return nil, castError(a, i, to, "out of range")
			}
		}
	}
	return finish(to, n, newValidOut(mem, n, valid), buf), nil
}

// castFloats converts float values (of bit size bs, read from a) to type to.
func castFloats(mem memory.Allocator, a arrow.Array, fs []float64, bs int, to arrow.DataType) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	switch {
	case planner.IsInteger(to):
		ints := make([]int64, n)
		for i, f := range fs {
			r := math.Round(f) // half away from zero
			if r >= -(1<<63) && r < 1<<63 {
				ints[i] = int64(r)
			} else if bitSet(valid, i) {
				return nil, castError(a, i, to, "out of range")
			}
		}
		return emitInts(mem, a, ints, to)
	case to.ID() == arrow.FLOAT64:
		buf, out := newValues[float64](mem, n)
		copy(out, fs)
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case to.ID() == arrow.FLOAT32:
		buf, out := newValues[float32](mem, n)
		for i, f := range fs {
			out[i] = float32(f)
			if math.IsInf(float64(out[i]), 0) && !math.IsInf(f, 0) && bitSet(valid, i) {
				buf.Release()
				return nil, castError(a, i, to, "out of range")
			}
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case to.ID() == arrow.DECIMAL128:
		dt := to.(*arrow.Decimal128Type)
		buf, out := newValues[decimal128.Num](mem, n)
		var tmp []byte
		for i, f := range fs {
			out[i] = decimal128.Num{}
			if !bitSet(valid, i) {
				continue
			}
			if !isFinite(f) {
				buf.Release()
				return nil, castError(a, i, to, "")
			}
			tmp = strconv.AppendFloat(tmp[:0], f, 'e', -1, bs)
			v, st := parseDecimal(string(tmp), dt.Precision, dt.Scale)
			if st != parseOK {
				buf.Release()
				return nil, castError(a, i, to, "out of range")
			}
			out[i] = v
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case to.ID() == arrow.BOOL:
		buf, out := newBitmap(mem, n)
		for i, f := range fs {
			out[i>>3] |= b2u(f != 0) << (i & 7)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	}
	return nil, errs.NotImplementedf("cast from %s to %s", planner.TypeString(a.DataType()), planner.TypeString(to))
}

// castDecimals converts DECIMAL values of scale sc (read from a) to type to.
func castDecimals(mem memory.Allocator, a arrow.Array, ds []decimal128.Num, sc int32, to arrow.DataType) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	switch {
	case planner.IsInteger(to):
		ints := make([]int64, n)
		for i, d := range ds {
			if !bitSet(valid, i) {
				continue
			}
			m, neg := absNum(d)
			m = m.scaleDown(sc)
			// The magnitude limit is 2^63-1, or 2^63 for a negative value (BIGINT's minimum).
			if m.hi != 0 || m.lo > math.MaxInt64 && !(neg && m.lo == 1<<63) {
				return nil, castError(a, i, to, "out of range")
			}
			ints[i] = int64(m.lo) // 2^63 wraps to the minimum, which negation keeps
			if neg {
				ints[i] = -ints[i]
			}
		}
		return emitInts(mem, a, ints, to)
	case to.ID() == arrow.FLOAT64 || to.ID() == arrow.FLOAT32:
		// Each value is rounded once, to the target's own precision: going through a
		// DOUBLE on the way to a FLOAT would round twice and can miss by one unit.
		bs := bitSize(to)
		fs := make([]float64, n)
		var tmp []byte
		for i, d := range ds {
			m, neg := absNum(d)
			switch {
			case bs == 64 && m.hi == 0 && m.lo < 1<<53 && sc <= 22:
				// both operands exact in float64, so one division rounds correctly
				fs[i] = float64(m.lo) / math.Pow10(int(sc))
			case bs == 32 && m.hi == 0 && m.lo < 1<<24 && sc <= 10:
				// the same in float32: 10^10 = 2^10·5^10 and 5^10 < 2^24 are exact
				fs[i] = float64(float32(m.lo) / float32(math.Pow10(int(sc))))
			default:
				tmp = appendDecimal(tmp[:0], d, sc)
				fs[i], _ = strconv.ParseFloat(string(tmp), bs)
				continue // the text carries the sign
			}
			if neg {
				fs[i] = -fs[i]
			}
		}
		return castFloats(mem, a, fs, bs, to)
	case to.ID() == arrow.DECIMAL128:
		dt := to.(*arrow.Decimal128Type)
		buf, out := newValues[decimal128.Num](mem, n)
		for i, d := range ds {
			out[i] = decimal128.Num{}
			if !bitSet(valid, i) {
				continue
			}
			m, neg := absNum(d)
			m, ov := rescaleMag(m, sc, dt.Scale)
			if ov || !m.fits(dt.Precision) {
				buf.Release()
				return nil, castError(a, i, to, "out of range")
			}
			out[i] = m.toNum(neg)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case to.ID() == arrow.BOOL:
		buf, out := newBitmap(mem, n)
		for i, d := range ds {
			out[i>>3] |= b2u(d.HighBits() != 0 || d.LowBits() != 0) << (i & 7)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	}
	return nil, errs.NotImplementedf("cast from %s to %s", planner.TypeString(a.DataType()), planner.TypeString(to))
}

// unitsPerSecond returns the ticks per second of a timestamp unit.
func unitsPerSecond(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return 1
	case arrow.Millisecond:
		return 1_000
	case arrow.Nanosecond:
		return 1_000_000_000
	}
	return 1_000_000
}

// timestampMicros reads a TIMESTAMP array as microseconds (aliasing a microsecond array's
// buffer; finer units are floored).
func timestampMicros(a arrow.Array) ([]int64, error) {
	ts := values[int64](a)
	ups := unitsPerSecond(a.DataType().(*arrow.TimestampType).Unit)
	if ups == microsPerSecond {
		return ts, nil
	}
	valid := validBits(a)
	out := make([]int64, len(ts))
	for i, t := range ts {
		if ups > microsPerSecond {
			out[i] = floorDiv(t, ups/microsPerSecond)
			continue
		}
		f := microsPerSecond / ups
		if (t > math.MaxInt64/f || t < math.MinInt64/f) && bitSet(valid, i) {
			return nil, castError(a, i, planner.Timestamp, "out of range")
		}
		out[i] = t * f
	}
	return out, nil
}

// emitTimestamps writes microsecond values as a TIMESTAMP of type tt (converting the unit;
// a coarser unit floors); a is the source, for validity and error messages.
func emitTimestamps(mem memory.Allocator, a arrow.Array, micros []int64, tt *arrow.TimestampType) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	buf, out := newValues[int64](mem, n)
	ups := unitsPerSecond(tt.Unit)
	for i, m := range micros {
		switch {
		case ups == microsPerSecond:
			out[i] = m
		case ups < microsPerSecond:
			out[i] = floorDiv(m, microsPerSecond/ups)
		default:
			f := ups / microsPerSecond
			if (m > math.MaxInt64/f || m < math.MinInt64/f) && bitSet(valid, i) {
				buf.Release()
				return nil, castError(a, i, tt, "out of range")
			}
			out[i] = m * f
		}
	}
	return finish(tt, n, newValidOut(mem, n, valid), buf), nil
}

// ---- to VARCHAR ----

func castToString(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(n)
	var tmp []byte
	emit := func(i int, s []byte) {
		if bitSet(valid, i) {
			b.BinaryBuilder.Append(s)
		} else {
			b.AppendNull()
		}
	}
	switch t := a.DataType().(type) {
	case *arrow.BooleanType:
		bits := boolBits(a)
		for i := 0; i < n; i++ {
			if bits[i>>3]>>(i&7)&1 != 0 {
				emit(i, []byte("true"))
			} else {
				emit(i, []byte("false"))
			}
		}
	case *arrow.Float32Type:
		for i, f := range values[float32](a) {
			tmp = appendFloat(tmp[:0], float64(f), 32)
			emit(i, tmp)
		}
	case *arrow.Float64Type:
		for i, f := range values[float64](a) {
			tmp = appendFloat(tmp[:0], f, 64)
			emit(i, tmp)
		}
	case *arrow.Decimal128Type:
		for i, d := range values[decimal128.Num](a) {
			tmp = appendDecimal(tmp[:0], d, t.Scale)
			emit(i, tmp)
		}
	case *arrow.Date32Type:
		for i, d := range values[int32](a) {
			tmp = appendDate(tmp[:0], int64(d))
			emit(i, tmp)
		}
	case *arrow.TimestampType:
		micros, err := timestampMicros(a)
		if err != nil {
			return nil, err
		}
		for i, m := range micros {
			tmp = appendTimestamp(tmp[:0], m)
			emit(i, tmp)
		}
	default:
		if !planner.IsInteger(t) {
			return nil, errs.NotImplementedf("cast from %s to VARCHAR", planner.TypeString(t))
		}
		if t.ID() == arrow.UINT64 {
			for i, x := range values[uint64](a) {
				tmp = strconv.AppendUint(tmp[:0], x, 10)
				emit(i, tmp)
			}
			break
		}
		ints, err := intsOf(a)
		if err != nil {
			return nil, err
		}
		for i, x := range ints {
			tmp = strconv.AppendInt(tmp[:0], x, 10)
			emit(i, tmp)
		}
	}
	return b.NewArray(), nil
}

// ---- from VARCHAR ----

func castFromString(mem memory.Allocator, a *array.String, to arrow.DataType) (arrow.Array, error) {
	n := a.Len()
	valid := validBits(a)
	bad := func(i int) error { return castError(a, i, to, "") }
	switch t := to.(type) {
	case *arrow.BooleanType:
		buf, out := newBitmap(mem, n)
		for i := 0; i < n; i++ {
			if !bitSet(valid, i) {
				continue
			}
			v, ok := parseBool(strings.TrimSpace(a.Value(i)))
			if !ok {
				buf.Release()
				return nil, bad(i)
			}
			out[i>>3] |= b2u(v) << (i & 7)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case *arrow.Float32Type, *arrow.Float64Type:
		fs := make([]float64, n)
		bs := bitSize(to)
		for i := range fs {
			if !bitSet(valid, i) {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(a.Value(i)), bs)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return nil, castError(a, i, to, "out of range")
				}
				return nil, bad(i)
			}
			fs[i] = f
		}
		return castFloats(mem, a, fs, 64, to)
	case *arrow.Decimal128Type:
		buf, out := newValues[decimal128.Num](mem, n)
		for i := range out {
			out[i] = decimal128.Num{}
			if !bitSet(valid, i) {
				continue
			}
			v, st := parseDecimal(strings.TrimSpace(a.Value(i)), t.Precision, t.Scale)
			switch st {
			case parseBad:
				buf.Release()
				return nil, bad(i)
			case parseOverflow:
				buf.Release()
				return nil, castError(a, i, to, "out of range")
			}
			out[i] = v
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case *arrow.Date32Type:
		buf, out := newValues[int32](mem, n)
		for i := range out {
			out[i] = 0
			if !bitSet(valid, i) {
				continue
			}
			d, ok := parseDate(strings.TrimSpace(a.Value(i)))
			if !ok {
				buf.Release()
				return nil, bad(i)
			}
			out[i] = int32(d)
		}
		return finish(to, n, newValidOut(mem, n, valid), buf), nil
	case *arrow.TimestampType:
		micros := make([]int64, n)
		for i := range micros {
			if !bitSet(valid, i) {
				continue
			}
			ts, ok := parseTimestamp(strings.TrimSpace(a.Value(i)))
			if !ok {
				return nil, bad(i)
			}
			micros[i] = ts
		}
		return emitTimestamps(mem, a, micros, t)
	}
	if planner.IsInteger(to) {
		ints := make([]int64, n)
		bs := 8 * to.(arrow.FixedWidthDataType).Bytes()
		unsigned := to.ID() == arrow.UINT8 || to.ID() == arrow.UINT16 || to.ID() == arrow.UINT32 || to.ID() == arrow.UINT64
		for i := range ints {
			if !bitSet(valid, i) {
				continue
			}
			s := strings.TrimSpace(a.Value(i))
			var err error
			if unsigned {
				var u uint64
				u, err = strconv.ParseUint(s, 10, bs)
				if err == nil && u > math.MaxInt64 {
					return nil, errs.NotImplementedf("BIGINT UNSIGNED value %d above 9223372036854775807", u)
				}
				ints[i] = int64(u)
			} else {
				ints[i], err = strconv.ParseInt(s, 10, bs)
			}
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return nil, castError(a, i, to, "out of range")
				}
				return nil, bad(i)
			}
		}
		return emitInts(mem, a, ints, to)
	}
	return nil, errs.NotImplementedf("cast from VARCHAR to %s", planner.TypeString(to))
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "t", "yes", "y", "1":
		return true, true
	case "false", "f", "no", "n", "0":
		return false, true
	}
	return false, false
}
