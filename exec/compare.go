package exec

import (
	"bytes"
	"cmp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
)

// rowComparator returns a function comparing rows i and j of one column under a sort key's
// direction and NULL placement: negative when row i sorts first. The type switch happens once
// per column, not per row; the returned closure reads typed value slices directly.
func rowComparator(a arrow.Array, desc, nullsFirst bool) (func(i, j int) int, error) {
	var cmpv func(i, j int) int
	switch x := a.(type) {
	case *array.Int8:
		cmpv = orderedCmp(x.Int8Values())
	case *array.Int16:
		cmpv = orderedCmp(x.Int16Values())
	case *array.Int32:
		cmpv = orderedCmp(x.Int32Values())
	case *array.Int64:
		cmpv = orderedCmp(x.Int64Values())
	case *array.Uint8:
		cmpv = orderedCmp(x.Uint8Values())
	case *array.Uint16:
		cmpv = orderedCmp(x.Uint16Values())
	case *array.Uint32:
		cmpv = orderedCmp(x.Uint32Values())
	case *array.Uint64:
		cmpv = orderedCmp(x.Uint64Values())
	case *array.Float32:
		cmpv = orderedCmp(x.Float32Values())
	case *array.Float64:
		cmpv = orderedCmp(x.Float64Values())
	case *array.Date32:
		cmpv = orderedCmp(x.Date32Values())
	case *array.Timestamp:
		cmpv = orderedCmp(x.TimestampValues())
	case *array.Decimal128:
		vals := x.Values()
		cmpv = func(i, j int) int { return vals[i].Cmp(vals[j]) }
	case *array.String:
		cmpv = func(i, j int) int { return cmp.Compare(x.Value(i), x.Value(j)) }
	case *array.Binary:
		cmpv = func(i, j int) int { return bytes.Compare(x.Value(i), x.Value(j)) }
	case *array.Boolean:
		cmpv = func(i, j int) int {
			bi, bj := x.Value(i), x.Value(j)
			switch {
			case bi == bj:
				return 0
			case !bi:
				return -1
			}
			return 1
		}
	case *array.Null:
		cmpv = func(i, j int) int { return 0 }
	default:
		return nil, errs.NotImplementedf("ordering by %s", a.DataType())
	}
	if desc {
		inner := cmpv
		cmpv = func(i, j int) int { return -inner(i, j) }
	}
	if a.NullN() == 0 {
		return cmpv, nil
	}
	nullCmp := 1 // NULL after values
	if nullsFirst {
		nullCmp = -1
	}
	return func(i, j int) int {
		ni, nj := a.IsNull(i), a.IsNull(j)
		switch {
		case ni && nj:
			return 0
		case ni:
			return nullCmp
		case nj:
			return -nullCmp
		}
		return cmpv(i, j)
	}, nil
}

func orderedCmp[T cmp.Ordered](v []T) func(i, j int) int {
	return func(i, j int) int { return cmp.Compare(v[i], v[j]) }
}
