// Command trainbench times model training in Ember next to scikit-learn on the same
// synthetic rows: logistic_reg, linear_reg and kmeans through CREATE MODEL ... AS SELECT
// (the whole statement: read, cache, check, fit, evaluate, store) and through the Go API
// (ml.NewDataset, then the estimator's FitDataset), at each -partitions count, and the
// same objectives in scikit-learn (bench/train/sklearn_train.py, run with -python).
//
//	cd bench && go run ./cmd/trainbench                  # 1M rows × 20 features, partitions 1 and NumCPU
//	go run ./cmd/trainbench -models kmeans -repeat 3 -cpuprofile /tmp/train.prof
//
// The data (package train's MakeData) is written once under -data as a Parquet folder for
// Ember and a raw float64 file for numpy, and reused. Every Ember run must read the source
// once (Session.Metrics: one scan of every row) or the command exits 1. It prints one
// Markdown table: fit seconds, rows per second, iterations, source scans, and agreement
// with scikit-learn (max relative weight difference, or the inertia ratio). Results are in
// docs/BENCHMARKS.md ("Training").
//
// How to add a model: a case in package train's RunSQL/RunGo and in sklearn_train.py, and
// its name in -models.
package main
