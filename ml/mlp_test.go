package ml

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

func loadMLP(t testing.TB, name string) *MLP {
	t.Helper()
	m, err := LoadMLP(readFixture(t, name+".json"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestMLPMatchesScikitLearn compares with scikit-learn's predict_proba and predict on the
// fixture rows.
func TestMLPMatchesScikitLearn(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		task     udf.ModelTask
		classes  []string
		features []string
		proba    []string
	}{
		{"mlp_binary", udf.Classification, []string{"neg", "pos"}, []string{"a", "b", "c", "d", "e", "f"},
			[]string{"p0", "p1"}},
		{"mlp_multi", udf.Classification, []string{"3", "5", "7"}, nil, []string{"p0", "p1", "p2"}},
		{"mlp_regression", udf.Regression, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := loadMLP(t, tc.name)
			feats, rows, cols := readData(t, tc.name)
			pred := readPred(t, tc.name)
			if m.Kind() != "mlp" || m.Task() != tc.task || m.NumFeatures() != cols ||
				!slices.Equal(m.Classes(), tc.classes) || !slices.Equal(m.FeatureNames(), tc.features) {
				t.Fatalf("got kind %s task %v features %d classes %v names %v",
					m.Kind(), m.Task(), m.NumFeatures(), m.Classes(), m.FeatureNames())
			}
			out := make([]float64, rows)
			if err := m.Predict(ctx, feats, rows, out); err != nil {
				t.Fatal(err)
			}
			worst := compare(t, "predict", out, 1, 0, column(t, pred, "pred"))
			if tc.proba != nil {
				probs := make([]float64, rows*len(tc.proba))
				if err := m.PredictProba(ctx, feats, rows, probs); err != nil {
					t.Fatal(err)
				}
				for k, col := range tc.proba {
					worst = max(worst, compare(t, col, probs, len(tc.proba), k, column(t, pred, col)))
				}
			} else if err := m.PredictProba(ctx, feats, rows, make([]float64, rows)); !errors.Is(err, errs.ErrExecution) {
				t.Fatalf("proba of a regression: %v", err)
			}
			t.Logf("largest scaled difference from scikit-learn: %.3g", worst)
		})
	}
}

// TestMLPBinarySoftmax: a binary classifier may also end in two softmax outputs. The
// logistic output z of the fixture becomes softmax([0, z]) = [1-σ(z), σ(z)], so the
// probabilities must still be scikit-learn's.
func TestMLPBinarySoftmax(t *testing.T) {
	data := editJSON(t, "mlp_binary.json", func(d map[string]any) {
		last := path(d, "layers", 2).(map[string]any)
		for i, row := range last["weights"].([]any) {
			last["weights"].([]any)[i] = []any{0.0, row.([]any)[0]}
		}
		last["bias"] = []any{0.0, last["bias"].([]any)[0]}
		last["activation"] = "softmax"
	})
	m, err := LoadMLP(data)
	if err != nil {
		t.Fatal(err)
	}
	feats, rows, _ := readData(t, "mlp_binary")
	pred := readPred(t, "mlp_binary")
	probs := make([]float64, rows*2)
	if err := m.PredictProba(context.Background(), feats, rows, probs); err != nil {
		t.Fatal(err)
	}
	compare(t, "p0", probs, 2, 0, column(t, pred, "p0"))
	compare(t, "p1", probs, 2, 1, column(t, pred, "p1"))
	out := make([]float64, rows)
	if err := m.Predict(context.Background(), feats, rows, out); err != nil {
		t.Fatal(err)
	}
	compare(t, "pred", out, 1, 0, column(t, pred, "pred"))
}

// TestMLPMissingPropagates: a NaN feature makes the row's outputs NaN, and only that row's.
func TestMLPMissingPropagates(t *testing.T) {
	for _, name := range []string{"mlp_binary", "mlp_multi"} {
		m := loadMLP(t, name)
		feats, _, cols := readData(t, name)
		feats = slices.Clone(feats[:2*cols])
		feats[cols+1] = float32(math.NaN())
		k := len(m.Classes())
		probs := make([]float64, 2*k)
		out := make([]float64, 2)
		if err := m.PredictProba(context.Background(), feats, 2, probs); err != nil {
			t.Fatal(err)
		}
		if err := m.Predict(context.Background(), feats, 2, out); err != nil {
			t.Fatal(err)
		}
		for j := range k {
			if math.IsNaN(probs[j]) || !math.IsNaN(probs[k+j]) {
				t.Errorf("%s: probabilities %v", name, probs)
			}
		}
		if math.IsNaN(out[0]) || !math.IsNaN(out[1]) {
			t.Errorf("%s: predictions %v", name, out)
		}
	}
}

// TestMLPBadFiles checks the errors for malformed files and files of other kinds.
func TestMLPBadFiles(t *testing.T) {
	bin := readFixture(t, "mlp_binary.json")
	layer := func(d map[string]any, i int) map[string]any { return path(d, "layers", i).(map[string]any) }
	edited := func(name string, edit func(d map[string]any)) []byte { return editJSON(t, name, edit) }
	for _, tc := range []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"empty", nil, errs.ErrExecution, "invalid JSON"},
		{"truncated", bin[:len(bin)/3], errs.ErrExecution, "invalid JSON"},
		{"xgboost file", readFixture(t, "xgb_binary.json"), errs.ErrExecution, `load it as kind "xgboost"`},
		{"no format", []byte(`{"version": 1}`), errs.ErrExecution, `missing "format"`},
		{"other format", edited("mlp_binary.json", func(d map[string]any) { d["format"] = "onnx" }),
			errs.ErrExecution, `format is "onnx"`},
		{"later version", edited("mlp_binary.json", func(d map[string]any) { d["version"] = 2; d["dropout"] = 0.5 }),
			errs.ErrNotImplemented, "format version 2"},
		{"version text", edited("mlp_binary.json", func(d map[string]any) { d["version"] = "1" }),
			errs.ErrExecution, `"version" is "1", want an integer`},
		{"no version", edited("mlp_binary.json", func(d map[string]any) { delete(d, "version") }),
			errs.ErrExecution, `missing "version"`},
		{"unknown field", edited("mlp_binary.json", func(d map[string]any) { layer(d, 0)["activaton"] = "relu" }),
			errs.ErrExecution, `unknown field "activaton"`},
		{"trailing data", append(slices.Clone(bin), []byte(` {}`)...), errs.ErrExecution, "invalid JSON"},
		{"task", edited("mlp_binary.json", func(d map[string]any) { d["task"] = "ranking" }),
			errs.ErrExecution, `task is "ranking"`},
		{"no layers", edited("mlp_binary.json", func(d map[string]any) { d["layers"] = []any{} }),
			errs.ErrExecution, `no "layers"`},
		{"activation", edited("mlp_binary.json", func(d map[string]any) { layer(d, 1)["activation"] = "gelu" }),
			errs.ErrExecution, `layer 1: unknown activation "gelu"`},
		{"hidden softmax", edited("mlp_binary.json", func(d map[string]any) { layer(d, 0)["activation"] = "softmax" }),
			errs.ErrExecution, "softmax is allowed only in the last layer"},
		{"shapes do not chain", edited("mlp_binary.json", func(d map[string]any) {
			w := layer(d, 1)["weights"].([]any)
			layer(d, 1)["weights"] = w[1:]
		}), errs.ErrExecution, "layer 1 has 15 inputs but layer 0 has 16 outputs"},
		{"ragged weights", edited("mlp_binary.json", func(d map[string]any) {
			row := path(d, "layers", 0, "weights", 2).([]any)
			path(d, "layers", 0, "weights").([]any)[2] = row[1:]
		}), errs.ErrExecution, "layer 0: weights[2] has 15 values, weights[0] has 16"},
		{"bias length", edited("mlp_binary.json", func(d map[string]any) {
			layer(d, 2)["bias"] = []any{0.1, 0.2}
		}), errs.ErrExecution, "layer 2: bias has 2 values for 1 outputs"},
		{"null weight", edited("mlp_binary.json", func(d map[string]any) {
			path(d, "layers", 0, "weights", 0).([]any)[0] = nil
		}), errs.ErrExecution, "expected a number, got null"},
		{"feature names", edited("mlp_binary.json", func(d map[string]any) { d["feature_names"] = []any{"a"} }),
			errs.ErrExecution, "1 feature_names for 6 inputs"},
		{"one class", edited("mlp_binary.json", func(d map[string]any) { d["classes"] = []any{"x"} }),
			errs.ErrExecution, "at least 2 classes"},
		{"duplicate class", edited("mlp_multi.json", func(d map[string]any) { d["classes"] = []any{"3", "5", "3"} }),
			errs.ErrExecution, `class "3" is listed twice`},
		{"classes and outputs", edited("mlp_multi.json", func(d map[string]any) { d["classes"] = []any{"a", "b", "c", "d"} }),
			errs.ErrExecution, "4 classes need as many \"softmax\" outputs; the last layer has 3 outputs (softmax)"},
		{"binary output", edited("mlp_binary.json", func(d map[string]any) { layer(d, 2)["activation"] = "identity" }),
			errs.ErrExecution, `2 classes need one "logistic" output or two "softmax" outputs`},
		{"regression with classes", edited("mlp_regression.json", func(d map[string]any) { d["classes"] = []any{"a", "b"} }),
			errs.ErrExecution, "a regression has no classes"},
		{"regression softmax", edited("mlp_regression.json", func(d map[string]any) { layer(d, 2)["activation"] = "softmax" }),
			errs.ErrExecution, "a regression needs one output without softmax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadMLP(tc.data)
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v; want a %v containing %q", err, tc.kind, tc.msg)
			}
		})
	}
}

// TestMLPPredictArgs checks the argument checks and cancellation.
func TestMLPPredictArgs(t *testing.T) {
	ctx := context.Background()
	m := loadMLP(t, "mlp_multi")
	if err := m.Predict(ctx, make([]float32, 9), 2, make([]float64, 2)); err == nil ||
		!strings.Contains(err.Error(), "9 feature values for 2 rows of 5 features") {
		t.Fatalf("short features: %v", err)
	}
	if err := m.PredictProba(ctx, make([]float32, 10), 2, make([]float64, 2)); err == nil ||
		!strings.Contains(err.Error(), "want 6 (2 rows × 3)") {
		t.Fatalf("short output: %v", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := m.Predict(canceled, make([]float32, 10), 2, make([]float64, 2)); !errors.Is(err, errs.ErrCanceled) {
		t.Fatalf("canceled: %v", err)
	}
}

// TestMLPMutatedFiles: damaged files load or fail with a taxonomy error, never panic.
func TestMLPMutatedFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	srcs := [][]byte{readFixture(t, "mlp_binary.json"), readFixture(t, "mlp_multi.json"),
		readFixture(t, "mlp_regression.json")}
	for i := range 3000 {
		m, err := LoadMLP(mutate(rng, srcs[i%len(srcs)]))
		if err != nil {
			if errs.KindOf(err) == nil {
				t.Fatalf("error outside the taxonomy: %v", err)
			}
			continue
		}
		exercise(t, m)
	}
}

// BenchmarkMLPPredict predicts 100k rows with the 6-16-8-1 binary classifier.
func BenchmarkMLPPredict(b *testing.B) {
	benchPredict(b, loadMLP(b, "mlp_binary"), true)
}
