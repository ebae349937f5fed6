package ml

import (
	"context"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Model selection (tuning.go), after Spark ML's tuning package: TrainTestSplit, a
// parameter grid (ParamGrid, built by NewParamGrid), ApplyParams (a parameter map set on a
// copy of an estimator), and CrossValidator (k-fold cross-validation over a grid, keeping
// the best parameters' model refitted on all the data).

// TrainTestSplit splits df's rows at random into a training and a test DataFrame, a row
// going to test with probability testFraction, by df.RandomSplit(seed). The two are
// complementary only when df reads the same rows in the same order each time: cache df
// first (which also reads its source once). A testFraction outside (0, 1) gives two
// DataFrames carrying the error; a nil df gives nils.
func TrainTestSplit(df *dataframe.DataFrame, testFraction float64, seed int64) (train, test *dataframe.DataFrame) {
	if df == nil {
		return nil, nil
	}
	if !(testFraction > 0 && testFraction < 1) {
		err := errs.Planf("TrainTestSplit needs a test fraction between 0 and 1 (exclusive), not %g", testFraction)
		return df.WithError(err), df.WithError(err)
	}
	parts := df.RandomSplit([]float64{1 - testFraction, testFraction}, seed)
	if len(parts) != 2 { // an error, carried by parts[0]
		return parts[0], parts[0]
	}
	return parts[0], parts[1]
}

// ParamGrid is a list of parameter maps (Spark's Array[ParamMap]): each maps an
// estimator's exported field names to values, set by ApplyParams.
type ParamGrid []map[string]any

// ParamGridBuilder builds the cross product of parameter values (Spark's
// ParamGridBuilder).
type ParamGridBuilder struct {
	names  []string
	values [][]any
}

// NewParamGrid starts a grid.
func NewParamGrid() *ParamGridBuilder { return &ParamGridBuilder{} }

// Add gives the values a field takes; adding a name again replaces its values.
func (b *ParamGridBuilder) Add(name string, values ...any) *ParamGridBuilder {
	if i := slices.Index(b.names, name); i >= 0 {
		b.values[i] = values
		return b
	}
	b.names = append(b.names, name)
	b.values = append(b.values, values)
	return b
}

// Build returns the cross product, the first added name varying slowest:
// Add("RegParam", 0.01, 0.1).Add("MaxIter", 50, 100) gives {0.01 50}, {0.01 100},
// {0.1 50}, {0.1 100}. No names give one empty map; a name without values gives an empty
// (non-nil) grid, which CrossValidator refuses.
func (b *ParamGridBuilder) Build() ParamGrid {
	grid := ParamGrid{{}}
	for i, name := range b.names {
		next := make(ParamGrid, 0, len(grid)*len(b.values[i]))
		for _, m := range grid {
			for _, v := range b.values[i] {
				c := maps.Clone(m)
				c[name] = v
				next = append(next, c)
			}
		}
		grid = next
	}
	return grid
}

// ApplyParams returns a copy of est with the exported fields named in params set (Spark's
// Estimator.copy(paramMap)); est itself is unchanged. est is a struct or a pointer to one
// (the copy is then a new pointer); the copy is shallow: fields not in params share est's
// slices and maps. Names match exactly, else case-insensitively. Values convert when no
// precision is lost: any number to a float field, a whole number to an integer field
// (50.0 to MaxIter, not 0.5), a string to a field of a string type, nil to a pointer,
// slice, map or interface field; a value for a pointer field may be given as the pointed-to
// type. Errors name the field: an unknown one (with the nearest name), a wrong type, an
// overflow.
func ApplyParams(est Estimator, params map[string]any) (Estimator, error) {
	v := reflect.ValueOf(est)
	if !v.IsValid() {
		return nil, errs.Planf("ApplyParams needs an estimator")
	}
	isPtr := v.Kind() == reflect.Pointer
	sv := v
	if isPtr {
		if v.IsNil() {
			return nil, errs.Planf("ApplyParams: the estimator is a nil %T", est)
		}
		sv = v.Elem()
	}
	if sv.Kind() != reflect.Struct {
		return nil, errs.Planf("ApplyParams: the estimator %T is not a struct, so it has no fields to set", est)
	}
	cp := reflect.New(sv.Type()).Elem()
	cp.Set(sv)
	names := slices.Sorted(maps.Keys(params))
	for _, name := range names {
		f, field, err := settableField(cp, name, est)
		if err != nil {
			return nil, err
		}
		if err := setField(f, params[name]); err != nil {
			return nil, errs.Planf("%s.%s is %s: %v", typeName(est), field, f.Type(), err)
		}
	}
	var out any
	if isPtr {
		out = cp.Addr().Interface()
	} else {
		out = cp.Interface()
	}
	e, ok := out.(Estimator)
	if !ok { // est's methods are on the pointer, yet est was a struct value: impossible
		return nil, errs.Internalf("ApplyParams: the copy of %T is not an Estimator", est)
	}
	return e, nil
}

func typeName(v any) string { return strings.TrimPrefix(fmt.Sprintf("%T", v), "*") }

// settableField finds the exported field name of the struct value s (promoted fields of
// embedded structs included): exactly, else the only case-insensitive match.
func settableField(s reflect.Value, name string, est any) (reflect.Value, string, error) {
	var names []string
	var folded []reflect.StructField
	for _, sf := range reflect.VisibleFields(s.Type()) {
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		if sf.Name == name {
			return s.FieldByIndex(sf.Index), sf.Name, nil
		}
		names = append(names, sf.Name)
		if strings.EqualFold(sf.Name, name) {
			folded = append(folded, sf)
		}
	}
	if len(folded) == 1 {
		return s.FieldByIndex(folded[0].Index), folded[0].Name, nil
	}
	hint := ""
	if near := udf.Nearest(name, names); near != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", near)
	}
	return reflect.Value{}, "", errs.Planf("%s has no parameter %q%s; its fields are %s", typeName(est), name, hint, strings.Join(names, ", "))
}

// setField sets f to val with the conversions ApplyParams describes.
func setField(f reflect.Value, val any) error {
	t := f.Type()
	if val == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan:
			f.Set(reflect.Zero(t))
			return nil
		}
		return fmt.Errorf("cannot set it to nil")
	}
	rv := reflect.ValueOf(val)
	if rv.Type().AssignableTo(t) {
		f.Set(rv)
		return nil
	}
	bad := fmt.Errorf("cannot set it to %v (%T)", val, val)
	switch k := t.Kind(); {
	case isIntKind(k):
		n, ok := wholeNumber(rv)
		if !ok {
			return bad
		}
		if n < math.MinInt64 || n >= math.MaxInt64 || f.OverflowInt(int64(n)) {
			return fmt.Errorf("%v overflows it", val)
		}
		f.SetInt(int64(n))
	case isUintKind(k):
		n, ok := wholeNumber(rv)
		if !ok {
			return bad
		}
		if n < 0 || n >= math.MaxUint64 || f.OverflowUint(uint64(n)) {
			return fmt.Errorf("%v overflows it", val)
		}
		f.SetUint(uint64(n))
	case k == reflect.Float32 || k == reflect.Float64:
		x, ok := number(rv)
		if !ok {
			return bad
		}
		if f.OverflowFloat(x) {
			return fmt.Errorf("%v overflows it", val)
		}
		f.SetFloat(x)
	case k == reflect.String && rv.Kind() == reflect.String, k == reflect.Bool && rv.Kind() == reflect.Bool:
		f.Set(rv.Convert(t))
	case k == reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := setField(p.Elem(), val); err != nil {
			return err
		}
		f.Set(p)
	case rv.Kind() == k && rv.Type().ConvertibleTo(t): // e.g. []float64 to a named slice type
		f.Set(rv.Convert(t))
	default:
		return bad
	}
	return nil
}

func isIntKind(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Int64 }

func isUintKind(k reflect.Kind) bool { return k >= reflect.Uint && k <= reflect.Uintptr }

// number reads an integer or float value as a float64.
func number(v reflect.Value) (float64, bool) {
	switch k := v.Kind(); {
	case isIntKind(k):
		return float64(v.Int()), true
	case isUintKind(k):
		return float64(v.Uint()), true
	case k == reflect.Float32 || k == reflect.Float64:
		return v.Float(), true
	}
	return 0, false
}

// wholeNumber reads an integer, or a float with no fractional part, as a float64 (exact
// for integers up to 2⁵³, which is what parameters hold).
func wholeNumber(v reflect.Value) (float64, bool) {
	x, ok := number(v)
	if !ok || x != math.Trunc(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// CrossValidator selects an estimator's parameters by k-fold cross-validation (Spark ML's
// CrossValidator): the rows are dealt at random into NumFolds folds; for each parameter
// map of Grid, the estimator (with the map applied, ApplyParams) is fitted on all folds but
// one and scored by Evaluator on the one left out, once per fold; the map with the best
// mean score wins, and its estimator is fitted again on all the rows.
type CrossValidator struct {
	// Estimator is the estimator to tune (a struct or a pointer to one).
	Estimator Estimator
	// Grid are the parameter maps to try (NewParamGrid().Add(...).Build()); nil tries the
	// estimator as it is.
	Grid ParamGrid
	// Evaluator scores the fitted models on the held-out fold; its Classes default to the
	// fitted classifier's (Evaluator.WithModelClasses).
	Evaluator Evaluator
	// NumFolds is the number of folds k (default 3, at least 2).
	NumFolds int
	// Seed seeds the draw of the folds. With one partition the folds are the same each
	// run; with several, which row gets which draw depends on scheduling (rand(seed)).
	Seed int64
}

// CrossValidatorModel is the result of CrossValidator.Fit; it transforms with the best
// model.
type CrossValidatorModel struct {
	// Best is the estimator with the best parameters, fitted on all the rows.
	Best Transformer
	// BestParams is the winning parameter map.
	BestParams map[string]any
	// AvgMetrics are the mean held-out scores, one per parameter map in Grid's order.
	AvgMetrics []float64
}

// Transform applies the best model.
func (m *CrossValidatorModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	if m == nil || m.Best == nil {
		if df == nil {
			return nil
		}
		return df.WithError(errs.Planf("the cross-validator model has no fitted model"))
	}
	return m.Best.Transform(df)
}

// foldColumn is the column the folds' random draw is cached in (renamed when df has one).
const foldColumn = "ml_fold_"

// Fit cross-validates over df. The rows are cached once with one random draw each (so the
// source is read once and every fold sees the same draw: fold i holds the draws in
// [i/k, (i+1)/k), its training set the others, exactly complementary); the cache is
// dropped when Fit returns. It runs k·len(Grid) + 1 fits. Errors: a bad configuration
// (checked before any fit: the metric, every parameter map), a fit's or an evaluation's
// error naming the fold and parameters, ctx's error once ctx is done, every mean score NaN.
// A fold without rows fails the evaluation: use fewer folds than rows, many fewer.
func (cv CrossValidator) Fit(ctx context.Context, df *dataframe.DataFrame) (*CrossValidatorModel, error) {
	if cv.Estimator == nil {
		return nil, errs.Planf("CrossValidator needs an Estimator")
	}
	k := cv.NumFolds
	if k == 0 {
		k = 3
	}
	if k < 2 {
		return nil, errs.Planf("CrossValidator needs at least 2 folds, not %d", k)
	}
	grid := cv.Grid
	if grid == nil {
		grid = ParamGrid{{}}
	}
	if len(grid) == 0 {
		return nil, errs.Planf("CrossValidator's parameter grid is empty (a parameter added with no values?)")
	}
	if _, _, err := cv.Evaluator.metric(); err != nil {
		return nil, err
	}
	ests := make([]Estimator, len(grid))
	for i, params := range grid {
		e, err := ApplyParams(cv.Estimator, params)
		if err != nil {
			return nil, errs.Wrap(errs.ErrPlan, err, "parameter map %d %v", i, formatParams(params))
		}
		ests[i] = e
	}
	if df == nil {
		return nil, errs.Planf("CrossValidator.Fit needs a DataFrame")
	}
	data, folds, err := drawFolds(df, k, cv.Seed)
	if err != nil {
		return nil, err
	}
	defer data.Unpersist()
	sums := make([]float64, len(grid))
	for i := range k {
		train, test := folds[i][0], folds[i][1]
		for m, est := range ests {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			model, err := est.Fit(ctx, train)
			if err != nil {
				return nil, foldError(ctx, err, "fitting fold %d of %d with parameters %s", i+1, k, formatParams(grid[m]))
			}
			ev := cv.Evaluator.WithModelClasses(model)
			v, err := ev.Evaluate(ctx, model.Transform(test))
			if err != nil {
				return nil, foldError(ctx, err, "evaluating fold %d of %d with parameters %s", i+1, k, formatParams(grid[m]))
			}
			sums[m] += v
		}
	}
	larger := cv.Evaluator.LargerIsBetter()
	avg := make([]float64, len(grid))
	best := -1
	for m, s := range sums {
		avg[m] = s / float64(k)
		if math.IsNaN(avg[m]) {
			continue
		}
		if best < 0 || (larger && avg[m] > avg[best]) || (!larger && avg[m] < avg[best]) {
			best = m
		}
	}
	if best < 0 {
		return nil, errs.Planf("cross-validation: every parameter map's mean %s is NaN", cv.Evaluator.Metric)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	final, err := ests[best].Fit(ctx, folds[k][0])
	if err != nil {
		return nil, foldError(ctx, err, "fitting all the rows with the best parameters %s", formatParams(grid[best]))
	}
	return &CrossValidatorModel{Best: final, BestParams: maps.Clone(grid[best]), AvgMetrics: avg}, nil
}

// foldError wraps a fit's or an evaluation's error with where it happened (ctx's error
// as it is).
func foldError(ctx context.Context, err error, format string, args ...any) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errs.Wrap(errs.ErrExecution, err, format, args...)
}

// formatParams renders a parameter map with its names sorted.
func formatParams(p map[string]any) string {
	if len(p) == 0 {
		return "{}"
	}
	parts := make([]string, 0, len(p))
	for _, n := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, fmt.Sprintf("%s=%v", n, p[n]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// drawFolds caches df's rows with one rand(seed) draw each (the returned data, for the
// caller to Unpersist) and returns, for each fold i < k, its training and test
// DataFrames (the draws outside and inside [i/k, (i+1)/k)), and at index k the whole data,
// all with df's columns. Reading the draw from the cache makes the folds exact
// complements whatever the partitioning; drawing it in each query would not (rand(seed)'s
// sequence is shared by the partitions in scheduling order).
func drawFolds(df *dataframe.DataFrame, k int, seed int64) (data *dataframe.DataFrame, folds [][2]*dataframe.DataFrame, err error) {
	if err := df.Err(); err != nil {
		return nil, nil, err
	}
	cols, err := df.Columns()
	if err != nil {
		return nil, nil, err
	}
	fold := foldColumn
	for n := 1; slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, fold) }); n++ {
		fold = fmt.Sprintf("%s%d", foldColumn, n)
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = sqlIdent(c)
	}
	data = df.SelectExpr(append(slices.Clone(quoted), fmt.Sprintf("rand(%d) AS %s", seed, sqlIdent(fold)))...).Cache()
	if err := data.Err(); err != nil {
		return nil, nil, err
	}
	r := sqlIdent(fold)
	bound := func(i int) string { return fmt.Sprintf("%.17g", float64(i)/float64(k)) }
	folds = make([][2]*dataframe.DataFrame, k+1)
	for i := range k {
		in := fmt.Sprintf("%s >= %s AND %s < %s", r, bound(i), r, bound(i+1))
		if i == k-1 {
			in = fmt.Sprintf("%s >= %s", r, bound(i))
		}
		folds[i] = [2]*dataframe.DataFrame{
			data.Where("NOT (" + in + ")").SelectExpr(quoted...),
			data.Where(in).SelectExpr(quoted...),
		}
	}
	folds[k] = [2]*dataframe.DataFrame{data.SelectExpr(quoted...), nil}
	return data, folds, nil
}
