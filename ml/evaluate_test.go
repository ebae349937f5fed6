package ml

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/embersql/ember/dataframe"
)

type evalClassRow struct {
	Label       int64     `ember:"label"`
	Prediction  int64     `ember:"prediction"`
	Probability []float64 `ember:"probability"`
}

type evalTextRow struct {
	Label       string    `ember:"y"`
	Prediction  string    `ember:"pred"`
	Probability []float64 `ember:"p"`
}

type evalRegRow struct {
	Label      float64 `ember:"label"`
	Prediction float64 `ember:"prediction"`
}

type evalClusterRow struct {
	Prediction int64     `ember:"prediction"`
	Features   []float64 `ember:"features"`
}

func fromStructs(t *testing.T, s *dataframe.Session, rows any) *dataframe.DataFrame {
	t.Helper()
	df, err := s.FromStructs(rows)
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// TestEvaluatorMatchesSklearn evaluates the metric fixtures as DataFrames (at 1 and 3
// partitions) and compares with scikit-learn's results: class labels as BIGINT and as
// VARCHAR (with Classes in an order that is not sorted), probabilities as ARRAY<DOUBLE>.
func TestEvaluatorMatchesSklearn(t *testing.T) {
	f := readMetricsFixtures(t)
	ctx := context.Background()
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := mlSession(t, "", parts)
			c := &relChecker{t: t, tol: 1e-12}
			names := []string{"zeta", "alpha", "mid", "beta"}
			for _, fx := range f.Classification {
				var rows []evalClassRow
				var text []evalTextRow
				for i, y := range fx.YTrue {
					p := fx.Proba[i*fx.K : (i+1)*fx.K]
					rows = append(rows, evalClassRow{int64(y), int64(fx.YPred[i]), p})
					text = append(text, evalTextRow{names[y], names[fx.YPred[i]], p})
				}
				classes := make([]string, fx.K)
				for i := range classes {
					classes[i] = fmt.Sprint(i)
				}
				dfNum := fromStructs(t, s, rows)
				dfText := fromStructs(t, s, text)
				want := map[string]float64{"accuracy": fx.Accuracy, "precision": fx.Precision, "recall": fx.Recall,
					"f1_score": fx.F1, "log_loss": fx.LogLoss}
				if fx.ROCAUC != nil {
					want["roc_auc"] = *fx.ROCAUC
				}
				for _, metric := range []string{"accuracy", "precision", "recall", "f1_score", "log_loss", "roc_auc"} {
					evs := []struct {
						ev Evaluator
						df *dataframe.DataFrame
					}{
						{Evaluator{Metric: metric, Classes: classes}, dfNum},
						{Evaluator{Metric: metric, Classes: names[:fx.K], LabelCol: "Y", PredictionCol: "pred", ProbabilityCol: "p"}, dfText},
					}
					if fx.Name == "binary_ties" || fx.Name == "multi4_ties" {
						// every class occurs: the classes found agree with the model's
						evs = append(evs, struct {
							ev Evaluator
							df *dataframe.DataFrame
						}{Evaluator{Metric: metric}, dfNum})
					}
					for j, e := range evs {
						got, err := e.ev.Evaluate(ctx, e.df)
						w, ok := want[metric]
						if !ok {
							if err == nil || !strings.Contains(err.Error(), "undefined") {
								t.Errorf("%s %s (%d): %v, %v; want scikit-learn's undefined AUC", fx.Name, metric, j, got, err)
							}
							continue
						}
						if err != nil {
							t.Fatalf("%s %s (%d): %v", fx.Name, metric, j, err)
						}
						c.check(fmt.Sprintf("%s %s (%d)", fx.Name, metric, j), got, w)
					}
				}
			}
			// The undefined AUC names the class by its label.
			for _, fx := range f.Classification {
				if fx.Name != "multi3_absent" {
					continue
				}
				var text []evalTextRow
				for i, y := range fx.YTrue {
					text = append(text, evalTextRow{names[y], names[fx.YPred[i]], fx.Proba[i*fx.K : (i+1)*fx.K]})
				}
				_, err := Evaluator{Metric: "roc_auc", Classes: names[:3], LabelCol: "y", ProbabilityCol: "p"}.Evaluate(ctx, fromStructs(t, s, text))
				if err == nil || !strings.Contains(err.Error(), `class "alpha" does not occur among the labels`) {
					t.Errorf("multi3_absent roc_auc: %v", err)
				}
			}

			for _, fx := range f.Regression {
				var rows []evalRegRow
				for i, y := range fx.YTrue {
					rows = append(rows, evalRegRow{y, fx.YPred[i]})
				}
				df := fromStructs(t, s, rows)
				for metric, w := range map[string]float64{"mean_absolute_error": fx.MAE, "mean_squared_error": fx.MSE,
					"root_mean_squared_error": fx.RMSE, "r2_score": fx.R2, "explained_variance": fx.ExplainedVariance, "RMSE": fx.RMSE} {
					got, err := Evaluator{Metric: metric}.Evaluate(ctx, df)
					if err != nil {
						t.Fatalf("%s %s: %v", fx.Name, metric, err)
					}
					c.check(fx.Name+" "+metric, got, w)
				}
			}

			for _, fx := range f.Clustering {
				var rows []evalClusterRow
				for i, p := range fx.Points {
					rows = append(rows, evalClusterRow{int64(fx.Labels[i]), p})
				}
				df := fromStructs(t, s, rows)
				// The same points as scalar columns, found by default.
				exprs := []string{"prediction"}
				for j := range fx.Points[0] {
					exprs = append(exprs, fmt.Sprintf("features[%d] AS f%d", j+1, j))
				}
				scalars := df.SelectExpr(exprs...)
				for metric, w := range map[string]float64{"silhouette": fx.Silhouette, "davies_bouldin_index": fx.DaviesBouldin} {
					for j, e := range []struct {
						ev Evaluator
						df *dataframe.DataFrame
					}{
						{Evaluator{Metric: metric, FeatureCols: []string{"features"}}, df},
						{Evaluator{Metric: metric}, df},
						{Evaluator{Metric: metric}, scalars},
					} {
						got, err := e.ev.Evaluate(ctx, e.df)
						if err != nil {
							t.Fatalf("%s %s (%d): %v", fx.Name, metric, j, err)
						}
						c.check(fmt.Sprintf("%s %s (%d)", fx.Name, metric, j), got, w)
					}
				}
			}
			t.Logf("largest relative error %.3g", c.maxRel)
		})
	}
}

// TestEvaluatorOverModelOutput scores a real classifier's Transform output (BIGINT labels
// from ml_predict, ARRAY<DOUBLE> from ml_predict_proba) and compares with the metrics of
// the model's own PredictProba.
func TestEvaluatorOverModelOutput(t *testing.T) {
	m, err := LoadMLP(readFixture(t, "mlp_multi.json"))
	if err != nil {
		t.Fatal(err)
	}
	features, n, d := readData(t, "mlp_multi")
	proba := make([]float64, n*3)
	if err := m.PredictProba(context.Background(), features, n, proba); err != nil {
		t.Fatal(err)
	}
	// Labels: the model's class of row i shifted every fifth row, as classes 3, 5, 7.
	labels := []int64{3, 5, 7}
	yTrue := make([]int, n)
	type row struct {
		Label int64     `ember:"label"`
		X     []float64 `ember:"x"`
	}
	var rows []row
	pred := argmaxRows(proba, 3)
	for i := range n {
		yTrue[i] = pred[i]
		if i%5 == 0 {
			yTrue[i] = (pred[i] + 1) % 3
		}
		x := make([]float64, d)
		for j := range x {
			x[j] = float64(features[i*d+j])
		}
		rows = append(rows, row{labels[yTrue[i]], x})
	}
	want, err := ClassificationMetricsOf(yTrue, proba, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range []int{1, 3} {
		s := mlSession(t, "", parts)
		df := fromStructs(t, s, rows)
		exprs := []string{"label"}
		feats := make([]string, d)
		for j := range feats {
			feats[j] = fmt.Sprintf("f%d", j)
			exprs = append(exprs, fmt.Sprintf("x[%d] AS f%d", j+1, j))
		}
		out := modelTransform(df.SelectExpr(exprs...), m, feats, "prediction", "probability")
		for metric, w := range map[string]float64{"accuracy": want.Accuracy, "precision": want.Precision, "recall": want.Recall,
			"f1_score": want.F1, "log_loss": want.LogLoss, "roc_auc": want.ROCAUC} {
			ev := Evaluator{Metric: metric}.WithModelClasses(m)
			got, err := ev.Evaluate(context.Background(), out)
			if err != nil {
				t.Fatalf("%s: %v", metric, err)
			}
			if math.Abs(got-w) > 1e-12*math.Abs(w) {
				t.Errorf("partitions=%d %s = %v, from PredictProba %v", parts, metric, got, w)
			}
		}
	}
}

func TestEvaluatorErrors(t *testing.T) {
	s := mlSession(t, "", 2)
	ctx := context.Background()
	cls := fromStructs(t, s, []evalClassRow{{0, 0, []float64{0.9, 0.1}}, {1, 0, []float64{0.6, 0.4}}, {1, 1, []float64{0.2, 0.8}}})
	reg := fromStructs(t, s, []evalRegRow{{1, 1.5}, {2, 2}})
	txt := fromStructs(t, s, []evalTextRow{{"a", "b", []float64{0.5, 0.5}}, {"b", "b", []float64{0.1, 0.9}}})
	type nullRow struct {
		Label      *int64 `ember:"label"`
		Prediction int64  `ember:"prediction"`
	}
	one := int64(1)
	nulls := fromStructs(t, s, []nullRow{{&one, 1}, {nil, 0}})
	badPred := fromStructs(t, s, []evalClassRow{{0, 0, []float64{1, 0}}, {1, 2, []float64{0, 1}}})
	for _, c := range []struct {
		name string
		ev   Evaluator
		df   *dataframe.DataFrame
		want string
	}{
		{"typo", Evaluator{Metric: "acuracy"}, cls, `unknown evaluation metric "acuracy" (did you mean accuracy?)`},
		{"no metric", Evaluator{}, cls, "the evaluator has no Metric; choose one of accuracy,"},
		{"missing column", Evaluator{Metric: "accuracy", PredictionCol: "pred"}, cls, `column "pred" (the evaluator's PredictionCol) does not exist; the columns are label, prediction, probability`},
		{"missing default", Evaluator{Metric: "rmse"}, txt, `column "label" (the evaluator's LabelCol) does not exist`},
		{"label not a class", Evaluator{Metric: "accuracy", Classes: []string{"0", "2"}}, cls, `the label "1" in row 1 (column "label") is not among the classes [0, 2]`},
		{"label text not a class", Evaluator{Metric: "f1", Classes: []string{"a", "c"}, LabelCol: "pred", PredictionCol: "y"}, txt, `the label "b" in row 0 (column "pred") is not among the classes [a, c]`},
		{"prediction not a class", Evaluator{Metric: "recall", Classes: []string{"0", "1"}}, badPred, `the prediction "2" in row 1 (column "prediction") is not among the classes [0, 1]`},
		{"width", Evaluator{Metric: "log_loss", Classes: []string{"0", "1", "2"}}, cls, `column "probability" holds 2 probabilities per row, not one per class of 3`},
		{"width derived", Evaluator{Metric: "roc_auc", LabelCol: "y", ProbabilityCol: "p"}, txt.Where("y = 'a'"), "set the evaluator's Classes"},
		{"duplicate classes", Evaluator{Metric: "accuracy", Classes: []string{"0", "0"}}, cls, `Classes list "0" twice`},
		{"null label", Evaluator{Metric: "accuracy"}, nulls, `column "label" is NULL in row 1`},
		{"no rows", Evaluator{Metric: "mae"}, reg.Where("label > 5"), "there are no rows to evaluate"},
		{"text regression", Evaluator{Metric: "r2", LabelCol: "y", PredictionCol: "pred"}, txt, `column "y" is VARCHAR, not a number`},
		{"probability type", Evaluator{Metric: "log_loss", ProbabilityCol: "prediction"}, cls, `column "prediction" is BIGINT: class probabilities must be an ARRAY<DOUBLE>`},
		{"one class", Evaluator{Metric: "precision"}, cls.Where("label = 0"), "a single class (0); set the evaluator's Classes"},
		{"no features", Evaluator{Metric: "silhouette", LabelCol: "y", PredictionCol: "pred", ProbabilityCol: "p"}, txt, "no feature columns to evaluate clusters on"},
		{"one cluster", Evaluator{Metric: "silhouette", FeatureCols: []string{"probability"}}, cls.Where("prediction = 1"), "got 1 cluster for 1 point"},
		{"bad df", Evaluator{Metric: "accuracy"}, cls.Where("nope = 1"), "nope"},
	} {
		_, err := c.ev.Evaluate(ctx, c.df)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := (Evaluator{Metric: "accuracy"}).Evaluate(ctx, nil); err == nil {
		t.Error("nil DataFrame: no error")
	}
	// A single class is fine for accuracy, and string classes are found when not given.
	if v, err := (Evaluator{Metric: "accuracy"}).Evaluate(ctx, cls.Where("label = 0")); err != nil || v != 1 {
		t.Errorf("accuracy of one class: %v, %v", v, err)
	}
	if v, err := (Evaluator{Metric: "accuracy", LabelCol: "y", PredictionCol: "pred"}).Evaluate(ctx, txt); err != nil || v != 0.5 {
		t.Errorf("accuracy of text labels: %v, %v", v, err)
	}
}

func TestEvaluatorLargerIsBetter(t *testing.T) {
	larger := []string{"accuracy", "precision", "recall", "f1_score", "roc_auc", "r2_score", "explained_variance", "silhouette", "F1", "areaUnderROC"}
	smaller := []string{"log_loss", "mean_absolute_error", "mean_squared_error", "root_mean_squared_error", "davies_bouldin_index", "rmse", "logLoss"}
	for _, m := range larger {
		if !(Evaluator{Metric: m}).LargerIsBetter() {
			t.Errorf("%s: LargerIsBetter false", m)
		}
	}
	for _, m := range smaller {
		if (Evaluator{Metric: m}).LargerIsBetter() {
			t.Errorf("%s: LargerIsBetter true", m)
		}
	}
	if len(larger)+len(smaller)-4 != len(evalMetrics) {
		t.Errorf("the lists cover %d metrics, there are %d", len(larger)+len(smaller)-4, len(evalMetrics))
	}
}

func TestEvaluatorWithModelClasses(t *testing.T) {
	multi, err := LoadMLP(readFixture(t, "mlp_multi.json"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := LoadMLP(readFixture(t, "mlp_regression.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := (Evaluator{Metric: "accuracy"}).WithModelClasses(multi).Classes; !slices.Equal(got, []string{"3", "5", "7"}) {
		t.Errorf("classifier: %v", got)
	}
	if got := (Evaluator{Metric: "accuracy", Classes: []string{"a", "b"}}).WithModelClasses(multi).Classes; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("given classes replaced: %v", got)
	}
	if got := (Evaluator{Metric: "rmse"}).WithModelClasses(reg).Classes; got != nil {
		t.Errorf("regressor: %v", got)
	}
	if got := (Evaluator{Metric: "rmse"}).WithModelClasses(struct{}{}).Classes; got != nil {
		t.Errorf("no model: %v", got)
	}
}
