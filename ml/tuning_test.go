package ml

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// ridge1D is a test-only estimator: y ≈ w·x + b with w = Sxy/(Sxx + Alpha) (ridge
// regression on one centred feature, closed form). It records the x values of every fit
// in log, shared by its copies. The other fields are for ApplyParams' tests.
type ridge1D struct {
	Alpha   float64
	MaxIter int
	Small   int8
	Count   uint16
	Name    string
	Solver  solverName
	Weights []float64
	Scale   *float64
	Verbose bool
	log     *fitLog
	// cancel, when set, is called by the fit numbered cancelAt (from 1).
	cancel   func()
	cancelAt int
}

type solverName string

type fitLog struct {
	mu   sync.Mutex
	fits [][]float64 // each fit's x values, sorted
}

func (l *fitLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.fits)
}

func (r ridge1D) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	batches, err := df.SelectExpr("CAST(x AS DOUBLE) AS x", "CAST(y AS DOUBLE) AS y").Collect(ctx)
	if err != nil {
		return nil, err
	}
	var xs, ys []float64
	for _, b := range batches {
		xs = append(xs, b.Column(0).(*array.Float64).Float64Values()...)
		ys = append(ys, b.Column(1).(*array.Float64).Float64Values()...)
		b.Release()
	}
	if r.log != nil {
		r.log.mu.Lock()
		r.log.fits = append(r.log.fits, slices.Sorted(slices.Values(xs)))
		n := len(r.log.fits)
		r.log.mu.Unlock()
		if r.cancel != nil && n == r.cancelAt {
			r.cancel()
		}
	}
	if len(xs) == 0 {
		return nil, errs.Planf("ridge1D: no rows")
	}
	w, b := ridgeFit(xs, ys, r.Alpha)
	return &ridgeModel{W: w, B: b}, nil
}

func ridgeFit(xs, ys []float64, alpha float64) (w, b float64) {
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(xs))
	var sxx, sxy float64
	for i := range xs {
		sxx += (xs[i] - mx) * (xs[i] - mx)
		sxy += (xs[i] - mx) * (ys[i] - my)
	}
	w = sxy / (sxx + alpha)
	return w, my - w*mx
}

// ridgeModel is ridge1D's fitted model: a udf.Model over the feature x and a Transformer.
type ridgeModel struct{ W, B float64 }

func (m *ridgeModel) Kind() string           { return "test_ridge" }
func (m *ridgeModel) NumFeatures() int       { return 1 }
func (m *ridgeModel) FeatureNames() []string { return []string{"x"} }
func (m *ridgeModel) Task() udf.ModelTask    { return udf.Regression }
func (m *ridgeModel) Classes() []string      { return nil }
func (m *ridgeModel) Predict(_ context.Context, features []float32, rows int, out []float64) error {
	for i := range rows {
		out[i] = m.W*float64(features[i]) + m.B
	}
	return nil
}
func (m *ridgeModel) PredictProba(context.Context, []float32, int, []float64) error {
	return errs.Planf("test_ridge is a regression")
}
func (m *ridgeModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	return modelTransform(df, m, []string{"x"}, "prediction", "")
}

// ridgeData writes n rows (id, x, y) with y = 3x + 1 + noise to a CSV file; x values are
// distinct and exact in float32. It returns the rows by x.
func ridgeData(t *testing.T, n int) (path string, yOf map[float64]float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(5))
	var b strings.Builder
	b.WriteString("id,x,y\n")
	yOf = map[float64]float64{}
	for i := range n {
		x := float64(i-n/2) * 0.25
		y := 3*x + 1 + 2*rng.NormFloat64()
		yOf[x] = y
		fmt.Fprintf(&b, "%d,%g,%.17g\n", i, x, y)
	}
	path = filepath.Join(t.TempDir(), "ridge.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, yOf
}

// TestCrossValidatorPicksBestParameter cross-validates ridge1D's Alpha (at 1 and 3
// partitions) and checks: the best parameter, the source read once, every row held out
// exactly once, the mean scores recomputed independently from the folds' training sets,
// and the refit on all rows.
func TestCrossValidatorPicksBestParameter(t *testing.T) {
	const n, k = 120, 4
	path, yOf := ridgeData(t, n)
	ctx := context.Background()
	for _, parts := range []int{1, 3} {
		for _, metric := range []string{"root_mean_squared_error", "r2_score"} {
			t.Run(fmt.Sprintf("partitions=%d/%s", parts, metric), func(t *testing.T) {
				s := mlSession(t, "", parts)
				df, err := s.ReadCSV(path, dataframe.CSVOptions{Header: true})
				if err != nil {
					t.Fatal(err)
				}
				log := &fitLog{}
				grid := NewParamGrid().Add("Alpha", 1e5, 0.0, 300.0).Build()
				cv := CrossValidator{Estimator: ridge1D{log: log}, Grid: grid, NumFolds: k, Seed: 11,
					Evaluator: Evaluator{Metric: metric, LabelCol: "y"}}
				before := s.Metrics()
				model, err := cv.Fit(ctx, df)
				if err != nil {
					t.Fatal(err)
				}
				if d := s.Metrics().SourceScans - before.SourceScans; d != 1 {
					t.Errorf("%d source scans, want 1", d)
				}
				if got := model.BestParams["Alpha"]; got != 0.0 {
					t.Errorf("best Alpha %v (mean scores %v), want 0", got, model.AvgMetrics)
				}
				// Fits: fold by fold, each parameter map in turn, then the refit.
				if log.count() != k*len(grid)+1 {
					t.Fatalf("%d fits, want %d", log.count(), k*len(grid)+1)
				}
				all := slices.Sorted(func(yield func(float64) bool) {
					for x := range yOf {
						if !yield(x) {
							return
						}
					}
				})
				if !slices.Equal(log.fits[k*len(grid)], all) {
					t.Errorf("the refit saw %d rows, want all %d", len(log.fits[k*len(grid)]), n)
				}
				heldOut := map[float64]int{}
				want := make([]float64, len(grid))
				for i := range k {
					train := log.fits[i*len(grid)]
					for m := range grid {
						if !slices.Equal(log.fits[i*len(grid)+m], train) {
							t.Fatalf("fold %d: parameter maps trained on different rows", i)
						}
					}
					inTrain := map[float64]bool{}
					var ty []float64
					for _, x := range train {
						if inTrain[x] {
							t.Fatalf("fold %d: row x=%v trained twice", i, x)
						}
						inTrain[x] = true
						ty = append(ty, yOf[x])
					}
					var test []float64
					for _, x := range all {
						if !inTrain[x] {
							test = append(test, x)
							heldOut[x]++
						}
					}
					for m, params := range grid {
						w, b := ridgeFit(train, ty, params["Alpha"].(float64))
						var yt, yp []float64
						for _, x := range test {
							yt = append(yt, yOf[x])
							yp = append(yp, w*x+b)
						}
						rm, err := RegressionMetricsOf(yt, yp)
						if err != nil {
							t.Fatal(err)
						}
						if metric == "r2_score" {
							want[m] += rm.R2 / k
						} else {
							want[m] += rm.RMSE / k
						}
					}
				}
				if len(heldOut) != n {
					t.Errorf("%d rows held out, want %d", len(heldOut), n)
				}
				for x, c := range heldOut {
					if c != 1 {
						t.Errorf("row x=%v held out %d times", x, c)
					}
				}
				for m := range grid {
					if math.Abs(model.AvgMetrics[m]-want[m]) > 1e-9*math.Abs(want[m]) {
						t.Errorf("mean %s of %v: %v, recomputed %v", metric, grid[m], model.AvgMetrics[m], want[m])
					}
				}
				// The best model is the refit on all rows, and the model transforms with it.
				best := model.Best.(*ridgeModel)
				var ys []float64
				for _, x := range all {
					ys = append(ys, yOf[x])
				}
				w, b := ridgeFit(all, ys, 0)
				if math.Abs(best.W-w) > 1e-12*math.Abs(w) || math.Abs(best.B-b) > 1e-12*math.Abs(b) {
					t.Errorf("best model %+v, want w=%v b=%v", best, w, b)
				}
				rmse, err := Evaluator{Metric: "rmse", LabelCol: "y"}.Evaluate(ctx, model.Transform(df))
				if err != nil || !(rmse > 1 && rmse < 3) {
					t.Errorf("the best model's training RMSE: %v, %v", rmse, err)
				}
			})
		}
	}
}

// TestDrawFoldsCoverEveryRow checks drawFolds at 3 partitions: every row in exactly one
// test fold, each training set its fold's exact complement, df's columns kept (a column
// named like the draw's is renamed around), the cache dropped by Unpersist.
func TestDrawFoldsCoverEveryRow(t *testing.T) {
	s := mlSession(t, "", 3)
	ctx := context.Background()
	type row struct {
		ID   int64   `ember:"id"`
		Fold float64 `ember:"ml_fold_"`
	}
	var rs []row
	for i := range 500 {
		rs = append(rs, row{int64(i), -1})
	}
	df := fromStructs(t, s, rs)
	data, folds, err := drawFolds(df, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer data.Unpersist()
	ids := func(d *dataframe.DataFrame) map[int64]int {
		t.Helper()
		cols, err := d.Columns()
		if err != nil || !slices.Equal(cols, []string{"id", "ml_fold_"}) {
			t.Fatalf("columns %v, %v", cols, err)
		}
		rows, err := d.CollectRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]int{}
		for _, r := range rows {
			if r[1].(float64) != -1 {
				t.Fatalf("the user's ml_fold_ column changed: %v", r)
			}
			out[r[0].(int64)]++
		}
		return out
	}
	held := map[int64]int{}
	for i := range 4 {
		train, test := ids(folds[i][0]), ids(folds[i][1])
		if len(test) < 60 || len(test) > 190 {
			t.Errorf("fold %d holds %d of 500 rows", i, len(test))
		}
		for id := range int64(500) {
			if train[id]+test[id] != 1 {
				t.Errorf("fold %d: row %d is %d times in training, %d in test", i, id, train[id], test[id])
			}
			held[id] += test[id]
		}
	}
	for id, c := range held {
		if c != 1 {
			t.Errorf("row %d held out %d times", id, c)
		}
	}
	if len(ids(folds[4][0])) != 500 {
		t.Error("the whole data is not 500 rows")
	}
	if _, cached := data.StorageLevel(); !cached {
		t.Error("the draw is not cached")
	}
}

func TestCrossValidatorErrors(t *testing.T) {
	path, _ := ridgeData(t, 30)
	s := mlSession(t, "", 2)
	df, err := s.ReadCSV(path, dataframe.CSVOptions{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	log := &fitLog{}
	ev := Evaluator{Metric: "rmse", LabelCol: "y"}
	for _, c := range []struct {
		name string
		cv   CrossValidator
		want string
	}{
		{"no estimator", CrossValidator{Evaluator: ev}, "needs an Estimator"},
		{"one fold", CrossValidator{Estimator: ridge1D{log: log}, Evaluator: ev, NumFolds: 1}, "at least 2 folds, not 1"},
		{"empty grid", CrossValidator{Estimator: ridge1D{log: log}, Evaluator: ev, Grid: NewParamGrid().Add("Alpha").Build()}, "parameter grid is empty"},
		{"bad metric", CrossValidator{Estimator: ridge1D{log: log}, Evaluator: Evaluator{Metric: "rmsee"}}, "did you mean rmse"},
		{"unknown parameter", CrossValidator{Estimator: ridge1D{log: log}, Evaluator: ev,
			Grid: NewParamGrid().Add("Alpha", 0.0).Add("alfa", 1).Build()}, `parameter map 0 {Alpha=0, alfa=1}: plan error: ml.ridge1D has no parameter "alfa" (did you mean Alpha?)`},
		{"wrong type", CrossValidator{Estimator: &ridge1D{log: log}, Evaluator: ev,
			Grid: NewParamGrid().Add("Alpha", 0.0, "big").Build()}, `parameter map 1 {Alpha=big}: plan error: ml.ridge1D.Alpha is float64: cannot set it to big (string)`},
		{"missing label", CrossValidator{Estimator: ridge1D{log: log}, Evaluator: Evaluator{Metric: "rmse"}}, `evaluating fold 1 of 3 with parameters {}: plan error: root_mean_squared_error: column "label" (the evaluator's LabelCol) does not exist`},
	} {
		_, err := c.cv.Fit(ctx, df)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if c.name != "missing label" && log.count() != 0 {
			t.Errorf("%s: %d fits before the error", c.name, log.count())
		}
	}
	if _, err := (CrossValidator{Estimator: ridge1D{}, Evaluator: ev}).Fit(ctx, nil); err == nil {
		t.Error("nil DataFrame: no error")
	}
	if _, err := (CrossValidator{Estimator: ridge1D{}, Evaluator: ev}).Fit(ctx, df.Where("nope > 1")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("bad DataFrame: %v", err)
	}

	// Cancellation: before the start, and by the second fit.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (CrossValidator{Estimator: ridge1D{}, Evaluator: ev}).Fit(canceled, df); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
	cctx, cancel2 := context.WithCancel(ctx)
	defer cancel2()
	log2 := &fitLog{}
	_, err = CrossValidator{Estimator: ridge1D{log: log2, cancel: cancel2, cancelAt: 2}, Evaluator: ev,
		Grid: NewParamGrid().Add("Alpha", 0, 1, 2).Build()}.Fit(cctx, df)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled during the fits: %v", err)
	}
	if log2.count() != 2 {
		t.Errorf("%d fits after cancel at the second, want 2", log2.count())
	}

	var nilModel *CrossValidatorModel
	if err := nilModel.Transform(df).Err(); err == nil {
		t.Error("a nil CrossValidatorModel transformed")
	}
}

func TestParamGridBuild(t *testing.T) {
	g := NewParamGrid().Add("RegParam", 0.01, 0.1).Add("MaxIter", 50, 100).Build()
	want := ParamGrid{
		{"RegParam": 0.01, "MaxIter": 50}, {"RegParam": 0.01, "MaxIter": 100},
		{"RegParam": 0.1, "MaxIter": 50}, {"RegParam": 0.1, "MaxIter": 100},
	}
	if fmt.Sprint(g) != fmt.Sprint(want) {
		t.Errorf("grid %v, want %v", g, want)
	}
	g[0]["RegParam"] = 9.0
	if g[1]["RegParam"] != 0.01 {
		t.Error("the grid's maps share storage")
	}
	if g := NewParamGrid().Add("A", 1).Add("B", 2, 3).Add("A", 4, 5).Build(); fmt.Sprint(g) != "[map[A:4 B:2] map[A:4 B:3] map[A:5 B:2] map[A:5 B:3]]" {
		t.Errorf("re-added name: %v", g)
	}
	if g := NewParamGrid().Build(); len(g) != 1 || len(g[0]) != 0 {
		t.Errorf("no names: %v", g)
	}
	if g := NewParamGrid().Add("A", 1).Add("B").Build(); g == nil || len(g) != 0 {
		t.Errorf("a name with no values: %#v", g)
	}
}

func TestApplyParams(t *testing.T) {
	scale := 2.0
	orig := ridge1D{Alpha: 1, MaxIter: 10, Weights: []float64{1}, Scale: &scale}
	got, err := ApplyParams(orig, map[string]any{"Alpha": 3, "maxiter": 50.0, "Small": -7, "Count": 65535,
		"Name": "n", "Solver": "lbfgs", "Weights": []float64{4, 5}, "Verbose": true})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := got.(ridge1D)
	if !ok {
		t.Fatalf("ApplyParams of a struct gave %T", got)
	}
	if r.Alpha != 3 || r.MaxIter != 50 || r.Small != -7 || r.Count != 65535 || r.Name != "n" || r.Solver != "lbfgs" ||
		!slices.Equal(r.Weights, []float64{4, 5}) || !r.Verbose || r.Scale != &scale {
		t.Errorf("copy %+v", r)
	}
	if orig.Alpha != 1 || orig.MaxIter != 10 || orig.Weights[0] != 1 {
		t.Errorf("the original changed: %+v", orig)
	}
	p := &ridge1D{Alpha: 1}
	got, err = ApplyParams(p, map[string]any{"Alpha": float32(0.5), "Scale": 3, "Weights": nil})
	if err != nil {
		t.Fatal(err)
	}
	rp, ok := got.(*ridge1D)
	if !ok || rp == p || rp.Alpha != 0.5 || *rp.Scale != 3 || rp.Weights != nil || p.Alpha != 1 || p.Scale != nil {
		t.Errorf("pointer copy %+v (original %+v)", rp, p)
	}
	if got, err := ApplyParams(p, nil); err != nil || got.(*ridge1D) == p {
		t.Errorf("no parameters: %v, %v", got, err)
	}
	for _, c := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"MaxIters": 5}, `ml.ridge1D has no parameter "MaxIters" (did you mean MaxIter?); its fields are Alpha, MaxIter, Small, Count, Name, Solver, Weights, Scale, Verbose`},
		{map[string]any{"log": 5}, `has no parameter "log"`},
		{map[string]any{"MaxIter": 0.5}, "ml.ridge1D.MaxIter is int: cannot set it to 0.5 (float64)"},
		{map[string]any{"MaxIter": "5"}, "cannot set it to 5 (string)"},
		{map[string]any{"Small": 300}, "ml.ridge1D.Small is int8: 300 overflows it"},
		{map[string]any{"Count": -1}, "ml.ridge1D.Count is uint16: -1 overflows it"},
		{map[string]any{"Alpha": nil}, "ml.ridge1D.Alpha is float64: cannot set it to nil"},
		{map[string]any{"Verbose": 1}, "ml.ridge1D.Verbose is bool: cannot set it to 1 (int)"},
		{map[string]any{"Weights": []int{1}}, "ml.ridge1D.Weights is []float64: cannot set it to [1] ([]int)"},
		{map[string]any{"Alpha": math.Inf(1), "MaxIter": math.Inf(1)}, "ml.ridge1D.MaxIter is int: cannot set it to +Inf"},
	} {
		_, err := ApplyParams(orig, c.params)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.params, err, c.want)
		}
	}
	if _, err := ApplyParams(nil, nil); err == nil {
		t.Error("nil estimator: no error")
	}
	if _, err := ApplyParams((*ridge1D)(nil), nil); err == nil || !strings.Contains(err.Error(), "nil *ml.ridge1D") {
		t.Errorf("nil pointer: %v", err)
	}
	if _, err := ApplyParams(funcEstimator(nil), map[string]any{"A": 1}); err == nil || !strings.Contains(err.Error(), "not a struct") {
		t.Errorf("not a struct: %v", err)
	}
}

type funcEstimator func(context.Context, *dataframe.DataFrame) (Transformer, error)

func (f funcEstimator) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	return f(ctx, df)
}

// TestTrainTestSplit checks the split of a cached DataFrame (complementary at any
// partition count: RandomSplit draws per partition) and the fraction's checks.
func TestTrainTestSplit(t *testing.T) {
	s := mlSession(t, "", 3)
	ctx := context.Background()
	type row struct {
		ID int64 `ember:"id"`
	}
	var rs []row
	for i := range 1000 {
		rs = append(rs, row{int64(i)})
	}
	df := fromStructs(t, s, rs).Cache()
	defer df.Unpersist()
	train, test := TrainTestSplit(df, 0.25, 42)
	seen := map[int64]int{}
	sizes := []int{}
	for _, d := range []*dataframe.DataFrame{train, test} {
		rows, err := d.CollectRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(rows))
		for _, r := range rows {
			seen[r[0].(int64)]++
		}
	}
	if len(seen) != 1000 || sizes[0]+sizes[1] != 1000 || sizes[1] < 200 || sizes[1] > 300 {
		t.Errorf("split %v covering %d rows", sizes, len(seen))
	}
	// The same seed gives the same split.
	_, again := TrainTestSplit(df, 0.25, 42)
	if n, err := again.Count(ctx); err != nil || int(n) != sizes[1] {
		t.Errorf("same seed: %d test rows, first %d (%v)", n, sizes[1], err)
	}
	for _, f := range []float64{0, 1, -0.5, math.NaN()} {
		a, b := TrainTestSplit(df, f, 1)
		if a.Err() == nil || b.Err() == nil || !strings.Contains(a.Err().Error(), "between 0 and 1") {
			t.Errorf("fraction %v: %v, %v", f, a.Err(), b.Err())
		}
	}
	if a, b := TrainTestSplit(nil, 0.5, 1); a != nil || b != nil {
		t.Error("nil DataFrame split")
	}
}
