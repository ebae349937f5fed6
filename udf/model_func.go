package udf

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// Model functions: the adapters that make a Model callable from SQL (Session.RegisterModel,
// package ml's ml_predict). A model function is a BatchedFunction, so the physical planner
// runs it in exec's batched call operator: calls of DefaultModelBatchRows rows gathered
// across input batches, one call in flight per partition (a model is CPU-bound; partitions
// give the parallelism).
//
// Arguments: the model's features, either as one VECTOR(k) (k the model's NumFeatures) or
// as k numbers (integers, floats, DECIMALs; the binder casts them to FLOAT as vector()
// does). A NULL number is a missing feature (NaN: XGBoost routes it; a network's
// prediction becomes NULL); a NULL vector gives a NULL result. A prediction that is NaN is
// NULL.
//
// Outputs (ModelOutput):
//
//	ModelPredict   regression: DOUBLE. classification: the label of the most probable
//	               class, BIGINT when every class label is an integer, else VARCHAR
//	               (scikit-learn's predict, BigQuery's predicted_label)
//	ModelProba     classification only: ARRAY<DOUBLE> of class probabilities, in the order
//	               of the model's classes (scikit-learn's predict_proba)
//
// Checks at bind time: the number of features, the vector's dimension, that every
// argument is a number or a vector (ReturnType), and, when the arguments are columns named
// like the model's features, that they come in the model's order (BindArgs).

// DefaultModelBatchRows is the rows per model call when a model function does not say.
const DefaultModelBatchRows = 8192

// ModelOutput is what a model function returns.
type ModelOutput int

const (
	// ModelPredict returns the prediction: a number, or a classifier's label.
	ModelPredict ModelOutput = iota
	// ModelProba returns a classifier's class probabilities as ARRAY<DOUBLE>.
	ModelProba
)

// ModelFunction is a model callable from SQL; see the section comment above for its
// arguments and results. Build it with NewModelFunction.
type ModelFunction struct {
	name   string
	model  Model
	output ModelOutput
	// label is the model's name in messages ("model \"churn@2\"").
	label string
	// skip is the number of leading arguments that are not features (ml_predict's model
	// name), checked by whoever built the function.
	skip int
	// intLabels are the class labels as integers when every label is one (nil otherwise).
	intLabels []int64
	doc       string
}

// NewModelFunction returns the SQL function name over m giving output. label names the
// model in errors and docs ("churn@2"). It fails when output is ModelProba and m is not a
// classifier, or m has no features.
func NewModelFunction(name, label string, m Model, output ModelOutput) (*ModelFunction, error) {
	if m == nil {
		return nil, errs.Planf("model function %s: nil model", name)
	}
	if m.NumFeatures() <= 0 {
		return nil, errs.Planf("model %q has no features", label)
	}
	if output == ModelProba && m.Task() != Classification {
		return nil, errs.Planf("model %q is a %s model: only classifiers have class probabilities", label, m.Task())
	}
	f := &ModelFunction{name: strings.ToLower(name), model: m, output: output, label: label}
	if m.Task() == Classification {
		f.intLabels = integerLabels(m.Classes())
	}
	f.doc = f.describe()
	return f, nil
}

// WithLeadingArgs returns a copy of f that ignores its first n arguments (ml_predict's
// model name, checked when the call was bound).
func (f *ModelFunction) WithLeadingArgs(n int) *ModelFunction {
	g := *f
	g.skip = n
	return &g
}

// Model returns the function's model.
func (f *ModelFunction) Model() Model { return f.model }

// integerLabels parses every label as an integer, or returns nil when one is not.
func integerLabels(classes []string) []int64 {
	if len(classes) == 0 {
		return nil
	}
	out := make([]int64, len(classes))
	for i, c := range classes {
		v, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return nil
		}
		out[i] = v
	}
	return out
}

func (f *ModelFunction) describe() string {
	m := f.model
	var b strings.Builder
	fmt.Fprintf(&b, "Model %s (%s, %s) over %d features", f.label, m.Kind(), m.Task(), m.NumFeatures())
	if names := m.FeatureNames(); len(names) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(names, ", "))
	}
	fmt.Fprintf(&b, ", given as %d numbers or one VECTOR(%d). ", m.NumFeatures(), m.NumFeatures())
	switch {
	case f.output == ModelProba:
		fmt.Fprintf(&b, "Returns the probabilities of classes [%s] as ARRAY<DOUBLE>.", strings.Join(m.Classes(), ", "))
	case m.Task() == Classification:
		fmt.Fprintf(&b, "Returns the most probable class of [%s].", strings.Join(m.Classes(), ", "))
	default:
		b.WriteString("Returns the predicted value as DOUBLE.")
	}
	return b.String()
}

// Name is the SQL name.
func (f *ModelFunction) Name() string { return f.name }

// Volatility: a model never changes once loaded (a new version is a new model).
func (f *ModelFunction) Volatility() Volatility { return Immutable }

// Doc describes the model, its features and its result.
func (f *ModelFunction) Doc() string { return f.doc }

// Batching: DefaultModelBatchRows rows per call, one call at a time per partition.
func (f *ModelFunction) Batching() (preferredRows, maxConcurrency int) {
	return DefaultModelBatchRows, 1
}

// resultType is the type of f's result.
func (f *ModelFunction) resultType() arrow.DataType {
	switch {
	case f.output == ModelProba:
		return ArrayOf(arrow.PrimitiveTypes.Float64)
	case f.model.Task() == Classification && f.intLabels != nil:
		return arrow.PrimitiveTypes.Int64
	case f.model.Task() == Classification:
		return arrow.BinaryTypes.String
	}
	return arrow.PrimitiveTypes.Float64
}

// ReturnType checks the feature arguments against the model (count, vector dimension,
// numeric types).
func (f *ModelFunction) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if len(args) < f.skip {
		return nil, errs.Planf("%s: missing arguments", f.name)
	}
	feats := args[f.skip:]
	k := f.model.NumFeatures()
	if len(feats) == 1 && IsVector(feats[0]) {
		if d := VectorDims(feats[0]); d != k {
			return nil, errs.Planf("%s: model %s takes %d features, got a VECTOR(%d)", f.name, f.label, k, d)
		}
		return f.resultType(), nil
	}
	if len(feats) != k {
		return nil, errs.Planf("%s: model %s takes %d features%s (as %d numbers or one VECTOR(%d)), got %d argument%s",
			f.name, f.label, k, f.featureList(), k, k, len(feats), plural(len(feats)))
	}
	for i, t := range feats {
		if vectorInputType(t) || t.ID() == arrow.NULL {
			continue
		}
		return nil, errs.Planf("%s: feature %d%s of model %s must be a number, got %s",
			f.name, i+1, f.featureName(i), f.label, TypeName(t))
	}
	return f.resultType(), nil
}

func (f *ModelFunction) featureList() string {
	names := f.model.FeatureNames()
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}

func (f *ModelFunction) featureName(i int) string {
	names := f.model.FeatureNames()
	if i < len(names) {
		return " (" + names[i] + ")"
	}
	return ""
}

// CastArgs has the binder cast numeric features to FLOAT, so that Eval sees float32 and
// VECTOR arrays only (and the leading arguments untouched).
func (f *ModelFunction) CastArgs(args []arrow.DataType) []arrow.DataType {
	to := make([]arrow.DataType, len(args))
	for i := f.skip; i < len(args); i++ {
		if !IsVector(args[i]) && args[i].ID() != arrow.FLOAT32 {
			to[i] = arrow.PrimitiveTypes.Float32
		}
	}
	return to
}

// BindArgs checks the call's arguments where column names are known: when the model names
// its features and the feature arguments are exactly the model's feature names in another
// order (each once), the call is almost surely a mistake that would silently predict garbage, and it is
// an error. Otherwise f itself serves the call.
func (f *ModelFunction) BindArgs(types []arrow.DataType, args []ConstArg) (ScalarFunction, error) {
	model := f.model.FeatureNames()
	if len(args) < f.skip || len(model) == 0 || len(args)-f.skip != len(model) {
		return f, nil
	}
	feats := make([]string, 0, len(model))
	pos := make(map[string]int, len(model))
	for i, n := range model {
		pos[strings.ToLower(n)] = i
	}
	inOrder := true
	seen := make([]bool, len(model))
	for i, a := range args[f.skip:] {
		j, ok := pos[strings.ToLower(a.Column)]
		if !ok || seen[j] {
			return f, nil // not the features' names, each once: nothing to compare
		}
		seen[j] = true
		feats = append(feats, a.Column)
		inOrder = inOrder && j == i
	}
	if inOrder {
		return f, nil
	}
	return nil, errs.Planf("%s: the columns (%s) are model %s's features in another order; the model expects (%s)",
		f.name, strings.Join(feats, ", "), f.label, strings.Join(model, ", "))
}

// Eval predicts for n rows: it lays the features out row-major (in place for a vector
// column without NULL rows), calls the model once, and builds the result. O(n·k) plus the
// model's cost.
func (f *ModelFunction) Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	if len(args) < f.skip {
		return nil, errs.Internalf("%s: %d arguments", f.name, len(args))
	}
	feats, valid, err := f.features(args[f.skip:], n)
	if err != nil {
		return nil, err
	}
	if f.output == ModelProba {
		return f.evalProba(ctx, mem, feats, valid, n)
	}
	outBuf := newBuffer(mem, n*arrow.Float64SizeBytes)
	defer outBuf.Release()
	out := arrow.Float64Traits.CastFromBytes(outBuf.Bytes())[:n]
	if err := f.model.Predict(ctx, feats, n, out); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model %s", f.label)
	}
	for i, v := range out {
		if math.IsNaN(v) {
			valid = markNull(valid, n, i)
		}
	}
	if f.model.Task() != Classification {
		vb, nulls := validityFromBools(mem, valid)
		data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{vb, outBuf}, nil, nulls, 0)
		if vb != nil {
			vb.Release()
		}
		defer data.Release()
		return array.MakeFromData(data), nil
	}
	return f.labels(mem, out, valid, n)
}

// markNull clears valid[i], creating the all-true slice on first use.
func markNull(valid []bool, n, i int) []bool {
	if valid == nil {
		valid = make([]bool, n)
		for j := range valid {
			valid[j] = true
		}
	}
	valid[i] = false
	return valid
}

// features returns the rows' features row-major and their validity (nil: all valid). A
// vector column without NULL rows is read in place; otherwise the features are copied
// (NaN for a NULL number; a NULL vector's row is zeros and its result NULL).
func (f *ModelFunction) features(args []arrow.Array, n int) ([]float32, []bool, error) {
	k := f.model.NumFeatures()
	if len(args) == 1 {
		if fsl, ok := args[0].(*array.FixedSizeList); ok {
			vals, d, err := VectorValues(fsl)
			if err != nil {
				return nil, nil, err
			}
			if d != k || len(vals) < n*k {
				return nil, nil, errs.Internalf("%s: vector of %d dimensions, model has %d features", f.name, d, k)
			}
			var valid []bool
			if fsl.NullN() > 0 {
				for i := 0; i < n; i++ {
					if fsl.IsNull(i) {
						valid = markNull(valid, n, i)
					}
				}
			}
			return vals[:n*k], valid, nil
		}
	}
	if len(args) != k {
		return nil, nil, errs.Internalf("%s: %d feature arguments, model has %d features", f.name, len(args), k)
	}
	if int64(n)*int64(k) > math.MaxInt32 {
		return nil, nil, errs.ResourceExhaustedf("%s: %d rows of %d features exceed 2^31 values in one call", f.name, n, k)
	}
	feats := make([]float32, n*k)
	nan := float32(math.NaN())
	for j, a := range args {
		switch x := a.(type) {
		case *array.Null:
			for i := 0; i < n; i++ {
				feats[i*k+j] = nan
			}
		case *array.Float32:
			src := fixedValues[float32](x)
			for i := 0; i < n; i++ {
				feats[i*k+j] = src[i]
			}
			if x.NullN() > 0 {
				for i := 0; i < n; i++ {
					if x.IsNull(i) {
						feats[i*k+j] = nan
					}
				}
			}
		default:
			return nil, nil, errs.Internalf("%s: feature %d is %s, not FLOAT", f.name, j+1, TypeName(a.DataType()))
		}
	}
	return feats, nil, nil
}

// labels turns predicted class indexes into the class labels.
func (f *ModelFunction) labels(mem memory.Allocator, idx []float64, valid []bool, n int) (arrow.Array, error) {
	classes := f.model.Classes()
	class := func(i int) (int, error) {
		c := int(idx[i])
		if c < 0 || c >= len(classes) || float64(c) != idx[i] {
			return 0, errs.Internalf("model %s predicted class %v of %d", f.label, idx[i], len(classes))
		}
		return c, nil
	}
	if f.intLabels != nil {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.Reserve(n)
		for i := 0; i < n; i++ {
			if valid != nil && !valid[i] {
				b.UnsafeAppendBoolToBitmap(false)
				continue
			}
			c, err := class(i)
			if err != nil {
				return nil, err
			}
			b.UnsafeAppend(f.intLabels[c])
		}
		return b.NewArray(), nil
	}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if valid != nil && !valid[i] {
			b.AppendNull()
			continue
		}
		c, err := class(i)
		if err != nil {
			return nil, err
		}
		b.Append(classes[c])
	}
	return b.NewArray(), nil
}

// evalProba builds ARRAY<DOUBLE> rows of len(Classes) probabilities; a row with a NULL
// vector or a NaN probability is NULL.
func (f *ModelFunction) evalProba(ctx context.Context, mem memory.Allocator, feats []float32, valid []bool, n int) (arrow.Array, error) {
	c := len(f.model.Classes())
	if int64(n)*int64(c) > math.MaxInt32 {
		return nil, errs.ResourceExhaustedf("%s: %d rows of %d classes exceed 2^31 values in one call", f.name, n, c)
	}
	valBuf := newBuffer(mem, n*c*arrow.Float64SizeBytes)
	defer valBuf.Release()
	out := arrow.Float64Traits.CastFromBytes(valBuf.Bytes())[:n*c]
	if err := f.model.PredictProba(ctx, feats, n, out); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model %s", f.label)
	}
	offs := make([]int32, n+1)
	for i := 0; i < n; i++ {
		offs[i+1] = offs[i] + int32(c)
		for _, v := range out[i*c : (i+1)*c] {
			if math.IsNaN(v) {
				valid = markNull(valid, n, i)
				break
			}
		}
	}
	childData := array.NewData(arrow.PrimitiveTypes.Float64, n*c, []*memory.Buffer{nil, valBuf}, nil, 0, 0)
	child := array.MakeFromData(childData)
	childData.Release()
	defer child.Release()
	return newListArray(mem, n, offs, valid, child), nil
}
