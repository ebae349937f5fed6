package ml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/udf"
)

// The linear_reg fixtures: testdata/ml/training/make_linear.py (scikit-learn 1.2.1).

var linearDir = filepath.Join("..", "testdata", "ml", "training")

type linearCase struct {
	Name         string    `json:"name"`
	Features     []string  `json:"features"`
	L1Reg        float64   `json:"l1_reg"`
	L2Reg        float64   `json:"l2_reg"`
	Standardize  bool      `json:"standardize"`
	FitIntercept bool      `json:"fit_intercept"`
	Coefficients []float64 `json:"coefficients"`
	Intercept    float64   `json:"intercept"`
	TrainR2      float64   `json:"train_r2"`
	TrainRMSE    float64   `json:"train_rmse"`
	TestR2       float64   `json:"test_r2"`
	TestRMSE     float64   `json:"test_rmse"`
}

func linearCases(t *testing.T) []linearCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(linearDir, "linear_expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Label string       `json:"label"`
		Cases []linearCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Label != "y" || len(doc.Cases) < 8 {
		t.Fatalf("linear_expected.json: label %q, %d cases", doc.Label, len(doc.Cases))
	}
	return doc.Cases
}

func (c linearCase) estimator() *LinearRegression {
	est := NewLinearRegression()
	est.LabelCol, est.FeaturesCols = "y", c.Features
	est.RegParam = c.L1Reg + c.L2Reg
	if est.RegParam > 0 {
		est.ElasticNetParam = c.L1Reg / est.RegParam
	}
	est.Standardization, est.FitIntercept = c.Standardize, c.FitIntercept
	return est
}

func linearCSV(t *testing.T, s *dataframe.Session, name string) *dataframe.DataFrame {
	t.Helper()
	df, err := s.ReadCSV(filepath.Join(linearDir, name), dataframe.CSVOptions{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// linearClose reports whether got agrees with want within 1e-4 relative, or 1e-6 absolute
// (for values near zero, and the lasso's zeros), and returns the relative error.
func linearClose(got, want float64) (bool, float64) {
	d := math.Abs(got - want)
	rel := d / math.Max(math.Abs(want), 1e-300)
	if want == 0 {
		rel = d
	}
	return d <= 1e-6 || d <= 1e-4*math.Abs(want), rel
}

// checkLinearModel compares a fitted model with a fixture case and returns the largest
// relative error of a nonzero coefficient or intercept, and the largest absolute value
// where scikit-learn's coefficient is exactly 0.
func checkLinearModel(t *testing.T, c linearCase, m *LinearRegressionModel) (worst, zeroAbs float64) {
	t.Helper()
	got := m.Coefficients()
	if len(got) != len(c.Coefficients) {
		t.Fatalf("%s: %d coefficients, want %d", c.Name, len(got), len(c.Coefficients))
	}
	for j, w := range c.Coefficients {
		ok, rel := linearClose(got[j], w)
		if !ok {
			t.Errorf("%s: coefficient %d (%s) = %.12g, scikit-learn %.12g (relative error %.3g)", c.Name, j, c.Features[j], got[j], w, rel)
		}
		if w != 0 {
			worst = max(worst, rel)
		} else {
			zeroAbs = max(zeroAbs, math.Abs(got[j]))
		}
		if w == 0 && got[j] != 0 {
			t.Errorf("%s: coefficient %d (%s) = %g, scikit-learn's is exactly 0", c.Name, j, c.Features[j], got[j])
		}
	}
	ok, rel := linearClose(m.Intercept(), c.Intercept)
	if !ok {
		t.Errorf("%s: intercept %.12g, scikit-learn %.12g", c.Name, m.Intercept(), c.Intercept)
	}
	if c.Intercept != 0 {
		worst = max(worst, rel)
	}
	// The training metrics come from the Gram statistics: 5 decimals.
	if math.Abs(m.R2()-c.TrainR2) > 1e-5 || math.Abs(m.RootMeanSquaredError()-c.TrainRMSE) > 1e-5*math.Max(1, c.TrainRMSE) {
		t.Errorf("%s: training R² %.8f RMSE %.8f, scikit-learn %.8f %.8f", c.Name, m.R2(), m.RootMeanSquaredError(), c.TrainR2, c.TrainRMSE)
	}
	if len(m.FeatureNames()) != len(c.Features) || !strings.EqualFold(strings.Join(m.FeatureNames(), ","), strings.Join(c.Features, ",")) {
		t.Errorf("%s: feature names %v", c.Name, m.FeatureNames())
	}
	return worst, zeroAbs
}

// TestLinearRegressionMatchesSklearn fits every fixture case with the estimator at 1 and 3
// partitions and compares the coefficients, intercept and training metrics with
// scikit-learn's; the held-out rows' predictions through SQL (RegisterModel) agree with
// Predict and give scikit-learn's test R² and RMSE; each fit reads the source once.
func TestLinearRegressionMatchesSklearn(t *testing.T) {
	cases := linearCases(t)
	ctx := context.Background()
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := mlSession(t, "", parts)
			train := linearCSV(t, s, "linear_train.csv")
			if err := linearCSV(t, s, "linear_test.csv").CreateOrReplaceTempView("linear_test"); err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				before := s.Metrics().SourceScans
				fitted, err := c.estimator().Fit(ctx, train)
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				if d := s.Metrics().SourceScans - before; d != 1 {
					t.Errorf("%s: %d source scans, want 1", c.Name, d)
				}
				m := fitted.(*LinearRegressionModel)
				worst, zeroAbs := checkLinearModel(t, c, m)
				if (c.L1Reg > 0) != (m.Iterations() > 0) {
					t.Errorf("%s: %d sweeps", c.Name, m.Iterations())
				}
				r2, rmse := linearSQLTest(t, s, c, m)
				if math.Abs(r2-c.TestR2) > 1e-4 || math.Abs(rmse-c.TestRMSE) > 1e-4*math.Max(1, c.TestRMSE) {
					t.Errorf("%s: test R² %.6f RMSE %.6f, scikit-learn %.6f %.6f", c.Name, r2, rmse, c.TestR2, c.TestRMSE)
				}
				t.Logf("%-18s max relative error %.2g (coefficients, intercept), zeros kept %v; sweeps %d; train R² %.6f (Δ %.1g), test R² %.6f (Δ %.1g)",
					c.Name, worst, zeroAbs == 0, m.Iterations(), m.R2(), m.R2()-c.TrainR2, r2, r2-c.TestR2)
			}
		})
	}
}

// linearSQLTest registers m as a SQL function, predicts the held-out rows with it, checks
// every prediction against m.Predict on the same (float32) features, and returns R² and
// RMSE of the SQL predictions.
func linearSQLTest(t *testing.T, s *dataframe.Session, c linearCase, m *LinearRegressionModel) (r2, rmse float64) {
	t.Helper()
	if err := s.RegisterModel("lin", m); err != nil {
		t.Fatal(err)
	}
	args := make([]string, len(c.Features))
	for j, f := range c.Features {
		args[j] = sqlIdent(f)
	}
	list := strings.Join(args, ", ")
	res, err := s.Exec(context.Background(), fmt.Sprintf("SELECT lin(%s), y, %s FROM linear_test", list, list))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	var ys, preds []float64
	d := len(c.Features)
	feats := make([]float32, d)
	one := make([]float64, 1)
	for _, b := range res.Batches {
		for r := range int(b.NumRows()) {
			p := b.Column(0).(*array.Float64).Value(r)
			for j := range feats {
				feats[j] = float32(b.Column(2 + j).(*array.Float64).Value(r))
			}
			if err := m.Predict(context.Background(), feats, 1, one); err != nil {
				t.Fatal(err)
			}
			if p != one[0] {
				t.Fatalf("%s: SQL prediction %v, Predict %v", c.Name, p, one[0])
			}
			preds = append(preds, p)
			ys = append(ys, b.Column(1).(*array.Float64).Value(r))
		}
	}
	if len(ys) != 300 {
		t.Fatalf("%s: %d test rows", c.Name, len(ys))
	}
	var mean, ss, rss float64
	for _, y := range ys {
		mean += y / float64(len(ys))
	}
	for i, y := range ys {
		ss += (y - mean) * (y - mean)
		rss += (y - preds[i]) * (y - preds[i])
	}
	return 1 - rss/ss, math.Sqrt(rss / float64(len(ys)))
}

// TestLinearTrainerOptions runs the SQL trainer (the trainers table's "linear_reg") on the
// fixture's lasso and elastic-net cases from their BigQuery ML options, and checks what
// bad options say.
func TestLinearTrainerOptions(t *testing.T) {
	cases := linearCases(t)
	ctx := context.Background()
	s := mlSession(t, "", 3)
	train := linearCSV(t, s, "linear_train.csv")
	newTrainer, ok := trainers["linear_reg"]
	if !ok {
		t.Fatal(`trainers has no "linear_reg"`)
	}
	for _, c := range cases {
		if c.Name != "enet_raw" && c.Name != "lasso" && c.Name != "ridge_nointercept" {
			continue
		}
		vals := map[string]string{"l1_reg": strconv.FormatFloat(c.L1Reg, 'g', -1, 64), "l2_reg": strconv.FormatFloat(c.L2Reg, 'g', -1, 64),
			"standardize_features": strconv.FormatBool(c.Standardize), "fit_intercept": strconv.FormatBool(c.FitIntercept),
			"max_iterations": "5000", "tol": "1e-10"}
		o := NewOptions(vals, nil)
		tr, err := newTrainer(o)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if u := o.Unused(); len(u) != 0 {
			t.Errorf("%s: unused options %v", c.Name, u)
		}
		if n := tr.Needs(); !n.Label || n.Classify {
			t.Errorf("needs %+v", n)
		}
		ds, err := NewDataset(ctx, train, DataSpec{Label: "y", Features: c.Features})
		if err != nil {
			t.Fatal(err)
		}
		tm, err := tr.Fit(ctx, ds)
		ds.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if worst, _ := checkLinearModel(t, c, tm.(*LinearRegressionModel)); worst > 1e-6 {
			t.Errorf("%s: relative error %g with tol 1e-10", c.Name, worst)
		}
	}

	for _, c := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"l1_reg": "-1"}, "option l1_reg must be at least 0"},
		{map[string]string{"l2_reg": "lots"}, `option l2_reg must be a number, got "lots"`},
		{map[string]string{"max_iterations": "0"}, "option max_iterations must be at least 1"},
		{map[string]string{"tol": "-1e-3"}, "option tol must be at least 0"},
		{map[string]string{"fit_intercept": "maybe"}, `option fit_intercept must be TRUE or FALSE, got "maybe"`},
		{map[string]string{"standardize_features": "2"}, "option standardize_features must be TRUE or FALSE"},
		{map[string]string{"l1_reg": "1e308", "l2_reg": "1e308"}, "overflow"},
	} {
		_, err := newLinearTrainer(NewOptions(c.opts, nil))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.opts, err, c.want)
		}
	}
	if _, err := newLinearTrainer(NewOptions(nil, map[string][]string{"l1_reg": {"1", "2"}})); err == nil || !strings.Contains(err.Error(), "l1_reg takes a single value") {
		t.Errorf("list option: %v", err)
	}
	o := NewOptions(map[string]string{"l2_reg": "1", "learn_rate": "0.1"}, nil)
	if _, err := newLinearTrainer(o); err != nil {
		t.Fatal(err)
	}
	if u := o.Unused(); strings.Join(u, ",") != "learn_rate" {
		t.Errorf("unused %v, want learn_rate", u)
	}
}

// TestLinearRegressionErrors: bad data and bad parameters give errors that name the
// problem; a canceled context stops the fit with context.Canceled.
func TestLinearRegressionErrors(t *testing.T) {
	ctx := context.Background()
	s := mlSession(t, "", 2)
	for _, q := range []string{
		"CREATE TABLE d (a INT, b DOUBLE, name VARCHAR(10), y DOUBLE)",
		"INSERT INTO d VALUES (1, 0.5, 'x', 1.0), (2, 1.5, 'y', 2.5), (3, 2.5, 'z', 2.0), (4, 3.5, 'w', 4.0)",
	} {
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	df, err := s.SQL(ctx, "SELECT a, b, name, y FROM d")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		edit func(*LinearRegression)
		want string
	}{
		{func(e *LinearRegression) { e.LabelCol = "name"; e.FeaturesCols = []string{"a"} }, `label column "name" is VARCHAR`},
		{func(e *LinearRegression) { e.LabelCol = "nope" }, `label column "nope" does not exist`},
		{func(e *LinearRegression) { e.LabelCol = "y" }, `feature column "name" is VARCHAR`},
		{func(e *LinearRegression) { e.LabelCol = "y"; e.FeaturesCols = []string{"a"}; e.RegParam = -1 }, "RegParam must be a finite number ≥ 0"},
		{func(e *LinearRegression) { e.LabelCol = "y"; e.FeaturesCols = []string{"a"}; e.RegParam = math.NaN() }, "RegParam must be"},
		{func(e *LinearRegression) { e.LabelCol = "y"; e.FeaturesCols = []string{"a"}; e.ElasticNetParam = 1.5 }, "ElasticNetParam must be in [0, 1]"},
		{func(e *LinearRegression) { e.LabelCol = "y"; e.FeaturesCols = []string{"a"}; e.MaxIter = -2 }, "MaxIter must be ≥ 1"},
		{func(e *LinearRegression) { e.LabelCol = "y"; e.FeaturesCols = []string{"a"}; e.Tol = math.Inf(1) }, "Tol must be"},
	} {
		est := NewLinearRegression()
		c.edit(est)
		if _, err := est.Fit(ctx, df); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}

	// A classification Dataset is refused.
	cds, err := DatasetFromColumns(ctx, s, []string{"x"}, [][]float64{{1, 2, 3}}, []float64{0, 1, 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewLinearRegression().FitDataset(ctx, cds); err == nil || !strings.Contains(err.Error(), "needs a numeric label") {
		t.Errorf("classification dataset: %v", err)
	}
	cds.Close()

	// Cancellation: before the pass, and during coordinate descent (canceled by the first
	// progress report).
	ds, err := DatasetFromColumns(ctx, s, []string{"x0", "x1"}, [][]float64{{1, 2, 3, 4}, {1, 0, 1, 0}}, []float64{1, 2, 3, 5}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	start := time.Now()
	if _, err := NewLinearRegression().FitDataset(canceled, ds); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled fit: %v", err)
	}
	est := NewLinearRegression()
	est.LabelCol, est.FeaturesCols = "y", []string{"a", "b"}
	if _, err := est.Fit(canceled, df); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled Fit: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("canceled fits took %v", time.Since(start))
	}
	// The context reports canceled once the first sweep is reported.
	p := &Progress{}
	est = NewLinearRegression()
	est.RegParam, est.ElasticNetParam, est.Tol = 0.01, 1, 1e-300
	_, err = est.FitDataset(cancelAfterFirstSweep{WithProgress(ctx, p), p}, ds)
	if !errors.Is(err, context.Canceled) || p.Iteration() != 1 {
		t.Errorf("fit canceled during descent: %v after %d sweeps", err, p.Iteration())
	}
}

// cancelAfterFirstSweep is a context that is canceled as soon as a sweep is reported.
type cancelAfterFirstSweep struct {
	context.Context
	p *Progress
}

func (c cancelAfterFirstSweep) Err() error {
	if c.p.Iteration() > 0 {
		return context.Canceled
	}
	return nil
}

// TestLinearRegressionNumerics: features with a mean 1e8 times their spread keep their
// precision (centered statistics merged pairwise); a constant column gets 0 with an
// intercept and acts as one without; exactly collinear columns get the minimum-norm
// split; progress reports the sweeps and the objective.
func TestLinearRegressionNumerics(t *testing.T) {
	ctx := context.Background()
	for _, parts := range []int{1, 3} {
		s := mlSession(t, "", parts)
		rng := rand.New(rand.NewPCG(1, 2))
		n := 5000
		x0, x1, c, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range y {
			x0[i] = 1e8 + rng.NormFloat64()
			x1[i] = -3e7 + 0.5*rng.NormFloat64()
			c[i] = 7
			y[i] = 2*(x0[i]-1e8) - 3*(x1[i]+3e7) + 5
		}
		ds, err := DatasetFromColumns(ctx, s, []string{"x0", "x1", "c"}, [][]float64{x0, x1, c}, y, false)
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewLinearRegression().FitDataset(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		w := m.Coefficients()
		// y is exact only up to the rounding of x (ulp 1.5e-8 at 1e8).
		if math.Abs(w[0]-2) > 1e-6 || math.Abs(w[1]+3) > 1e-6 || w[2] != 0 {
			t.Errorf("partitions=%d: coefficients %v, want [2 -3 0]", parts, w)
		}
		if m.R2() < 1-1e-9 || m.RootMeanSquaredError() > 1e-6 {
			t.Errorf("partitions=%d: R² %v RMSE %v", parts, m.R2(), m.RootMeanSquaredError())
		}
		ds.Close()

		// Without an intercept the constant column carries it (ridge keeps it solvable).
		xs, ys := make([]float64, 200), make([]float64, 200)
		for i := range xs {
			xs[i] = float64(i % 17)
			ys[i] = 1.5*xs[i] + 4
		}
		ds, err = DatasetFromColumns(ctx, s, []string{"x", "one", "x2"}, [][]float64{xs, c[:200], scaled(xs, 2)}, ys, false)
		if err != nil {
			t.Fatal(err)
		}
		est := NewLinearRegression()
		est.FitIntercept, est.Standardization = false, false
		m, err = est.FitDataset(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		// x2 = 2x is collinear with x: the minimum-norm split of 1.5 is (0.3, 0.6).
		if w := m.Coefficients(); math.Abs(w[0]-0.3) > 1e-9 || math.Abs(w[1]-4.0/7) > 1e-9 || math.Abs(w[2]-0.6) > 1e-9 || m.Intercept() != 0 {
			t.Errorf("partitions=%d: through the origin %v + %v, want [0.3 0.5714 0.6] + 0", parts, w, m.Intercept())
		}

		// Progress: one report per sweep; the last is the model's objective.
		p := &Progress{}
		est = NewLinearRegression()
		est.RegParam, est.ElasticNetParam = 0.1, 0.5
		m, err = est.FitDataset(WithProgress(ctx, p), ds)
		if err != nil {
			t.Fatal(err)
		}
		loss, ok := p.Loss()
		if m.Iterations() < 2 || p.Iteration() != m.Iterations() || !ok || loss != m.Objective() {
			t.Errorf("progress %d %v, model %d sweeps objective %v", p.Iteration(), loss, m.Iterations(), m.Objective())
		}
		ds.Close()
	}
}

func scaled(x []float64, f float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = f * v
	}
	return out
}

// TestLinearModelJSON: a fitted model round-trips through MarshalJSON, LoadLinearRegression,
// ml.Load and DetectKind; Transform adds the predictions; the loader refuses bad files
// clearly.
func TestLinearModelJSON(t *testing.T) {
	ctx := context.Background()
	s := mlSession(t, "", 2)
	ds, err := DatasetFromColumns(ctx, s, []string{"a", "b"}, [][]float64{{1, 2, 3, 4, 5}, {2, 1, 0, 1, 3}}, []float64{3, 4, 4, 6, 9}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	m, err := NewLinearRegression().FitDataset(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if DetectKind(data) != "linear_reg" {
		t.Errorf("DetectKind = %q", DetectKind(data))
	}
	back, err := LoadLinearRegression(data)
	if err != nil {
		t.Fatal(err)
	}
	generic, err := Load("linear_reg", data)
	if err != nil {
		t.Fatal(err)
	}
	feats := []float32{1, 2, 3.5, -1, 0, 0}
	want := make([]float64, 3)
	if err := m.Predict(ctx, feats, 3, want); err != nil {
		t.Fatal(err)
	}
	for _, mm := range []udf.Model{back, generic} {
		got := make([]float64, 3)
		if err := mm.Predict(ctx, feats, 3, got); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || mm.Kind() != "linear_reg" || mm.Task() != udf.Regression ||
			mm.Classes() != nil || strings.Join(mm.FeatureNames(), ",") != "a,b" || mm.NumFeatures() != 2 {
			t.Errorf("loaded model predicts %v, want %v (%s %v %v)", got, want, mm.Kind(), mm.Classes(), mm.FeatureNames())
		}
	}
	if want[2] != m.Intercept() {
		t.Errorf("prediction at 0: %v, intercept %v", want[2], m.Intercept())
	}
	if err := m.PredictProba(ctx, feats, 3, make([]float64, 3)); err == nil || !strings.Contains(err.Error(), "no class probabilities") {
		t.Errorf("PredictProba: %v", err)
	}
	if err := m.Predict(ctx, feats, 2, make([]float64, 2)); err == nil || !strings.Contains(err.Error(), "6 feature values for 2 rows") {
		t.Errorf("bad shape: %v", err)
	}

	// Transform over the training frame: a prediction column, one value per row.
	out, err := m.Transform(ds.Frame()).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rowsSeen := 0
	for _, b := range out {
		idx := b.Schema().FieldIndices("prediction")
		if len(idx) != 1 {
			t.Fatalf("Transform schema %v", b.Schema())
		}
		p := b.Column(idx[0]).(*array.Float64)
		a, bb := b.Column(0).(*array.Float64), b.Column(1).(*array.Float64)
		for r := range int(b.NumRows()) {
			w := m.Intercept() + m.Coefficients()[0]*a.Value(r) + m.Coefficients()[1]*bb.Value(r)
			if math.Abs(p.Value(r)-w) > 1e-9 {
				t.Errorf("Transform row %d: %v, want %v", r, p.Value(r), w)
			}
			rowsSeen++
		}
		b.Release()
	}
	if rowsSeen != 5 {
		t.Errorf("Transform gave %d rows", rowsSeen)
	}

	for _, c := range []struct{ data, want string }{
		{`{`, "invalid JSON"},
		{`{"version": 1}`, `missing "format"`},
		{`{"format": "ember-mlp", "version": 1}`, `format is "ember-mlp"`},
		{`{"format": "ember-linear_reg"}`, `missing "version"`},
		{`{"format": "ember-linear_reg", "version": "one"}`, `"version" is "one"`},
		{`{"format": "ember-linear_reg", "version": 2}`, "format version 2"},
		{`{"format": "ember-linear_reg", "version": 1, "coefficients": [1], "intercept": 0, "bias": 1}`, `unknown field "bias"`},
		{`{"format": "ember-linear_reg", "version": 1, "coefficients": [], "intercept": 0}`, `no "coefficients"`},
		{`{"format": "ember-linear_reg", "version": 1, "coefficients": [1, null], "intercept": 0}`, "expected a number"},
		{`{"format": "ember-linear_reg", "version": 1, "coefficients": [1]}`, `missing "intercept"`},
		{`{"format": "ember-linear_reg", "version": 1, "coefficients": [1], "intercept": 1e999}`, "expected a number"},
		{`{"format": "ember-linear_reg", "version": 1, "feature_names": ["a"], "coefficients": [1, 2], "intercept": 0}`, "1 feature_names for 2 coefficients"},
	} {
		if _, err := LoadLinearRegression([]byte(c.data)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.data, err, c.want)
		}
	}
	// Without feature names: loads, predicts, and Transform says what is missing.
	nn, err := LoadLinearRegression([]byte(`{"format": "ember-linear_reg", "version": 1, "coefficients": [2], "intercept": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 1)
	if err := nn.Predict(ctx, []float32{3}, 1, got); err != nil || got[0] != 7 || nn.FeatureNames() != nil {
		t.Errorf("no names: %v %v %v", got, err, nn.FeatureNames())
	}
	if err := nn.Transform(ds.Frame()).Err(); err == nil || !strings.Contains(err.Error(), "needs feature names") {
		t.Errorf("Transform without names: %v", err)
	}
}

// BenchmarkLinearRegressionFit: one Gram pass over n = 1M rows of d = 20 features
// (go test ./ml/ -run X -bench LinearRegressionFit).
func BenchmarkLinearRegressionFit(b *testing.B) {
	s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(4))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const n, d = 1_000_000, 20
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([][]float64, d)
	names := make([]string, d)
	y := make([]float64, n)
	for j := range x {
		names[j] = fmt.Sprintf("f%d", j)
		x[j] = make([]float64, n)
		for i := range x[j] {
			x[j][i] = rng.NormFloat64()
			y[i] += float64(j) * x[j][i]
		}
	}
	ds, err := DatasetFromColumns(ctx, s, names, x, y, false)
	if err != nil {
		b.Fatal(err)
	}
	defer ds.Close()
	est := NewLinearRegression()
	est.RegParam, est.ElasticNetParam = 0.01, 0.5
	if ds.Rows != n {
		b.Fatalf("%d rows", ds.Rows)
	}
	b.ResetTimer()
	for range b.N {
		m, err := est.FitDataset(ctx, ds)
		if err != nil {
			b.Fatal(err)
		}
		// λ = 0.01, α = 0.5 on unit-variance features: β_j ≈ (j − 0.005)/1.005.
		if w := m.Coefficients(); math.Abs(w[d-1]-(d-1-0.005)/1.005) > 0.01 {
			b.Fatalf("coefficients %v", w)
		}
	}
}
