package udf

import (
	"cmp"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// percentile_cont(x, p), percentile_disc(x, p) and median(x): exact percentiles. The
// accumulator keeps every non-NULL value with its group (sizeof(x)+4 bytes a row) and sorts
// each group at the end: O(n log n) time, O(n) memory. The partial state is the values of
// each group (LIST<x's type>, sorted) and p (DOUBLE; NULL where the partition saw no row).
//
// percentile_cont interpolates linearly between the two values around position p·(n-1) of
// the sorted group (DuckDB's quantile_cont, Spark's percentile, PostgreSQL's
// percentile_cont); percentile_disc returns the first value whose cumulative share of the
// group, (i+1)/n, reaches p (the SQL standard's, DuckDB's and PostgreSQL's).

type percentileFunc struct {
	name   string
	disc   bool
	median bool // median(x): percentile_cont(x, 0.5)
}

func (f percentileFunc) Name() string { return f.name }

func (percentileFunc) Volatility() Volatility { return Immutable }

func (f percentileFunc) Doc() string {
	switch {
	case f.median:
		return "median(x) is percentile_cont(x, 0.5): the middle non-NULL value of x, or the mean of " +
			"the two middle ones, as DOUBLE. NULL for a group without non-NULL values."
	case f.disc:
		return "percentile_disc(x, p) is the first non-NULL value of x, in ascending order, at or past " +
			"the fraction p (a constant in [0, 1]) of the group: the smallest v with cume_dist(v) >= p. " +
			"x is a number, DECIMAL, DATE, TIME or TIMESTAMP, and the result has its type. NULL for a " +
			"group without non-NULL values. Written as a function call: the parser does not accept " +
			"WITHIN GROUP (ORDER BY x)."
	}
	return "percentile_cont(x, p) is the value at the fraction p (a constant in [0, 1]) of the " +
		"non-NULL values of the number x, interpolating linearly between the two nearest values " +
		"(position p*(n-1) of the sorted group), as DOUBLE. NULL for a group without non-NULL values. " +
		"Written as a function call: the parser does not accept WITHIN GROUP (ORDER BY x)."
}

func (f percentileFunc) nargs() int {
	if f.median {
		return 1
	}
	return 2
}

func (f percentileFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if len(args) != f.nargs() {
		if f.median {
			return nil, errs.Planf("median takes exactly 1 argument, got %d", len(args))
		}
		return nil, errs.Planf("%s takes exactly 2 arguments (x, p), got %d", f.name, len(args))
	}
	x := args[0]
	if len(args) == 2 && !isNumericID(args[1].ID()) {
		return nil, errs.Planf("%s: the percentile must be a number between 0 and 1, got %s", f.name, TypeName(args[1]))
	}
	switch {
	case x.ID() == arrow.NULL:
		if f.disc {
			return x, nil
		}
		return float64Type, nil
	case isNumericID(x.ID()):
		if f.disc {
			return x, nil
		}
		return float64Type, nil
	case f.disc:
		switch x.ID() {
		case arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
			return x, nil
		}
	}
	return nil, rejectType(f.name, x)
}

// StateTypes: the values of each group (LIST of x's type, sorted, never NULL) and p
// (DOUBLE).
func (f percentileFunc) StateTypes(args []arrow.DataType) ([]arrow.DataType, error) {
	if _, err := f.ReturnType(args); err != nil {
		return nil, err
	}
	return []arrow.DataType{arrow.ListOf(args[0]), float64Type}, nil
}

func (f percentileFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	out, err := f.ReturnType(args)
	if err != nil {
		return nil, err
	}
	b := pctBase{mem: mem, f: f, dt: args[0], out: out}
	if f.median {
		b.p, b.hasP = 0.5, true
	}
	switch args[0].ID() {
	case arrow.NULL:
		return &nullPctAcc{b}, nil
	case arrow.INT8:
		return newPctAcc[int8](b, cmp.Compare[int8]), nil
	case arrow.INT16:
		return newPctAcc[int16](b, cmp.Compare[int16]), nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return newPctAcc[int32](b, cmp.Compare[int32]), nil
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return newPctAcc[int64](b, cmp.Compare[int64]), nil
	case arrow.UINT8:
		return newPctAcc[uint8](b, cmp.Compare[uint8]), nil
	case arrow.UINT16:
		return newPctAcc[uint16](b, cmp.Compare[uint16]), nil
	case arrow.UINT32:
		return newPctAcc[uint32](b, cmp.Compare[uint32]), nil
	case arrow.UINT64:
		return newPctAcc[uint64](b, cmp.Compare[uint64]), nil
	case arrow.FLOAT32:
		return newPctAcc[float32](b, floatCompare[float32]), nil
	case arrow.FLOAT64:
		return newPctAcc[float64](b, floatCompare[float64]), nil
	case arrow.DECIMAL128:
		scale := args[0].(*arrow.Decimal128Type).Scale
		a := newPctAcc[decimal128.Num](b, func(x, y decimal128.Num) int { return x.Cmp(y) })
		a.toFloat = func(v decimal128.Num) float64 { return v.ToFloat64(scale) }
		return a, nil
	}
	return nil, errs.Internalf("%s: unexpected input type %s", f.name, args[0])
}

// floatCompare orders NaN above every number (as min and max do); -0 equals 0.
func floatCompare[T float32 | float64](x, y T) int {
	switch {
	case floatLess(x, y):
		return -1
	case floatLess(y, x):
		return 1
	}
	return 0
}

// pctBase is what the percentile accumulators share: the function, the types and p, which
// must be the same non-NULL number in [0, 1] on every row.
type pctBase struct {
	mem  memory.Allocator
	f    percentileFunc
	dt   arrow.DataType // x's type
	out  arrow.DataType
	p    float64
	hasP bool
	ps   []float64 // per-batch scratch
}

// takeP checks the p column of an Update batch (argument 1).
func (b *pctBase) takeP(c arrow.Array) error {
	if c.NullN() > 0 {
		return errs.Execf("%s: the percentile must not be NULL", b.f.name)
	}
	ps, err := asFloats(b.f.name, c, b.ps)
	if err != nil {
		return err
	}
	b.ps = ps
	for _, p := range ps {
		if err := b.setP(p); err != nil {
			return err
		}
	}
	return nil
}

func (b *pctBase) setP(p float64) error {
	switch {
	case !(p >= 0 && p <= 1):
		return errs.Execf("%s: the percentile must be between 0 and 1, got %v", b.f.name, p)
	case !b.hasP:
		b.p, b.hasP = p, true
	case p != b.p:
		return errs.Execf("%s: the percentile must be the same constant on every row, got %v and %v", b.f.name, b.p, p)
	}
	return nil
}

// takeStateP reads p from a merged state column (NULL: that partition saw no row).
func (b *pctBase) takeStateP(c arrow.Array) error {
	if c.DataType().ID() != arrow.FLOAT64 {
		return errs.Internalf("%s: state p has type %s", b.f.name, c.DataType())
	}
	if c.Len() == 0 || c.NullN() == c.Len() {
		return nil
	}
	ps := rawValues[float64](c)
	valid, off := validityOf(c)
	for i, p := range ps {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			if err := b.setP(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *pctBase) checkUpdate(args []arrow.Array, groups []uint32) error {
	if err := checkArgs(b.f.name, args, b.f.nargs()); err != nil {
		return err
	}
	for _, c := range args {
		if c.Len() != len(groups) {
			return errs.Internalf("%s: argument has %d rows, groups %d", b.f.name, c.Len(), len(groups))
		}
	}
	if len(args) == 2 {
		return b.takeP(args[1])
	}
	return nil
}

// pCol is the state's p column.
func (b *pctBase) pCol(n int) arrow.Array {
	ps := make([]float64, n)
	for i := range ps {
		ps[i] = b.p
	}
	return fixedArray(b.mem, float64Type, ps, func(int) bool { return b.hasP })
}

// pctAcc collects values of physical type T with their groups.
type pctAcc[T any] struct {
	pctBase
	cmp     func(x, y T) int
	toFloat func(T) float64 // for percentile_cont; nil: a plain numeric conversion
	vals    []T
	groups  []uint32
}

func newPctAcc[T any](b pctBase, cmp func(x, y T) int) *pctAcc[T] {
	return &pctAcc[T]{pctBase: b, cmp: cmp}
}

func (a *pctAcc[T]) Update(args []arrow.Array, groups []uint32, _ int) error {
	if err := a.checkUpdate(args, groups); err != nil {
		return err
	}
	c := args[0]
	if len(groups) == 0 || c.NullN() == c.Len() {
		return nil
	}
	a.collect(c, 0, c.Len(), func(i int) uint32 { return groups[i] })
	return nil
}

// collect appends the non-NULL values of c[from:to], of group group(i) for row i.
func (a *pctAcc[T]) collect(c arrow.Array, from, to int, group func(i int) uint32) {
	vals := rawValues[T](c)
	valid, off := validityOf(c)
	for i := from; i < to; i++ {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			a.vals = append(a.vals, vals[i])
			a.groups = append(a.groups, group(i))
		}
	}
}

func (a *pctAcc[T]) Merge(states []arrow.Array, groups []uint32, _ int) error {
	if err := checkArgs(a.f.name, states, 2); err != nil {
		return err
	}
	offs, child, err := listRows(a.f.name, states[0], a.dt)
	if err != nil {
		return err
	}
	if states[0].Len() != len(groups) || states[1].Len() != len(groups) {
		return errs.Internalf("%s: state has %d rows, groups %d", a.f.name, states[0].Len(), len(groups))
	}
	if err := a.takeStateP(states[1]); err != nil {
		return err
	}
	for i, g := range groups {
		if !states[0].IsNull(i) {
			a.collect(child, int(offs[i]), int(offs[i+1]), func(int) uint32 { return g })
		}
	}
	return nil
}

// sortedRuns returns every group's values sorted, group after group: group g's are
// sorted[start[g]:start[g+1]].
func (a *pctAcc[T]) sortedRuns(numGroups int) ([]int, []T, error) {
	for _, g := range a.groups {
		if int(g) >= numGroups {
			return nil, nil, errs.Internalf("%s: value of group %d, only %d groups", a.f.name, g, numGroups)
		}
	}
	start, perm, err := groupRuns(a.groups, numGroups)
	if err != nil {
		return nil, nil, err
	}
	sorted := make([]T, len(perm))
	for k, i := range perm {
		sorted[k] = a.vals[i]
	}
	for g := range numGroups {
		slices.SortFunc(sorted[start[g]:start[g+1]], a.cmp)
	}
	return start, sorted, nil
}

func (a *pctAcc[T]) State(numGroups int) ([]arrow.Array, error) {
	start, sorted, err := a.sortedRuns(numGroups)
	if err != nil {
		return nil, err
	}
	child := fixedArray(a.mem, a.dt, sorted, func(int) bool { return true })
	return []arrow.Array{listArray(a.mem, child, start), a.pCol(numGroups)}, nil
}

func (a *pctAcc[T]) Final(numGroups int) (arrow.Array, error) {
	start, sorted, err := a.sortedRuns(numGroups)
	if err != nil {
		return nil, err
	}
	seen := func(g int) bool { return start[g+1] > start[g] }
	if a.f.disc {
		picked := make([]T, numGroups)
		for g := range picked {
			if n := start[g+1] - start[g]; n > 0 {
				k := max(int(math.Ceil(a.p*float64(n)))-1, 0)
				picked[g] = sorted[start[g]+k]
			}
		}
		return fixedArray(a.mem, a.out, picked, seen), nil
	}
	out := make([]float64, numGroups)
	for g := range out {
		n := start[g+1] - start[g]
		if n == 0 {
			continue
		}
		pos := a.p * float64(n-1)
		lo := int(math.Floor(pos))
		hi := min(lo+1, n-1)
		x, y := a.float(sorted[start[g]+lo]), a.float(sorted[start[g]+hi])
		out[g] = x
		if frac := pos - float64(lo); frac > 0 && x != y {
			out[g] = x + frac*(y-x)
		}
	}
	return fixedArray(a.mem, float64Type, out, seen), nil
}

// float converts one value for interpolation.
func (a *pctAcc[T]) float(v T) float64 {
	if a.toFloat != nil {
		return a.toFloat(v)
	}
	switch x := any(v).(type) {
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN() // unreachable: ReturnType admits only numbers for percentile_cont
}

func (a *pctAcc[T]) Release() { a.vals, a.groups, a.ps = nil, nil, nil }

// nullPctAcc is a percentile of a bare NULL: every result is NULL.
type nullPctAcc struct{ pctBase }

func (a *nullPctAcc) Update(args []arrow.Array, groups []uint32, _ int) error {
	return a.checkUpdate(args, groups)
}

func (a *nullPctAcc) Merge(states []arrow.Array, groups []uint32, _ int) error {
	return checkArgs(a.f.name, states, 2)
}

func (a *nullPctAcc) State(numGroups int) ([]arrow.Array, error) {
	child := array.NewNull(0)
	return []arrow.Array{listArray(a.mem, child, make([]int, numGroups+1)), a.pCol(numGroups)}, nil
}

func (a *nullPctAcc) Final(numGroups int) (arrow.Array, error) {
	if a.out.ID() == arrow.NULL {
		return array.NewNull(numGroups), nil
	}
	vb, nulls := validityBuffer(a.mem, numGroups, func(int) bool { return false })
	return makeArray(a.out, numGroups, nulls, vb, newBuffer(a.mem, 8*numGroups)), nil
}

func (a *nullPctAcc) Release() { a.ps = nil }
