package udf

import "context"

// Model is a trained model that predicts from numeric features: what package ml's model
// kinds (imported XGBoost ensembles, feed-forward networks, models trained in Ember)
// implement, and what Session.RegisterModel turns into SQL functions. Models are immutable
// once built and safe for concurrent use.
//
// Features are float32, one row after another in one slice (row-major), NumFeatures per
// row; NaN marks a missing value (models that know missing values, as XGBoost's trees do,
// route it; others treat it as they document).
type Model interface {
	// Kind names the model kind ("xgboost", "mlp", "logistic_regression", ...).
	Kind() string
	// NumFeatures is the number of features per row.
	NumFeatures() int
	// FeatureNames are the features' names in order, or nil when the model has none.
	FeatureNames() []string
	// Task says what Predict returns.
	Task() ModelTask
	// Classes are the class labels of a classifier, in the order of PredictProba's
	// columns (nil for a regressor).
	Classes() []string
	// Predict writes one value per row into out (len(out) == rows): the regression value,
	// or for a classifier the index into Classes of the most probable class.
	Predict(ctx context.Context, features []float32, rows int, out []float64) error
	// PredictProba writes the class probabilities, rows × len(Classes()) row-major, into
	// out. Regressors return an error.
	PredictProba(ctx context.Context, features []float32, rows int, out []float64) error
}

// ModelTask is what a model predicts.
type ModelTask int

const (
	// Regression predicts a number.
	Regression ModelTask = iota
	// Classification predicts a class (and class probabilities).
	Classification
)

func (t ModelTask) String() string {
	if t == Classification {
		return "classification"
	}
	return "regression"
}
