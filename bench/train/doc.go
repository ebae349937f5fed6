// Package train is the library of the training benchmark (cmd/trainbench): a synthetic
// dataset written once to disk, Ember's trainings over it (CREATE MODEL ... AS SELECT and
// the Go API) in fresh sessions, and scikit-learn's fits of the same objectives over the
// same rows, run as a Python subprocess.
//
// Data (data.go): rows of Features DOUBLE columns f0.. (standard normal), y_lin DOUBLE
// (LinearWeights·x + b + NoiseSD·ε) and y_bin BIGINT (1 with probability
// sigmoid(LogisticWeights·x + b')), drawn by a PCG generator seeded with (seed, batch index)
// per BatchRows-row batch and written straight into Arrow buffers, so the rows depend on
// the row count, feature count and seed only. MakeData writes them under a folder named
// after those three numbers: parquet/ (one file by Ember's writer, row groups of
// datasource.DefaultRowGroupSize rows, which are the scan's splits), data.f64 (the raw
// little-endian float64 rows numpy reads with np.fromfile) and meta.json, written last;
// a folder whose meta.json matches is reused as it is.
//
// Runs (run.go): RunSQL trains with CREATE MODEL (model_type logistic_reg, linear_reg or
// kmeans; Params.Statement) in a fresh session over the Parquet folder registered as view
// t, and reads the trained model back from the session's registry; RunGo does ml.NewDataset
// and the estimator's FitDataset, timed apart. Both fail unless Session.Metrics shows one
// source scan of all the rows: the data is cached, and every iteration reads the cache.
// RunSklearn feeds sklearn_train.py (embedded) to a Python interpreter, which loads the raw
// file and fits LogisticRegression(C = 1/(n·λ), lbfgs), Ridge(alpha = n·λ) and
// KMeans(lloyd, n_init 1), the objectives Ember minimizes with l2_reg = λ, and prints its
// times, weights, iterations and inertia as JSON. CoefDiff compares weights.
//
// Where it sits: in the bench module (github.com/embersql/ember/bench), importing the
// engine's dataframe and ml packages and arrow-go; nothing imports it but cmd/trainbench.
//
// How to add a training to the benchmark: add its Model and its case in Params.Statement,
// RunGo and readModel (run.go), its fit in sklearn_train.py, and its check in
// train_test.go.
package train
