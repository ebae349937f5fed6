package ml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
)

// The logistic_reg trainer against scikit-learn: testdata/ml/training/make_logistic.py
// writes the data and scikit-learn's solutions of the same objective.

// logisticCase is one case of logistic_expected.json.
type logisticCase struct {
	Name      string   `json:"name"`
	Data      string   `json:"data"`
	Where     string   `json:"where"`
	TestWhere string   `json:"test_where"`
	Features  []string `json:"features"`
	Label     string   `json:"label"`
	Options   struct {
		L1Reg       float64 `json:"l1_reg"`
		L2Reg       float64 `json:"l2_reg"`
		Standardize bool    `json:"standardize_features"`
	} `json:"options"`
	Classes       []string    `json:"classes"`
	Coefficients  [][]float64 `json:"coefficients"`
	Intercepts    []float64   `json:"intercepts"`
	Zeros         int         `json:"zeros"`
	TrainAccuracy float64     `json:"train_accuracy"`
	TestAccuracy  *float64    `json:"test_accuracy"`
	TestAUC       *float64    `json:"test_auc"`
}

func logisticCases(t *testing.T) []logisticCase {
	t.Helper()
	var doc struct {
		Cases []logisticCase `json:"cases"`
	}
	if err := json.Unmarshal(readFixture(t, "training/logistic_expected.json"), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("no cases")
	}
	return doc.Cases
}

// logisticTables creates the fixture CSVs as tables lb (binary) and lm (multinomial).
func logisticTables(t *testing.T, s *dataframe.Session) {
	t.Helper()
	for name, file := range map[string]string{"logistic_binary.csv": "lb", "logistic_multi.csv": "lm"} {
		message(t, s, fmt.Sprintf("CREATE OR REPLACE TABLE %s USING csv OPTIONS (header 'true') LOCATION '%s/training/%s'",
			file, fixtureDir, name))
	}
}

func caseTable(c logisticCase) string {
	if c.Data == "logistic_binary.csv" {
		return "lb"
	}
	return "lm"
}

// caseQuery selects the case's features and label from its table, rows filtered by where.
func caseQuery(c logisticCase, where string) string {
	q := fmt.Sprintf("SELECT %s, %s FROM %s", strings.Join(c.Features, ", "), c.Label, caseTable(c))
	if where != "" {
		q += " WHERE " + where
	}
	return q
}

// caseRows reads the case's feature rows (float64, from the CSV text as the script did)
// and labels, the rows whose split column is split ("" for all rows).
func caseRows(t *testing.T, c logisticCase, split string) (x [][]float64, labels []string) {
	t.Helper()
	header, recs := readCSV(t, "training/"+c.Data)
	col := func(name string) int {
		i := slices.Index(header, name)
		if i < 0 {
			t.Fatalf("%s: no column %q", c.Data, name)
		}
		return i
	}
	var idx []int
	for _, f := range c.Features {
		idx = append(idx, col(f))
	}
	li := col(c.Label)
	si := slices.Index(header, "split")
	for _, r := range recs {
		if split != "" && r[si] != split {
			continue
		}
		row := make([]float64, len(idx))
		for j, i := range idx {
			v, err := strconv.ParseFloat(r[i], 64)
			if err != nil {
				t.Fatal(err)
			}
			row[j] = v
		}
		x = append(x, row)
		labels = append(labels, r[li])
	}
	return x, labels
}

// logisticScores computes in float64 each row's margins with the model's parameters.
func logisticScores(m *LogisticRegressionModel, x [][]float64) [][]float64 {
	coef, icpt := m.Coefficients(), m.Intercepts()
	out := make([][]float64, len(x))
	for i, row := range x {
		z := make([]float64, len(coef))
		for c, w := range coef {
			z[c] = icpt[c]
			for j, v := range row {
				z[c] += w[j] * v
			}
		}
		out[i] = z
	}
	return out
}

// logisticAccuracy is the share of rows whose predicted class (from float64 margins) is the label.
func logisticAccuracy(m *LogisticRegressionModel, x [][]float64, labels []string) float64 {
	right := 0
	for i, z := range logisticScores(m, x) {
		best := 0
		if len(z) == 1 {
			if z[0] > 0 {
				best = 1
			}
		} else {
			for c, v := range z {
				if v > z[best] {
					best = c
				}
			}
		}
		if m.Classes()[best] == labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(x))
}

// logisticAUC is the exact area under the ROC curve of scores for positives (the
// Mann-Whitney statistic, ties counting one half).
func logisticAUC(score []float64, positive []bool) float64 {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return score[idx[a]] < score[idx[b]] })
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		rank := float64(i+j+1) / 2 // average of ranks i+1 .. j
		for _, k := range idx[i:j] {
			if positive[k] {
				rankSum += rank
				pos++
			}
		}
		i = j
	}
	neg := float64(len(score)) - pos
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

func TestLogisticAUCHelper(t *testing.T) {
	// Positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: 0.8 and the positive 0.4 beat
	// 0.1, 0.8 beats 0.4, 0.35 beats 0.1 but not 0.4, and 0.4 against 0.4 counts one half:
	// 4.5 of the 6 pairs.
	got := logisticAUC([]float64{0.1, 0.4, 0.35, 0.8, 0.4}, []bool{false, false, true, true, true})
	if want := 4.5 / 6; math.Abs(got-want) > 1e-15 {
		t.Errorf("auc %v, want %v", got, want)
	}
}

// fitCase trains the case through CREATE MODEL's trainer (its OPTIONS, a tighter tol than
// the default, so that the comparison measures the optimum, not the stopping rule).
func fitCase(t *testing.T, ctx context.Context, s *dataframe.Session, c logisticCase, extra map[string]string) (*LogisticRegressionModel, error) {
	t.Helper()
	vals := map[string]string{
		"l1_reg":               strconv.FormatFloat(c.Options.L1Reg, 'g', -1, 64),
		"l2_reg":               strconv.FormatFloat(c.Options.L2Reg, 'g', -1, 64),
		"standardize_features": strconv.FormatBool(c.Options.Standardize),
	}
	for k, v := range extra {
		vals[k] = v
	}
	o := NewOptions(vals, nil)
	tr, err := trainers["logistic_reg"](o)
	if err != nil {
		t.Fatal(err)
	}
	if u := o.Unused(); len(u) != 0 {
		t.Fatalf("unused options %v", u)
	}
	if n := tr.Needs(); !n.Label || !n.Classify {
		t.Errorf("needs %+v", n)
	}
	df, err := s.SQL(ctx, caseQuery(c, c.Where))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := NewDataset(ctx, df, DataSpec{Label: c.Label, Features: c.Features, Classify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	m, err := tr.Fit(ctx, ds)
	if err != nil {
		return nil, err
	}
	return m.(*LogisticRegressionModel), nil
}

// TestLogisticRegressionMatchesSklearn trains every fixture case at 1 and 3 partitions and
// compares the coefficients and intercepts (1e-4 relative, 1e-6 absolute), scikit-learn's
// zero coefficients (exact zeros), the training accuracy and, for binary cases, the test
// accuracy and ROC AUC (3 decimals) with scikit-learn's; the source is read once per fit;
// the progress reports follow the objective; predictions through SQL agree with Predict.
func TestLogisticRegressionMatchesSklearn(t *testing.T) {
	ctx := context.Background()
	cases := logisticCases(t)
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := mlSession(t, "", parts)
			logisticTables(t, s)
			for _, c := range cases {
				t.Run(c.Name, func(t *testing.T) {
					before := s.Metrics().SourceScans
					var prog Progress
					m, err := fitCase(t, WithProgress(ctx, &prog), s, c, map[string]string{"tol": "1e-10", "max_iterations": "1000"})
					if err != nil {
						t.Fatal(err)
					}
					if d := s.Metrics().SourceScans - before; d != 1 {
						t.Errorf("%d source scans, want 1", d)
					}
					if !slices.Equal(m.Classes(), c.Classes) || !slices.Equal(m.FeatureNames(), c.Features) {
						t.Errorf("classes %v features %v", m.Classes(), m.FeatureNames())
					}
					worst, zeros := 0.0, 0
					check := func(what string, got, want float64) {
						if want == 0 {
							zeros++
							if got != 0 {
								t.Errorf("%s = %g, scikit-learn's is 0 (L1)", what, got)
							}
							return
						}
						d := math.Abs(got - want)
						if d > 1e-4*math.Abs(want) && d > 1e-6 {
							t.Errorf("%s = %.10g, scikit-learn %.10g", what, got, want)
						}
						worst = max(worst, d/math.Abs(want))
					}
					coef, icpt := m.Coefficients(), m.Intercepts()
					if len(coef) != len(c.Coefficients) || len(icpt) != len(c.Intercepts) {
						t.Fatalf("%d coefficient rows, %d intercepts; want %d, %d", len(coef), len(icpt), len(c.Coefficients), len(c.Intercepts))
					}
					for k, row := range c.Coefficients {
						for j, w := range row {
							check(fmt.Sprintf("coefficient [%d][%d]", k, j), coef[k][j], w)
						}
						check(fmt.Sprintf("intercept [%d]", k), icpt[k], c.Intercepts[k])
					}
					if zeros != c.Zeros {
						t.Errorf("the fixture has %d zeros, json %d", zeros, c.Zeros)
					}
					sum := m.Summary()
					hist := sum.ObjectiveHistory()
					t.Logf("max relative error %.2g, %d iterations, objective %.12g", worst, sum.Iterations(), hist[len(hist)-1])
					if len(hist) != sum.Iterations()+1 || sum.Iterations() < 1 {
						t.Errorf("%d iterations, %d objective values", sum.Iterations(), len(hist))
					}
					for i := 1; i < len(hist); i++ {
						if hist[i] > hist[i-1] {
							t.Errorf("objective rose at iteration %d: %v", i, hist[i-1:i+1])
						}
					}
					if loss, ok := prog.Loss(); !ok || prog.Iteration() != sum.Iterations() || loss != hist[len(hist)-1] {
						t.Errorf("progress: iteration %d loss %v %v; summary %d, %v", prog.Iteration(), loss, ok, sum.Iterations(), hist[len(hist)-1])
					}

					split := ""
					if c.TestWhere != "" {
						split = "train"
					}
					x, labels := caseRows(t, c, split)
					if acc := logisticAccuracy(m, x, labels); math.Abs(acc-c.TrainAccuracy) >= 5e-4 {
						t.Errorf("training accuracy %.4f, scikit-learn %.4f", acc, c.TrainAccuracy)
					}
					if c.TestAccuracy != nil {
						x, labels := caseRows(t, c, "test")
						if acc := logisticAccuracy(m, x, labels); math.Abs(acc-*c.TestAccuracy) >= 5e-4 {
							t.Errorf("test accuracy %.4f, scikit-learn %.4f", acc, *c.TestAccuracy)
						}
						z := logisticScores(m, x)
						score, pos := make([]float64, len(z)), make([]bool, len(z))
						for i := range z {
							score[i], pos[i] = z[i][0], labels[i] == c.Classes[1]
						}
						if auc := logisticAUC(score, pos); math.Abs(auc-*c.TestAUC) >= 5e-4 {
							t.Errorf("test ROC AUC %.5f, scikit-learn %.5f", auc, *c.TestAUC)
						}
					}
					checkSQLPredict(t, s, m, c)
				})
			}
		})
	}
}

// checkSQLPredict registers m as p and checks p(features...) over the case's table against
// Predict on the same rows' features (as float32, the function's input), and p_proba
// against PredictProba.
func checkSQLPredict(t *testing.T, s *dataframe.Session, m *LogisticRegressionModel, c logisticCase) {
	t.Helper()
	ctx := context.Background()
	if err := s.RegisterModel("p", m); err != nil {
		t.Fatal(err)
	}
	list := strings.Join(c.Features, ", ")
	df, err := s.SQL(ctx, fmt.Sprintf("SELECT %s, p(%s), p_proba(%s) FROM %s", list, list, list, caseTable(c)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := df.CollectRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, k := len(c.Features), len(c.Classes)
	feats := make([]float32, 0, len(got)*d)
	for _, r := range got {
		for j := 0; j < d; j++ {
			feats = append(feats, float32(r[j].(float64)))
		}
	}
	pred := make([]float64, len(got))
	proba := make([]float64, len(got)*k)
	if err := m.Predict(ctx, feats, len(got), pred); err != nil {
		t.Fatal(err)
	}
	if err := m.PredictProba(ctx, feats, len(got), proba); err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if label := fmt.Sprint(r[d]); label != c.Classes[int(pred[i])] {
			t.Fatalf("row %d: p(...) = %s, Predict %s", i, label, c.Classes[int(pred[i])])
		}
		ps, ok := r[d+1].([]any)
		if !ok || len(ps) != k {
			t.Fatalf("row %d: p_proba(...) is %T %v", i, r[d+1], r[d+1])
		}
		for cl, v := range ps {
			if f, ok := v.(float64); !ok || math.Abs(f-proba[i*k+cl]) > 1e-12 {
				t.Fatalf("row %d: p_proba(...) = %v, PredictProba %v", i, ps, proba[i*k:(i+1)*k])
			}
		}
	}
}

// TestLogisticRegressionEstimator fits with the Go API (Spark's names) and checks Fit,
// Transform, the JSON round trip through LoadLogisticRegression, Load and DetectKind, and
// the default convergence.
func TestLogisticRegressionEstimator(t *testing.T) {
	ctx := context.Background()
	s := mlSession(t, "", 2)
	logisticTables(t, s)
	var c logisticCase
	for _, cc := range logisticCases(t) {
		if cc.Name == "multi_l2_standardized" {
			c = cc
		}
	}
	df, err := s.SQL(ctx, "SELECT * FROM lm")
	if err != nil {
		t.Fatal(err)
	}
	lr := NewLogisticRegression()
	if lr.LabelCol != "label" || lr.MaxIter != 100 || lr.Tol != 1e-6 || !lr.FitIntercept || !lr.Standardization {
		t.Errorf("defaults %+v", lr)
	}
	lr.LabelCol, lr.RegParam = "species", 0.05
	var est Estimator = lr
	tf, err := est.Fit(ctx, df)
	if err != nil {
		t.Fatal(err)
	}
	m := tf.(*LogisticRegressionModel)
	// Default Tol 1e-6: close to scikit-learn, within what the stopping rule allows.
	worst := 0.0
	for k, row := range c.Coefficients {
		for j, w := range row {
			worst = max(worst, math.Abs(m.Coefficients()[k][j]-w)/math.Abs(w))
		}
	}
	t.Logf("default tol: %d iterations, max relative error %.2g", m.Summary().Iterations(), worst)
	if worst > 1e-2 {
		t.Errorf("default tol: max relative coefficient error %g", worst)
	}
	if got := m.FeatureNames(); !slices.Equal(got, []string{"x0", "x1", "x2", "x3"}) {
		t.Errorf("features %v", got)
	}

	// Transform adds prediction and probability.
	out, err := m.Transform(df).CollectRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 600 || len(out[0]) != 7 {
		t.Fatalf("%d rows of %d columns", len(out), len(out[0]))
	}
	feats := make([]float32, 0, 4*len(out))
	for _, r := range out {
		for j := 0; j < 4; j++ {
			feats = append(feats, float32(r[j].(float64)))
		}
	}
	pred := make([]float64, len(out))
	if err := m.Predict(ctx, feats, len(out), pred); err != nil {
		t.Fatal(err)
	}
	for i, r := range out {
		if r[5] != m.Classes()[int(pred[i])] {
			t.Fatalf("row %d: prediction %v, Predict %s", i, r[5], m.Classes()[int(pred[i])])
		}
	}

	// The JSON round trip keeps every number and every prediction.
	data, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if kind := DetectKind(data); kind != "logistic_reg" {
		t.Errorf("DetectKind: %q", kind)
	}
	back, err := LoadLogisticRegression(data)
	if err != nil {
		t.Fatal(err)
	}
	generic, err := Load("logistic_reg", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*LogisticRegressionModel{back, generic.(*LogisticRegressionModel)} {
		if !slices.Equal(l.Classes(), m.Classes()) || !slices.Equal(l.FeatureNames(), m.FeatureNames()) ||
			!slices.Equal(l.Intercepts(), m.Intercepts()) || l.Summary() != nil || l.Kind() != "logistic_reg" {
			t.Errorf("round trip: %+v", l)
		}
		for k := range m.Coefficients() {
			if !slices.Equal(l.Coefficients()[k], m.Coefficients()[k]) {
				t.Errorf("round trip: coefficients %v, want %v", l.Coefficients()[k], m.Coefficients()[k])
			}
		}
		p1, p2 := make([]float64, len(out)*3), make([]float64, len(out)*3)
		if err := m.PredictProba(ctx, feats, len(out), p1); err != nil {
			t.Fatal(err)
		}
		if err := l.PredictProba(ctx, feats, len(out), p2); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p1, p2) {
			t.Error("round trip changed the probabilities")
		}
	}
	again, _ := back.MarshalJSON()
	if string(again) != string(data) {
		t.Errorf("second MarshalJSON differs:\n%s\n%s", again, data)
	}
}

// TestLogisticRegressionEdgeCases: a constant feature gets coefficient 0, without an
// intercept the intercepts are 0, MaxIter 0 keeps the starting point (intercept at the
// log-odds), and probabilities are [1−p, p].
func TestLogisticRegressionEdgeCases(t *testing.T) {
	ctx := context.Background()
	s := mlSession(t, "", 2)
	x0 := []float64{0.5, -1, 2, 0.3, -0.7, 1.1, -2, 0.9, 0.1, -0.4}
	konst := []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}
	y := []float64{1, 0, 1, 0, 0, 1, 0, 1, 1, 1}
	ds, err := DatasetFromColumns(ctx, s, []string{"x0", "k"}, [][]float64{x0, konst}, y, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, std := range []bool{true, false} {
		for _, icpt := range []bool{true, false} {
			lr := NewLogisticRegression()
			lr.RegParam, lr.ElasticNetParam, lr.Standardization, lr.FitIntercept = 0.1, 0.5, std, icpt
			m, err := lr.FitDataset(ctx, ds)
			if err != nil {
				t.Fatal(err)
			}
			c := m.Coefficients()[0]
			if c[1] != 0 || c[0] <= 0 {
				t.Errorf("standardization %v intercept %v: coefficients %v", std, icpt, c)
			}
			if !icpt && m.Intercepts()[0] != 0 {
				t.Errorf("no intercept: %v", m.Intercepts())
			}
		}
	}
	lr := NewLogisticRegression()
	lr.MaxIter = 0
	m, err := lr.FitDataset(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	if m.Summary().Iterations() != 0 || math.Abs(m.Intercepts()[0]-math.Log(6.0/4)) > 1e-15 || m.Coefficients()[0][0] != 0 {
		t.Errorf("MaxIter 0: %d iterations, intercept %v, coefficients %v", m.Summary().Iterations(), m.Intercepts(), m.Coefficients())
	}
	pr := make([]float64, 2)
	if err := m.PredictProba(ctx, []float32{1, 3}, 1, pr); err != nil {
		t.Fatal(err)
	}
	if math.Abs(pr[1]-0.6) > 1e-12 || math.Abs(pr[0]+pr[1]-1) > 1e-15 {
		t.Errorf("probabilities %v", pr)
	}
}

// countdownCtx is a context that is canceled from the n-th call of Err on: a
// deterministic cancellation in the middle of a fit.
type countdownCtx struct {
	context.Context
	n    atomic.Int64
	once sync.Once
	done chan struct{}
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) < 0 {
		c.once.Do(func() { close(c.done) })
		return context.Canceled
	}
	return nil
}

func (c *countdownCtx) Done() <-chan struct{} { return c.done }

// TestLogisticRegressionCancel: a canceled context stops the fit with context.Canceled, at
// the start and in the middle.
func TestLogisticRegressionCancel(t *testing.T) {
	ctx := context.Background()
	s := mlSession(t, "", 3)
	logisticTables(t, s)
	df, err := s.SQL(ctx, "SELECT x0, x1, x2, x3, x4, x5, y FROM lb")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := NewDataset(ctx, df, DataSpec{Label: "y", Classify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	lr := NewLogisticRegression()
	lr.Tol, lr.MaxIter = 0, 1000
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	start := time.Now()
	if _, err := lr.FitDataset(canceled, ds); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled before: %v", err)
	}
	for _, n := range []int64{2, 8} {
		var prog Progress
		cd := &countdownCtx{Context: WithProgress(ctx, &prog), done: make(chan struct{})}
		cd.n.Store(n)
		if _, err := lr.FitDataset(cd, ds); !errors.Is(err, context.Canceled) {
			t.Errorf("canceled after %d checks: %v", n, err)
		}
		if prog.Iteration() >= 1000 {
			t.Errorf("canceled after %d checks: ran %d iterations", n, prog.Iteration())
		}
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
}

// TestLogisticRegressionErrors: bad options and parameters, data a logistic regression
// cannot fit, and bad model files, each with a clear error.
func TestLogisticRegressionErrors(t *testing.T) {
	for _, c := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"l1_reg": "-0.1"}, "option l1_reg must be at least 0"},
		{map[string]string{"l2_reg": "lots"}, `option l2_reg must be a number, got "lots"`},
		{map[string]string{"max_iterations": "0"}, "option max_iterations must be at least 1"},
		{map[string]string{"tol": "-1"}, "option tol must be at least 0"},
		{map[string]string{"fit_intercept": "maybe"}, "option fit_intercept must be TRUE or FALSE"},
		{map[string]string{"standardize_features": "2"}, "option standardize_features must be TRUE or FALSE"},
	} {
		_, err := newLogisticTrainer(NewOptions(c.opts, nil))
		if err == nil || !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.opts, err, c.want)
		}
	}
	o := NewOptions(map[string]string{"l2_reg": "0.1", "l2_regg": "1"}, nil)
	if _, err := newLogisticTrainer(o); err != nil {
		t.Fatal(err)
	}
	if u := o.Unused(); !slices.Equal(u, []string{"l2_regg"}) {
		t.Errorf("unknown options: %v", u)
	}
	tr, _ := newLogisticTrainer(NewOptions(map[string]string{"l1_reg": "0.3", "l2_reg": "0.1", "fit_intercept": "false"}, nil))
	if lr := tr.(*logisticTrainer).lr; math.Abs(lr.RegParam-0.4) > 1e-15 || math.Abs(lr.ElasticNetParam-0.75) > 1e-15 ||
		lr.FitIntercept || !lr.Standardization || lr.MaxIter != 100 || lr.Tol != 1e-6 {
		t.Errorf("options to parameters: %+v", lr)
	}

	ctx := context.Background()
	s := mlSession(t, "", 2)
	ds, err := DatasetFromColumns(ctx, s, []string{"a"}, [][]float64{{1, 2, 3, 4}}, []float64{0, 1, 0, 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, c := range []struct {
		edit func(lr *LogisticRegression)
		want string
	}{
		{func(lr *LogisticRegression) { lr.RegParam = -1 }, "RegParam must be a finite number ≥ 0"},
		{func(lr *LogisticRegression) { lr.RegParam = math.Inf(1) }, "RegParam must be a finite number ≥ 0"},
		{func(lr *LogisticRegression) { lr.ElasticNetParam = 1.5 }, "ElasticNetParam must be in [0, 1]"},
		{func(lr *LogisticRegression) { lr.MaxIter = -1 }, "MaxIter must be ≥ 0"},
		{func(lr *LogisticRegression) { lr.Tol = math.NaN() }, "Tol must be a finite number ≥ 0"},
	} {
		lr := NewLogisticRegression()
		c.edit(lr)
		if _, err := lr.FitDataset(ctx, ds); err == nil || !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	reg, err := DatasetFromColumns(ctx, s, []string{"a"}, [][]float64{{1, 2, 3}}, []float64{0.5, 1, 2}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := NewLogisticRegression().FitDataset(ctx, reg); err == nil || !strings.Contains(err.Error(), "needs a class label") {
		t.Errorf("regression data: %v", err)
	}
	message(t, s, "CREATE TABLE one (a DOUBLE, label VARCHAR(5))")
	message(t, s, "INSERT INTO one VALUES (1, 'yes'), (2, 'yes')")
	df, err := s.SQL(ctx, "SELECT * FROM one")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewLogisticRegression().Fit(ctx, df); err == nil || !strings.Contains(err.Error(), `label column "label" has a single class (yes)`) {
		t.Errorf("single class: %v", err)
	}
	lr := NewLogisticRegression()
	lr.LabelCol = "lbl"
	if _, err := lr.Fit(ctx, df); err == nil || !strings.Contains(err.Error(), `label column "lbl" does not exist`) {
		t.Errorf("missing label: %v", err)
	}

	good := `{"format": "ember-logistic_reg", "version": 1, "classes": ["a", "b"], "coefficients": [[1, 2]], "intercepts": [0.5]}`
	if _, err := LoadLogisticRegression([]byte(good)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ data, want string }{
		{`{"format": "ember-logistic_reg"`, "invalid JSON"},
		{`{"version": 1}`, `missing "format"`},
		{`{"format": "ember-mlp", "version": 1}`, `format is "ember-mlp", want "ember-logistic_reg"`},
		{`{"format": "ember-logistic_reg"}`, `missing "version"`},
		{`{"format": "ember-logistic_reg", "version": 2}`, "format version 2"},
		{`{"format": "ember-logistic_reg", "version": "1"}`, `"version" is "1", want an integer`},
		{strings.Replace(good, `"intercepts"`, `"bias": 1, "intercepts"`, 1), `unknown field "bias"`},
		{strings.Replace(good, `["a", "b"]`, `["a"]`, 1), "at least 2 classes"},
		{strings.Replace(good, `["a", "b"]`, `["a", "a"]`, 1), `class "a" is listed twice`},
		{strings.Replace(good, `["a", "b"]`, `["a", "b", "c"]`, 1), "3 classes need one row per class of coefficients, got 1"},
		{strings.Replace(good, `[[1, 2]]`, `[]`, 1), "2 classes need 1 row (or 2) of coefficients, got 0"},
		{strings.Replace(good, `[[1, 2]]`, `[[]]`, 1), "no coefficients"},
		{strings.Replace(good, `[[1, 2]]`, `[[1, 2], [3]]`, 1), "coefficients[1] has 1 values, coefficients[0] has 2"},
		{strings.Replace(good, `[[1, 2]]`, `[[1, null]]`, 1), "expected a number"},
		{strings.Replace(good, `[0.5]`, `[0.5, 1]`, 1), "2 intercepts for 1 rows"},
		{strings.Replace(good, `"version": 1,`, `"version": 1, "feature_names": ["x"],`, 1), "1 feature_names for 2 features"},
	} {
		_, err := LoadLogisticRegression([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.data, err, c.want)
		}
	}
	m, _ := LoadLogisticRegression([]byte(good))
	if err := m.Predict(ctx, []float32{1, 2, 3}, 1, make([]float64, 1)); err == nil || !strings.Contains(err.Error(), "got 3 feature values for 1 rows of 2 features") {
		t.Errorf("bad shape: %v", err)
	}
	out := m.Transform(df)
	if err := out.Err(); err == nil || !strings.Contains(err.Error(), "no feature names") {
		t.Errorf("Transform without feature names: %v", err)
	}
}
