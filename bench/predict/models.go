package predict

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/embersql/ember/ml"
	"github.com/embersql/ember/udf"
)

// NumFeatures is the number of features of the benchmark's models and columns of its table.
const NumFeatures = 10

// ModelSpec is one of the benchmark's models.
type ModelSpec struct {
	// Name is the name on the command line ("xgb100").
	Name string
	// File is the model file, relative to the fixture directory (testdata/ml).
	File string
	// Kind is the model kind for ml.Load ("xgboost", "mlp").
	Kind string
	// About says what the model is, for the report.
	About string
}

// Models are the benchmark's models, in the order the benchmark runs them.
var Models = []ModelSpec{
	{Name: "xgb100", File: "bench_xgb100.json", Kind: "xgboost",
		About: "XGBoost 1.7.4 binary:logistic, 100 trees, max_depth 6"},
	{Name: "logistic", File: "bench_logistic.json", Kind: "mlp",
		About: "scikit-learn 1.2.1 LogisticRegression as a one-layer ember-mlp network"},
}

// FindModel returns the model named name, or an error listing the known names.
func FindModel(name string) (ModelSpec, error) {
	names := make([]string, len(Models))
	for i, m := range Models {
		if m.Name == name {
			return m, nil
		}
		names[i] = m.Name
	}
	return ModelSpec{}, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(names, ", "))
}

// Load reads the model's file from dir (the fixture directory, testdata/ml) with ml.Load
// and checks that it takes NumFeatures features.
func (s ModelSpec) Load(dir string) (udf.Model, error) {
	data, err := os.ReadFile(filepath.Join(dir, s.File))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", s.Name, err)
	}
	m, err := ml.Load(s.Kind, data)
	if err != nil {
		return nil, fmt.Errorf("model %s (%s): %w", s.Name, s.File, err)
	}
	if m.NumFeatures() != NumFeatures {
		return nil, fmt.Errorf("model %s takes %d features, the benchmark's table has %d", s.Name, m.NumFeatures(), NumFeatures)
	}
	return m, nil
}
