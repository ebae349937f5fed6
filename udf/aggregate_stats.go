package udf

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// The statistical, bitwise and collecting aggregates beyond count/sum/avg/min/max:
//
//	stddev_pop (std, stddev), stddev_samp, var_pop (variance), var_samp   DOUBLE (this file)
//	bit_and, bit_or, bit_xor                  BIGINT UNSIGNED (this file)
//	any_value                                 the input type (this file)
//	group_concat                              VARCHAR (aggregate_concat.go)
//	approx_count_distinct                     BIGINT (aggregate_hll.go)
//	percentile_cont, median, percentile_disc  DOUBLE; disc the input type (aggregate_percentile.go)
//
// The names std, stddev and variance follow MySQL: they are the population forms (in DuckDB
// and Spark stddev and variance are the sample forms).

// registerStatAggregates registers the statistical and bitwise aggregates (stddev, variance, group_concat, bit_and, ...).
func registerStatAggregates(r *Registry) {
	for _, f := range []varianceFunc{
		{name: "stddev_pop", sqrt: true}, {name: "std", sqrt: true}, {name: "stddev", sqrt: true},
		{name: "stddev_samp", sqrt: true, sample: true},
		{name: "var_pop"}, {name: "variance"},
		{name: "var_samp", sample: true},
	} {
		r.RegisterAggregate(f)
	}
	r.RegisterAggregate(bitFunc{name: "bit_and", op: bitAnd})
	r.RegisterAggregate(bitFunc{name: "bit_or", op: bitOr})
	r.RegisterAggregate(bitFunc{name: "bit_xor", op: bitXor})
	r.RegisterAggregate(anyValueFunc{minMaxFunc{name: "any_value"}})
	r.RegisterAggregate(groupConcatFunc{})
	r.RegisterAggregate(approxCountDistinctFunc{})
	r.RegisterAggregate(percentileFunc{name: "percentile_cont"})
	r.RegisterAggregate(percentileFunc{name: "percentile_disc", disc: true})
	r.RegisterAggregate(percentileFunc{name: "median", median: true})
}

// ---------------------------------------------------------------------------------------
// Variance and standard deviation.

type varianceFunc struct {
	name   string
	sqrt   bool // standard deviation rather than variance
	sample bool // divide by n-1 (NULL for one row) rather than n
}

func (f varianceFunc) Name() string { return f.name }

func (varianceFunc) Volatility() Volatility { return Immutable }

func (f varianceFunc) Doc() string {
	what := "population variance"
	switch {
	case f.sqrt && f.sample:
		what = "sample standard deviation"
	case f.sqrt:
		what = "population standard deviation"
	case f.sample:
		what = "sample variance"
	}
	nulls := "NULL for a group without non-NULL values"
	if f.sample {
		nulls = "NULL for a group with fewer than two non-NULL values"
	}
	return f.name + "(x) is the " + what + " of the non-NULL values of x (integers, DECIMAL, FLOAT, " +
		"DOUBLE), as DOUBLE; " + nulls + ". Computed with Welford's method per group and Chan's " +
		"formula across partitions, so it stays accurate when the mean is large."
}

func (f varianceFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	t, err := oneArg(f.name, args)
	if err != nil {
		return nil, err
	}
	if !isNumericID(t.ID()) && t.ID() != arrow.NULL {
		return nil, rejectType(f.name, t)
	}
	return float64Type, nil
}

// StateTypes: the non-NULL count (BIGINT), their mean and the sum of squared deviations
// from it (DOUBLE); none is NULL.
func (f varianceFunc) StateTypes(args []arrow.DataType) ([]arrow.DataType, error) {
	if _, err := f.ReturnType(args); err != nil {
		return nil, err
	}
	return []arrow.DataType{int64Type, float64Type, float64Type}, nil
}

func (f varianceFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	if _, err := f.ReturnType(args); err != nil {
		return nil, err
	}
	return &varianceAcc{mem: mem, f: f}, nil
}

// varianceAcc keeps Welford's running count, mean and M2 (the sum of squared deviations
// from the mean) per group: 24 bytes.
type varianceAcc struct {
	mem     memory.Allocator
	f       varianceFunc
	counts  []int64
	means   []float64
	m2s     []float64
	scratch []float64
}

func (a *varianceAcc) grow(n int) {
	a.counts = extend(a.counts, n, 0)
	a.means = extend(a.means, n, 0)
	a.m2s = extend(a.m2s, n, 0)
}

func (a *varianceAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs(a.f.name, args, 1); err != nil {
		return err
	}
	a.grow(numGroups)
	c := args[0]
	if skip, err := skipBatch(a.f.name, c, groups); err != nil || skip {
		return err
	}
	xs, err := asFloats(a.f.name, c, a.scratch)
	if err != nil {
		return err
	}
	a.scratch = xs
	valid, off := validityOf(c)
	counts, means, m2s := a.counts, a.means, a.m2s
	for i, g := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
			continue
		}
		x := xs[i]
		counts[g]++
		d := x - means[g]
		means[g] += d / float64(counts[g])
		m2s[g] += d * (x - means[g])
	}
	return nil
}

// asFloats returns the values of a numeric column as float64s (NULL slots hold anything),
// in scratch when it is large enough.
func asFloats(name string, c arrow.Array, scratch []float64) ([]float64, error) {
	n := c.Len()
	if cap(scratch) < n {
		scratch = make([]float64, n)
	}
	xs := scratch[:n]
	switch c.DataType().ID() {
	case arrow.INT8:
		convertFloats(xs, rawValues[int8](c))
	case arrow.INT16:
		convertFloats(xs, rawValues[int16](c))
	case arrow.INT32:
		convertFloats(xs, rawValues[int32](c))
	case arrow.INT64:
		convertFloats(xs, rawValues[int64](c))
	case arrow.UINT8:
		convertFloats(xs, rawValues[uint8](c))
	case arrow.UINT16:
		convertFloats(xs, rawValues[uint16](c))
	case arrow.UINT32:
		convertFloats(xs, rawValues[uint32](c))
	case arrow.UINT64:
		convertFloats(xs, rawValues[uint64](c))
	case arrow.FLOAT32:
		convertFloats(xs, rawValues[float32](c))
	case arrow.FLOAT64:
		copy(xs, rawValues[float64](c))
	case arrow.DECIMAL128:
		scale := c.DataType().(*arrow.Decimal128Type).Scale
		for i, v := range rawValues[decimal128.Num](c)[:n] {
			xs[i] = v.ToFloat64(scale)
		}
	default:
		return nil, errs.Internalf("%s: unexpected input type %s", name, c.DataType())
	}
	return xs, nil
}

func convertFloats[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](dst []float64, src []T) {
	for i, v := range src[:len(dst)] {
		dst[i] = float64(v)
	}
}

// Merge combines partial (count, mean, M2) triples with Chan et al.'s pairwise formula:
// n = na+nb, δ = mean_b-mean_a, mean = mean_a + δ·nb/n, M2 = M2a + M2b + δ²·na·nb/n.
func (a *varianceAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs(a.f.name, states, 3); err != nil {
		return err
	}
	a.grow(numGroups)
	for j, want := range []arrow.Type{arrow.INT64, arrow.FLOAT64, arrow.FLOAT64} {
		if states[j].DataType().ID() != want || states[j].Len() != len(groups) || states[j].NullN() != 0 {
			return errs.Internalf("%s: malformed state column %d (%s, %d rows, %d NULLs)", a.f.name, j,
				states[j].DataType(), states[j].Len(), states[j].NullN())
		}
	}
	if len(groups) == 0 {
		return nil
	}
	ns, ms, m2 := rawValues[int64](states[0]), rawValues[float64](states[1]), rawValues[float64](states[2])
	for i, g := range groups {
		nb := ns[i]
		if nb == 0 {
			continue
		}
		na := a.counts[g]
		if na == 0 {
			a.counts[g], a.means[g], a.m2s[g] = nb, ms[i], m2[i]
			continue
		}
		n := na + nb
		d := ms[i] - a.means[g]
		fa, fb, fn := float64(na), float64(nb), float64(n)
		a.means[g] += d * fb / fn
		a.m2s[g] += m2[i] + d*d*fa*fb/fn
		a.counts[g] = n
	}
	return nil
}

func (a *varianceAcc) State(numGroups int) ([]arrow.Array, error) {
	a.grow(numGroups)
	all := func(int) bool { return true }
	return []arrow.Array{
		fixedArray(a.mem, int64Type, a.counts[:numGroups], all),
		fixedArray(a.mem, float64Type, a.means[:numGroups], all),
		fixedArray(a.mem, float64Type, a.m2s[:numGroups], all),
	}, nil
}

func (a *varianceAcc) Final(numGroups int) (arrow.Array, error) {
	a.grow(numGroups)
	minN := int64(1)
	if a.f.sample {
		minN = 2
	}
	out := make([]float64, numGroups)
	for g := range out {
		n := a.counts[g]
		if n < minN {
			continue
		}
		div := float64(n)
		if a.f.sample {
			div--
		}
		v := max(a.m2s[g], 0) / div
		if a.f.sqrt {
			v = math.Sqrt(v)
		}
		out[g] = v
	}
	counts := a.counts
	return fixedArray(a.mem, float64Type, out, func(g int) bool { return counts[g] >= minN }), nil
}

func (a *varianceAcc) Release() { a.counts, a.means, a.m2s, a.scratch = nil, nil, nil, nil }

// ---------------------------------------------------------------------------------------
// bit_and, bit_or, bit_xor

type bitOp uint8

const (
	bitAnd bitOp = iota
	bitOr
	bitXor
)

type bitFunc struct {
	name string
	op   bitOp
}

func (f bitFunc) Name() string { return f.name }

func (bitFunc) Volatility() Volatility { return Immutable }

func (f bitFunc) Doc() string {
	ident := "0"
	if f.op == bitAnd {
		ident = "18446744073709551615 (all bits set)"
	}
	return f.name + "(x) combines the non-NULL values of an integer or BOOLEAN x bitwise, as MySQL " +
		"does: the result is BIGINT UNSIGNED, negative values count as their 64-bit two's " +
		"complement, and a group without non-NULL values gives " + ident + ", never NULL."
}

func (f bitFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	t, err := oneArg(f.name, args)
	if err != nil {
		return nil, err
	}
	if !isIntegerID(t.ID()) && t.ID() != arrow.BOOL && t.ID() != arrow.NULL {
		return nil, rejectType(f.name, t)
	}
	return arrow.PrimitiveTypes.Uint64, nil
}

// StateTypes is the running value (BIGINT UNSIGNED, never NULL).
func (f bitFunc) StateTypes(args []arrow.DataType) ([]arrow.DataType, error) {
	t, err := f.ReturnType(args)
	if err != nil {
		return nil, err
	}
	return []arrow.DataType{t}, nil
}

func (f bitFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	if _, err := f.ReturnType(args); err != nil {
		return nil, err
	}
	return &bitAcc{mem: mem, f: f}, nil
}

// bitAcc keeps one uint64 per group, starting at the operation's identity.
type bitAcc struct {
	mem  memory.Allocator
	f    bitFunc
	vals []uint64
}

func (a *bitAcc) identity() uint64 {
	if a.f.op == bitAnd {
		return math.MaxUint64
	}
	return 0
}

func (a *bitAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs(a.f.name, args, 1); err != nil {
		return err
	}
	a.vals = extend(a.vals, numGroups, a.identity())
	c := args[0]
	if skip, err := skipBatch(a.f.name, c, groups); err != nil || skip {
		return err
	}
	valid, off := validityOf(c)
	switch c.DataType().ID() {
	case arrow.INT8:
		foldBits(a.f.op, rawValues[int8](c), valid, off, groups, a.vals)
	case arrow.INT16:
		foldBits(a.f.op, rawValues[int16](c), valid, off, groups, a.vals)
	case arrow.INT32:
		foldBits(a.f.op, rawValues[int32](c), valid, off, groups, a.vals)
	case arrow.INT64:
		foldBits(a.f.op, rawValues[int64](c), valid, off, groups, a.vals)
	case arrow.UINT8:
		foldBits(a.f.op, rawValues[uint8](c), valid, off, groups, a.vals)
	case arrow.UINT16:
		foldBits(a.f.op, rawValues[uint16](c), valid, off, groups, a.vals)
	case arrow.UINT32:
		foldBits(a.f.op, rawValues[uint32](c), valid, off, groups, a.vals)
	case arrow.UINT64:
		foldBits(a.f.op, rawValues[uint64](c), valid, off, groups, a.vals)
	case arrow.BOOL:
		bm, boff := c.Data().Buffers()[1].Bytes(), c.Data().Offset()
		ones := make([]uint8, len(groups))
		for i := range ones {
			if bitutil.BitIsSet(bm, boff+i) {
				ones[i] = 1
			}
		}
		foldBits(a.f.op, ones, valid, off, groups, a.vals)
	default:
		return errs.Internalf("%s: unexpected input type %s", a.f.name, c.DataType())
	}
	return nil
}

// foldBits folds vals (sign-extended to 64 bits) into acc[groups[i]].
func foldBits[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](op bitOp, vals []T, valid []byte, off int, groups []uint32, acc []uint64) {
	vals = vals[:len(groups)]
	for i, g := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
			continue
		}
		v := uint64(vals[i])
		switch op {
		case bitAnd:
			acc[g] &= v
		case bitOr:
			acc[g] |= v
		default:
			acc[g] ^= v
		}
	}
}

// Merge folds partial results: the state is a BIGINT UNSIGNED argument.
func (a *bitAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *bitAcc) State(numGroups int) ([]arrow.Array, error) {
	f, err := a.Final(numGroups)
	if err != nil {
		return nil, err
	}
	return []arrow.Array{f}, nil
}

func (a *bitAcc) Final(numGroups int) (arrow.Array, error) {
	a.vals = extend(a.vals, numGroups, a.identity())
	return fixedArray(a.mem, arrow.PrimitiveTypes.Uint64, a.vals[:numGroups], func(int) bool { return true }), nil
}

func (a *bitAcc) Release() { a.vals = nil }

// ---------------------------------------------------------------------------------------
// any_value

// anyValueFunc is any_value(x): min's accumulator under another name and contract.
type anyValueFunc struct{ minMaxFunc }

func (anyValueFunc) Doc() string {
	return "any_value(x) returns one of the non-NULL values of x in the group (NULL when there is " +
		"none), of x's type; which one is unspecified. Use it to select a column that is not " +
		"grouped but is the same throughout each group (MySQL's ONLY_FULL_GROUP_BY escape)."
}
