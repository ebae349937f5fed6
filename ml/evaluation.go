package ml

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Evaluation of a model over a Dataset (EVALUATE MODEL, and the metrics CREATE MODEL ...
// AS SELECT records): the model predicts on every partition, through udf.Model (the path
// ml_predict takes, float32 features), and the metrics are BigQuery ML's, by name:
//
//	classifier: accuracy, precision, recall, f1_score, log_loss, roc_auc
//	regression: mean_absolute_error, mean_squared_error, root_mean_squared_error,
//	            r2_score, explained_variance
//	kmeans:     inertia, mean_squared_distance, davies_bouldin_index
//
// A classifier's and a regression's predictions come back to the driver (one row of
// label, prediction or class probabilities per input row: 8·(k+1) bytes a row) because
// ROC AUC needs every score in order; a clustering's metrics are folded per partition.

// centered is a model that assigns rows to centers (KMeansModel); FeatureScales are the
// standard deviations its distances are measured in (nil: plain Euclidean).
type centered interface {
	Centers() [][]float64
	FeatureScales() []float64
}

// metricOrder lists the metric names of each task in output order.
var metricOrder = map[string][]string{
	"classification": {"accuracy", "precision", "recall", "f1_score", "log_loss", "roc_auc"},
	"regression":     {"mean_absolute_error", "mean_squared_error", "root_mean_squared_error", "r2_score", "explained_variance"},
	"clustering":     {"inertia", "mean_squared_distance", "davies_bouldin_index"},
}

// EvaluateDataset computes the model's metrics over ds, whose features must be the
// model's (in its order) and whose label, for a supervised model, holds the model's
// classes (by their text) or numbers. It returns the metrics by name, and the names in
// display order.
func EvaluateDataset(ctx context.Context, m udf.Model, ds *Dataset) (map[string]float64, []string, error) {
	if ds.NumFeatures() != m.NumFeatures() {
		return nil, nil, errs.Planf("the model takes %d features, the data has %d (%s)", m.NumFeatures(), ds.NumFeatures(), strings.Join(ds.Features, ", "))
	}
	if c, ok := m.(centered); ok {
		return evaluateClustering(ctx, c.Centers(), c.FeatureScales(), ds)
	}
	if ds.Label == "" {
		return nil, nil, errs.Planf("evaluating a %s model needs a label column", m.Task())
	}
	if m.Task() == udf.Classification {
		return evaluateClassifier(ctx, m, ds)
	}
	return evaluateRegression(ctx, m, ds)
}

// rowMajor32 copies a batch's features into buf (resized) as float32 rows.
func rowMajor32(b Batch, buf []float32) []float32 {
	d := len(b.X)
	if cap(buf) < b.N*d {
		buf = make([]float32, b.N*d)
	}
	buf = buf[:b.N*d]
	for j, col := range b.X {
		for i, v := range col {
			buf[i*d+j] = float32(v)
		}
	}
	return buf
}

// predictions runs the model over every partition of ds and returns, for each row, the
// label (ds.Y) and width values: the prediction (width 1) or the class probabilities.
func predictions(ctx context.Context, m udf.Model, ds *Dataset, proba bool) (labels, out []float64, width int, err error) {
	width = 1
	if proba {
		width = len(m.Classes())
	}
	fields := []arrow.Field{{Name: "label", Type: arrow.PrimitiveTypes.Float64}}
	for k := 0; k < width; k++ {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("p%d", k), Type: arrow.PrimitiveTypes.Float64})
	}
	schema := arrow.NewSchema(fields, nil)
	s := ds.Session()
	name := fmt.Sprintf("ml_evaluate_%d", transformSeq.Add(1))
	d := ds.NumFeatures()
	err = s.RegisterPartitionFunc(name, func(pc *udf.PartitionContext, in udf.BatchReader, w udf.BatchWriter) error {
		var feats []float32
		var res []float64
		for {
			b, err := in.Next()
			if err != nil || b == nil {
				return err
			}
			n := int(b.NumRows())
			if n == 0 {
				continue
			}
			x := make([][]float64, d)
			for j := range x {
				x[j] = b.Column(j).(*array.Float64).Float64Values()
			}
			feats = rowMajor32(Batch{X: x, N: n}, feats)
			if cap(res) < n*width {
				res = make([]float64, n*width)
			}
			res = res[:n*width]
			if proba {
				err = m.PredictProba(pc.Ctx, feats, n, res)
			} else {
				err = m.Predict(pc.Ctx, feats, n, res)
			}
			if err != nil {
				return err
			}
			cols := make([]arrow.Array, 0, width+1)
			cols = append(cols, b.Column(d))
			b.Column(d).Retain()
			for k := 0; k < width; k++ {
				fb := array.NewFloat64Builder(pc.Mem)
				fb.Reserve(n)
				for i := 0; i < n; i++ {
					fb.UnsafeAppend(res[i*width+k])
				}
				cols = append(cols, fb.NewArray())
				fb.Release()
			}
			rec := array.NewRecordBatch(schema, cols, int64(n))
			for _, c := range cols {
				c.Release()
			}
			err = w.Write(rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
	})
	if err != nil {
		return nil, nil, 0, err
	}
	defer s.Functions().DropPartitionFunc(name)
	batches, err := ds.Frame().MapPartitions(name, schema).Collect(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	labels = make([]float64, 0, ds.Rows)
	out = make([]float64, 0, int(ds.Rows)*width)
	for _, b := range batches {
		labels = append(labels, b.Column(0).(*array.Float64).Float64Values()...)
		n := int(b.NumRows())
		base := len(out)
		out = append(out, make([]float64, n*width)...)
		for k := 0; k < width; k++ {
			for i, v := range b.Column(1 + k).(*array.Float64).Float64Values() {
				out[base+i*width+k] = v
			}
		}
	}
	return labels, out, width, nil
}

// evaluateClassifier maps the data's classes onto the model's (by text) and computes the
// classification metrics from the class probabilities.
func evaluateClassifier(ctx context.Context, m udf.Model, ds *Dataset) (map[string]float64, []string, error) {
	classes := m.Classes()
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	remap := make([]int, len(ds.Classes))
	for i, c := range ds.Classes {
		k, ok := index[c]
		if !ok {
			return nil, nil, errs.Planf("label column %q has the value %q, which is not one of the model's classes (%s)", ds.Label, c, strings.Join(classes, ", "))
		}
		remap[i] = k
	}
	labels, proba, k, err := predictions(ctx, m, ds, true)
	if err != nil {
		return nil, nil, err
	}
	y := make([]int, len(labels))
	for i, l := range labels {
		y[i] = remap[int(l)]
	}
	cm, err := ClassificationMetricsOf(y, proba, k)
	if errors.Is(err, ErrUndefinedAUC) {
		err = nil // evaluation data with one class: roc_auc is NULL, the rest stands
	}
	if err != nil {
		return nil, nil, errs.Wrap(errs.ErrExecution, err, "evaluating the classifier")
	}
	out := map[string]float64{
		"accuracy": cm.Accuracy, "precision": cm.Precision, "recall": cm.Recall,
		"f1_score": cm.F1, "log_loss": cm.LogLoss, "roc_auc": cm.ROCAUC,
	}
	return out, metricOrder["classification"], nil
}

// evaluateRegression computes the regression metrics from the predictions.
func evaluateRegression(ctx context.Context, m udf.Model, ds *Dataset) (map[string]float64, []string, error) {
	labels, pred, _, err := predictions(ctx, m, ds, false)
	if err != nil {
		return nil, nil, err
	}
	rm, err := RegressionMetricsOf(labels, pred)
	if err != nil {
		return nil, nil, errs.Wrap(errs.ErrExecution, err, "evaluating the regression")
	}
	out := map[string]float64{
		"mean_absolute_error": rm.MAE, "mean_squared_error": rm.MSE, "root_mean_squared_error": rm.RMSE,
		"r2_score": rm.R2, "explained_variance": rm.ExplainedVariance,
	}
	return out, metricOrder["regression"], nil
}

// evaluateClustering folds, per partition, each center's point count, sum of distances
// and sum of squared distances, in float64 (state 3K). With scales, features and centers
// are measured in standard deviations (the space a standardized model clustered in).
func evaluateClustering(ctx context.Context, centers [][]float64, scales []float64, ds *Dataset) (map[string]float64, []string, error) {
	k := len(centers)
	inv := make([]float64, len(ds.Features))
	for j := range inv {
		inv[j] = 1
		if j < len(scales) && scales[j] > 0 {
			inv[j] = 1 / scales[j]
		}
	}
	scaled := make([][]float64, k)
	for c, center := range centers {
		scaled[c] = make([]float64, len(center))
		for j, v := range center {
			scaled[c][j] = v * inv[j]
		}
	}
	st, err := ds.Aggregate(ctx, make([]float64, 3*k), func(st []float64, b Batch) error {
		// Each fold call works on its own copies: folds of different partitions run at once.
		d2 := make([]float64, b.N)
		bestD := make([]float64, b.N)
		arg := make([]int, b.N)
		for i := range bestD {
			bestD[i] = math.Inf(1)
		}
		for c, center := range scaled {
			for i := range d2 {
				d2[i] = 0
			}
			for j, col := range b.X {
				cj, w := center[j], inv[j]
				for i, v := range col {
					e := v*w - cj
					d2[i] += e * e
				}
			}
			for i, v := range d2 {
				if v < bestD[i] {
					bestD[i], arg[i] = v, c
				}
			}
		}
		for i, v := range bestD {
			c := arg[i]
			st[3*c]++
			st[3*c+1] += math.Sqrt(v)
			st[3*c+2] += v
		}
		return nil
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	var n, inertia float64
	meanDist := make([]float64, k)
	for c := 0; c < k; c++ {
		n += st[3*c]
		inertia += st[3*c+2]
		if st[3*c] > 0 {
			meanDist[c] = st[3*c+1] / st[3*c]
		} else {
			meanDist[c] = math.NaN()
		}
	}
	out := map[string]float64{
		"inertia":               inertia,
		"mean_squared_distance": inertia / n,
		"davies_bouldin_index":  DaviesBouldinIndex(scaled, meanDist),
	}
	return out, metricOrder["clustering"], nil
}

// metricsResult renders metrics as one row whose columns are the metrics by name.
func metricsResult(s *dataframe.Session, metrics map[string]float64, order []string) *dataframe.Result {
	fields := make([]arrow.Field, len(order))
	cols := make([]arrow.Array, len(order))
	for i, name := range order {
		fields[i] = arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
		b := array.NewFloat64Builder(s.Allocator())
		if v, ok := metrics[name]; ok && !math.IsNaN(v) {
			b.Append(v)
		} else {
			b.AppendNull()
		}
		cols[i] = b.NewArray()
		b.Release()
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, cols, 1)
	for _, c := range cols {
		c.Release()
	}
	return &dataframe.Result{Schema: schema, Batches: []arrow.RecordBatch{rec}}
}
