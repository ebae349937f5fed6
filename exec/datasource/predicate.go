package datasource

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/embersql/ember/sql/planner"
)

// This file holds the pruning hints a scan hands its source: small predicates over one
// column each (combined with AND and OR), judged against what a source knows about a split
// or a page without reading it: the bounds of a column's non-NULL values and whether it
// has NULLs. A predicate only ever rules data out when the statistics prove that no row
// can satisfy it; anything the evaluator cannot judge (an unknown bound, a type it cannot
// convert) counts as "may match". The scan's filter above still applies every condition
// exactly, so a hint may be weaker than the filter but never stronger.

// PredOp is the operator of a Predicate.
type PredOp uint8

// The predicate operators. The comparisons follow SQL: a NULL value satisfies none of
// them, and values compare in Ember's order (strings bytewise, floats with NaN equal to
// itself and above every other value, -0 equal to 0).
const (
	PredEq        PredOp = iota // column = Values[0]
	PredNe                      // column <> Values[0]
	PredLt                      // column < Values[0]
	PredLe                      // column <= Values[0]
	PredGt                      // column > Values[0]
	PredGe                      // column >= Values[0]
	PredIn                      // column = one of Values
	PredIsNull                  // column IS NULL
	PredIsNotNull               // column IS NOT NULL
	PredPrefix                  // column (a string) starts with Values[0] (LIKE 'abc%')
	PredAnd                     // every one of Args
	PredOr                      // at least one of Args
)

var predOpText = [...]string{"=", "<>", "<", "<=", ">", ">=", "IN", "IS NULL", "IS NOT NULL", "LIKE", "AND", "OR"}

// Predicate is a pruning hint: a condition on a source's columns that statistics may
// refute. Leaves (every op but PredAnd and PredOr) read one column; PredAnd and PredOr
// combine Args.
//
// The values of a leaf compare in Type: the column's own type, or a type the column
// converts to without breaking order (see MonotoneCast), as when the binder compared
// CAST(int_column AS BIGINT) with a BIGINT literal. Values hold planner.Literal values of
// Type (int64, float64, decimal128.Num at Type's scale, string, arrow.Date32,
// arrow.Timestamp, bool); a nil value (NULL) matches nothing.
type Predicate struct {
	Op     PredOp
	Column int    // ordinal in the source's ArrowSchema (leaves)
	Name   string // the column's name, for String
	Type   arrow.DataType
	Values []any
	Args   []Predicate // PredAnd, PredOr
}

// String renders the predicate in SQL-like text, e.g. "l_shipdate < DATE '1994-01-01'".
func (p Predicate) String() string {
	switch p.Op {
	case PredAnd, PredOr:
		parts := make([]string, len(p.Args))
		for i, a := range p.Args {
			parts[i] = a.String()
		}
		return "(" + strings.Join(parts, " "+predOpText[p.Op]+" ") + ")"
	case PredIsNull, PredIsNotNull:
		return p.Name + " " + predOpText[p.Op]
	case PredIn:
		parts := make([]string, len(p.Values))
		for i, v := range p.Values {
			parts[i] = planner.FormatValue(v, p.Type, true)
		}
		return p.Name + " IN (" + strings.Join(parts, ", ") + ")"
	case PredPrefix:
		s, _ := p.Values[0].(string)
		return p.Name + " LIKE " + planner.FormatValue(escapeLike(s)+"%", planner.String, true)
	}
	if int(p.Op) >= len(predOpText) || len(p.Values) == 0 {
		return "?"
	}
	return p.Name + " " + predOpText[p.Op] + " " + planner.FormatValue(p.Values[0], p.Type, true)
}

// escapeLike escapes LIKE's wildcards and its default escape character in s.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// nullKnowledge is what statistics say about a column's NULLs.
type nullKnowledge uint8

const (
	nullsUnknown nullKnowledge = iota
	noNulls
	someNulls // at least one NULL and at least one value
	allNulls
)

// colStats is what a source knows about one column over a split or a page.
type colStats struct {
	// min and max bound the non-NULL values (inclusive), as planner.Literal values of the
	// column's type; nil when unknown. A bound need not occur in the data.
	min, max any
	// nan: the column is a float column whose NaN values (if any) are outside the bounds
	// (Parquet statistics leave NaN out).
	nan   bool
	nulls nullKnowledge
	// nullCount is the chunk's NULL count from the footer; -1 when unknown (pages: unset).
	nullCount int64
}

// statsLookup returns the statistics and the type of the column at a source ordinal;
// ok is false when nothing is known about it.
type statsLookup func(column int) (st colStats, t arrow.DataType, ok bool)

// mayMatch reports whether a row described by stats may satisfy p: false only when the
// statistics prove that none can.
func (p *Predicate) mayMatch(stats statsLookup) bool {
	switch p.Op {
	case PredAnd:
		for i := range p.Args {
			if !p.Args[i].mayMatch(stats) {
				return false
			}
		}
		return true
	case PredOr:
		for i := range p.Args {
			if p.Args[i].mayMatch(stats) {
				return true
			}
		}
		return len(p.Args) == 0
	}
	st, colType, ok := stats(p.Column)
	if !ok {
		return true
	}
	switch p.Op {
	case PredIsNull:
		return st.nulls != noNulls
	case PredIsNotNull:
		return st.nulls != allNulls
	}
	if st.nulls == allNulls {
		return false // no comparison is true of NULL
	}
	if st.min == nil || st.max == nil || p.Type == nil {
		return true
	}
	lo, ok1 := convertBound(st.min, colType, p.Type, false)
	hi, ok2 := convertBound(st.max, colType, p.Type, true)
	if !ok1 || !ok2 {
		return true
	}
	if c, ok := planner.CompareValues(lo, hi); !ok || c > 0 {
		return true // inconsistent bounds: judge nothing
	}
	if p.rangeMayMatch(lo, hi) {
		return true
	}
	// NaN lies outside float bounds: it is its own one-value range.
	return st.nan && isFloatType(p.Type) && p.rangeMayMatch(math.NaN(), math.NaN())
}

// rangeMayMatch reports whether some value v with lo <= v <= hi (in compareValues'
// order) may satisfy the leaf p.
func (p *Predicate) rangeMayMatch(lo, hi any) bool {
	if p.Op == PredIn {
		for _, v := range p.Values {
			if v == nil {
				continue // x = NULL is never true
			}
			cl, ok1 := planner.CompareValues(v, lo)
			ch, ok2 := planner.CompareValues(v, hi)
			if !ok1 || !ok2 || cl >= 0 && ch <= 0 {
				return true
			}
		}
		return false
	}
	if len(p.Values) == 0 {
		return true
	}
	v := p.Values[0]
	if v == nil {
		return false // a comparison with NULL is never true
	}
	if p.Op == PredPrefix {
		return prefixMayMatch(v, lo, hi)
	}
	cl, ok1 := planner.CompareValues(lo, v) // lo vs v
	ch, ok2 := planner.CompareValues(hi, v) // hi vs v
	if !ok1 || !ok2 {
		return true
	}
	switch p.Op {
	case PredEq:
		return cl <= 0 && ch >= 0
	case PredNe:
		return !(cl == 0 && ch == 0) // only a range holding v alone is ruled out
	case PredLt:
		return cl < 0
	case PredLe:
		return cl <= 0
	case PredGt:
		return ch > 0
	case PredGe:
		return ch >= 0
	}
	return true
}

// prefixMayMatch reports whether a string in [lo, hi] may start with prefix v: the
// strings with the prefix are those s with v <= s < succ(v), where succ(v) is v with its
// last byte below 0xFF incremented and what follows it dropped (none when v is all 0xFF).
func prefixMayMatch(v, lo, hi any) bool {
	pre, ok1 := v.(string)
	l, ok2 := lo.(string)
	h, ok3 := hi.(string)
	if !ok1 || !ok2 || !ok3 {
		return true
	}
	if h < pre {
		return false
	}
	succ, ok := prefixSuccessor(pre)
	return !ok || l < succ
}

// prefixSuccessor returns the least string greater than every string starting with p;
// ok is false when there is none (p empty or all 0xFF bytes).
func prefixSuccessor(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func isFloatType(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64
}

// MonotoneCast reports whether the values of a column of type from, cast to type to,
// keep their order (x <= y implies cast(x) <= cast(y)), so that bounds of the column cast
// to "to" bound its values cast to "to". True for equal types and for widenings: an
// integer to a wider integer, to FLOAT, DOUBLE or a DECIMAL of scale <= 18; a DECIMAL to a
// DECIMAL of no smaller scale or to DOUBLE; FLOAT to DOUBLE; DATE to TIMESTAMP.
func MonotoneCast(from, to arrow.DataType) bool {
	_, ok := castFunc(from, to)
	return ok
}

// convertBound casts the bound v of a column of type from to type to, when MonotoneCast
// allows it (ok false otherwise, or where the engine's cast would fail). upper says which
// bound it is: a conversion that may round (to a float) moves the bound one unit outwards,
// so that it still bounds the engine's own rounding.
func convertBound(v any, from, to arrow.DataType, upper bool) (any, bool) {
	f, ok := castFunc(from, to)
	if !ok {
		return nil, false
	}
	return f(v, upper)
}

// outward moves a float bound one unit in the last place away from the values it bounds.
func outward(f float64, upper bool) float64 {
	if upper {
		return math.Nextafter(f, math.Inf(1))
	}
	return math.Nextafter(f, math.Inf(-1))
}

func castFunc(from, to arrow.DataType) (func(v any, upper bool) (any, bool), bool) {
	if from == nil || to == nil {
		return nil, false
	}
	if arrow.TypeEqual(from, to) {
		return func(v any, _ bool) (any, bool) { return v, true }, true
	}
	switch {
	case isIntType(from) && isIntType(to):
		if intWidth(from) > intWidth(to) {
			return nil, false
		}
		return func(v any, _ bool) (any, bool) { _, ok := v.(int64); return v, ok }, true
	case isIntType(from) && to.ID() == arrow.FLOAT64:
		return func(v any, upper bool) (any, bool) {
			x, ok := v.(int64)
			return outward(float64(x), upper), ok
		}, true
	case isIntType(from) && to.ID() == arrow.FLOAT32:
		return func(v any, upper bool) (any, bool) {
			x, ok := v.(int64)
			return outward(float64(float32(x)), upper), ok
		}, true
	case isIntType(from) && to.ID() == arrow.DECIMAL128:
		s := to.(*arrow.Decimal128Type).Scale
		if s < 0 || s > 18 {
			return nil, false
		}
		return func(v any, _ bool) (any, bool) {
			x, ok := v.(int64)
			return decimal128.FromI64(x).Mul(decimal128.GetScaleMultiplier(int(s))), ok
		}, true
	case from.ID() == arrow.DECIMAL128 && to.ID() == arrow.DECIMAL128:
		fs, ts := from.(*arrow.Decimal128Type).Scale, to.(*arrow.Decimal128Type).Scale
		if ts < fs || ts-fs > 38 {
			return nil, false
		}
		return func(v any, _ bool) (any, bool) {
			x, ok := v.(decimal128.Num)
			if !ok {
				return nil, false
			}
			y := x.IncreaseScaleBy(ts - fs)
			return y, y.FitsInPrecision(38)
		}, true
	case from.ID() == arrow.DECIMAL128 && to.ID() == arrow.FLOAT64:
		s := from.(*arrow.Decimal128Type).Scale
		return func(v any, upper bool) (any, bool) {
			x, ok := v.(decimal128.Num)
			if !ok {
				return nil, false
			}
			return outward(x.ToFloat64(s), upper), true
		}, true
	case from.ID() == arrow.FLOAT32 && to.ID() == arrow.FLOAT64:
		return func(v any, _ bool) (any, bool) { _, ok := v.(float64); return v, ok }, true
	case from.ID() == arrow.DATE32 && to.ID() == arrow.TIMESTAMP:
		return func(v any, _ bool) (any, bool) {
			d, ok := v.(arrow.Date32)
			if !ok || int64(d) > math.MaxInt64/microsPerDay || int64(d) < math.MinInt64/microsPerDay {
				return nil, false
			}
			return arrow.Timestamp(int64(d) * microsPerDay), true
		}, true
	}
	return nil, false
}

func isIntType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}

func intWidth(t arrow.DataType) int {
	return t.(arrow.FixedWidthDataType).BitWidth()
}
