package ml

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Dataset is training data made ready for the trainers (dataset.go): the feature columns
// cast to DOUBLE, checked (numbers only, no NULL, NaN or infinity, at least one row), and
// for a classifier the label replaced by its class index (0 .. len(Classes)-1, classes in
// scikit-learn's order: numbers numerically, else strings byte-wise), all cached in the
// session's memory. Trainers read it only through Aggregate and NewAggregator, folds over
// column-major float64 batches, so the source is read once however many iterations run.
type Dataset struct {
	s *dataframe.Session
	// frame is the cached data: the feature columns in order (DOUBLE), then labelColumn
	// (DOUBLE) when there is a label.
	frame *dataframe.DataFrame
	// Features are the feature columns' names, in order.
	Features []string
	// Label is the label column's name ("" for unsupervised training).
	Label string
	// Classes are a classifier's labels in class-index order (nil for a regression).
	Classes []string
	// Rows is the number of rows.
	Rows int64
}

// labelColumn is the cached label's name (the user's columns keep their names).
const labelColumn = "ml_label_"

// DataSpec says how to read training data from a DataFrame.
type DataSpec struct {
	// Label is the label column ("" for none).
	Label string
	// Features are the feature columns; nil means every column but the label.
	Features []string
	// Classify makes the label a class (a classifier's training data); otherwise it must
	// be numeric.
	Classify bool
	// OneClass accepts a label with a single class (evaluation data may have one).
	OneClass bool
	// MaxClasses bounds the number of distinct labels of a classifier (0: 1000).
	MaxClasses int
}

// Batch is one batch of a Dataset, column-major: X[j] holds feature j's values for the N
// rows, Y the labels (nil without a label). The slices are the cached Arrow buffers: read
// them, never write or keep them past the fold call.
type Batch struct {
	X [][]float64
	Y []float64
	N int
}

// NewDataset checks df against spec and caches it as a Dataset. Errors name the column:
// a missing label or feature, a non-numeric feature, NULL, NaN or infinite values, a
// classifier's single class; an empty result is an error too. The source is read once.
func NewDataset(ctx context.Context, df *dataframe.DataFrame, spec DataSpec) (*Dataset, error) {
	if err := df.Err(); err != nil {
		return nil, err
	}
	schema, err := df.Schema()
	if err != nil {
		return nil, err
	}
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	find := func(name string) int {
		for i, n := range names {
			if strings.EqualFold(n, name) {
				return i
			}
		}
		return -1
	}
	ds := &Dataset{s: df.Session()}
	labelIdx := -1
	if spec.Label != "" {
		if labelIdx = find(spec.Label); labelIdx < 0 {
			return nil, errs.Planf("label column %q does not exist; the columns are %s", spec.Label, strings.Join(names, ", "))
		}
		ds.Label = names[labelIdx]
		lt := schema.Field(labelIdx).Type
		if !spec.Classify && !isNumeric(lt) {
			return nil, errs.Planf("label column %q is %s: a regression's label must be a number", ds.Label, udf.TypeName(lt))
		}
		if spec.Classify && !isNumeric(lt) && lt.ID() != arrow.STRING && lt.ID() != arrow.LARGE_STRING && lt.ID() != arrow.BOOL {
			return nil, errs.Planf("label column %q is %s: a classifier's label must be a number, a string or a boolean", ds.Label, udf.TypeName(lt))
		}
	}
	var featIdx []int
	if spec.Features == nil {
		for i := range names {
			if i != labelIdx {
				featIdx = append(featIdx, i)
			}
		}
	} else {
		for _, f := range spec.Features {
			i := find(f)
			if i < 0 {
				return nil, errs.Planf("feature column %q does not exist; the columns are %s", f, strings.Join(names, ", "))
			}
			if i == labelIdx {
				return nil, errs.Planf("column %q is the label; it cannot be a feature too", names[i])
			}
			featIdx = append(featIdx, i)
		}
	}
	if len(featIdx) == 0 {
		return nil, errs.Planf("training needs at least one feature column besides the label %q", ds.Label)
	}
	exprs := make([]string, 0, len(featIdx)+1)
	for _, i := range featIdx {
		f := schema.Field(i)
		if !isNumeric(f.Type) {
			return nil, errs.Planf("feature column %q is %s: features must be numbers (index or one-hot encode a category, or leave the column out)", f.Name, udf.TypeName(f.Type))
		}
		ds.Features = append(ds.Features, f.Name)
		exprs = append(exprs, fmt.Sprintf("CAST(%s AS DOUBLE) AS %s", sqlIdent(f.Name), sqlIdent(f.Name)))
	}
	if labelIdx >= 0 {
		if spec.Classify {
			exprs = append(exprs, sqlIdent(ds.Label)+" AS "+labelColumn)
		} else {
			exprs = append(exprs, fmt.Sprintf("CAST(%s AS DOUBLE) AS %s", sqlIdent(ds.Label), labelColumn))
		}
	}
	raw := df.SelectExpr(exprs...).Cache()
	keep := false
	defer func() {
		if !keep {
			raw.Unpersist()
		}
	}()
	if err := ds.check(ctx, raw, len(featIdx), labelIdx >= 0); err != nil {
		return nil, err
	}
	ds.frame = raw
	if spec.Classify && labelIdx >= 0 {
		maxClasses := spec.MaxClasses
		if maxClasses <= 0 {
			maxClasses = 1000
		}
		indexed, err := ds.indexClasses(ctx, raw, maxClasses, spec.OneClass)
		if err != nil {
			return nil, err
		}
		ds.frame = indexed
		return ds, nil
	}
	keep = true
	return ds, nil
}

// check counts the rows and the NULL, NaN and infinite values of every column of the
// cached raw data in one pass (which builds the cache), and fails on the first bad column.
func (ds *Dataset) check(ctx context.Context, raw *dataframe.DataFrame, numFeatures int, hasLabel bool) error {
	// State: rows, then per feature: NULLs, NaNs, infinities; then the label's NULLs,
	// NaNs, infinities.
	cols := numFeatures
	if hasLabel {
		cols++
	}
	st, err := raw.TreeAggregate(ctx, make([]float64, 1+3*cols), func(_ *udf.PartitionContext, st []float64, b arrow.RecordBatch) error {
		st[0] += float64(b.NumRows())
		for j := 0; j < cols; j++ {
			col := b.Column(j)
			st[1+3*j] += float64(col.NullN())
			f, ok := col.(*array.Float64)
			if !ok {
				continue
			}
			var nan, inf float64
			hasNulls := col.NullN() > 0 // values under NULLs are not data
			for r, v := range f.Float64Values() {
				if v-v != 0 && (!hasNulls || f.IsValid(r)) { // NaN or ±Inf
					if math.IsNaN(v) {
						nan++
					} else {
						inf++
					}
				}
			}
			st[2+3*j] += nan
			st[3+3*j] += inf
		}
		return nil
	}, nil)
	if err != nil {
		return err
	}
	ds.Rows = int64(st[0])
	if ds.Rows == 0 {
		return errs.Planf("the training data has no rows")
	}
	for j := 0; j < cols; j++ {
		what, name := "feature", ""
		if j < numFeatures {
			name = ds.Features[j]
		} else {
			what, name = "label", ds.Label
		}
		nulls, nans, infs := int64(st[1+3*j]), int64(st[2+3*j]), int64(st[3+3*j])
		switch {
		case nulls > 0:
			hint := "filter those rows out or fill them (coalesce, or the Imputer)"
			if what == "label" {
				hint = "filter those rows out"
			}
			return errs.Planf("%s column %q has %d NULL value%s in %d rows: %s", what, name, nulls, plural(int(nulls)), ds.Rows, hint)
		case nans > 0:
			return errs.Planf("%s column %q has %d NaN value%s in %d rows: filter them out or replace them", what, name, nans, plural(int(nans)), ds.Rows)
		case infs > 0:
			return errs.Planf("%s column %q has %d infinite value%s in %d rows: filter them out or clip them", what, name, infs, plural(int(infs)), ds.Rows)
		}
	}
	return nil
}

// indexClasses finds the distinct labels of the cached raw data, orders them, and caches
// the data again with the label replaced by its class index (the raw cache is then
// dropped by the caller).
func (ds *Dataset) indexClasses(ctx context.Context, raw *dataframe.DataFrame, maxClasses int, oneClass bool) (*dataframe.DataFrame, error) {
	distinct, err := raw.Select(labelColumn).Distinct().Limit(int64(maxClasses) + 1).Collect(ctx)
	if err != nil {
		return nil, err
	}
	var nums []float64
	var strs []string
	numeric, isBool := false, false
	for _, b := range distinct {
		col := b.Column(0)
		for r := 0; r < col.Len(); r++ {
			switch c := col.(type) {
			case *array.Boolean:
				isBool = true
				strs = append(strs, strconv.FormatBool(c.Value(r)))
			case *array.String:
				strs = append(strs, c.Value(r))
			case *array.LargeString:
				strs = append(strs, c.Value(r))
			default:
				numeric = true
				v, err := numberAt(col, r)
				if err != nil {
					b.Release()
					return nil, errs.Planf("label column %q: %v", ds.Label, err)
				}
				nums = append(nums, v)
			}
		}
		b.Release()
	}
	n := len(nums) + len(strs)
	if n > maxClasses {
		return nil, errs.Planf("label column %q has more than %d distinct values: a classifier's label is a category (use linear_reg for a number)", ds.Label, maxClasses)
	}
	var cases []string
	if numeric {
		sort.Float64s(nums)
		for i, v := range nums {
			ds.Classes = append(ds.Classes, strconv.FormatFloat(v, 'g', -1, 64))
			cases = append(cases, fmt.Sprintf("WHEN %s THEN %d", strconv.FormatFloat(v, 'g', -1, 64), i))
		}
	} else {
		sort.Strings(strs)
		for i, v := range strs {
			ds.Classes = append(ds.Classes, v)
			lit := sqlString(v)
			if isBool {
				lit = strings.ToUpper(v)
			}
			cases = append(cases, fmt.Sprintf("WHEN %s THEN %d", lit, i))
		}
	}
	if n < 2 && !oneClass {
		return nil, errs.Planf("label column %q has a single class (%s): a classifier needs at least two", ds.Label, strings.Join(ds.Classes, ""))
	}
	exprs := make([]string, 0, len(ds.Features)+1)
	for _, f := range ds.Features {
		exprs = append(exprs, sqlIdent(f))
	}
	exprs = append(exprs, fmt.Sprintf("CAST(CASE %s %s END AS DOUBLE) AS %s", labelColumn, strings.Join(cases, " "), labelColumn))
	indexed := raw.SelectExpr(exprs...).Cache()
	if _, err := indexed.Count(ctx); err != nil {
		indexed.Unpersist()
		return nil, err
	}
	return indexed, nil
}

// numberAt reads row r of a numeric column as a float64.
func numberAt(col arrow.Array, r int) (float64, error) {
	switch c := col.(type) {
	case *array.Int8:
		return float64(c.Value(r)), nil
	case *array.Int16:
		return float64(c.Value(r)), nil
	case *array.Int32:
		return float64(c.Value(r)), nil
	case *array.Int64:
		return float64(c.Value(r)), nil
	case *array.Uint8:
		return float64(c.Value(r)), nil
	case *array.Uint16:
		return float64(c.Value(r)), nil
	case *array.Uint32:
		return float64(c.Value(r)), nil
	case *array.Uint64:
		return float64(c.Value(r)), nil
	case *array.Float32:
		return float64(c.Value(r)), nil
	case *array.Float64:
		return c.Value(r), nil
	case *array.Decimal128:
		return c.Value(r).ToFloat64(c.DataType().(*arrow.Decimal128Type).Scale), nil
	}
	return 0, fmt.Errorf("labels of type %s are not supported", col.DataType())
}

// isNumeric reports whether t is a number type a feature may have.
func isNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256, arrow.BOOL:
		return true
	}
	return false
}

// sqlIdent quotes an identifier with backquotes.
func sqlIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// sqlString quotes a MySQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}

// Frame is the cached data as a DataFrame (features, then the label as ml_label_).
func (ds *Dataset) Frame() *dataframe.DataFrame { return ds.frame }

// Session is the session the data is cached in.
func (ds *Dataset) Session() *dataframe.Session { return ds.s }

// NumFeatures is the number of features.
func (ds *Dataset) NumFeatures() int { return len(ds.Features) }

// Close drops the cache.
func (ds *Dataset) Close() {
	if ds.frame != nil {
		ds.frame.Unpersist()
	}
}

// BatchFold folds one Batch into a partition's state.
type BatchFold func(state []float64, b Batch) error

// batchFold adapts a BatchFold to the cached frame's Arrow batches (zero-copy).
func (ds *Dataset) batchFold(fold BatchFold) dataframe.FoldFunc {
	d := len(ds.Features)
	hasLabel := ds.Label != ""
	return func(pc *udf.PartitionContext, st []float64, b arrow.RecordBatch) error {
		if err := pc.Ctx.Err(); err != nil {
			return err
		}
		x := make([][]float64, d)
		for j := range x {
			x[j] = b.Column(j).(*array.Float64).Float64Values()
		}
		var y []float64
		if hasLabel {
			y = b.Column(d).(*array.Float64).Float64Values()
		}
		return fold(st, Batch{X: x, Y: y, N: int(b.NumRows())})
	}
}

// NewAggregator prepares a tree aggregation over the data (dataframe.TreeAggregator), to
// be run once per iteration; merge nil sums the states.
func (ds *Dataset) NewAggregator(init []float64, fold BatchFold, merge dataframe.MergeFunc) (*dataframe.TreeAggregator, error) {
	return ds.frame.NewTreeAggregator(init, ds.batchFold(fold), merge)
}

// Aggregate runs one tree aggregation over the data.
func (ds *Dataset) Aggregate(ctx context.Context, init []float64, fold BatchFold, merge dataframe.MergeFunc) ([]float64, error) {
	return ds.frame.TreeAggregate(ctx, init, ds.batchFold(fold), merge)
}

// DatasetFromColumns builds a Dataset from Go slices (tests and small data): x holds the
// feature columns (column-major, each of the same length), y the labels (nil for none;
// class labels for classify are the numbers' text).
func DatasetFromColumns(ctx context.Context, s *dataframe.Session, names []string, x [][]float64, y []float64, classify bool) (*Dataset, error) {
	if len(names) != len(x) {
		return nil, errs.Planf("DatasetFromColumns: %d names for %d columns", len(names), len(x))
	}
	fields := make([]arrow.Field, 0, len(x)+1)
	cols := make([]arrow.Array, 0, len(x)+1)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	n := -1
	build := func(v []float64) arrow.Array {
		b := array.NewFloat64Builder(s.Allocator())
		defer b.Release()
		b.AppendValues(v, nil)
		return b.NewArray()
	}
	for j, c := range x {
		if n >= 0 && len(c) != n {
			return nil, errs.Planf("DatasetFromColumns: column %q has %d values, the first has %d", names[j], len(c), n)
		}
		n = len(c)
		fields = append(fields, arrow.Field{Name: names[j], Type: arrow.PrimitiveTypes.Float64})
		cols = append(cols, build(c))
	}
	label := ""
	if y != nil {
		if len(y) != n {
			return nil, errs.Planf("DatasetFromColumns: %d labels for %d rows", len(y), n)
		}
		label = "label"
		fields = append(fields, arrow.Field{Name: label, Type: arrow.PrimitiveTypes.Float64})
		cols = append(cols, build(y))
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, cols, int64(max(n, 0)))
	defer rec.Release()
	df, err := s.FromRecords(schema, rec)
	if err != nil {
		return nil, err
	}
	return NewDataset(ctx, df, DataSpec{Label: label, Features: names, Classify: classify})
}
