package ml

import (
	"bytes"
	"context"
	"encoding/json"
	"math"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// MLP is a feed-forward network (multi-layer perceptron) read from Ember's "ember-mlp"
// JSON weights format, version 1:
//
//	{
//	  "format": "ember-mlp",
//	  "version": 1,
//	  "task": "classification" | "regression",
//	  "classes": ["neg", "pos"],        // classification only: ≥ 2 distinct labels
//	  "feature_names": ["a", "b", ...],  // optional: one per input of the first layer
//	  "layers": [                        // in order from the input; at least one
//	    {"weights": [[...], ...],        // in rows × out columns (scikit-learn's coefs_[i])
//	     "bias": [...],                  // out values (scikit-learn's intercepts_[i])
//	     "activation": "relu" | "tanh" | "logistic" | "identity" | "softmax"}
//	  ]
//	}
//
// Layer i computes h = activation(x·W + b); each layer's in is the previous layer's out.
// The last layer decides what the model predicts:
//   - regression: one output (any activation but softmax), the predicted value;
//   - classification with two classes: one "logistic" output, the probability of
//     classes[1] (what scikit-learn's MLPClassifier has for binary problems), or two
//     "softmax" outputs;
//   - classification with k > 2 classes: k "softmax" outputs, in the order of classes.
//
// softmax is allowed only in the last layer. Unknown fields are errors, so that a typo
// does not go unnoticed. testdata/ml/make_fixtures.py exports scikit-learn's
// MLPClassifier and MLPRegressor to this format.
//
// Arithmetic is float64 throughout (features are widened from float32), which matches
// scikit-learn's predict_proba on the same float32-valued inputs to about 1e-15. NaN
// features propagate: the row's probabilities and prediction are NaN. An MLP is immutable
// and safe for concurrent use.
type MLP struct {
	task         udf.ModelTask
	classes      []string
	featureNames []string
	layers       []mlpLayer
	maxWidth     int
	binary       bool // one logistic output: P(classes[1])
}

type mlpLayer struct {
	in, out int
	w       []float64 // in × out, row-major: w[i*out+j] links input i to output j
	b       []float64
	act     mlpActivation
}

type mlpActivation int

const (
	actIdentity mlpActivation = iota
	actReLU
	actTanh
	actLogistic
	actSoftmax
)

var mlpActivations = map[string]mlpActivation{
	"identity": actIdentity,
	"relu":     actReLU,
	"tanh":     actTanh,
	"logistic": actLogistic,
	"softmax":  actSoftmax,
}

type mlpDoc struct {
	Format       string        `json:"format"`
	Version      int           `json:"version"`
	Task         string        `json:"task"`
	Classes      []string      `json:"classes"`
	FeatureNames []string      `json:"feature_names"`
	Layers       []mlpLayerDoc `json:"layers"`
}

type mlpLayerDoc struct {
	Weights    [][]jsonFloat `json:"weights"`
	Bias       []jsonFloat   `json:"bias"`
	Activation string        `json:"activation"`
}

func mlpErr(format string, args ...any) error {
	return errs.Execf("mlp model: "+format, args...)
}

// LoadMLP reads a model in the ember-mlp format (see MLP). Errors: an execution error
// naming what is wrong (invalid JSON, another format, unknown fields, shapes that do not
// chain, unknown activations, classes that do not match the output layer); a
// not-implemented error for a later format version. It never panics.
func LoadMLP(data []byte) (*MLP, error) {
	// A lenient first look (which also rejects invalid JSON and trailing data), to say
	// what the file is before complaining about its fields.
	var probe struct {
		Format  *string          `json:"format"`
		Version json.RawMessage  `json:"version"`
		Learner *json.RawMessage `json:"learner"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "mlp model: invalid JSON")
	}
	switch {
	case probe.Format == nil && probe.Learner != nil:
		return nil, mlpErr(`file is an XGBoost model, not ember-mlp (load it as kind "xgboost")`)
	case probe.Format == nil:
		return nil, mlpErr(`missing "format": not an ember-mlp model`)
	case *probe.Format != "ember-mlp":
		return nil, mlpErr(`format is %q, want "ember-mlp"`, *probe.Format)
	}
	// The version before the strict decode: a later version may have fields this one
	// does not know.
	var version int
	if probe.Version == nil {
		return nil, mlpErr(`missing "version"`)
	}
	if err := json.Unmarshal(probe.Version, &version); err != nil {
		return nil, mlpErr(`"version" is %.20s, want an integer`, probe.Version)
	}
	if version != 1 {
		return nil, errs.NotImplementedf("mlp model: format version %d (this Ember reads version 1)", version)
	}
	var doc mlpDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "mlp model")
	}

	m := &MLP{}
	switch doc.Task {
	case "classification":
		m.task = udf.Classification
	case "regression":
		m.task = udf.Regression
	case "":
		return nil, mlpErr(`missing "task"`)
	default:
		return nil, mlpErr(`task is %q, want "classification" or "regression"`, doc.Task)
	}
	if len(doc.Layers) == 0 {
		return nil, mlpErr(`no "layers"`)
	}
	for i, ld := range doc.Layers {
		l, err := buildLayer(i, ld)
		if err != nil {
			return nil, err
		}
		if i > 0 && l.in != m.layers[i-1].out {
			return nil, mlpErr("layer %d has %d inputs but layer %d has %d outputs", i, l.in, i-1, m.layers[i-1].out)
		}
		if l.act == actSoftmax && i != len(doc.Layers)-1 {
			return nil, mlpErr("layer %d: softmax is allowed only in the last layer", i)
		}
		m.layers = append(m.layers, l)
		m.maxWidth = max(m.maxWidth, l.in, l.out)
	}
	if doc.FeatureNames != nil {
		if len(doc.FeatureNames) != m.layers[0].in {
			return nil, mlpErr("%d feature_names for %d inputs", len(doc.FeatureNames), m.layers[0].in)
		}
		m.featureNames = doc.FeatureNames
	}

	last := m.layers[len(m.layers)-1]
	if m.task == udf.Regression {
		if doc.Classes != nil {
			return nil, mlpErr("a regression has no classes")
		}
		if last.out != 1 || last.act == actSoftmax {
			return nil, mlpErr("a regression needs one output without softmax; the last layer has %d outputs (%s)",
				last.out, actName(last.act))
		}
		return m, nil
	}
	if len(doc.Classes) < 2 {
		return nil, mlpErr("a classification needs at least 2 classes, got %d", len(doc.Classes))
	}
	seen := make(map[string]bool, len(doc.Classes))
	for _, c := range doc.Classes {
		if seen[c] {
			return nil, mlpErr("class %q is listed twice", c)
		}
		seen[c] = true
	}
	m.classes = doc.Classes
	switch {
	case len(m.classes) == 2 && last.out == 1 && last.act == actLogistic:
		m.binary = true
	case last.out == len(m.classes) && last.act == actSoftmax:
	default:
		want := `as many "softmax" outputs`
		if len(m.classes) == 2 {
			want = `one "logistic" output or two "softmax" outputs`
		}
		return nil, mlpErr("%d classes need %s; the last layer has %d outputs (%s)",
			len(m.classes), want, last.out, actName(last.act))
	}
	return m, nil
}

// buildLayer checks one layer's shapes and copies its weights into one flat slice.
func buildLayer(i int, ld mlpLayerDoc) (mlpLayer, error) {
	act, ok := mlpActivations[ld.Activation]
	if !ok {
		if ld.Activation == "" {
			return mlpLayer{}, mlpErr("layer %d: missing activation", i)
		}
		return mlpLayer{}, mlpErr("layer %d: unknown activation %q (known: identity, logistic, relu, softmax, tanh)",
			i, ld.Activation)
	}
	in := len(ld.Weights)
	if in == 0 {
		return mlpLayer{}, mlpErr("layer %d: no weights", i)
	}
	out := len(ld.Weights[0])
	if out == 0 {
		return mlpLayer{}, mlpErr("layer %d: weights[0] is empty", i)
	}
	l := mlpLayer{in: in, out: out, act: act, w: make([]float64, 0, in*out), b: make([]float64, out)}
	for r, row := range ld.Weights {
		if len(row) != out {
			return mlpLayer{}, mlpErr("layer %d: weights[%d] has %d values, weights[0] has %d", i, r, len(row), out)
		}
		for _, v := range row {
			l.w = append(l.w, float64(v))
		}
	}
	if len(ld.Bias) != out {
		return mlpLayer{}, mlpErr("layer %d: bias has %d values for %d outputs", i, len(ld.Bias), out)
	}
	for j, v := range ld.Bias {
		l.b[j] = float64(v)
	}
	return l, nil
}

func actName(a mlpActivation) string {
	return [...]string{actIdentity: "identity", actReLU: "relu", actTanh: "tanh",
		actLogistic: "logistic", actSoftmax: "softmax"}[a]
}

// Kind returns "mlp".
func (m *MLP) Kind() string { return "mlp" }

// NumFeatures is the number of inputs of the first layer.
func (m *MLP) NumFeatures() int { return m.layers[0].in }

// FeatureNames are the file's feature_names, or nil.
func (m *MLP) FeatureNames() []string { return m.featureNames }

// Task is the file's task.
func (m *MLP) Task() udf.ModelTask { return m.task }

// Classes are the file's classes (nil for a regression).
func (m *MLP) Classes() []string { return m.classes }

// forward runs one row through the network. a and b are scratch of maxWidth each; the
// result is a slice of one of them, valid until the next call. Cost: O(Σ in×out).
func (m *MLP) forward(row []float32, a, b []float64) []float64 {
	x := a[:len(row)]
	for i, v := range row {
		x[i] = float64(v)
	}
	for _, l := range m.layers {
		h := b[:l.out]
		clear(h)
		for i, xi := range x {
			w := l.w[i*l.out : (i+1)*l.out]
			for j, wij := range w {
				h[j] += xi * wij
			}
		}
		for j := range h {
			h[j] += l.b[j]
		}
		activate(l.act, h)
		x, a, b = h, b, a
	}
	return x
}

// activate applies an activation in place, as scikit-learn's ACTIVATIONS do.
func activate(act mlpActivation, h []float64) {
	switch act {
	case actReLU:
		for j, v := range h {
			if v < 0 { // NaN stays NaN, as np.maximum
				h[j] = 0
			}
		}
	case actTanh:
		for j, v := range h {
			h[j] = math.Tanh(v)
		}
	case actLogistic:
		for j, v := range h {
			h[j] = 1 / (1 + math.Exp(-v))
		}
	case actSoftmax:
		mx := math.Inf(-1)
		for _, v := range h {
			mx = max(mx, v)
		}
		var sum float64
		for j, v := range h {
			h[j] = math.Exp(v - mx)
			sum += h[j]
		}
		for j := range h {
			h[j] /= sum
		}
	}
}

// run calls fn with each row's network output, checking ctx every cancelEvery rows.
func (m *MLP) run(ctx context.Context, features []float32, rows int, fn func(r int, y []float64)) error {
	nf := m.layers[0].in
	a, b := make([]float64, m.maxWidth), make([]float64, m.maxWidth)
	for r := 0; r < rows; r++ {
		if r%cancelEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		fn(r, m.forward(features[r*nf:(r+1)*nf], a, b))
	}
	return nil
}

// Predict writes per row the regression value, or the index into Classes of the most
// probable class: for a binary model 1 when P(classes[1]) > 0.5, else the first largest
// probability (scikit-learn's rules). A row with NaN features gets NaN.
func (m *MLP) Predict(ctx context.Context, features []float32, rows int, out []float64) error {
	if err := checkPredictArgs("mlp", features, rows, m.NumFeatures(), out, 1); err != nil {
		return err
	}
	return m.run(ctx, features, rows, func(r int, y []float64) {
		switch {
		case m.task == udf.Regression:
			out[r] = y[0]
		case m.binary:
			switch {
			case math.IsNaN(y[0]):
				out[r] = math.NaN()
			case y[0] > 0.5:
				out[r] = 1
			default:
				out[r] = 0
			}
		default:
			best := 0
			for k, v := range y {
				if math.IsNaN(v) {
					best = -1
					break
				}
				if v > y[best] {
					best = k
				}
			}
			out[r] = float64(best)
			if best < 0 {
				out[r] = math.NaN()
			}
		}
	})
}

// PredictProba writes rows × len(Classes()) probabilities; for a binary model with one
// logistic output, [1-p, p]. Regressions return an execution error.
func (m *MLP) PredictProba(ctx context.Context, features []float32, rows int, out []float64) error {
	if m.task != udf.Classification {
		return errs.Execf("mlp model: a regression has no class probabilities")
	}
	w := len(m.classes)
	if err := checkPredictArgs("mlp", features, rows, m.NumFeatures(), out, w); err != nil {
		return err
	}
	return m.run(ctx, features, rows, func(r int, y []float64) {
		o := out[r*w : (r+1)*w]
		if m.binary {
			o[0], o[1] = 1-y[0], y[0]
			return
		}
		copy(o, y)
	})
}
