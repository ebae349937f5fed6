// Package predict is the library of the model-inference benchmark (cmd/predictbench):
// the benchmark's models, its table of features, and the timed runs of
// `SELECT sum(predict(f0, ..., f9)) FROM t` through dataframe.Session, plus the model
// alone as the per-core ceiling.
//
// Models (models.go): bench_xgb100.json (XGBoost 1.7.4, binary:logistic, 100 trees of
// max_depth 6) and bench_logistic.json (scikit-learn 1.2.1's LogisticRegression exported
// as an ember-mlp network without a hidden layer), written by testdata/ml/make_fixtures.py
// from one synthetic 10-feature dataset. predict_test.go compares Ember's predictions with
// each library's own on the fixture's 1000 check rows (bench_data.csv), so the models the
// benchmark times are known to predict correctly.
//
// Table (table.go): rows of NumFeatures FLOAT (float32, non-null) columns f0..f9, standard
// normal values from a PCG generator seeded per batch, in batches of BatchRows rows built
// directly in Arrow buffers. The rows depend only on the row count and the seed, never on
// the partition count; Session.FromRecords deals the batches round-robin over the
// session's partitions.
//
// Runs (run.go): OpenSession registers the table as view t and the model as predict;
// RunQuery times one query; ModelAlone times model.Predict over one row-major matrix in
// BatchRows-row calls on one goroutine. The query's sum and the model alone's sum are the
// same number (a classifier's predict is its class index, so the sum counts the rows of
// class "1"); bench_test.go checks that on a small table.
//
// Where it sits: in the bench module (github.com/embersql/ember/bench), importing the
// engine's dataframe, ml and udf packages and arrow-go; nothing imports it but
// cmd/predictbench.
//
// How to add a model to the benchmark: train and save it in make_fixtures.py's "benchmark
// models" section with its check outputs (bench_<name>_pred.csv), add it to Models, and
// add its comparison to predict_test.go.
package predict
