// Package ml owns Ember's machine learning: model kinds, the model registry, the statements
// that manage models and the functions that call them. (Trainers and the remote-model client
// come later.)
//
// Model kinds, each a udf.Model, and the table of kinds (kinds.go):
//
//   - "xgboost" (xgboost.go): gradient-boosted trees read from XGBoost's own JSON model
//     format (Booster.save_model("m.json"), XGBoost ≥ 1.0), predicting exactly as XGBoost
//     does, float32 arithmetic included;
//   - "mlp" (mlp.go): a feed-forward network in Ember's "ember-mlp" JSON weights format,
//     which scikit-learn's MLPClassifier and MLPRegressor export to (see
//     testdata/ml/make_fixtures.py); a network without hidden layers is a logistic or
//     linear regression.
//
// Why Ember reads XGBoost's JSON itself: the pure-Go reader of XGBoost models,
// github.com/dmitryikh/leaves, reads only XGBoost's older binary format and is no longer
// maintained; the JSON format (XGBoost's default since 1.0) is plain JSON that
// encoding/json decodes, and predicting needs only the tree walk and the objective's
// transform, both checked bit for bit against XGBoost on the fixtures.
//
// Load(kind, data) builds a model from a file's bytes, LoadFile(path) from a file whose kind
// DetectKind tells; RegisterKind adds a kind to the process-wide table, and NewKinds gives a
// table of one's own (for tests and sessions). Nothing is registered from init(): the
// built-in kinds are one static table.
//
// The registry (registry.go): models stored in the warehouse as name@version folders with
// their metadata (ModelInfo: kind, task, classes, features, output type, metrics, creation
// time, source), written by atomic rename so that concurrent writers get distinct versions,
// loaded lazily and shared by every session of the process. OpenRegistry(warehouse) opens
// one from Go.
//
// The extension (extension.go): a session opened with dataframe.WithExtensions(Extension())
// runs CREATE MODEL m FROM 'file', SHOW MODELS, DESCRIBE MODEL m[@v], DROP MODEL m[@v], and
// calls ml_predict('m[@v]', features...) and ml_predict_proba(...) over the warehouse's
// registry (SessionRegistry gives it to Go code). A model can also be registered without
// the registry, as a function of its own: s.RegisterModel("predict", m) (dataframe).
//
// Place in the import table (DESIGN.md): ml may import udf, dataframe, exec and the
// packages below them (and internal/errs); nothing imports ml but cmd/*. Models reach SQL
// only by being registered as functions in a session's registry.
//
// The ember-mlp format, version 1 (MLP's doc comment has the details):
//
//	{"format": "ember-mlp", "version": 1,
//	 "task": "classification" | "regression",
//	 "classes": [...],          // classification: labels in PredictProba's column order
//	 "feature_names": [...],    // optional
//	 "layers": [{"weights": [[...]...] /* in × out, as scikit-learn's coefs_ */,
//	             "bias": [...],
//	             "activation": "relu" | "tanh" | "logistic" | "identity" | "softmax"}, ...]}
//
// A binary classifier ends in one logistic output (the probability of classes[1]); a
// multi-class one in a softmax over the classes; a regression in one output.
//
// Tests compare every kind with the real library's own predictions, committed under
// testdata/ml/ together with the script that made them (make_fixtures.py).
//
// Training (issue 8) is not built yet. The plan, so that trainers share one shape:
//
//   - one distributed primitive, a tree-shaped aggregation over a cached DataFrame's
//     partitions (Spark's treeAggregate): a per-partition fold over Arrow batches into a
//     state (gradient and loss, Gram matrix, cluster sums), states merged pairwise, driven
//     by the scheduler so task retries count once (as accumulators do);
//   - trainers as model kinds: a kind file gains its Fit (logistic_reg with gonum's
//     optimize.LBFGS and OWL-QN for L1, linear_reg from the distributed Gram matrix solved
//     with gonum's mat, kmeans with k-means|| then Lloyd), and its trained model implements
//     udf.Model and saves to its own JSON, so the registry stores it like an import;
//   - CREATE MODEL ... OPTIONS (model_type, input_label_cols, ...) AS SELECT becomes
//     createModel's second branch (extension.go): the SELECT is cached, checked (label
//     present, numeric finite features, two classes), trained, evaluated, and registered
//     with its metrics by one Registry.Create, so a failed or cancelled job stores nothing;
//   - jobs (ASYNC, SHOW JOBS, CANCEL JOB) are per-process, each a goroutine with a context.
//
// How to add a model kind:
//  1. write ml/<kind>.go: the model type implementing udf.Model (immutable, safe for
//     concurrent use, clear errors for bad files, never a panic) and its
//     Load<Kind>(data []byte) (*<Kind>, error);
//  2. add one registration line to builtinKinds in ml/kinds.go;
//  3. add fixtures made by the reference library to testdata/ml/make_fixtures.py, and
//     ml/<kind>_test.go comparing with them.
package ml
