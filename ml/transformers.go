package ml

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Feature transformers, after Spark ML's (transformers.go): StandardScaler, MinMaxScaler,
// StringIndexer, OneHotEncoder, Imputer (estimators, each fitted to a *Model) and
// VectorAssembler (a plain Transformer).
//
// Fit computes the statistics in one query over the DataFrame (SQL aggregates: avg,
// stddev_samp, min, max, median, count, GROUP BY), so it reads the source once. Transform
// returns df.SelectExpr(...) of SQL expressions holding the fitted values as literals: it
// is lazy, and runs vectorized in the engine. Every output keeps the input's columns in
// order and adds the output columns after them; an output column may name an existing
// column only when that column is one of its own inputs, which it then replaces in place
// (any other clash is an error). Column names are matched case-insensitively.
//
// The numeric transformers read number columns (any integer, float, DECIMAL or BOOLEAN
// type, as DOUBLE) and write DOUBLE columns. Fitted values are literals that parse back to
// the exact float64 (strconv's shortest 'e' form), so a Transform computes exactly what the
// model's fields say: StandardScaler (x - Mean) * (1/Std), MinMaxScaler
// (x - OriginalMin) / range * (Max - Min) + Min, in Spark's order of operations.
//
// NaN in SQL: Ember compares NaN as Spark does (NaN = NaN is TRUE, NaN is greater than any
// other number), so "x <> x" never finds a NaN; the expressions test x = CAST('NaN' AS
// DOUBLE) instead.
//
// The estimators' fields have Go zero values, not Spark's defaults: the New* functions
// return an estimator with Spark's defaults (WithStd true, DropLast true, MissingValue NaN,
// Min 0 and Max 1); a literal gets the zero values, some of which are caught (a
// StandardScaler with WithMean and WithStd both false, a MinMaxScaler with Min = Max = 0
// means [0, 1]).

// maxOneHotCategories bounds OneHotEncoder's category count: the output is a dense
// VECTOR (float32 per category per row) built by one SQL term per category.
const maxOneHotCategories = 10000

// ---------------------------------------------------------------------------------------
// Shared helpers.

// frameSchema is a DataFrame's columns, for the transformers' checks.
type frameSchema struct {
	names []string
	types []arrow.DataType
}

func schemaOf(df *dataframe.DataFrame) (frameSchema, error) {
	if err := df.Err(); err != nil {
		return frameSchema{}, err
	}
	sc, err := df.Schema()
	if err != nil {
		return frameSchema{}, err
	}
	fs := frameSchema{names: make([]string, sc.NumFields()), types: make([]arrow.DataType, sc.NumFields())}
	for i, f := range sc.Fields() {
		fs.names[i], fs.types[i] = f.Name, f.Type
	}
	return fs, nil
}

// lookup returns the index of the column named name (case-insensitively), or -1.
func (fs frameSchema) lookup(name string) int {
	for i, n := range fs.names {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// column returns the index of an input column of stage, which must exist.
func (fs frameSchema) column(stage, name string) (int, error) {
	i := fs.lookup(name)
	if i < 0 {
		return -1, errs.Planf("%s: input column %q does not exist; the columns are %s", stage, name, strings.Join(fs.names, ", "))
	}
	return i, nil
}

// numeric checks that name is a number column and returns it as a DOUBLE expression.
func (fs frameSchema) numeric(stage, name string) (string, error) {
	i, err := fs.column(stage, name)
	if err != nil {
		return "", err
	}
	if !isNumeric(fs.types[i]) {
		return "", errs.Planf("%s: input column %q is %s, not a number", stage, fs.names[i], udf.TypeName(fs.types[i]))
	}
	return "CAST(" + sqlIdent(fs.names[i]) + " AS DOUBLE)", nil
}

// checkColumns checks an estimator's or model's column lists: at least one input, as many
// outputs as inputs, no empty names.
func checkColumns(stage string, ins, outs []string) error {
	if len(ins) == 0 {
		return errs.Planf("%s: InputCols is empty", stage)
	}
	if len(outs) != len(ins) {
		return errs.Planf("%s: %d OutputCols for %d InputCols", stage, len(outs), len(ins))
	}
	for i := range ins {
		if ins[i] == "" || outs[i] == "" {
			return errs.Planf("%s: column %d has an empty name", stage, i)
		}
	}
	return nil
}

// floatSQL renders f as a DOUBLE SQL expression that evaluates to exactly f: the shortest
// 'e' literal (a DOUBLE in Ember's SQL, where 0.5 would be a DECIMAL), a CAST for NaN and
// the infinities.
func floatSQL(f float64) string {
	switch {
	case math.IsNaN(f):
		return "CAST('NaN' AS DOUBLE)"
	case math.IsInf(f, 1):
		return "CAST('Infinity' AS DOUBLE)"
	case math.IsInf(f, -1):
		return "CAST('-Infinity' AS DOUBLE)"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	if f < 0 || (f == 0 && math.Signbit(f)) {
		return "(" + s + ")"
	}
	return s
}

// isNaNSQL is the SQL test of x (a DOUBLE expression) being NaN, under Spark's NaN
// semantics (NaN = NaN).
func isNaNSQL(x string) string { return x + " = CAST('NaN' AS DOUBLE)" }

// finite reports whether every value is a finite number.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if v-v != 0 {
			return false
		}
	}
	return true
}

// withOutputs returns df with output column outs[i] computed by exprs[i]: df's columns in
// order, an output that names one of its own inputs (ins[i]) replacing that column in
// place, the other outputs appended in order. An output naming another existing column,
// or an output name given twice, is a plan error naming the stage.
func withOutputs(df *dataframe.DataFrame, fs frameSchema, stage string, ins [][]string, outs, exprs []string) *dataframe.DataFrame {
	replace := make(map[int]int) // df column → output
	var appended []int
	for i, out := range outs {
		for j := range i {
			if strings.EqualFold(outs[j], out) {
				return df.WithError(errs.Planf("%s: output column %q is given twice", stage, out))
			}
		}
		c := fs.lookup(out)
		if c < 0 {
			appended = append(appended, i)
			continue
		}
		if !slices.ContainsFunc(ins[i], func(in string) bool { return strings.EqualFold(in, out) }) {
			return df.WithError(errs.Planf("%s: output column %q already exists (name another output, or the column's own input to replace it)", stage, fs.names[c]))
		}
		replace[c] = i
	}
	list := make([]string, 0, len(fs.names)+len(appended))
	for c, name := range fs.names {
		if i, ok := replace[c]; ok {
			list = append(list, exprs[i]+" AS "+sqlIdent(name))
		} else {
			list = append(list, sqlIdent(name))
		}
	}
	for _, i := range appended {
		list = append(list, exprs[i]+" AS "+sqlIdent(outs[i]))
	}
	return df.SelectExpr(list...)
}

// aggregateRow runs one global aggregate query of exprs over df and returns its row.
func aggregateRow(ctx context.Context, df *dataframe.DataFrame, exprs []string) (dataframe.Row, error) {
	rows, err := df.SelectExpr(exprs...).CollectRows(ctx)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, errs.Internalf("aggregate query returned %d rows", len(rows))
	}
	return rows[0], nil
}

// rowFloat reads a DOUBLE or integer cell; NULL is NaN.
func rowFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return math.NaN()
}

// rowInt reads an integer cell (a count); NULL is 0.
func rowInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// checkSeq numbers the check functions the transformers register in a session.
var checkSeq atomic.Int64

// registerCheck registers f in df's session under a fresh name ml_<what>_N and returns the
// name.
func registerCheck(df *dataframe.DataFrame, what string, f func(name string) udf.ScalarFunction) (string, error) {
	name := fmt.Sprintf("ml_%s_%d", what, checkSeq.Add(1))
	return name, df.Session().RegisterUDF(f(name))
}

// decodeStrict decodes data into v, refusing unknown fields and trailing data.
func decodeStrict(what string, data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "%s", what)
	}
	if dec.More() {
		return errs.Execf("%s: trailing data after the JSON object", what)
	}
	return nil
}

// loadErr turns a model's validation error into the error of loading it from JSON.
func loadErr(what string, err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return errs.Execf("%s: %s", what, e.Msg)
	}
	return errs.Wrap(errs.ErrExecution, err, "%s", what)
}

// jsonFloats converts decoded numbers.
func jsonFloats(vs []jsonFloat) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = float64(v)
	}
	return out
}

// specialFloat is a float64 in JSON that may be NaN or infinite, written then as the
// string "NaN", "Infinity" or "-Infinity".
type specialFloat float64

func (f specialFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return json.Marshal(v)
}

func (f *specialFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = specialFloat(math.NaN())
	case `"Infinity"`:
		*f = specialFloat(math.Inf(1))
	case `"-Infinity"`:
		*f = specialFloat(math.Inf(-1))
	default:
		var v jsonFloat
		if err := v.UnmarshalJSON(b); err != nil {
			return err
		}
		*f = specialFloat(v)
	}
	return nil
}

// choice normalizes an option's value to one of choices (matched case-insensitively);
// empty means def.
func choice(stage, field, v, def string, choices ...string) (string, error) {
	if v == "" {
		return def, nil
	}
	for _, c := range choices {
		if strings.EqualFold(v, c) {
			return c, nil
		}
	}
	return "", errs.Planf("%s: %s must be one of %s, got %q", stage, field, strings.Join(choices, ", "), v)
}

// ---------------------------------------------------------------------------------------
// StandardScaler

// StandardScaler standardizes number columns (Spark ML's StandardScaler, one column per
// feature): with WithMean it subtracts the column's mean, with WithStd it multiplies by
// 1/std, std being the sample standard deviation (n−1, as Spark; scikit-learn's
// StandardScaler uses n). A column whose std is 0 (constant, or a single row) maps to 0.
// Fit fails on NULL, NaN or infinite values (fill them with an Imputer first).
type StandardScaler struct {
	InputCols, OutputCols []string
	// WithMean centers the values (Spark's default false).
	WithMean bool
	// WithStd scales to unit standard deviation (Spark's default true; NewStandardScaler
	// sets it).
	WithStd bool
}

// NewStandardScaler returns a StandardScaler with Spark's defaults (WithStd, not
// WithMean).
func NewStandardScaler(inputCols, outputCols []string) *StandardScaler {
	return &StandardScaler{InputCols: inputCols, OutputCols: outputCols, WithStd: true}
}

// StandardScalerModel is a fitted StandardScaler: Mean and Std per input column.
type StandardScalerModel struct {
	InputCols, OutputCols []string
	WithMean, WithStd     bool
	Mean, Std             []float64
}

// Fit computes each column's mean and sample standard deviation in one query.
func (e StandardScaler) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	const stage = "StandardScaler"
	if err := checkColumns(stage, e.InputCols, e.OutputCols); err != nil {
		return nil, err
	}
	if !e.WithMean && !e.WithStd {
		return nil, errs.Planf("StandardScaler: WithMean and WithStd are both false, so it would change nothing (NewStandardScaler sets Spark's default WithStd = true)")
	}
	fs, err := schemaOf(df)
	if err != nil {
		return nil, err
	}
	exprs := []string{"count(*)"}
	for _, c := range e.InputCols {
		x, err := fs.numeric(stage, c)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, "count("+x+")", "avg("+x+")", "stddev_samp("+x+")")
	}
	row, err := aggregateRow(ctx, df, exprs)
	if err != nil {
		return nil, err
	}
	m := &StandardScalerModel{InputCols: slices.Clone(e.InputCols), OutputCols: slices.Clone(e.OutputCols),
		WithMean: e.WithMean, WithStd: e.WithStd}
	n := rowInt(row[0])
	if n == 0 {
		return nil, errs.Planf("StandardScaler: the data has no rows")
	}
	for i, c := range e.InputCols {
		cnt, mean, std := rowInt(row[1+3*i]), rowFloat(row[2+3*i]), rowFloat(row[3+3*i])
		if cnt < n {
			return nil, errs.Planf("StandardScaler: column %q has %d NULL values in %d rows (fill them with an Imputer first)", c, n-cnt, n)
		}
		if n == 1 {
			std = 0 // Spark's summarizer: the sample variance of one value is 0
		}
		if !finite(mean, std) {
			return nil, errs.Planf("StandardScaler: column %q has NaN or infinite values", c)
		}
		m.Mean = append(m.Mean, mean)
		m.Std = append(m.Std, std)
	}
	return m, nil
}

func (m *StandardScalerModel) validate() error {
	const stage = "StandardScalerModel"
	if err := checkColumns(stage, m.InputCols, m.OutputCols); err != nil {
		return err
	}
	if len(m.Mean) != len(m.InputCols) || len(m.Std) != len(m.InputCols) {
		return errs.Planf("%s: %d means and %d stds for %d columns", stage, len(m.Mean), len(m.Std), len(m.InputCols))
	}
	for i := range m.Mean {
		if !finite(m.Mean[i], m.Std[i]) || m.Std[i] < 0 {
			return errs.Planf("%s: column %q has mean %g and std %g; want finite numbers, std ≥ 0", stage, m.InputCols[i], m.Mean[i], m.Std[i])
		}
	}
	return nil
}

// scale returns the factor of column i: 1/std, 0 for a zero std (Spark), 1 without
// WithStd.
func (m *StandardScalerModel) scale(i int) float64 {
	switch {
	case !m.WithStd:
		return 1
	case m.Std[i] == 0:
		return 0
	}
	return 1 / m.Std[i]
}

// shift returns the value subtracted from column i: the mean with WithMean, else 0.
func (m *StandardScalerModel) shift(i int) float64 {
	if m.WithMean {
		return m.Mean[i]
	}
	return 0
}

// Transform adds the standardized columns (DOUBLE): (x - Mean) * (1/Std) with both
// options, x - Mean or x * (1/Std) with one (Spark's arithmetic); NULL stays NULL.
func (m *StandardScalerModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	if err := m.validate(); err != nil {
		return df.WithError(err)
	}
	fs, err := schemaOf(df)
	if err != nil {
		return df.WithError(err)
	}
	exprs := make([]string, len(m.InputCols))
	ins := make([][]string, len(m.InputCols))
	for i, c := range m.InputCols {
		x, err := fs.numeric("StandardScalerModel", c)
		if err != nil {
			return df.WithError(err)
		}
		switch {
		case m.WithMean && m.WithStd:
			x = "(" + x + " - " + floatSQL(m.Mean[i]) + ") * " + floatSQL(m.scale(i))
		case m.WithMean:
			x = x + " - " + floatSQL(m.Mean[i])
		case m.WithStd:
			x = x + " * " + floatSQL(m.scale(i))
		}
		exprs[i], ins[i] = x, []string{c}
	}
	return withOutputs(df, fs, "StandardScalerModel", ins, m.OutputCols, exprs)
}

type standardScalerDoc struct {
	InputCols  []string    `json:"input_cols"`
	OutputCols []string    `json:"output_cols"`
	WithMean   *bool       `json:"with_mean"`
	WithStd    *bool       `json:"with_std"`
	Mean       []jsonFloat `json:"mean"`
	Std        []jsonFloat `json:"std"`
}

// MarshalJSON writes {"input_cols", "output_cols", "with_mean", "with_std", "mean",
// "std"}.
func (m *StandardScalerModel) MarshalJSON() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		InputCols  []string  `json:"input_cols"`
		OutputCols []string  `json:"output_cols"`
		WithMean   bool      `json:"with_mean"`
		WithStd    bool      `json:"with_std"`
		Mean       []float64 `json:"mean"`
		Std        []float64 `json:"std"`
	}{m.InputCols, m.OutputCols, m.WithMean, m.WithStd, m.Mean, m.Std})
}

// UnmarshalJSON reads MarshalJSON's form strictly (every field, no others).
func (m *StandardScalerModel) UnmarshalJSON(data []byte) error {
	var d standardScalerDoc
	if err := decodeStrict("standard_scaler", data, &d); err != nil {
		return err
	}
	if d.WithMean == nil || d.WithStd == nil {
		return errs.Execf(`standard_scaler: missing "with_mean" or "with_std"`)
	}
	v := StandardScalerModel{InputCols: d.InputCols, OutputCols: d.OutputCols, WithMean: *d.WithMean,
		WithStd: *d.WithStd, Mean: jsonFloats(d.Mean), Std: jsonFloats(d.Std)}
	if err := v.validate(); err != nil {
		return loadErr("standard_scaler", err)
	}
	*m = v
	return nil
}

// ---------------------------------------------------------------------------------------
// MinMaxScaler

// MinMaxScaler rescales number columns to [Min, Max] (Spark ML's MinMaxScaler):
// (x - OriginalMin) / (OriginalMax - OriginalMin) * (Max - Min) + Min; a constant column
// maps to (Max + Min) / 2. Min = Max = 0 (a literal's zero values) means Spark's default
// [0, 1]; otherwise Min < Max. Fit fails on NULL, NaN or infinite values.
type MinMaxScaler struct {
	InputCols, OutputCols []string
	Min, Max              float64
}

// NewMinMaxScaler returns a MinMaxScaler to [0, 1].
func NewMinMaxScaler(inputCols, outputCols []string) *MinMaxScaler {
	return &MinMaxScaler{InputCols: inputCols, OutputCols: outputCols, Min: 0, Max: 1}
}

// MinMaxScalerModel is a fitted MinMaxScaler: each column's minimum and maximum.
type MinMaxScalerModel struct {
	InputCols, OutputCols    []string
	Min, Max                 float64
	OriginalMin, OriginalMax []float64
}

func minMaxRange(stage string, lo, hi float64) (float64, float64, error) {
	if lo == 0 && hi == 0 {
		return 0, 1, nil
	}
	if !finite(lo, hi) || lo >= hi {
		return 0, 0, errs.Planf("%s: Min (%g) must be less than Max (%g)", stage, lo, hi)
	}
	return lo, hi, nil
}

// Fit computes each column's minimum and maximum in one query.
func (e MinMaxScaler) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	const stage = "MinMaxScaler"
	if err := checkColumns(stage, e.InputCols, e.OutputCols); err != nil {
		return nil, err
	}
	lo, hi, err := minMaxRange(stage, e.Min, e.Max)
	if err != nil {
		return nil, err
	}
	fs, err := schemaOf(df)
	if err != nil {
		return nil, err
	}
	exprs := []string{"count(*)"}
	for _, c := range e.InputCols {
		x, err := fs.numeric(stage, c)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, "count("+x+")", "min("+x+")", "max("+x+")")
	}
	row, err := aggregateRow(ctx, df, exprs)
	if err != nil {
		return nil, err
	}
	n := rowInt(row[0])
	if n == 0 {
		return nil, errs.Planf("MinMaxScaler: the data has no rows")
	}
	m := &MinMaxScalerModel{InputCols: slices.Clone(e.InputCols), OutputCols: slices.Clone(e.OutputCols), Min: lo, Max: hi}
	for i, c := range e.InputCols {
		cnt, mn, mx := rowInt(row[1+3*i]), rowFloat(row[2+3*i]), rowFloat(row[3+3*i])
		if cnt < n {
			return nil, errs.Planf("MinMaxScaler: column %q has %d NULL values in %d rows (fill them with an Imputer first)", c, n-cnt, n)
		}
		if !finite(mn, mx) {
			return nil, errs.Planf("MinMaxScaler: column %q has NaN or infinite values", c)
		}
		m.OriginalMin = append(m.OriginalMin, mn)
		m.OriginalMax = append(m.OriginalMax, mx)
	}
	return m, nil
}

func (m *MinMaxScalerModel) validate() error {
	const stage = "MinMaxScalerModel"
	if err := checkColumns(stage, m.InputCols, m.OutputCols); err != nil {
		return err
	}
	if !finite(m.Min, m.Max) || m.Min >= m.Max {
		return errs.Planf("%s: Min (%g) must be less than Max (%g)", stage, m.Min, m.Max)
	}
	if len(m.OriginalMin) != len(m.InputCols) || len(m.OriginalMax) != len(m.InputCols) {
		return errs.Planf("%s: %d minima and %d maxima for %d columns", stage, len(m.OriginalMin), len(m.OriginalMax), len(m.InputCols))
	}
	for i := range m.OriginalMin {
		if !finite(m.OriginalMin[i], m.OriginalMax[i]) || m.OriginalMin[i] > m.OriginalMax[i] {
			return errs.Planf("%s: column %q has minimum %g and maximum %g", stage, m.InputCols[i], m.OriginalMin[i], m.OriginalMax[i])
		}
	}
	return nil
}

// Transform adds the rescaled columns (DOUBLE); NULL stays NULL.
func (m *MinMaxScalerModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	if err := m.validate(); err != nil {
		return df.WithError(err)
	}
	fs, err := schemaOf(df)
	if err != nil {
		return df.WithError(err)
	}
	exprs := make([]string, len(m.InputCols))
	ins := make([][]string, len(m.InputCols))
	scale := m.Max - m.Min
	for i, c := range m.InputCols {
		x, err := fs.numeric("MinMaxScalerModel", c)
		if err != nil {
			return df.WithError(err)
		}
		if rng := m.OriginalMax[i] - m.OriginalMin[i]; rng != 0 {
			exprs[i] = fmt.Sprintf("(%s - %s) / %s * %s + %s", x, floatSQL(m.OriginalMin[i]), floatSQL(rng), floatSQL(scale), floatSQL(m.Min))
		} else {
			exprs[i] = fmt.Sprintf("CASE WHEN %s IS NULL THEN CAST(NULL AS DOUBLE) ELSE %s END", x, floatSQL(0.5*scale+m.Min))
		}
		ins[i] = []string{c}
	}
	return withOutputs(df, fs, "MinMaxScalerModel", ins, m.OutputCols, exprs)
}

// MarshalJSON writes {"input_cols", "output_cols", "min", "max", "original_min",
// "original_max"}.
func (m *MinMaxScalerModel) MarshalJSON() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		InputCols   []string  `json:"input_cols"`
		OutputCols  []string  `json:"output_cols"`
		Min         float64   `json:"min"`
		Max         float64   `json:"max"`
		OriginalMin []float64 `json:"original_min"`
		OriginalMax []float64 `json:"original_max"`
	}{m.InputCols, m.OutputCols, m.Min, m.Max, m.OriginalMin, m.OriginalMax})
}

// UnmarshalJSON reads MarshalJSON's form strictly.
func (m *MinMaxScalerModel) UnmarshalJSON(data []byte) error {
	var d struct {
		InputCols   []string    `json:"input_cols"`
		OutputCols  []string    `json:"output_cols"`
		Min         *jsonFloat  `json:"min"`
		Max         *jsonFloat  `json:"max"`
		OriginalMin []jsonFloat `json:"original_min"`
		OriginalMax []jsonFloat `json:"original_max"`
	}
	if err := decodeStrict("min_max_scaler", data, &d); err != nil {
		return err
	}
	if d.Min == nil || d.Max == nil {
		return errs.Execf(`min_max_scaler: missing "min" or "max"`)
	}
	v := MinMaxScalerModel{InputCols: d.InputCols, OutputCols: d.OutputCols, Min: float64(*d.Min), Max: float64(*d.Max),
		OriginalMin: jsonFloats(d.OriginalMin), OriginalMax: jsonFloats(d.OriginalMax)}
	if err := v.validate(); err != nil {
		return loadErr("min_max_scaler", err)
	}
	*m = v
	return nil
}

// ---------------------------------------------------------------------------------------
// StringIndexer

// StringIndexer maps a column of labels to indexes 0 .. len(Labels)-1 (DOUBLE), as Spark
// ML's StringIndexer. A string column is indexed as is; a number or BOOLEAN column by its
// text (CAST(x AS VARCHAR), so the labels are Ember's spellings of the values). NULLs are
// left out when fitting.
type StringIndexer struct {
	InputCol, OutputCol string
	// StringOrderType orders the labels: "frequencyDesc" (the default: most frequent
	// first), "frequencyAsc", "alphabetDesc" or "alphabetAsc"; frequency ties are broken
	// alphabetically (byte order, ascending), as Spark does.
	StringOrderType string
	// HandleInvalid says what Transform does with a label not seen by Fit, or NULL:
	// "error" (the default: the query fails naming the value), "skip" (the row is
	// dropped) or "keep" (index len(Labels)).
	HandleInvalid string
}

// NewStringIndexer returns a StringIndexer with Spark's defaults (frequencyDesc, error).
func NewStringIndexer(inputCol, outputCol string) *StringIndexer {
	return &StringIndexer{InputCol: inputCol, OutputCol: outputCol, StringOrderType: "frequencyDesc", HandleInvalid: "error"}
}

// StringIndexerModel is a fitted StringIndexer: Labels[i] has index i.
type StringIndexerModel struct {
	InputCol, OutputCol string
	HandleInvalid       string
	Labels              []string
}

var handleInvalidChoices = []string{"error", "skip", "keep"}

// labelExpr returns the input column of a StringIndexer as a VARCHAR expression.
func labelExpr(fs frameSchema, stage, col string) (string, error) {
	i, err := fs.column(stage, col)
	if err != nil {
		return "", err
	}
	t := fs.types[i]
	switch {
	case t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING:
		return sqlIdent(fs.names[i]), nil
	case isNumeric(t):
		return "CAST(" + sqlIdent(fs.names[i]) + " AS VARCHAR)", nil
	}
	return "", errs.Planf("%s: input column %q is %s; want a string, number or boolean", stage, fs.names[i], udf.TypeName(t))
}

// Fit counts the distinct labels in one GROUP BY query and orders them.
func (e StringIndexer) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	const stage = "StringIndexer"
	if e.InputCol == "" || e.OutputCol == "" {
		return nil, errs.Planf("%s: InputCol and OutputCol must be set", stage)
	}
	order, err := choice(stage, "StringOrderType", e.StringOrderType, "frequencyDesc",
		"frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc")
	if err != nil {
		return nil, err
	}
	handle, err := choice(stage, "HandleInvalid", e.HandleInvalid, "error", handleInvalidChoices...)
	if err != nil {
		return nil, err
	}
	fs, err := schemaOf(df)
	if err != nil {
		return nil, err
	}
	x, err := labelExpr(fs, stage, e.InputCol)
	if err != nil {
		return nil, err
	}
	rows, err := df.SelectExpr(x + " AS ml_label").Filter("ml_label IS NOT NULL").GroupBy("ml_label").Count().CollectRows(ctx)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.Planf("%s: column %q has no values (no rows, or only NULLs)", stage, e.InputCol)
	}
	type labelCount struct {
		label string
		n     int64
	}
	counts := make([]labelCount, len(rows))
	for i, r := range rows {
		s, _ := r[0].(string)
		counts[i] = labelCount{s, rowInt(r[1])}
	}
	sort.Slice(counts, func(i, j int) bool {
		a, b := counts[i], counts[j]
		switch order {
		case "frequencyDesc":
			if a.n != b.n {
				return a.n > b.n
			}
		case "frequencyAsc":
			if a.n != b.n {
				return a.n < b.n
			}
		case "alphabetDesc":
			return a.label > b.label
		}
		return a.label < b.label
	})
	m := &StringIndexerModel{InputCol: e.InputCol, OutputCol: e.OutputCol, HandleInvalid: handle, Labels: make([]string, len(counts))}
	for i, c := range counts {
		m.Labels[i] = c.label
	}
	return m, nil
}

func (m *StringIndexerModel) validate() error {
	const stage = "StringIndexerModel"
	if m.InputCol == "" || m.OutputCol == "" {
		return errs.Planf("%s: InputCol and OutputCol must be set", stage)
	}
	if _, err := choice(stage, "HandleInvalid", m.HandleInvalid, "error", handleInvalidChoices...); err != nil {
		return err
	}
	if len(m.Labels) == 0 {
		return errs.Planf("%s: no Labels", stage)
	}
	seen := make(map[string]bool, len(m.Labels))
	for _, l := range m.Labels {
		if seen[l] {
			return errs.Planf("%s: label %q is listed twice", stage, l)
		}
		seen[l] = true
	}
	return nil
}

// Transform adds the index column (DOUBLE). Invalid values (not in Labels, or NULL) are
// handled as HandleInvalid says: "keep" and "skip" are a CASE over the labels (skip then
// filters the rows whose index is NULL); "error" is a function registered in df's session
// (ml_string_indexer_N) that looks the label up and fails the query with the first
// invalid value.
func (m *StringIndexerModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	const stage = "StringIndexerModel"
	if err := m.validate(); err != nil {
		return df.WithError(err)
	}
	handle, _ := choice(stage, "HandleInvalid", m.HandleInvalid, "error", handleInvalidChoices...)
	fs, err := schemaOf(df)
	if err != nil {
		return df.WithError(err)
	}
	x, err := labelExpr(fs, stage, m.InputCol)
	if err != nil {
		return df.WithError(err)
	}
	var expr string
	if handle == "error" {
		// A function of the session maps the labels (a hash lookup per row) and fails on
		// the first invalid value; its arguments stay short, since the engine quotes the
		// failing call in the error.
		index := make(map[string]float64, len(m.Labels))
		for i, l := range m.Labels {
			index[l] = float64(i)
		}
		col, n := m.InputCol, len(m.Labels)
		name, err := registerCheck(df, "string_indexer", func(name string) udf.ScalarFunction {
			return udf.Scalar2E(name, func(v string, isNull bool) (float64, error) {
				if i, ok := index[v]; ok && !isNull {
					return i, nil
				}
				if isNull {
					return 0, fmt.Errorf(`StringIndexer: NULL in column %q (HandleInvalid "error"; "skip" drops such rows, "keep" gives them index %d)`, col, n)
				}
				return 0, fmt.Errorf(`StringIndexer: unseen label %q in column %q (HandleInvalid "error"; "skip" drops such rows, "keep" gives them index %d)`, v, col, n)
			}, udf.WithDoc("StringIndexerModel's index of column "+col+": fails on a label Fit did not see, or NULL"))
		})
		if err != nil {
			return df.WithError(err)
		}
		expr = fmt.Sprintf("%s(coalesce(%s, ''), %s IS NULL)", name, x, x)
	} else {
		var b strings.Builder
		b.WriteString("CASE " + x)
		for i, l := range m.Labels {
			fmt.Fprintf(&b, " WHEN %s THEN %d", sqlString(l), i)
		}
		if handle == "keep" {
			fmt.Fprintf(&b, " ELSE %d", len(m.Labels))
		}
		b.WriteString(" END")
		expr = "CAST(" + b.String() + " AS DOUBLE)"
	}
	out := withOutputs(df, fs, stage, [][]string{{m.InputCol}}, []string{m.OutputCol}, []string{expr})
	if handle == "skip" {
		out = out.Filter(sqlIdent(m.OutputCol) + " IS NOT NULL")
	}
	return out
}

// MarshalJSON writes {"input_col", "output_col", "handle_invalid", "labels"}.
func (m *StringIndexerModel) MarshalJSON() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	handle, _ := choice("", "", m.HandleInvalid, "error", handleInvalidChoices...)
	return json.Marshal(struct {
		InputCol      string   `json:"input_col"`
		OutputCol     string   `json:"output_col"`
		HandleInvalid string   `json:"handle_invalid"`
		Labels        []string `json:"labels"`
	}{m.InputCol, m.OutputCol, handle, m.Labels})
}

// UnmarshalJSON reads MarshalJSON's form strictly.
func (m *StringIndexerModel) UnmarshalJSON(data []byte) error {
	var d struct {
		InputCol      string   `json:"input_col"`
		OutputCol     string   `json:"output_col"`
		HandleInvalid string   `json:"handle_invalid"`
		Labels        []string `json:"labels"`
	}
	if err := decodeStrict("string_indexer", data, &d); err != nil {
		return err
	}
	if d.HandleInvalid == "" {
		return errs.Execf(`string_indexer: missing "handle_invalid"`)
	}
	v := StringIndexerModel{InputCol: d.InputCol, OutputCol: d.OutputCol, HandleInvalid: d.HandleInvalid, Labels: d.Labels}
	if err := v.validate(); err != nil {
		return loadErr("string_indexer", err)
	}
	*m = v
	return nil
}

// ---------------------------------------------------------------------------------------
// OneHotEncoder

// OneHotEncoder maps category indexes (numbers 0 .. n-1, as StringIndexer makes) to
// one-hot VECTOR columns (Spark ML's OneHotEncoder, with dense float32 vectors in place of
// Spark's sparse ones). Fit takes n = max + 1 per column and fails on NULL, NaN, negative
// or fractional values (Spark: "must be indices"); at most 10000 categories.
type OneHotEncoder struct {
	InputCols, OutputCols []string
	// DropLast drops the last category's slot, so that the slots are independent
	// (Spark's default true; NewOneHotEncoder sets it): the last category is all zeros.
	DropLast bool
	// HandleInvalid says what Transform does with an index outside 0 .. n-1, fractional,
	// NaN or NULL: "error" (the default) or "keep" (an extra last category, which DropLast
	// then drops).
	HandleInvalid string
}

// NewOneHotEncoder returns a OneHotEncoder with Spark's defaults (DropLast, error).
func NewOneHotEncoder(inputCols, outputCols []string) *OneHotEncoder {
	return &OneHotEncoder{InputCols: inputCols, OutputCols: outputCols, DropLast: true, HandleInvalid: "error"}
}

// OneHotEncoderModel is a fitted OneHotEncoder: the number of categories per column.
type OneHotEncoderModel struct {
	InputCols, OutputCols []string
	DropLast              bool
	HandleInvalid         string
	CategorySizes         []int
}

// Fit reads each column's minimum and maximum, and counts its NULL and fractional values,
// in one query.
func (e OneHotEncoder) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	const stage = "OneHotEncoder"
	if err := checkColumns(stage, e.InputCols, e.OutputCols); err != nil {
		return nil, err
	}
	handle, err := choice(stage, "HandleInvalid", e.HandleInvalid, "error", "error", "keep")
	if err != nil {
		return nil, err
	}
	fs, err := schemaOf(df)
	if err != nil {
		return nil, err
	}
	exprs := []string{"count(*)"}
	for _, c := range e.InputCols {
		x, err := fs.numeric(stage, c)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, "count("+x+")", "min("+x+")", "max("+x+")",
			fmt.Sprintf("sum(CASE WHEN %s <> floor(%s) THEN 1 ELSE 0 END)", x, x))
	}
	row, err := aggregateRow(ctx, df, exprs)
	if err != nil {
		return nil, err
	}
	n := rowInt(row[0])
	if n == 0 {
		return nil, errs.Planf("OneHotEncoder: the data has no rows")
	}
	m := &OneHotEncoderModel{InputCols: slices.Clone(e.InputCols), OutputCols: slices.Clone(e.OutputCols),
		DropLast: e.DropLast, HandleInvalid: handle}
	for i, c := range e.InputCols {
		cnt, mn, mx, frac := rowInt(row[1+4*i]), rowFloat(row[2+4*i]), rowFloat(row[3+4*i]), rowInt(row[4+4*i])
		switch {
		case cnt < n:
			return nil, errs.Planf("OneHotEncoder: column %q has %d NULL values in %d rows: its values must be category indexes", c, n-cnt, n)
		case !finite(mn, mx):
			return nil, errs.Planf("OneHotEncoder: column %q has NaN or infinite values: its values must be category indexes", c)
		case mn < 0:
			return nil, errs.Planf("OneHotEncoder: column %q has the negative value %g: its values must be category indexes 0, 1, ...", c, mn)
		case frac > 0:
			return nil, errs.Planf("OneHotEncoder: column %q has %d fractional values: its values must be category indexes 0, 1, ...", c, frac)
		case mx+1 > maxOneHotCategories:
			return nil, errs.Planf("OneHotEncoder: column %q has %g categories, more than %d", c, mx+1, maxOneHotCategories)
		}
		m.CategorySizes = append(m.CategorySizes, int(mx)+1)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// width is the length of column i's vector.
func (m *OneHotEncoderModel) width(i int, keep bool) int {
	w := m.CategorySizes[i]
	if keep {
		w++
	}
	if m.DropLast {
		w--
	}
	return w
}

func (m *OneHotEncoderModel) validate() error {
	const stage = "OneHotEncoderModel"
	if err := checkColumns(stage, m.InputCols, m.OutputCols); err != nil {
		return err
	}
	handle, err := choice(stage, "HandleInvalid", m.HandleInvalid, "error", "error", "keep")
	if err != nil {
		return err
	}
	if len(m.CategorySizes) != len(m.InputCols) {
		return errs.Planf("%s: %d CategorySizes for %d columns", stage, len(m.CategorySizes), len(m.InputCols))
	}
	for i, n := range m.CategorySizes {
		if n < 1 || n > maxOneHotCategories {
			return errs.Planf("%s: column %q has %d categories; want 1 to %d", stage, m.InputCols[i], n, maxOneHotCategories)
		}
		if m.width(i, handle == "keep") == 0 {
			return errs.Planf("%s: column %q has a single category, which DropLast drops: its vector would be empty", stage, m.InputCols[i])
		}
	}
	return nil
}

// Transform adds one VECTOR column per input: vector(CASE WHEN x = 0 THEN 1 ELSE 0 END,
// ...), one term per category kept. With HandleInvalid "error" the first term reads x
// through a check function registered in df's session (ml_one_hot_N), which fails the
// query on the first invalid value; with "keep" the extra last term is 1 for invalid
// values.
func (m *OneHotEncoderModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	const stage = "OneHotEncoderModel"
	if err := m.validate(); err != nil {
		return df.WithError(err)
	}
	handle, _ := choice(stage, "HandleInvalid", m.HandleInvalid, "error", "error", "keep")
	fs, err := schemaOf(df)
	if err != nil {
		return df.WithError(err)
	}
	exprs := make([]string, len(m.InputCols))
	ins := make([][]string, len(m.InputCols))
	for i, c := range m.InputCols {
		x, err := fs.numeric(stage, c)
		if err != nil {
			return df.WithError(err)
		}
		size, keep := m.CategorySizes[i], handle == "keep"
		first := x
		if !keep {
			name, err := registerCheck(df, "one_hot", func(name string) udf.ScalarFunction {
				return udf.Scalar2E(name, func(v float64, isNull bool) (float64, error) {
					switch {
					case isNull:
						return 0, fmt.Errorf(`OneHotEncoder: NULL in column %q (HandleInvalid "error"; "keep" encodes invalid values as an extra category)`, c)
					case !(v >= 0 && v < float64(size) && v == math.Floor(v)):
						return 0, fmt.Errorf(`OneHotEncoder: value %g in column %q is not a category index 0 .. %d (HandleInvalid "error"; "keep" encodes invalid values as an extra category)`, v, c, size-1)
					}
					return v, nil
				}, udf.WithDoc("OneHotEncoderModel's check of column "+c+": fails on an invalid category index"))
			})
			if err != nil {
				return df.WithError(err)
			}
			first = fmt.Sprintf("%s(coalesce(%s, 0e0), %s IS NULL)", name, x, x)
		}
		w := m.width(i, keep)
		terms := make([]string, 0, w)
		for k := 0; k < w && k < size; k++ {
			v := x
			if k == 0 {
				v = first
			}
			terms = append(terms, fmt.Sprintf("CASE WHEN %s = %d THEN 1 ELSE 0 END", v, k))
		}
		if len(terms) < w { // keep without DropLast: the invalid values' slot
			terms = append(terms, fmt.Sprintf("CASE WHEN %s >= 0 AND %s < %d AND %s = floor(%s) THEN 0 ELSE 1 END", x, x, size, x, x))
		}
		exprs[i] = "vector(" + strings.Join(terms, ", ") + ")"
		ins[i] = []string{c}
	}
	return withOutputs(df, fs, stage, ins, m.OutputCols, exprs)
}

// MarshalJSON writes {"input_cols", "output_cols", "drop_last", "handle_invalid",
// "category_sizes"}.
func (m *OneHotEncoderModel) MarshalJSON() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	handle, _ := choice("", "", m.HandleInvalid, "error", "error", "keep")
	return json.Marshal(struct {
		InputCols     []string `json:"input_cols"`
		OutputCols    []string `json:"output_cols"`
		DropLast      bool     `json:"drop_last"`
		HandleInvalid string   `json:"handle_invalid"`
		CategorySizes []int    `json:"category_sizes"`
	}{m.InputCols, m.OutputCols, m.DropLast, handle, m.CategorySizes})
}

// UnmarshalJSON reads MarshalJSON's form strictly.
func (m *OneHotEncoderModel) UnmarshalJSON(data []byte) error {
	var d struct {
		InputCols     []string  `json:"input_cols"`
		OutputCols    []string  `json:"output_cols"`
		DropLast      *bool     `json:"drop_last"`
		HandleInvalid string    `json:"handle_invalid"`
		CategorySizes []jsonInt `json:"category_sizes"`
	}
	if err := decodeStrict("one_hot_encoder", data, &d); err != nil {
		return err
	}
	if d.DropLast == nil || d.HandleInvalid == "" {
		return errs.Execf(`one_hot_encoder: missing "drop_last" or "handle_invalid"`)
	}
	v := OneHotEncoderModel{InputCols: d.InputCols, OutputCols: d.OutputCols, DropLast: *d.DropLast, HandleInvalid: d.HandleInvalid}
	for _, n := range d.CategorySizes {
		if n < 1 || n > maxOneHotCategories {
			return errs.Execf("one_hot_encoder: category size %d; want 1 to %d", n, maxOneHotCategories)
		}
		v.CategorySizes = append(v.CategorySizes, int(n))
	}
	if err := v.validate(); err != nil {
		return loadErr("one_hot_encoder", err)
	}
	*m = v
	return nil
}

// ---------------------------------------------------------------------------------------
// VectorAssembler

// VectorAssembler puts number and VECTOR columns side by side in one VECTOR column (Spark
// ML's VectorAssembler), with the SQL function vector(...): numbers become float32
// elements, vectors contribute their elements in order. A row with a NULL input gets a
// NULL vector (in place of Spark's handleInvalid). It has nothing to fit.
type VectorAssembler struct {
	InputCols []string
	OutputCol string
}

func (v VectorAssembler) validate() error {
	if len(v.InputCols) == 0 {
		return errs.Planf("VectorAssembler: InputCols is empty")
	}
	if v.OutputCol == "" {
		return errs.Planf("VectorAssembler: OutputCol is empty")
	}
	for i, c := range v.InputCols {
		if c == "" {
			return errs.Planf("VectorAssembler: input column %d has an empty name", i)
		}
	}
	return nil
}

// Transform adds the VECTOR column vector(InputCols...).
func (v VectorAssembler) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	const stage = "VectorAssembler"
	if err := v.validate(); err != nil {
		return df.WithError(err)
	}
	fs, err := schemaOf(df)
	if err != nil {
		return df.WithError(err)
	}
	args := make([]string, len(v.InputCols))
	for i, c := range v.InputCols {
		j, err := fs.column(stage, c)
		if err != nil {
			return df.WithError(err)
		}
		if t := fs.types[j]; !isNumeric(t) && !udf.IsVector(t) {
			return df.WithError(errs.Planf("%s: input column %q is %s; want a number or a VECTOR", stage, fs.names[j], udf.TypeName(t)))
		}
		args[i] = sqlIdent(fs.names[j])
	}
	return withOutputs(df, fs, stage, [][]string{v.InputCols}, []string{v.OutputCol}, []string{"vector(" + strings.Join(args, ", ") + ")"})
}

// MarshalJSON writes {"input_cols", "output_col"}.
func (v VectorAssembler) MarshalJSON() ([]byte, error) {
	if err := v.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		InputCols []string `json:"input_cols"`
		OutputCol string   `json:"output_col"`
	}{v.InputCols, v.OutputCol})
}

// UnmarshalJSON reads MarshalJSON's form strictly.
func (v *VectorAssembler) UnmarshalJSON(data []byte) error {
	var d struct {
		InputCols []string `json:"input_cols"`
		OutputCol string   `json:"output_col"`
	}
	if err := decodeStrict("vector_assembler", data, &d); err != nil {
		return err
	}
	w := VectorAssembler{InputCols: d.InputCols, OutputCol: d.OutputCol}
	if err := w.validate(); err != nil {
		return loadErr("vector_assembler", err)
	}
	*v = w
	return nil
}

// ---------------------------------------------------------------------------------------
// Imputer

// Imputer fills missing values of number columns (Spark ML's Imputer): NULL is always
// missing, and so are values equal to MissingValue (NaN by default: NaN values). Fit
// computes each column's surrogate from the values that are not missing (NaN is left out
// too, as Spark does): "mean", "median" (exact: the midpoint of the two middle values for
// an even count, as numpy and scikit-learn; Spark's is approximate, within 0.001
// relative rank) or "mode" (the most frequent value, the smallest one on ties, as Spark
// and scikit-learn's most_frequent). A column with no value left is an error.
type Imputer struct {
	InputCols, OutputCols []string
	// Strategy is "mean" (the default), "median" or "mode".
	Strategy string
	// MissingValue is the value that stands for missing (NewImputer sets Spark's default,
	// NaN; a literal's zero value makes 0 missing).
	MissingValue float64
}

// NewImputer returns an Imputer with Spark's defaults (mean, MissingValue NaN).
func NewImputer(inputCols, outputCols []string) *Imputer {
	return &Imputer{InputCols: inputCols, OutputCols: outputCols, Strategy: "mean", MissingValue: math.NaN()}
}

// ImputerModel is a fitted Imputer: one surrogate per column.
type ImputerModel struct {
	InputCols, OutputCols []string
	Strategy              string
	MissingValue          float64
	Surrogates            []float64
}

var imputerStrategies = []string{"mean", "median", "mode"}

// missingSQL is the SQL test of x (a DOUBLE expression) being missing in Transform: NULL,
// or MissingValue (NaN: any NaN).
func missingSQL(x string, mv float64) string {
	if math.IsNaN(mv) {
		return x + " IS NULL OR " + isNaNSQL(x)
	}
	return x + " IS NULL OR " + x + " = " + floatSQL(mv)
}

// Fit computes the surrogates in one query: avg or median over the values not missing,
// or for "mode" the value counts of every column in one GROUPING SETS query, ranked by a
// window.
func (e Imputer) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	const stage = "Imputer"
	if err := checkColumns(stage, e.InputCols, e.OutputCols); err != nil {
		return nil, err
	}
	strategy, err := choice(stage, "Strategy", e.Strategy, "mean", imputerStrategies...)
	if err != nil {
		return nil, err
	}
	if math.IsInf(e.MissingValue, 0) {
		return nil, errs.Planf("Imputer: MissingValue must be a number or NaN, not %g", e.MissingValue)
	}
	fs, err := schemaOf(df)
	if err != nil {
		return nil, err
	}
	// The values Fit reads: NULL for missing ones (NaN always, as Spark's fit).
	clean := make([]string, len(e.InputCols))
	for i, c := range e.InputCols {
		x, err := fs.numeric(stage, c)
		if err != nil {
			return nil, err
		}
		cond := missingSQL(x, math.NaN())
		if !math.IsNaN(e.MissingValue) {
			cond += " OR " + x + " = " + floatSQL(e.MissingValue)
		}
		clean[i] = fmt.Sprintf("CASE WHEN %s THEN CAST(NULL AS DOUBLE) ELSE %s END AS ml_c%d", cond, x, i)
	}
	m := &ImputerModel{InputCols: slices.Clone(e.InputCols), OutputCols: slices.Clone(e.OutputCols),
		Strategy: strategy, MissingValue: e.MissingValue, Surrogates: make([]float64, len(e.InputCols))}
	found := make([]bool, len(e.InputCols))
	vals := df.SelectExpr(clean...)
	if strategy == "mode" {
		if err := imputerModes(ctx, vals, m.Surrogates, found); err != nil {
			return nil, err
		}
	} else {
		agg := "avg"
		if strategy == "median" {
			agg = "median"
		}
		exprs := make([]string, 0, 2*len(e.InputCols))
		for i := range e.InputCols {
			exprs = append(exprs, fmt.Sprintf("count(ml_c%d)", i), fmt.Sprintf("%s(ml_c%d)", agg, i))
		}
		row, err := aggregateRow(ctx, vals, exprs)
		if err != nil {
			return nil, err
		}
		for i := range e.InputCols {
			found[i] = rowInt(row[2*i]) > 0
			m.Surrogates[i] = rowFloat(row[2*i+1])
		}
	}
	for i, c := range e.InputCols {
		if !found[i] {
			return nil, errs.Planf("Imputer: column %q has no value that is not missing (NULL, NaN or MissingValue): the surrogate cannot be computed", c)
		}
		if !finite(m.Surrogates[i]) {
			return nil, errs.Planf("Imputer: column %q has infinite values: its %s is %g", c, strategy, m.Surrogates[i])
		}
	}
	return m, nil
}

// imputerModes finds every column's most frequent value (the smallest on ties) in one
// query over vals (columns ml_c0 ..., NULL where missing).
func imputerModes(ctx context.Context, vals *dataframe.DataFrame, modes []float64, found []bool) error {
	k := len(modes)
	sets := make([]string, k)
	col := make([]string, k)
	val := make([]string, k)
	for i := range k {
		sets[i] = fmt.Sprintf("(ml_c%d)", i)
		col[i] = fmt.Sprintf("WHEN grouping(ml_c%d) = 0 THEN %d", i, i)
		val[i] = fmt.Sprintf("WHEN grouping(ml_c%d) = 0 THEN ml_c%d", i, i)
	}
	counts := fmt.Sprintf("SELECT CASE %s END AS ml_col, CASE %s END AS ml_val, count(*) AS ml_n FROM (%s) AS ml_v GROUP BY GROUPING SETS (%s)",
		strings.Join(col, " "), strings.Join(val, " "), vals.SQL(), strings.Join(sets, ", "))
	q := fmt.Sprintf("SELECT ml_col, ml_val FROM (SELECT ml_col, ml_val, row_number() OVER (PARTITION BY ml_col ORDER BY ml_n DESC, ml_val) AS ml_rank FROM (%s) AS ml_g WHERE ml_val IS NOT NULL) AS ml_r WHERE ml_rank = 1",
		counts)
	df, err := vals.Session().SQL(ctx, q)
	if err != nil {
		return err
	}
	rows, err := df.CollectRows(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		i := int(rowInt(r[0]))
		if i < 0 || i >= k {
			return errs.Internalf("Imputer: mode query returned column %d", i)
		}
		modes[i], found[i] = rowFloat(r[1]), true
	}
	return nil
}

func (m *ImputerModel) validate() error {
	const stage = "ImputerModel"
	if err := checkColumns(stage, m.InputCols, m.OutputCols); err != nil {
		return err
	}
	if _, err := choice(stage, "Strategy", m.Strategy, "mean", imputerStrategies...); err != nil {
		return err
	}
	if math.IsInf(m.MissingValue, 0) {
		return errs.Planf("%s: MissingValue must be a number or NaN, not %g", stage, m.MissingValue)
	}
	if len(m.Surrogates) != len(m.InputCols) {
		return errs.Planf("%s: %d Surrogates for %d columns", stage, len(m.Surrogates), len(m.InputCols))
	}
	for i, s := range m.Surrogates {
		if !finite(s) {
			return errs.Planf("%s: column %q has surrogate %g; want a finite number", stage, m.InputCols[i], s)
		}
	}
	return nil
}

// Transform adds the filled columns (DOUBLE): CASE WHEN x IS NULL OR x is MissingValue
// THEN surrogate ELSE x END. As in Spark, with a MissingValue other than NaN a NaN value
// is kept.
func (m *ImputerModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	if err := m.validate(); err != nil {
		return df.WithError(err)
	}
	fs, err := schemaOf(df)
	if err != nil {
		return df.WithError(err)
	}
	exprs := make([]string, len(m.InputCols))
	ins := make([][]string, len(m.InputCols))
	for i, c := range m.InputCols {
		x, err := fs.numeric("ImputerModel", c)
		if err != nil {
			return df.WithError(err)
		}
		exprs[i] = fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", missingSQL(x, m.MissingValue), floatSQL(m.Surrogates[i]), x)
		ins[i] = []string{c}
	}
	return withOutputs(df, fs, "ImputerModel", ins, m.OutputCols, exprs)
}

// MarshalJSON writes {"input_cols", "output_cols", "strategy", "missing_value" (a number
// or "NaN"), "surrogates"}.
func (m *ImputerModel) MarshalJSON() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	strategy, _ := choice("", "", m.Strategy, "mean", imputerStrategies...)
	return json.Marshal(struct {
		InputCols    []string     `json:"input_cols"`
		OutputCols   []string     `json:"output_cols"`
		Strategy     string       `json:"strategy"`
		MissingValue specialFloat `json:"missing_value"`
		Surrogates   []float64    `json:"surrogates"`
	}{m.InputCols, m.OutputCols, strategy, specialFloat(m.MissingValue), m.Surrogates})
}

// UnmarshalJSON reads MarshalJSON's form strictly.
func (m *ImputerModel) UnmarshalJSON(data []byte) error {
	var d struct {
		InputCols    []string      `json:"input_cols"`
		OutputCols   []string      `json:"output_cols"`
		Strategy     string        `json:"strategy"`
		MissingValue *specialFloat `json:"missing_value"`
		Surrogates   []jsonFloat   `json:"surrogates"`
	}
	if err := decodeStrict("imputer", data, &d); err != nil {
		return err
	}
	if d.Strategy == "" || d.MissingValue == nil {
		return errs.Execf(`imputer: missing "strategy" or "missing_value"`)
	}
	v := ImputerModel{InputCols: d.InputCols, OutputCols: d.OutputCols, Strategy: d.Strategy,
		MissingValue: float64(*d.MissingValue), Surrogates: jsonFloats(d.Surrogates)}
	if err := v.validate(); err != nil {
		return loadErr("imputer", err)
	}
	*m = v
	return nil
}
