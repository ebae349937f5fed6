// Command tpchbench times the 22 TPC-H queries on Ember and on DuckDB, side by side, on
// the same Parquet files, and checks both engines' answers.
//
//	cd bench && go run ./cmd/tpchbench -sf 1                   # all 22, 1 warm-up + 5 timed runs each
//	go run ./cmd/tpchbench -sf 1 -queries 1-11 -runs 3 -json a.json
//	go run ./cmd/tpchbench -merge a.json,b.json -out report.md   # join reports measured in parts
//
// It generates the data if the directory does not hold it yet (tpch.Generate, as tpchgen),
// then hands everything to tpch.RunBench: for each query a child process per engine (this
// program re-executed with tpch.BenchWorkerFlag, answered by tpch.RunBenchWorker) opens
// the engine, registers the eight files once, and runs the query when told; the two
// children take turns run by run (warm-up runs, then E, D, E, D, ...), and each one's
// peak RSS is read when it exits. The first timed run's rows are checked: at SF 1 against
// go-tpc's published answers, otherwise Ember's against DuckDB's.
//
// Output: a Markdown table on stdout (and in -out; -json keeps the raw measurements):
// medians, the time ratio E/D, peak RSS and its ratio, peak − baseline, the check; then
// the geometric mean and the worst ratios, the machine, the commit and the command.
// Progress goes to stderr. The exit status is 1 only when an answer is wrong or an engine
// failed a run; slowness is a measurement, not a failure. Results are in
// docs/BENCHMARKS.md ("Ember vs DuckDB at SF 1").
package main
