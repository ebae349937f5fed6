package tpch

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchGenerateEnv asks TestMain to generate data (dir and scale factor, separated by a
// comma) and exit: go-tpc's dbgen runs once per process, and TestGenerate needs this
// process's run, so the benchmark tests generate their data in a child.
const benchGenerateEnv = "EMBER_TPCH_TEST_GENERATE"

// TestMain also serves as RunBench's measuring child (BenchWorkerFlag), since the test
// binary is the executable RunBench re-executes in the tests.
func TestMain(m *testing.M) {
	if spec, ok := BenchWorkerSpec(os.Args); ok {
		if err := RunBenchWorker(context.Background(), spec, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if v := os.Getenv(benchGenerateEnv); v != "" {
		dir, sf, _ := strings.Cut(v, ",")
		f, err := strconv.ParseFloat(sf, 64)
		if err == nil {
			_, err = Generate(context.Background(), Options{ScaleFactor: f, Dir: dir, Log: os.Stderr})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "generate:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchData returns the module's default SF 0.01 directory (data/sf0.01, as the
// commands use it), generating it in a child process when it is incomplete.
func benchData(t *testing.T) string {
	t.Helper()
	s, err := ParseScale(0.01)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", DefaultDir(s))
	if m, err := ReadManifest(dir); err == nil && m.complete(dir, s) {
		return dir
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchGenerateEnv+"="+dir+",0.01")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generating %s: %v\n%s", dir, err, out)
	}
	return dir
}

// Two queries at SF 0.01 in this process: both engines run, Ember's answers check against
// DuckDB's, and the table has a row per query.
func TestRunBenchInProcess(t *testing.T) {
	dir := benchData(t)
	rep, err := RunBench(context.Background(), BenchConfig{
		ScaleFactor: 0.01, Queries: []int{1, 15}, Dir: dir, Runs: 1, InProcess: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || len(rep.Queries) != 2 {
		t.Fatalf("report: failed %v, %d queries:\n%s", rep.Failed(), len(rep.Queries), rep.Markdown())
	}
	for _, q := range rep.Queries {
		if q.Ember.Status != BenchPass || q.DuckDB.Status != BenchReference {
			t.Errorf("q%d: ember %s (%s), duckdb %s (%s)", q.Query, q.Ember.Status, q.Ember.Detail, q.DuckDB.Status, q.DuckDB.Detail)
		}
		if len(q.Ember.Times) != 1 || len(q.DuckDB.Times) != 1 || q.Ember.Rows == 0 || q.Ember.Rows != q.DuckDB.Rows {
			t.Errorf("q%d: times %v %v, rows %d %d", q.Query, q.Ember.Times, q.DuckDB.Times, q.Ember.Rows, q.DuckDB.Rows)
		}
		if q.Ember.PeakRSSKiB != 0 {
			t.Errorf("q%d: peak RSS %d measured in process", q.Query, q.Ember.PeakRSSKiB)
		}
	}
	md := rep.Markdown()
	for _, want := range []string{"\n| Q1 | ", "\n| Q15 | ", "not measured", "DuckDB v1.1.3", "over 2 queries"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}

// Through measuring children (the test binary, see TestMain): each engine's peak RSS and
// baseline are measured, and the warm-up run is not timed.
func TestRunBenchChildren(t *testing.T) {
	dir := benchData(t)
	rep, err := RunBench(context.Background(), BenchConfig{
		ScaleFactor: 0.01, Queries: []int{6}, Dir: dir, Warmup: 1, Runs: 2, Threads: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || len(rep.Queries) != 1 {
		t.Fatalf("report: failed %v:\n%s", rep.Failed(), rep.Markdown())
	}
	q := rep.Queries[0]
	for name, r := range map[string]BenchEngineResult{"ember": q.Ember, "duckdb": q.DuckDB} {
		if len(r.Times) != 2 || r.Rows != 1 {
			t.Errorf("%s: times %v, rows %d", name, r.Times, r.Rows)
		}
		if r.PeakRSSKiB <= 0 || r.BaselineKiB <= 0 || r.PeakRSSKiB < r.BaselineKiB/2 {
			t.Errorf("%s: peak RSS %d KiB, baseline %d KiB", name, r.PeakRSSKiB, r.BaselineKiB)
		}
	}
	if _, ok := q.MemRatio(); !ok {
		t.Error("no memory ratio")
	}
	if md := rep.Markdown(); !strings.Contains(md, "\n| Q6 | ") || strings.Contains(md, "not measured") {
		t.Errorf("report:\n%s", md)
	}
}

// A worker that cannot open its engine says why, and the benchmark stops at the baseline.
func TestRunBenchWorkerErrors(t *testing.T) {
	var out strings.Builder
	err := RunBenchWorker(context.Background(), `{"engine":"nosuch","dir":"/x","threads":1}`, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(out.String(), `"error":"tpch: unknown engine \"nosuch\"`) {
		t.Errorf("err %v, hello %s", err, out.String())
	}
	if err := RunBenchWorker(context.Background(), `{`, strings.NewReader(""), &out); err == nil {
		t.Error("a bad spec was accepted")
	}
}

func TestBenchCheck(t *testing.T) {
	q6, err := Answer(6)
	if err != nil {
		t.Fatal(err)
	}
	wrong := [][]string{{"1.00"}}
	tests := []struct {
		name              string
		published         bool
		q                 BenchQuery
		ember, duck       [][]string
		wantEmber, wantDk string
	}{
		{"published, both right", true, BenchQuery{}, q6, q6, BenchPass, BenchPass},
		{"published, ember wrong", true, BenchQuery{}, wrong, q6, BenchFail, BenchPass},
		{"published, duckdb errored", true, BenchQuery{DuckDB: BenchEngineResult{Status: BenchError}}, q6, nil, BenchPass, BenchError},
		{"reference agrees", false, BenchQuery{}, wrong, wrong, BenchPass, BenchReference},
		{"reference disagrees", false, BenchQuery{}, wrong, q6, BenchFail, BenchReference},
		{"no reference", false, BenchQuery{DuckDB: BenchEngineResult{Status: BenchError}}, q6, nil, BenchUnchecked, BenchError},
		{"ember errored", false, BenchQuery{Ember: BenchEngineResult{Status: BenchError}}, nil, q6, BenchError, BenchReference},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Query = 6
			q.check(tc.published, tc.ember, tc.duck)
			if q.Ember.Status != tc.wantEmber || q.DuckDB.Status != tc.wantDk {
				t.Errorf("ember %s (%s), duckdb %s, want %s, %s", q.Ember.Status, q.Ember.Detail, q.DuckDB.Status, tc.wantEmber, tc.wantDk)
			}
			rep := BenchReport{Queries: []BenchQuery{q}}
			wantFailed := tc.wantEmber != BenchPass || tc.wantDk == BenchError
			if rep.Failed() != wantFailed {
				t.Errorf("Failed() = %v", rep.Failed())
			}
		})
	}
}

func benchQuery(n int, ember, duck []float64, emberKiB, duckKiB int64) BenchQuery {
	return BenchQuery{Query: n,
		Ember:  BenchEngineResult{Times: ember, PeakRSSKiB: emberKiB, Status: BenchPass},
		DuckDB: BenchEngineResult{Times: duck, PeakRSSKiB: duckKiB, Status: BenchPass}}
}

func TestBenchSummary(t *testing.T) {
	rep := &BenchReport{Queries: []BenchQuery{
		benchQuery(1, []float64{3, 1, 2}, []float64{1, 1, 1}, 3000, 1000), // ratio 2 (median 2), memory 3
		benchQuery(2, []float64{8, 8}, []float64{1, 3}, 1000, 1000),       // ratio 4 (median of two: 2)
		benchQuery(3, []float64{1}, []float64{2}, 0, 1000),                // ratio 0.5, no memory ratio
		{Query: 4, Ember: BenchEngineResult{Status: BenchError}, DuckDB: BenchEngineResult{Times: []float64{1}}},
	}}
	s := rep.Summary()
	if s.Timed != 3 || math.Abs(s.GeoMean-math.Cbrt(2*4*0.5)) > 1e-12 || s.Max != 4 || s.MaxQuery != 2 {
		t.Errorf("summary %+v", s)
	}
	if !slices.Equal(s.ByRatio, []int{2, 1, 3}) || !slices.Equal(s.Above3x, []int{2}) {
		t.Errorf("by ratio %v, above 3x %v", s.ByRatio, s.Above3x)
	}
	if s.MemMeasured != 2 || !slices.Equal(s.MemAbove2x, []int{1}) {
		t.Errorf("memory: %d measured, above 2x %v", s.MemMeasured, s.MemAbove2x)
	}
	md := rep.Markdown()
	for _, want := range []string{"| Q2 | 8.000 | 2.000 | 4.00 |", "| Q4 | – | 1.000 | – |", "Ember ERROR", "geometric mean 1.59 over 3 queries; max 4.00 (Q2); above 3x: 1 (Q2)", "Worst time ratios: Q2 4.00, Q1 2.00, Q3 0.50."} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}

func TestMergeBenchReports(t *testing.T) {
	a := &BenchReport{ScaleFactor: 1, Runs: 3, Commands: []string{"a"}, Machine: BenchMachine{LoadEnd: "1"},
		Queries: []BenchQuery{benchQuery(12, []float64{1}, []float64{1}, 0, 0)}}
	b := &BenchReport{ScaleFactor: 1, Runs: 3, Commands: []string{"b"}, Machine: BenchMachine{LoadEnd: "2"},
		Queries: []BenchQuery{benchQuery(1, []float64{1}, []float64{1}, 0, 0)}}
	m, err := MergeBenchReports(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Queries) != 2 || m.Queries[0].Query != 1 || !slices.Equal(m.Commands, []string{"a", "b"}) || m.Machine.LoadEnd != "2" {
		t.Errorf("merged %+v", m)
	}
	if len(a.Queries) != 1 || len(a.Commands) != 1 {
		t.Errorf("merging changed its input: %+v", a)
	}
	if _, err := MergeBenchReports(a, a); err == nil || !strings.Contains(err.Error(), "more than one") {
		t.Errorf("a query twice: %v", err)
	}
	c := *b
	c.Runs = 5
	if _, err := MergeBenchReports(a, &c); err == nil {
		t.Error("reports of different runs were merged")
	}
}

// A child that does not answer a run within its timeout and grace is killed: the run and
// the later ones fail, and its peak RSS is still read.
func TestBenchChildKilledWhenSilent(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "silent-worker")
	script := "#!/bin/sh\necho '{\"version\":\"v0\"}'\nexec sleep 60\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := startBenchChild(ctx, exe, benchWorkerSpec{Engine: EngineEmber}, time.Millisecond, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.version != "v0" {
		t.Errorf("version %q", c.version)
	}
	c.grace = 50 * time.Millisecond
	if r := c.run(ctx, 1, false); !strings.Contains(r.Err, "was killed") {
		t.Errorf("first run: %+v", r)
	}
	if r := c.run(ctx, 1, false); !strings.Contains(r.Err, "was killed") {
		t.Errorf("later run: %+v", r)
	}
	kib, err := c.close()
	if err == nil || kib <= 0 {
		t.Errorf("close: %d KiB, %v (want a kill and an RSS)", kib, err)
	}
}
