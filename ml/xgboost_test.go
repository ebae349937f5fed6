package ml

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

func loadXGB(t testing.TB, name string) *XGBoost {
	t.Helper()
	m, err := LoadXGBoost(readFixture(t, name+".json"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestXGBoostMatchesXGBoost compares margins, probabilities and predicted classes with
// XGBoost's own predictions on the fixture rows, which hold missing values and (in the
// binary and regression fixtures) values equal to split thresholds.
func TestXGBoostMatchesXGBoost(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		objective string
		task      udf.ModelTask
		classes   []string
		features  []string
		trees     int
		margins   []string // margin columns of the fixture
		proba     []string // probability columns, nil for regressions
	}{
		{"xgb_binary", "binary:logistic", udf.Classification, []string{"0", "1"},
			[]string{"age", "income", "score", "tenure", "visits", "ratio"}, 30,
			[]string{"margin"}, []string{"p0", "p1"}},
		{"xgb_regression", "reg:squarederror", udf.Regression, nil, nil, 50,
			[]string{"margin"}, nil},
		{"xgb_multi", "multi:softprob", udf.Classification, []string{"0", "1", "2"}, nil, 45,
			[]string{"m0", "m1", "m2"}, []string{"p0", "p1", "p2"}},
		{"xgb_softmax", "multi:softmax", udf.Classification, []string{"0", "1", "2"}, nil, 18,
			[]string{"m0", "m1", "m2"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := loadXGB(t, tc.name)
			feats, rows, cols := readData(t, tc.name)
			pred := readPred(t, tc.name)
			if m.Kind() != "xgboost" || m.Objective() != tc.objective || m.Task() != tc.task ||
				m.NumFeatures() != cols || m.NumTrees() != tc.trees ||
				!slices.Equal(m.Classes(), tc.classes) || !slices.Equal(m.FeatureNames(), tc.features) {
				t.Fatalf("got kind %s objective %s task %v features %d trees %d classes %v names %v",
					m.Kind(), m.Objective(), m.Task(), m.NumFeatures(), m.NumTrees(), m.Classes(), m.FeatureNames())
			}

			// Margins are float32 sums in XGBoost's order: they must agree bit for bit.
			acc := make([]float32, rows*m.groups)
			m.margins(feats, rows, acc)
			for k, col := range tc.margins {
				want := column(t, pred, col)
				for r := range rows {
					if got := acc[r*m.groups+k]; float64(got) != want[r] {
						t.Fatalf("margin %s row %d: got %.9g, want %.9g", col, r, got, want[r])
					}
				}
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
			}
			t.Logf("largest scaled difference from XGBoost: %.3g", worst)
		})
	}
}

// TestXGBoostSoftmaxProba checks multi:softmax's probabilities against the softmax of
// XGBoost's margins (XGBoost itself outputs only the class for this objective).
func TestXGBoostSoftmaxProba(t *testing.T) {
	m := loadXGB(t, "xgb_softmax")
	feats, rows, _ := readData(t, "xgb_softmax")
	pred := readPred(t, "xgb_softmax")
	probs := make([]float64, rows*3)
	if err := m.PredictProba(context.Background(), feats, rows, probs); err != nil {
		t.Fatal(err)
	}
	for r := range rows {
		ms := []float64{pred["m0"][r], pred["m1"][r], pred["m2"][r]}
		mx := slices.Max(ms)
		var sum float64
		for _, v := range ms {
			sum += math.Exp(v - mx)
		}
		for k, v := range ms {
			want := math.Exp(v-mx) / sum
			if d := math.Abs(probs[r*3+k] - want); d > tolerance {
				t.Fatalf("row %d class %d: got %g, want %g", r, k, probs[r*3+k], want)
			}
		}
	}
}

// TestXGBoostFormatVariants loads forms other XGBoost versions write: base_score as a
// one-element list (3.1), default_left as booleans (early 1.x). Predictions must not
// change.
func TestXGBoostFormatVariants(t *testing.T) {
	feats, rows, _ := readData(t, "xgb_binary")
	want := make([]float64, rows*2)
	if err := loadXGB(t, "xgb_binary").PredictProba(context.Background(), feats, rows, want); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(doc map[string]any){
		"base_score list": func(doc map[string]any) {
			p := path(doc, "learner", "learner_model_param").(map[string]any)
			p["base_score"] = "[" + p["base_score"].(string) + "]"
		},
		"boolean default_left": func(doc map[string]any) {
			for _, tr := range path(doc, "learner", "gradient_booster", "model", "trees").([]any) {
				dl := tr.(map[string]any)["default_left"].([]any)
				for i, v := range dl {
					dl[i] = v.(float64) == 1
				}
			}
		},
		"no split_type": func(doc map[string]any) {
			for _, tr := range path(doc, "learner", "gradient_booster", "model", "trees").([]any) {
				delete(tr.(map[string]any), "split_type")
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := LoadXGBoost(editJSON(t, "xgb_binary.json", edit))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float64, rows*2)
			if err := m.PredictProba(context.Background(), feats, rows, got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatal("predictions changed")
			}
		})
	}
}

func trees(doc map[string]any) []any {
	return path(doc, "learner", "gradient_booster", "model", "trees").([]any)
}

func tree0(doc map[string]any) map[string]any { return trees(doc)[0].(map[string]any) }

// TestXGBoostBadFiles checks that malformed, inconsistent and unsupported files give the
// right kind of error, naming the problem.
func TestXGBoostBadFiles(t *testing.T) {
	binary := readFixture(t, "xgb_binary.json")
	lmp := func(doc map[string]any) map[string]any {
		return path(doc, "learner", "learner_model_param").(map[string]any)
	}
	edited := func(name string, edit func(doc map[string]any)) []byte {
		return editJSON(t, name, edit)
	}
	for _, tc := range []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"empty", nil, errs.ErrExecution, "invalid JSON"},
		{"truncated", binary[:len(binary)/2], errs.ErrExecution, "invalid JSON"},
		{"binary format", []byte("binf\x00\x00\x00?"), errs.ErrExecution, "not UBJSON"},
		{"not an object", []byte(`[1, 2]`), errs.ErrExecution, "invalid JSON"},
		{"no learner", []byte(`{"version": [1, 7, 4]}`), errs.ErrExecution, `missing "learner"`},
		{"mlp file", readFixture(t, "mlp_binary.json"), errs.ErrExecution, "ember-mlp"},
		{"gblinear", readFixture(t, "xgb_gblinear.json"), errs.ErrNotImplemented, `booster "gblinear"`},
		{"dart", readFixture(t, "xgb_dart.json"), errs.ErrNotImplemented, `booster "dart"`},
		{"old version", edited("xgb_binary.json", func(d map[string]any) { d["version"] = []any{0, 90, 0} }),
			errs.ErrNotImplemented, "version 1.0 or later"},
		{"objective", edited("xgb_binary.json", func(d map[string]any) {
			path(d, "learner", "objective").(map[string]any)["name"] = "rank:pairwise"
		}), errs.ErrNotImplemented, `objective "rank:pairwise"`},
		{"no objective", edited("xgb_binary.json", func(d map[string]any) {
			delete(path(d, "learner").(map[string]any), "objective")
		}), errs.ErrExecution, "objective.name"},
		{"no num_feature", edited("xgb_binary.json", func(d map[string]any) { delete(lmp(d), "num_feature") }),
			errs.ErrExecution, `missing parameter "num_feature"`},
		{"bad num_feature", edited("xgb_binary.json", func(d map[string]any) { lmp(d)["num_feature"] = "six" }),
			errs.ErrExecution, `"num_feature" is "six"`},
		{"base_score not a probability", edited("xgb_binary.json", func(d map[string]any) {
			lmp(d)["base_score"] = "1.5E0"
		}), errs.ErrExecution, "not a probability"},
		{"base_score too many", edited("xgb_binary.json", func(d map[string]any) {
			lmp(d)["base_score"] = "[0.5,0.5]"
		}), errs.ErrExecution, "2 values for 1 outputs"},
		{"base_score text", edited("xgb_binary.json", func(d map[string]any) { lmp(d)["base_score"] = "half" }),
			errs.ErrExecution, "base_score"},
		{"num_class for binary", edited("xgb_binary.json", func(d map[string]any) { lmp(d)["num_class"] = "3" }),
			errs.ErrExecution, "num_class is 3"},
		{"multi without num_class", edited("xgb_multi.json", func(d map[string]any) { lmp(d)["num_class"] = "0" }),
			errs.ErrExecution, "num_class ≥ 2"},
		{"huge num_class", edited("xgb_multi.json", func(d map[string]any) { lmp(d)["num_class"] = "4000000000" }),
			errs.ErrNotImplemented, "num_class 4000000000 is above"},
		{"multi-target", edited("xgb_regression.json", func(d map[string]any) { lmp(d)["num_target"] = "2" }),
			errs.ErrNotImplemented, "multi-target"},
		{"feature names", edited("xgb_binary.json", func(d map[string]any) {
			path(d, "learner").(map[string]any)["feature_names"] = []any{"a", "b"}
		}), errs.ErrExecution, "2 feature_names for num_feature 6"},
		{"tree_info length", edited("xgb_multi.json", func(d map[string]any) {
			m := path(d, "learner", "gradient_booster", "model").(map[string]any)
			m["tree_info"] = m["tree_info"].([]any)[1:]
		}), errs.ErrExecution, "tree_info has 44 entries for 45 trees"},
		{"tree_info class", edited("xgb_multi.json", func(d map[string]any) {
			path(d, "learner", "gradient_booster", "model", "tree_info").([]any)[4] = 3
		}), errs.ErrExecution, "tree_info[4] is 3"},
		{"num_trees", edited("xgb_binary.json", func(d map[string]any) {
			path(d, "learner", "gradient_booster", "model", "gbtree_model_param").(map[string]any)["num_trees"] = "31"
		}), errs.ErrExecution, "num_trees is 31"},
		{"no trees", edited("xgb_binary.json", func(d map[string]any) {
			delete(path(d, "learner", "gradient_booster", "model").(map[string]any), "trees")
		}), errs.ErrExecution, `missing "trees"`},
		{"child out of range", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["left_children"].([]any)[0] = 999
		}), errs.ErrExecution, "tree 0: node 0 has child 999, out of range"},
		{"negative right child", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["right_children"].([]any)[0] = -1
		}), errs.ErrExecution, "has child -1, out of range"},
		{"leaf with right child", edited("xgb_binary.json", func(d map[string]any) {
			n := len(tree0(d)["right_children"].([]any))
			tree0(d)["right_children"].([]any)[n-1] = 1
		}), errs.ErrExecution, "but no left child"},
		{"cycle", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["left_children"].([]any)[1] = 0
		}), errs.ErrExecution, "node 0 is reached twice"},
		{"shared child", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["right_children"].([]any)[0] = tree0(d)["left_children"].([]any)[0]
		}), errs.ErrExecution, "reached twice"},
		{"feature out of range", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["split_indices"].([]any)[0] = 6
		}), errs.ErrExecution, "splits on feature 6, but num_feature is 6"},
		{"array lengths", edited("xgb_binary.json", func(d map[string]any) {
			sc := tree0(d)["split_conditions"].([]any)
			tree0(d)["split_conditions"] = sc[:len(sc)-1]
		}), errs.ErrExecution, "split_conditions has"},
		{"missing default_left", edited("xgb_binary.json", func(d map[string]any) {
			delete(tree0(d), "default_left")
		}), errs.ErrExecution, `tree 0: missing "default_left"`},
		{"null threshold", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["split_conditions"].([]any)[0] = nil
		}), errs.ErrExecution, "expected a number, got null"},
		{"fractional child", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["left_children"].([]any)[0] = 1.5
		}), errs.ErrExecution, "expected an integer, got 1.5"},
		{"default_left value", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["default_left"].([]any)[0] = 2
		}), errs.ErrExecution, "expected true, false, 0 or 1"},
		{"num_nodes", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["tree_param"].(map[string]any)["num_nodes"] = "0"
		}), errs.ErrExecution, "num_nodes is 0"},
		{"categorical", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["split_type"].([]any)[0] = 1
		}), errs.ErrNotImplemented, "categorical split"},
		{"vector leaves", edited("xgb_binary.json", func(d map[string]any) {
			tree0(d)["tree_param"].(map[string]any)["size_leaf_vector"] = "3"
		}), errs.ErrNotImplemented, "vector leaves"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := LoadXGBoost(tc.data)
			if err == nil {
				t.Fatalf("loaded a model with %d trees; want an error", m.NumTrees())
			}
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v; want a %v containing %q", err, tc.kind, tc.msg)
			}
		})
	}
}

// TestXGBoostPredictArgs checks the argument checks, PredictProba on a regression, and
// cancellation.
func TestXGBoostPredictArgs(t *testing.T) {
	ctx := context.Background()
	reg := loadXGB(t, "xgb_regression")
	bin := loadXGB(t, "xgb_binary")
	feats := make([]float32, 3*5)
	if err := reg.Predict(ctx, feats[:14], 3, make([]float64, 3)); !errors.Is(err, errs.ErrExecution) ||
		!strings.Contains(err.Error(), "14 feature values for 3 rows of 5 features") {
		t.Fatalf("short features: %v", err)
	}
	if err := reg.Predict(ctx, feats, 3, make([]float64, 2)); err == nil || !strings.Contains(err.Error(), "output holds 2 values") {
		t.Fatalf("short output: %v", err)
	}
	if err := reg.Predict(ctx, nil, -1, nil); err == nil || !strings.Contains(err.Error(), "negative row count") {
		t.Fatalf("negative rows: %v", err)
	}
	if err := reg.PredictProba(ctx, feats, 3, make([]float64, 3)); !errors.Is(err, errs.ErrExecution) ||
		!strings.Contains(err.Error(), "regression") {
		t.Fatalf("proba of a regression: %v", err)
	}
	if err := bin.PredictProba(ctx, make([]float32, 6*3), 3, make([]float64, 3)); err == nil ||
		!strings.Contains(err.Error(), "want 6 (3 rows × 2)") {
		t.Fatalf("proba output size: %v", err)
	}
	// A num_feature so large that rows × num_feature overflows must not pass the checks.
	huge, err := LoadXGBoost(editJSON(t, "xgb_regression.json", func(d map[string]any) {
		path(d, "learner", "learner_model_param").(map[string]any)["num_feature"] = "4611686018427387904"
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := huge.Predict(ctx, nil, 4, make([]float64, 4)); err == nil || !strings.Contains(err.Error(), "feature values") {
		t.Fatalf("overflowing shape: %v", err)
	}
	if err := reg.Predict(ctx, nil, 0, nil); err != nil {
		t.Fatalf("zero rows: %v", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := reg.Predict(canceled, feats, 3, make([]float64, 3)); !errors.Is(err, errs.ErrCanceled) {
		t.Fatalf("canceled: %v", err)
	}
}

// TestXGBoostSplitRoutes builds one-split models by hand and checks every route: below
// the threshold (left), at or above it (right), NaN (default_left), infinities, and signed
// zeros, which compare equal. Six rows take both the four-row and the one-row walk.
func TestXGBoostSplitRoutes(t *testing.T) {
	model := func(threshold string, defaultLeft int) []byte {
		return []byte(`{"learner":{"learner_model_param":{"base_score":"0","num_class":"0","num_feature":"1"},
		"objective":{"name":"reg:squarederror"},"gradient_booster":{"name":"gbtree","model":{
		"gbtree_model_param":{"num_trees":"1"},"tree_info":[0],"trees":[{"tree_param":{"num_nodes":"3"},
		"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[0,0,0],
		"split_conditions":[` + threshold + `,-1,1],"default_left":[` + strconv.Itoa(defaultLeft) + `,0,0]}]}}},
		"version":[1,7,4]}`)
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	tiny := math.Float32frombits(1) // the smallest positive denormal
	for _, tc := range []struct {
		threshold   string
		defaultLeft int
		in          []float32
		want        []float64 // -1 left, 1 right
	}{
		{"0.5", 0, []float32{0.25, 0.5, 0.75, nan, -inf, inf}, []float64{-1, 1, 1, 1, -1, 1}},
		{"0.5", 1, []float32{0.25, 0.5, 0.75, nan, -inf, inf}, []float64{-1, 1, 1, -1, -1, 1}},
		{"0", 0, []float32{negZero, 0, -tiny, tiny, nan, -1}, []float64{1, 1, -1, 1, 1, -1}},
		{"-0.0", 1, []float32{negZero, 0, -tiny, tiny, nan, -1}, []float64{1, 1, -1, 1, -1, -1}},
		{"0.5", 1, []float32{math.Float32frombits(0x7f800001), math.Float32frombits(0xff800001),
			math.Float32frombits(0x7fffffff), math.Float32frombits(0xffc00000), 0.75, 0.25},
			[]float64{-1, -1, -1, -1, 1, -1}}, // NaNs of every sign and payload
		{"-2.5", 0, []float32{-2.5, -2.4999998, -2.5000002, -3e38, 3e38, nan}, []float64{1, 1, -1, -1, 1, 1}},
	} {
		m, err := LoadXGBoost(model(tc.threshold, tc.defaultLeft))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, len(tc.in))
		if err := m.Predict(context.Background(), tc.in, len(tc.in), out); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, tc.want) {
			t.Errorf("threshold %s default_left %d: got %v, want %v", tc.threshold, tc.defaultLeft, out, tc.want)
		}
	}
}

// TestFloatKeyOrder: floatKey orders float32s as < does, over random bit patterns and the
// special values.
func TestFloatKeyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	special := []uint32{0, 0x80000000, 1, 0x80000001, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
		math.Float32bits(1), math.Float32bits(-1)}
	vals := slices.Clone(special)
	for range 2000 {
		vals = append(vals, rng.Uint32())
	}
	for _, a := range vals {
		for _, b := range vals[:200] {
			fa, fb := math.Float32frombits(a), math.Float32frombits(b)
			if fa != fa || fb != fb {
				continue
			}
			if (fa < fb) != (floatKey(a) < floatKey(b)) {
				t.Fatalf("%g < %g is %v, but keys %d, %d", fa, fb, fa < fb, floatKey(a), floatKey(b))
			}
		}
	}
}

// TestXGBoostConcurrent: one model predicting from several goroutines gives the same
// results as alone (run under -race to check the model is not written).
func TestXGBoostConcurrent(t *testing.T) {
	m := loadXGB(t, "xgb_multi")
	feats, rows, _ := readData(t, "xgb_multi")
	want := make([]float64, rows*3)
	if err := m.PredictProba(context.Background(), feats, rows, want); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 8)
	for range 8 {
		go func() {
			got := make([]float64, rows*3)
			err := m.PredictProba(context.Background(), feats, rows, got)
			if err == nil && !slices.Equal(got, want) {
				err = errors.New("different probabilities")
			}
			errc <- err
		}()
	}
	for range 8 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

// mutate returns data with one random change: a cut, a changed digit, a flipped byte or a
// deleted span.
func mutate(rng *rand.Rand, data []byte) []byte {
	b := slices.Clone(data)
	switch rng.IntN(4) {
	case 0:
		return b[:rng.IntN(len(b))]
	case 1:
		for range 50 {
			i := rng.IntN(len(b))
			if b[i] >= '0' && b[i] <= '9' {
				b[i] = "0123456789-"[rng.IntN(11)]
				break
			}
		}
	case 2:
		b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
	default:
		i := rng.IntN(len(b))
		j := min(len(b), i+1+rng.IntN(20))
		b = append(b[:i], b[j:]...)
	}
	return b
}

// exercise runs every prediction entry point of a model that loaded, on rows with NaN
// and extreme values: whatever a damaged file holds, nothing may panic.
func exercise(t *testing.T, m udf.Model) {
	nf := m.NumFeatures()
	rows := 7
	feats := make([]float32, rows*nf)
	special := []float32{float32(math.NaN()), 0, -1e30, 1e30, float32(math.Inf(1)), -0.5, 3}
	for i := range feats {
		feats[i] = special[i%len(special)]
	}
	out := make([]float64, rows)
	if err := m.Predict(context.Background(), feats, rows, out); err != nil {
		t.Fatalf("predict: %v", err)
	}
	if m.Task() == udf.Classification {
		probs := make([]float64, rows*len(m.Classes()))
		if err := m.PredictProba(context.Background(), feats, rows, probs); err != nil {
			t.Fatalf("predict proba: %v", err)
		}
	}
}

// TestXGBoostMutatedFiles feeds thousands of damaged fixtures to the loader (a fixed
// seed, so failures reproduce): each must load or fail with an error of the taxonomy,
// never panic, and a model that loads must predict.
func TestXGBoostMutatedFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	srcs := [][]byte{readFixture(t, "xgb_binary.json"), readFixture(t, "xgb_multi.json"),
		readFixture(t, "xgb_softmax.json")}
	loaded := 0
	for i := range 3000 {
		data := mutate(rng, srcs[i%len(srcs)])
		m, err := LoadXGBoost(data)
		if err != nil {
			if errs.KindOf(err) == nil {
				t.Fatalf("error outside the taxonomy: %v", err)
			}
			continue
		}
		loaded++
		exercise(t, m)
	}
	t.Logf("%d of 3000 mutated files still loaded", loaded)
}

// FuzzLoadXGBoost: go test -fuzz FuzzLoadXGBoost ./ml/. The fixtures are the seeds.
func FuzzLoadXGBoost(f *testing.F) {
	for _, name := range []string{"xgb_softmax.json", "xgb_gblinear.json", "xgb_dart.json"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadXGBoost(data)
		if err != nil {
			if errs.KindOf(err) == nil {
				t.Fatalf("error outside the taxonomy: %v", err)
			}
			return
		}
		exercise(t, m)
	})
}

// BenchmarkXGBoostPredict predicts 100k rows (5% missing) with the 50-tree regression
// model.
func BenchmarkXGBoostPredict(b *testing.B) {
	benchPredict(b, loadXGB(b, "xgb_regression"), false)
}

// BenchmarkXGBoostPredictProbaMulti: the same with the 3-class model (45 trees).
func BenchmarkXGBoostPredictProbaMulti(b *testing.B) {
	benchPredict(b, loadXGB(b, "xgb_multi"), true)
}

func benchPredict(b *testing.B, m udf.Model, proba bool) {
	const rows = 100_000
	rng := rand.New(rand.NewPCG(3, 4))
	feats := make([]float32, rows*m.NumFeatures())
	for i := range feats {
		feats[i] = float32(rng.NormFloat64())
		if rng.IntN(20) == 0 {
			feats[i] = float32(math.NaN())
		}
	}
	width := 1
	if proba {
		width = len(m.Classes())
	}
	out := make([]float64, rows*width)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		var err error
		if proba {
			err = m.PredictProba(ctx, feats, rows, out)
		} else {
			err = m.Predict(ctx, feats, rows, out)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
