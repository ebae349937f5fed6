// Command predictbench measures model inference through SQL: how many rows per second,
// and per core, `SELECT sum(predict(f0, ..., f9)) FROM t` scores over an in-memory table,
// for a logistic model and a 100-tree XGBoost model, at several partition counts.
//
//	cd bench && go run ./cmd/predictbench                       # 10M rows, partitions 1 and NumCPU
//	go run ./cmd/predictbench -rows 1000000 -partitions 1,2,4 -models xgb100 -forms columns -explain
//
// For each model (package predict's Models, files under -testdata) it prints, as a
// Markdown table:
//
//   - "model alone": model.Predict over one row-major float32 matrix of the same rows, in
//     8192-row calls on one goroutine: the per-core ceiling;
//   - for each partition count p and query form (predict(f0, ..., f9), or
//     predict(vector(f0, ..., f9))), the query in a session with p partitions.
//
// Each time is the best of -repeat runs. rows/s is rows over that time; rows/s per core
// divides it by min(p, GOMAXPROCS), the cores the p partitions can use at once; "of
// ceiling" is that per-core rate over the model alone's. Every run's sum must equal the
// model alone's (a classifier's predict is its class index, so the sum counts the rows of
// class 1), or the command exits 1. -explain prints EXPLAIN ANALYZE of the first form at
// the last partition count once per model (it runs the query once more).
//
// The table (predict.MakeTable) is -rows rows of ten standard-normal FLOAT columns in
// batches of 8192, dealt round-robin over the partitions by Session.FromRecords; memory is
// rows × 40 bytes for the table and as much again for the model alone's matrix.
package main
