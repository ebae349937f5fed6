package ml

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Evaluator scores a model's output DataFrame with one metric (Spark ML's
// BinaryClassificationEvaluator, MulticlassClassificationEvaluator, RegressionEvaluator
// and ClusteringEvaluator in one type; the metrics are metrics.go's, as scikit-learn
// defines them, under BigQuery ML's names). Metrics and the columns they read:
//
//	accuracy, precision, recall, f1_score   label, prediction (class labels)
//	log_loss, roc_auc                       label, probability (ARRAY<DOUBLE> in Classes' order)
//	mean_absolute_error, mean_squared_error,
//	root_mean_squared_error, r2_score,
//	explained_variance                      label, prediction (numbers)
//	silhouette, davies_bouldin_index        features, prediction (cluster ids)
//
// Spark's names are accepted too (f1, areaUnderROC, logLoss, mae, mse, rmse, r2, var).
// Evaluate collects only the columns the metric reads, to the driver (the metrics are
// exact, not sketched; silhouette is O(n²): evaluate a sample of large data).
type Evaluator struct {
	// Metric names the metric (see above); case does not matter.
	Metric string
	// LabelCol is the true label's column (default "label").
	LabelCol string
	// PredictionCol is the prediction's column (default "prediction"): a class label, a
	// number, or a cluster id.
	PredictionCol string
	// ProbabilityCol is the class probabilities' column (default "probability"): an
	// ARRAY<DOUBLE> (or VECTOR) per row, in the order of Classes.
	ProbabilityCol string
	// FeatureCols are the points of the clustering metrics: number columns, or ARRAY or
	// VECTOR columns whose elements are the coordinates; nil means every such column but
	// the label, prediction and probability columns.
	FeatureCols []string
	// Classes are the classifier's class labels in probability order. The label and
	// prediction columns hold these labels, as numbers (BIGINT, DOUBLE ...) or text
	// (VARCHAR, BOOLEAN as true/false), and are compared by their text (numbers by value:
	// 1.0 is "1"). Empty: the distinct labels (and predictions) found, numbers in numeric
	// order, else text in byte order (scikit-learn's and Dataset's order). For two classes
	// the second is the positive one (precision, recall, F1, AUC).
	Classes []string
}

// metricKind is what a metric reads.
type metricKind int

const (
	classHard  metricKind = iota // label, prediction as classes
	classProba                   // label, probability
	regression                   // label, prediction as numbers
	clustering                   // features, prediction as cluster ids
)

type metricSpec struct {
	kind   metricKind
	larger bool
}

var evalMetrics = map[string]metricSpec{
	"accuracy":                {classHard, true},
	"precision":               {classHard, true},
	"recall":                  {classHard, true},
	"f1_score":                {classHard, true},
	"log_loss":                {classProba, false},
	"roc_auc":                 {classProba, true},
	"mean_absolute_error":     {regression, false},
	"mean_squared_error":      {regression, false},
	"root_mean_squared_error": {regression, false},
	"r2_score":                {regression, true},
	"explained_variance":      {regression, true},
	"silhouette":              {clustering, true},
	"davies_bouldin_index":    {clustering, false},
}

// metricAliases maps Spark ML's metric names (lower-case) to Ember's.
var metricAliases = map[string]string{
	"f1": "f1_score", "areaunderroc": "roc_auc", "logloss": "log_loss", "mae": "mean_absolute_error",
	"mse": "mean_squared_error", "rmse": "root_mean_squared_error", "r2": "r2_score", "var": "explained_variance",
	"davies_bouldin": "davies_bouldin_index",
}

// metric resolves e.Metric to its canonical name and spec.
func (e Evaluator) metric() (string, metricSpec, error) {
	name := strings.ToLower(strings.TrimSpace(e.Metric))
	if a, ok := metricAliases[name]; ok {
		name = a
	}
	if spec, ok := evalMetrics[name]; ok {
		return name, spec, nil
	}
	names := make([]string, 0, len(evalMetrics))
	for n := range evalMetrics {
		names = append(names, n)
	}
	sort.Strings(names)
	if name == "" {
		return "", metricSpec{}, errs.Planf("the evaluator has no Metric; choose one of %s", strings.Join(names, ", "))
	}
	hint := ""
	candidates := slices.Clone(names)
	for a := range metricAliases {
		candidates = append(candidates, a)
	}
	sort.Strings(candidates)
	if near := udf.Nearest(name, candidates); near != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", near)
	}
	return "", metricSpec{}, errs.Planf("unknown evaluation metric %q%s; the metrics are %s", e.Metric, hint, strings.Join(names, ", "))
}

// LargerIsBetter reports whether a larger value of the metric is a better model: false for
// log_loss, the regression errors and davies_bouldin_index, true for the others (and for
// an unknown metric, whose error Evaluate reports).
func (e Evaluator) LargerIsBetter() bool {
	_, spec, err := e.metric()
	return err != nil || spec.larger
}

// WithModelClasses returns e with the Classes of model when e has none and model is a
// classifier that tells them (a udf.Model, or any value with a Classes() []string method,
// such as a pipeline's final model); otherwise e unchanged.
func (e Evaluator) WithModelClasses(model any) Evaluator {
	if len(e.Classes) > 0 {
		return e
	}
	if m, ok := model.(udf.Model); ok && m.Task() != udf.Classification {
		return e
	}
	if c, ok := model.(interface{ Classes() []string }); ok {
		e.Classes = slices.Clone(c.Classes())
	}
	return e
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Evaluate computes the metric over df's rows. Errors: an unknown metric, a missing
// column (named), a column of the wrong type, NULLs, a label or prediction that is not
// among Classes, probabilities of the wrong width, no rows, and the metric's own (an
// undefined ROC AUC names the class missing from the labels).
func (e Evaluator) Evaluate(ctx context.Context, df *dataframe.DataFrame) (float64, error) {
	name, spec, err := e.metric()
	if err != nil {
		return math.NaN(), err
	}
	if df == nil {
		return math.NaN(), errs.Planf("Evaluate needs a DataFrame")
	}
	if err := df.Err(); err != nil {
		return math.NaN(), err
	}
	schema, err := df.Schema()
	if err != nil {
		return math.NaN(), err
	}
	labelCol := orDefault(e.LabelCol, "label")
	predCol := orDefault(e.PredictionCol, "prediction")
	probaCol := orDefault(e.ProbabilityCol, "probability")
	var wanted []string
	var what []string // the Evaluator field naming each wanted column, for errors
	switch spec.kind {
	case classHard, regression:
		wanted, what = []string{labelCol, predCol}, []string{"LabelCol", "PredictionCol"}
	case classProba:
		wanted, what = []string{labelCol, probaCol}, []string{"LabelCol", "ProbabilityCol"}
	case clustering:
		feats, err := e.featureColumns(schema, labelCol, predCol, probaCol)
		if err != nil {
			return math.NaN(), err
		}
		wanted = append([]string{predCol}, feats...)
		what = []string{"PredictionCol"}
		for range feats {
			what = append(what, "FeatureCols")
		}
	}
	exprs := make([]string, len(wanted))
	fields := make([]arrow.Field, len(wanted))
	for i, w := range wanted {
		j := findColumn(schema, w)
		if j < 0 {
			return math.NaN(), errs.Planf("%s: column %q (the evaluator's %s) does not exist; the columns are %s", name, w, what[i], strings.Join(columnNames(schema), ", "))
		}
		fields[i] = schema.Field(j)
		exprs[i] = sqlIdent(fields[i].Name)
	}
	batches, err := df.SelectExpr(exprs...).Collect(ctx)
	if err != nil {
		return math.NaN(), err
	}
	// The batches are ours: released when the metric is computed (the values read from
	// them are copied or no longer needed by then).
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	rows := 0
	for _, b := range batches {
		rows += int(b.NumRows())
	}
	if rows == 0 {
		return math.NaN(), errs.Planf("%s: there are no rows to evaluate", name)
	}
	c := evalColumns{batches: batches, fields: fields, rows: rows}
	switch spec.kind {
	case classHard, classProba:
		return e.classification(name, spec, c)
	case regression:
		return evalRegression(name, c)
	default:
		return evalClustering(name, c)
	}
}

// evalColumns are the collected columns (in the order of fields) of Evaluate.
type evalColumns struct {
	batches []arrow.RecordBatch
	fields  []arrow.Field
	rows    int
}

func findColumn(schema *arrow.Schema, name string) int {
	for i, f := range schema.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

func columnNames(schema *arrow.Schema) []string {
	out := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		out[i] = f.Name
	}
	return out
}

// isPointColumn reports whether t can hold coordinates: a number, or an ARRAY or VECTOR of
// numbers.
func isPointColumn(t arrow.DataType) bool {
	if isNumeric(t) {
		return t.ID() != arrow.BOOL
	}
	switch lt := t.(type) {
	case *arrow.ListType:
		return isNumeric(lt.Elem()) && lt.Elem().ID() != arrow.BOOL
	case *arrow.FixedSizeListType:
		return isNumeric(lt.Elem()) && lt.Elem().ID() != arrow.BOOL
	}
	return false
}

// featureColumns resolves the clustering metrics' feature columns.
func (e Evaluator) featureColumns(schema *arrow.Schema, labelCol, predCol, probaCol string) ([]string, error) {
	if e.FeatureCols != nil {
		if len(e.FeatureCols) == 0 {
			return nil, errs.Planf("the evaluator's FeatureCols is empty")
		}
		return e.FeatureCols, nil
	}
	var out []string
	for _, f := range schema.Fields() {
		if strings.EqualFold(f.Name, labelCol) || strings.EqualFold(f.Name, predCol) || strings.EqualFold(f.Name, probaCol) {
			continue
		}
		if isPointColumn(f.Type) {
			out = append(out, f.Name)
		}
	}
	if len(out) == 0 {
		return nil, errs.Planf("no feature columns to evaluate clusters on: the columns are %s (set the evaluator's FeatureCols)", strings.Join(columnNames(schema), ", "))
	}
	return out, nil
}

// eachValue calls fn for every row of column j: numbers as num (isNum true), strings and
// booleans as text (aliasing the batch: copy what outlives the call). NULL is an error.
func (c evalColumns) eachValue(j int, fn func(row int, num float64, text string, isNum bool) error) error {
	f := c.fields[j]
	row := 0
	for _, b := range c.batches {
		col := b.Column(j)
		if col.NullN() > 0 {
			for r := 0; r < col.Len(); r++ {
				if col.IsNull(r) {
					return errs.Planf("column %q is NULL in row %d: filter such rows out before evaluating", f.Name, row+r)
				}
			}
		}
		n := col.Len()
		var err error
		switch a := col.(type) {
		case *array.Float64:
			for r, v := range a.Float64Values() {
				if err = fn(row+r, v, "", true); err != nil {
					break
				}
			}
		case *array.Int64:
			for r, v := range a.Int64Values() {
				if err = fn(row+r, float64(v), "", true); err != nil {
					break
				}
			}
		case *array.String:
			for r := 0; r < n && err == nil; r++ {
				err = fn(row+r, 0, a.Value(r), false)
			}
		case *array.LargeString:
			for r := 0; r < n && err == nil; r++ {
				err = fn(row+r, 0, a.Value(r), false)
			}
		case *array.Boolean:
			for r := 0; r < n && err == nil; r++ {
				err = fn(row+r, 0, strconv.FormatBool(a.Value(r)), false)
			}
		default:
			if !isNumeric(f.Type) || f.Type.ID() == arrow.BOOL {
				return errs.Planf("column %q is %s: it must hold numbers, strings or booleans", f.Name, udf.TypeName(f.Type))
			}
			for r := 0; r < n && err == nil; r++ {
				v, nerr := numberAt(col, r)
				if nerr != nil {
					return errs.Planf("column %q is %s: it must hold numbers, strings or booleans", f.Name, udf.TypeName(f.Type))
				}
				err = fn(row+r, v, "", true)
			}
		}
		if err != nil {
			return err
		}
		row += n
	}
	return nil
}

// numbers reads column j as float64s (numbers only).
func (c evalColumns) numbers(j int, name string) ([]float64, error) {
	f := c.fields[j]
	if !isNumeric(f.Type) || f.Type.ID() == arrow.BOOL {
		return nil, errs.Planf("%s: column %q is %s, not a number", name, f.Name, udf.TypeName(f.Type))
	}
	out := make([]float64, 0, c.rows)
	err := c.eachValue(j, func(_ int, v float64, _ string, _ bool) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// classIndex maps labels to class indices: text exactly, numbers by value.
type classIndex struct {
	classes []string
	byText  map[string]int
	byNum   map[float64]int
}

func newClassIndex(classes []string) (*classIndex, error) {
	ci := &classIndex{classes: classes, byText: make(map[string]int, len(classes)), byNum: map[float64]int{}}
	for i, c := range classes {
		if _, dup := ci.byText[c]; dup {
			return nil, errs.Planf("the evaluator's Classes list %q twice", c)
		}
		ci.byText[c] = i
		if v, err := strconv.ParseFloat(c, 64); err == nil {
			ci.byNum[v] = i
		}
	}
	return ci, nil
}

func (ci *classIndex) lookup(num float64, text string, isNum bool) (int, bool) {
	if isNum {
		i, ok := ci.byNum[num]
		return i, ok
	}
	if i, ok := ci.byText[text]; ok {
		return i, true
	}
	if v, err := strconv.ParseFloat(text, 64); err == nil {
		i, ok := ci.byNum[v]
		return i, ok
	}
	return 0, false
}

// indices maps column j's labels to class indices; what names the column's role.
func (c evalColumns) indices(j int, ci *classIndex, what string) ([]int, error) {
	out := make([]int, 0, c.rows)
	err := c.eachValue(j, func(row int, num float64, text string, isNum bool) error {
		i, ok := ci.lookup(num, text, isNum)
		if !ok {
			v := text
			if isNum {
				v = formatNumber(num)
			}
			return errs.Planf("the %s %q in row %d (column %q) is not among the classes [%s]", what, v, row, c.fields[j].Name, strings.Join(ci.classes, ", "))
		}
		out = append(out, i)
		return nil
	})
	return out, err
}

// distinctClasses finds the distinct values of the given columns, in scikit-learn's order:
// numerically when every value is a number, else by text.
func (c evalColumns) distinctClasses(cols ...int) ([]string, error) {
	seen := map[string]bool{}
	for _, j := range cols {
		err := c.eachValue(j, func(_ int, num float64, text string, isNum bool) error {
			if isNum {
				text = formatNumber(num)
			}
			if !seen[text] {
				seen[strings.Clone(text)] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(seen))
	numeric := true
	for s := range seen {
		out = append(out, s)
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			numeric = false
		}
	}
	if numeric {
		sort.Slice(out, func(a, b int) bool {
			x, _ := strconv.ParseFloat(out[a], 64)
			y, _ := strconv.ParseFloat(out[b], 64)
			return x < y
		})
	} else {
		sort.Strings(out)
	}
	return out, nil
}

// classification computes a classification metric; column 0 is the label, column 1 the
// prediction or the probabilities.
func (e Evaluator) classification(name string, spec metricSpec, c evalColumns) (float64, error) {
	classes := e.Classes
	derived := len(classes) == 0
	if derived {
		cols := []int{0, 1}
		if spec.kind == classProba {
			cols = []int{0}
		}
		var err error
		if classes, err = c.distinctClasses(cols...); err != nil {
			return math.NaN(), err
		}
	}
	ci, err := newClassIndex(classes)
	if err != nil {
		return math.NaN(), err
	}
	yTrue, err := c.indices(0, ci, "label")
	if err != nil {
		return math.NaN(), err
	}
	k := len(classes)
	if spec.kind == classHard {
		yPred, err := c.indices(1, ci, "prediction")
		if err != nil {
			return math.NaN(), err
		}
		if k < 2 {
			if name == "accuracy" {
				return 1, nil // every label and prediction is the one class
			}
			return math.NaN(), errs.Planf("%s: the labels and predictions hold a single class (%s); set the evaluator's Classes to the classifier's classes", name, classes[0])
		}
		m := hardMetrics(yTrue, yPred, k)
		switch name {
		case "accuracy":
			return m.Accuracy, nil
		case "precision":
			return m.Precision, nil
		case "recall":
			return m.Recall, nil
		}
		return m.F1, nil
	}
	proba, width, err := c.probabilities(1)
	if err != nil {
		return math.NaN(), err
	}
	if width != k {
		if derived {
			return math.NaN(), errs.Planf("%s: column %q holds %d probabilities per row but the labels hold %d classes (%s); set the evaluator's Classes to the classifier's classes", name, c.fields[1].Name, width, k, strings.Join(classes, ", "))
		}
		return math.NaN(), errs.Planf("%s: column %q holds %d probabilities per row, not one per class of %d (%s)", name, c.fields[1].Name, width, k, strings.Join(classes, ", "))
	}
	if err := checkProba(yTrue, proba, k); err != nil {
		return math.NaN(), errs.Wrap(errs.ErrPlan, err, "%s", name)
	}
	if name == "log_loss" {
		return logLoss(yTrue, proba, k), nil
	}
	return rocAUC(yTrue, proba, k, classes)
}

// listValues returns the offsets and float64 values of an ARRAY or VECTOR column of
// numbers (the values copied when the elements are not DOUBLE).
func listValues(col arrow.Array) (offs []int32, vals []float64, ok bool) {
	offs, child, ok := udf.ListOffsets(col)
	if !ok {
		return nil, nil, false
	}
	switch ch := child.(type) {
	case *array.Float64:
		return offs, ch.Float64Values(), true
	case *array.Float32:
		vals = make([]float64, ch.Len())
		for i, v := range ch.Float32Values() {
			vals[i] = float64(v)
		}
		return offs, vals, true
	}
	vals = make([]float64, child.Len())
	for i := range vals {
		v, err := numberAt(child, i)
		if err != nil {
			return nil, nil, false
		}
		vals[i] = v
	}
	return offs, vals, true
}

// probabilities reads column j, an ARRAY or VECTOR of numbers of one width per row, as a
// rows × width row-major matrix.
func (c evalColumns) probabilities(j int) ([]float64, int, error) {
	f := c.fields[j]
	out := make([]float64, 0, c.rows*2)
	width, row := -1, 0
	for _, b := range c.batches {
		col := b.Column(j)
		offs, vals, ok := listValues(col)
		if !ok {
			return nil, 0, errs.Planf("column %q is %s: class probabilities must be an ARRAY<DOUBLE>", f.Name, udf.TypeName(f.Type))
		}
		for r := 0; r < col.Len(); r++ {
			if col.IsNull(r) {
				return nil, 0, errs.Planf("column %q is NULL in row %d: filter such rows out before evaluating", f.Name, row)
			}
			w := int(offs[r+1] - offs[r])
			if width < 0 {
				width = w
			} else if w != width {
				return nil, 0, errs.Planf("column %q holds %d probabilities in row %d but %d in row 0", f.Name, w, row, width)
			}
			out = append(out, vals[offs[r]:offs[r+1]]...)
			row++
		}
	}
	return out, width, nil
}

func evalRegression(name string, c evalColumns) (float64, error) {
	y, err := c.numbers(0, name)
	if err != nil {
		return math.NaN(), err
	}
	p, err := c.numbers(1, name)
	if err != nil {
		return math.NaN(), err
	}
	m, err := RegressionMetricsOf(y, p)
	if err != nil {
		return math.NaN(), errs.Wrap(errs.ErrPlan, err, "%s", name)
	}
	switch name {
	case "mean_absolute_error":
		return m.MAE, nil
	case "mean_squared_error":
		return m.MSE, nil
	case "root_mean_squared_error":
		return m.RMSE, nil
	case "r2_score":
		return m.R2, nil
	}
	return m.ExplainedVariance, nil
}

// evalClustering computes a clustering metric; column 0 is the cluster id, the others the
// coordinates.
func evalClustering(name string, c evalColumns) (float64, error) {
	// Cluster ids: distinct values in first-seen order (the scores do not depend on it).
	ids := map[string]int{}
	labels := make([]int, 0, c.rows)
	err := c.eachValue(0, func(_ int, num float64, text string, isNum bool) error {
		if isNum {
			text = formatNumber(num)
		}
		id, ok := ids[text]
		if !ok {
			id = len(ids)
			ids[strings.Clone(text)] = id
		}
		labels = append(labels, id)
		return nil
	})
	if err != nil {
		return math.NaN(), err
	}
	// Coordinates: one backing array, rows × d.
	d := 0
	dims := make([]int, len(c.fields)-1)
	for j := 1; j < len(c.fields); j++ {
		f := c.fields[j]
		if !isPointColumn(f.Type) {
			return math.NaN(), errs.Planf("%s: feature column %q is %s, not a number or an array of numbers", name, f.Name, udf.TypeName(f.Type))
		}
		if isNumeric(f.Type) {
			dims[j-1] = 1
		} else {
			dims[j-1] = -1 // found from the first row
		}
	}
	// The width of each array column, from its first row (Evaluate found rows).
	first := c.batches[0]
	for _, b := range c.batches {
		if b.NumRows() > 0 {
			first = b
			break
		}
	}
	for j := 1; j < len(c.fields); j++ {
		if dims[j-1] < 0 {
			offs, _, _ := listValues(first.Column(j))
			dims[j-1] = int(offs[1] - offs[0])
		}
		d += dims[j-1]
	}
	if d == 0 {
		return math.NaN(), errs.Planf("%s: the feature columns hold no coordinates", name)
	}
	flat := make([]float64, c.rows*d)
	at := 0
	for j := 1; j < len(c.fields); j++ {
		f := c.fields[j]
		if dims[j-1] == 1 && isNumeric(f.Type) {
			col, err := c.numbers(j, name)
			if err != nil {
				return math.NaN(), err
			}
			for r, v := range col {
				flat[r*d+at] = v
			}
			at++
			continue
		}
		w, row := dims[j-1], 0
		for _, b := range c.batches {
			col := b.Column(j)
			offs, vals, _ := listValues(col)
			for r := 0; r < col.Len(); r++ {
				if col.IsNull(r) {
					return math.NaN(), errs.Planf("column %q is NULL in row %d: filter such rows out before evaluating", f.Name, row)
				}
				if int(offs[r+1]-offs[r]) != w {
					return math.NaN(), errs.Planf("%s: column %q holds %d values in row %d but %d in row 0", name, f.Name, offs[r+1]-offs[r], row, w)
				}
				copy(flat[row*d+at:row*d+at+w], vals[offs[r]:offs[r+1]])
				row++
			}
		}
		at += w
	}
	points := make([][]float64, c.rows)
	for r := range points {
		points[r] = flat[r*d : (r+1)*d]
	}
	var v float64
	if name == "silhouette" {
		v, err = Silhouette(points, labels)
	} else {
		v, err = DaviesBouldinScore(points, labels)
	}
	if err != nil {
		return math.NaN(), err
	}
	return v, nil
}
