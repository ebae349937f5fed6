package ml

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
)

// The fixtures of testdata/ml/training/make_metrics.py: inputs and scikit-learn 1.2.1's
// results.
type metricsFixtures struct {
	Classification []struct {
		Name      string
		K         int
		YTrue     []int     `json:"y_true"`
		Proba     []float64 `json:"proba"`
		YPred     []int     `json:"y_pred"`
		Accuracy  float64
		Precision float64
		Recall    float64
		F1        float64
		LogLoss   float64  `json:"log_loss"`
		ROCAUC    *float64 `json:"roc_auc"`
		Confusion [][]int64
	}
	Regression []struct {
		Name              string
		YTrue             []float64 `json:"y_true"`
		YPred             []float64 `json:"y_pred"`
		MAE, MSE, RMSE    float64
		R2                float64
		ExplainedVariance float64 `json:"explained_variance"`
	}
	Clustering []struct {
		Name          string
		Points        [][]float64
		Labels        []int
		Silhouette    float64
		DaviesBouldin float64 `json:"davies_bouldin"`
		Centers       [][]float64
		Inertia       *float64
	}
}

func readMetricsFixtures(t testing.TB) metricsFixtures {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "training", "metrics_fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f metricsFixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Classification) == 0 || len(f.Regression) == 0 || len(f.Clustering) == 0 {
		t.Fatal("metrics fixtures: a section is empty")
	}
	return f
}

// relChecker compares with a relative tolerance and remembers the largest relative error.
type relChecker struct {
	t      *testing.T
	tol    float64
	maxRel float64
}

func (c *relChecker) check(what string, got, want float64) {
	c.t.Helper()
	if got == want {
		return
	}
	rel := math.Abs(got-want) / math.Abs(want)
	if want == 0 || math.IsNaN(rel) {
		rel = math.Inf(1)
	}
	c.maxRel = max(c.maxRel, rel)
	if !(rel <= c.tol) {
		c.t.Errorf("%s = %.17g, scikit-learn %.17g (relative error %.3g)", what, got, want, rel)
	}
}

func TestClassificationMetricsMatchSklearn(t *testing.T) {
	f := readMetricsFixtures(t)
	c := &relChecker{t: t, tol: 1e-12}
	for _, fx := range f.Classification {
		if got := argmaxRows(fx.Proba, fx.K); !slices.Equal(got, fx.YPred) {
			t.Errorf("%s: argmax differs from numpy's", fx.Name)
		}
		hard, err := ClassificationMetricsOfPredictions(fx.YTrue, fx.YPred, fx.K)
		if err != nil {
			t.Fatalf("%s: %v", fx.Name, err)
		}
		if !math.IsNaN(hard.LogLoss) || !math.IsNaN(hard.ROCAUC) || hard.Classes != fx.K {
			t.Errorf("%s: hard predictions gave log loss %v, AUC %v, %d classes", fx.Name, hard.LogLoss, hard.ROCAUC, hard.Classes)
		}
		full, err := ClassificationMetricsOf(fx.YTrue, fx.Proba, fx.K)
		if fx.ROCAUC == nil {
			// scikit-learn raises: so does Ember, naming the class; the other metrics are
			// still defined.
			if err == nil || !strings.Contains(err.Error(), "undefined") || !strings.Contains(err.Error(), "class") ||
				!errors.Is(err, ErrUndefinedAUC) || !errors.Is(err, errs.ErrPlan) {
				t.Errorf("%s: AUC undefined, got error %v", fx.Name, err)
			}
			if !math.IsNaN(full.ROCAUC) {
				t.Errorf("%s: undefined AUC %v, want NaN", fx.Name, full.ROCAUC)
			}
		} else {
			if err != nil {
				t.Fatalf("%s: %v", fx.Name, err)
			}
			c.check(fx.Name+" roc_auc", full.ROCAUC, *fx.ROCAUC)
		}
		for _, m := range []ClassificationMetrics{hard, full} {
			c.check(fx.Name+" accuracy", m.Accuracy, fx.Accuracy)
			c.check(fx.Name+" precision", m.Precision, fx.Precision)
			c.check(fx.Name+" recall", m.Recall, fx.Recall)
			c.check(fx.Name+" f1", m.F1, fx.F1)
			if !slices.EqualFunc(m.Confusion, fx.Confusion, slices.Equal) {
				t.Errorf("%s: confusion %v, scikit-learn %v", fx.Name, m.Confusion, fx.Confusion)
			}
		}
		c.check(fx.Name+" log_loss", full.LogLoss, fx.LogLoss)
	}
	t.Logf("classification: largest relative error %.3g", c.maxRel)
}

func TestClassificationMetricsErrors(t *testing.T) {
	f := readMetricsFixtures(t)
	for _, c := range []struct {
		name  string
		yTrue []int
		proba []float64
		k     int
		want  string
	}{
		{"short proba", []int{0, 1}, []float64{0.5, 0.5, 1}, 2, "3 probabilities for 2 rows"},
		{"label range", []int{0, 2}, []float64{0.5, 0.5, 1, 0}, 2, "row 1's label is class 2, outside 0..1"},
		{"negative label", []int{-1, 1}, []float64{0.5, 0.5, 1, 0}, 2, "row 0's label is class -1"},
		{"nan", []int{0, 1}, []float64{0.5, math.NaN(), 1, 0}, 2, "row 0's probability of class 1 is NaN"},
		{"one class", []int{0}, []float64{1}, 1, "at least 2 classes"},
		{"no rows", nil, nil, 2, "at least one row"},
		{"auc binary", []int{1, 1}, []float64{0.5, 0.5, 0.2, 0.8}, 2, "every label is class 1"},
		{"auc multi", []int{0, 2, 0}, []float64{0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.6, 0.2, 0.2}, 3, "class 1 does not occur among the labels"},
		{"auc not proba", []int{0, 1, 2}, []float64{0.2, 0.3, 0.6, 0.1, 0.1, 0.8, 0.6, 0.2, 0.2}, 3, "row 0's probabilities sum to 1.1"},
	} {
		_, err := ClassificationMetricsOf(c.yTrue, c.proba, c.k)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := ClassificationMetricsOfPredictions([]int{0, 1}, []int{0}, 2); err == nil || !strings.Contains(err.Error(), "2 labels but 1 predictions") {
		t.Errorf("mismatched predictions: %v", err)
	}
	if _, err := ClassificationMetricsOfPredictions([]int{0, 1}, []int{0, 3}, 3); err == nil || !strings.Contains(err.Error(), "prediction is class 3") {
		t.Errorf("prediction out of range: %v", err)
	}
	// The fixture whose class 1 is absent: the error names the class by its label when
	// the evaluator knows the labels.
	for _, fx := range f.Classification {
		if fx.Name == "multi3_absent" {
			_, err := rocAUC(fx.YTrue, fx.Proba, fx.K, []string{"a", "b", "c"})
			if err == nil || !strings.Contains(err.Error(), `class "b" does not occur`) {
				t.Errorf("multi3_absent: %v", err)
			}
		}
	}
}

func TestRegressionMetricsMatchSklearn(t *testing.T) {
	f := readMetricsFixtures(t)
	c := &relChecker{t: t, tol: 1e-12}
	cs := &relChecker{t: t, tol: 1e-12}
	checkAll := func(c *relChecker, name string, m RegressionMetrics, fx int) {
		t.Helper()
		want := f.Regression[fx]
		c.check(name+" mae", m.MAE, want.MAE)
		c.check(name+" mse", m.MSE, want.MSE)
		c.check(name+" rmse", m.RMSE, want.RMSE)
		c.check(name+" r2", m.R2, want.R2)
		c.check(name+" explained_variance", m.ExplainedVariance, want.ExplainedVariance)
	}
	for i, fx := range f.Regression {
		m, err := RegressionMetricsOf(fx.YTrue, fx.YPred)
		if err != nil {
			t.Fatalf("%s: %v", fx.Name, err)
		}
		checkAll(c, fx.Name, m, i)
		// Row by row (Welford).
		var rows RegressionSums
		for j, y := range fx.YTrue {
			rows.Add(y, fx.YPred[j])
		}
		rm, err := rows.Metrics()
		if err != nil {
			t.Fatal(err)
		}
		checkAll(cs, fx.Name+" (Add)", rm, i)
		// Batches of 7 rows, merged as a tree aggregation merges states.
		var states [][]float64
		for lo := 0; lo < len(fx.YTrue); lo += 7 {
			hi := min(lo+7, len(fx.YTrue))
			var b RegressionSums
			if !b.AddSlices(fx.YTrue[lo:hi], fx.YPred[lo:hi]) {
				t.Fatal("AddSlices refused equal lengths")
			}
			st := make([]float64, RegressionSumsLen)
			b.State(st)
			states = append(states, st)
		}
		for len(states) > 1 {
			var next [][]float64
			for j := 0; j < len(states); j += 2 {
				if j+1 < len(states) {
					MergeRegressionStates(states[j], states[j+1])
				}
				next = append(next, states[j])
			}
			states = next
		}
		tm, err := RegressionSumsFrom(states[0]).Metrics()
		if err != nil {
			t.Fatal(err)
		}
		checkAll(cs, fx.Name+" (merged)", tm, i)
	}
	t.Logf("regression: largest relative error %.3g (two passes), %.3g (mergeable sums)", c.maxRel, cs.maxRel)

	// One row: R² is NaN, as scikit-learn's.
	m, err := RegressionMetricsOf([]float64{3}, []float64{2})
	if err != nil || !math.IsNaN(m.R2) || m.MAE != 1 {
		t.Errorf("one row: %+v, %v", m, err)
	}
	for _, c := range []struct {
		name       string
		yTrue, yP  []float64
		want       string
		sumsRefuse bool
	}{
		{"lengths", []float64{1, 2}, []float64{1}, "2 labels but 1 predictions", true},
		{"empty", nil, nil, "at least one row", false},
		{"nan label", []float64{1, math.NaN()}, []float64{1, 2}, "row 1's label is NaN", false},
		{"inf prediction", []float64{1, 2}, []float64{math.Inf(1), 2}, "row 0's prediction is +Inf", false},
	} {
		_, err := RegressionMetricsOf(c.yTrue, c.yP)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		var s RegressionSums
		if ok := s.AddSlices(c.yTrue, c.yP); ok == c.sumsRefuse {
			t.Errorf("%s: AddSlices returned %v", c.name, ok)
		}
	}
	var empty RegressionSums
	if _, err := empty.Metrics(); err == nil {
		t.Error("Metrics of no rows: no error")
	}
}

func TestClusteringMetricsMatchSklearn(t *testing.T) {
	f := readMetricsFixtures(t)
	c := &relChecker{t: t, tol: 1e-12}
	for _, fx := range f.Clustering {
		s, err := Silhouette(fx.Points, fx.Labels)
		if err != nil {
			t.Fatalf("%s: %v", fx.Name, err)
		}
		c.check(fx.Name+" silhouette", s, fx.Silhouette)
		db, err := DaviesBouldinScore(fx.Points, fx.Labels)
		if err != nil {
			t.Fatalf("%s: %v", fx.Name, err)
		}
		c.check(fx.Name+" davies_bouldin", db, fx.DaviesBouldin)

		// The same index from per-cluster aggregates, with an empty cluster in front
		// (meanDist NaN, as 0/0 gives) that is skipped.
		ids := slices.Clone(fx.Labels)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		d := len(fx.Points[0])
		centers := [][]float64{make([]float64, d)}
		meanDist := []float64{math.NaN()}
		for _, id := range ids {
			cen := make([]float64, d)
			var n float64
			for i, x := range fx.Points {
				if fx.Labels[i] == id {
					for j, v := range x {
						cen[j] += v
					}
					n++
				}
			}
			for j := range cen {
				cen[j] /= n
			}
			var sum float64
			for i, x := range fx.Points {
				if fx.Labels[i] == id {
					sum += math.Sqrt(sqDist(x, cen))
				}
			}
			centers = append(centers, cen)
			meanDist = append(meanDist, sum/n)
		}
		c.check(fx.Name+" DaviesBouldinIndex", DaviesBouldinIndex(centers, meanDist), fx.DaviesBouldin)

		if fx.Inertia != nil {
			in, err := Inertia(fx.Points, fx.Centers, fx.Labels)
			if err != nil {
				t.Fatal(err)
			}
			c.check(fx.Name+" inertia", in, *fx.Inertia)
			msd, err := MeanSquaredDistance(fx.Points, fx.Centers, fx.Labels)
			if err != nil {
				t.Fatal(err)
			}
			c.check(fx.Name+" mean_squared_distance", msd, *fx.Inertia/float64(len(fx.Points)))
		}
	}
	t.Logf("clustering: largest relative error %.3g", c.maxRel)

	// Degenerate aggregates: one non-empty cluster, zero diameters, coincident centers.
	if v := DaviesBouldinIndex([][]float64{{0}, {1}}, []float64{0.5, -1}); !math.IsNaN(v) {
		t.Errorf("one non-empty cluster: %v", v)
	}
	if v := DaviesBouldinIndex([][]float64{{0}, {1}}, []float64{0, 0}); v != 0 {
		t.Errorf("zero diameters: %v", v)
	}
	if v := DaviesBouldinIndex([][]float64{{1}, {1}}, []float64{0.5, 0.5}); v != 0 {
		t.Errorf("coincident centers: %v", v)
	}
	// Centers 2 apart with diameters 0.5 and 1: R = 1.5/2 for both, and a third cluster
	// on the first center counts 0 against it.
	if v := DaviesBouldinIndex([][]float64{{0, 0}, {2, 0}, {0, 0}}, []float64{0.5, 1, 0.5}); math.Abs(v-(0.75+0.75+0.75)/3) > 1e-15 {
		t.Errorf("three clusters: %v", v)
	}

	pts := [][]float64{{0}, {1}, {5}, {6}}
	for _, c := range []struct {
		name   string
		points [][]float64
		labels []int
		want   string
	}{
		{"one cluster", pts, []int{1, 1, 1, 1}, "needs from 2 to n-1 clusters for n points: got 1 cluster for 4 points"},
		{"all singletons", pts, []int{0, 1, 2, 3}, "got 4 clusters for 4 points"},
		{"lengths", pts, []int{0, 1}, "4 points but 2 labels"},
		{"dims", [][]float64{{0}, {1, 2}, {3}}, []int{0, 0, 1}, "point 1 has 2 dimensions"},
		{"nan", [][]float64{{0}, {math.NaN()}, {3}}, []int{0, 0, 1}, "point 1's coordinate 0 is NaN"},
	} {
		_, err := Silhouette(c.points, c.labels)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Silhouette %s: %v, want %q", c.name, err, c.want)
		}
		_, err = DaviesBouldinScore(c.points, c.labels)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DaviesBouldinScore %s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Inertia(pts, [][]float64{{0}}, []int{0, 0, 1, 0}); err == nil || !strings.Contains(err.Error(), "point 2's cluster 1 is outside 0..0") {
		t.Errorf("Inertia label out of range: %v", err)
	}
	if _, err := MeanSquaredDistance(nil, [][]float64{{0}}, nil); err == nil {
		t.Error("MeanSquaredDistance of no points: no error")
	}
}
