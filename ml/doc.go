// Package ml owns Ember's machine learning: model kinds, the model registry, the statements
// that manage models and the functions that call them, and training: distributed trainers,
// feature transformers, pipelines, evaluation, tuning and training jobs. (The remote-model
// client comes later.)
//
// Model kinds, each a udf.Model, and the table of kinds (kinds.go):
//
//   - "xgboost" (xgboost.go): gradient-boosted trees read from XGBoost's own JSON model
//     format (Booster.save_model("m.json"), XGBoost ≥ 1.0), predicting exactly as XGBoost
//     does, float32 arithmetic included;
//   - "mlp" (mlp.go): a feed-forward network in Ember's "ember-mlp" JSON weights format,
//     which scikit-learn's MLPClassifier and MLPRegressor export to (see
//     testdata/ml/make_fixtures.py); a network without hidden layers is a logistic or
//     linear regression;
//   - trained in Ember, each one file with its estimator, trainer, model and JSON format
//     "ember-<kind>": "logistic_reg" (logistic.go; lbfgs.go, owlqn.go), "linear_reg"
//     (linear.go), "kmeans" (kmeans.go); and "pipeline" (pipeline.go: a saved
//     PipelineModel of numeric transformers ending in a model).
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
// Training (estimator.go, dataset.go, train.go, train_sql.go):
//
//   - one distributed primitive: dataframe.TreeAggregator (Spark's treeAggregate), a fold
//     of every partition's Arrow batches into a []float64 state, states merged pairwise in
//     partition order (reproducible sums), run once per iteration over cached data;
//   - Dataset: training data checked (numeric features, no NULL/NaN/±Inf, rows, two
//     classes; errors name the column), cast to DOUBLE, the class label indexed in
//     scikit-learn's order, and cached, so the source is read once; trainers read it only
//     through folds over column-major float64 Batches (zero-copy Arrow buffers);
//   - trainers: LogisticRegression (binary, multinomial; L2 through gonum's L-BFGS, L1 and
//     elastic net through OWL-QN, which gonum lacks; Spark's standardization and stopping
//     rule), LinearRegression (one pass for the centred Gram matrix, then Cholesky, a
//     minimum-norm solve, or coordinate descent for L1 on the driver), KMeans (k-means‖
//     then Lloyd, best of Runs). Each matches scikit-learn on committed fixtures
//     (testdata/ml/training/make_*.py);
//   - the Go API after Spark ML: Estimator.Fit(ctx, df) → Transformer, Transform(df),
//     Pipeline / PipelineModel (SavePipeline, LoadPipeline), the transformers
//     (transformers.go: StandardScaler, MinMaxScaler, StringIndexer, OneHotEncoder,
//     VectorAssembler, Imputer) as lazy SQL projections, metrics (metrics.go), Evaluator
//     (evaluate.go), TrainTestSplit, ParamGrid and CrossValidator (tuning.go);
//   - SQL: CREATE MODEL m OPTIONS (model_type, input_label_cols, ...) AS SELECT checks the
//     statement (planTraining), then trains, evaluates (evaluation.go) and stores the model
//     with its metrics by one Registry.Create, so a failed or cancelled training stores
//     nothing; EVALUATE MODEL m [ON (...)] (evaluate_sql.go); ASYNC and Session.Train run
//     the same plan as a job (jobs.go: per process, a goroutine with its own context;
//     trainers report iterations and loss with ReportProgress; SHOW JOBS, SHOW JOB,
//     CANCEL JOB).
//
// How to add a training algorithm: write ml/<kind>.go with the estimator (exported fields
// with Spark's names, Fit and FitDataset), its model (udf.Model, Transformer, MarshalJSON,
// Load<Kind>), and new<Kind>Trainer(o *Options) reading BigQuery ML's option names; add the
// kind to builtinKinds (kinds.go) and the model_type to trainers (train.go); add a fixture
// script testdata/ml/training/make_<kind>.py and ml/<kind>_test.go comparing with it.
//
// How to add a model kind:
//  1. write ml/<kind>.go: the model type implementing udf.Model (immutable, safe for
//     concurrent use, clear errors for bad files, never a panic) and its
//     Load<Kind>(data []byte) (*<Kind>, error);
//  2. add one registration line to builtinKinds in ml/kinds.go;
//  3. add fixtures made by the reference library to testdata/ml/make_fixtures.py, and
//     ml/<kind>_test.go comparing with them.
package ml
