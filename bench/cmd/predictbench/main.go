package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/bench/predict"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/udf"
)

type options struct {
	rows       int
	partitions []int
	models     []predict.ModelSpec
	forms      []predict.Form
	repeat     int
	explain    bool
	testdata   string
	seed       uint64
}

func main() {
	var o options
	var parts, models, forms string
	flag.IntVar(&o.rows, "rows", 10_000_000, "rows of the table")
	flag.StringVar(&parts, "partitions", fmt.Sprintf("1,%d", runtime.NumCPU()), "partition counts, comma-separated")
	flag.StringVar(&models, "models", "xgb100,logistic", "models, comma-separated (xgb100, logistic)")
	flag.StringVar(&forms, "forms", "columns,vector", "query forms, comma-separated: columns = predict(f0, ..., f9), vector = predict(vector(f0, ..., f9))")
	flag.IntVar(&o.repeat, "repeat", 3, "runs of each measurement; the best counts")
	flag.BoolVar(&o.explain, "explain", false, "print EXPLAIN ANALYZE of the query once per model")
	flag.StringVar(&o.testdata, "testdata", "../testdata/ml", "directory of the model files")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the table's values")
	flag.Parse()
	err := parseLists(&o, parts, models, forms)
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		err = run(ctx, o, os.Stdout, os.Stderr)
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "predictbench:", err)
		os.Exit(1)
	}
}

// parseLists fills o's lists from the flags' text and checks the numbers.
func parseLists(o *options, parts, models, forms string) error {
	if o.rows <= 0 {
		return fmt.Errorf("-rows must be positive, got %d", o.rows)
	}
	if o.repeat <= 0 {
		return fmt.Errorf("-repeat must be positive, got %d", o.repeat)
	}
	seen := map[int]bool{}
	for _, s := range splitList(parts) {
		p, err := strconv.Atoi(s)
		if err != nil || p <= 0 {
			return fmt.Errorf("-partitions: %q is not a positive number", s)
		}
		if !seen[p] {
			seen[p] = true
			o.partitions = append(o.partitions, p)
		}
	}
	for _, s := range splitList(models) {
		m, err := predict.FindModel(s)
		if err != nil {
			return err
		}
		o.models = append(o.models, m)
	}
	for _, s := range splitList(forms) {
		f, err := predict.ParseForm(s)
		if err != nil {
			return err
		}
		o.forms = append(o.forms, f)
	}
	if len(o.partitions) == 0 || len(o.models) == 0 || len(o.forms) == 0 {
		return fmt.Errorf("-partitions, -models and -forms need at least one value each")
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// row is one line of the report: one measurement and its best time.
type row struct {
	model, run string
	partitions string
	cores      int
	// measure runs once and returns the sum of the predictions and the time taken.
	measure func() (float64, time.Duration, error)
	best    time.Duration
	// ceil is the model alone's rows/s on one goroutine.
	ceil float64
}

func run(ctx context.Context, o options, w, log io.Writer) error {
	procs := runtime.GOMAXPROCS(0)
	cores := func(p int) int { return min(p, procs) }
	fmt.Fprintf(log, "building %d rows...\n", o.rows)
	start := time.Now()
	batches, err := predict.MakeTable(memory.DefaultAllocator, o.rows, o.seed)
	if err != nil {
		return err
	}
	defer predict.ReleaseAll(batches)
	feats := predict.RowMajor(batches)
	fmt.Fprintf(log, "table and matrix built in %v\n", time.Since(start).Round(time.Millisecond))

	var rows []row
	var plans []string
	for _, spec := range o.models {
		m, err := spec.Load(o.testdata)
		if err != nil {
			return err
		}
		r, plan, err := measureModel(ctx, o, spec, m, batches, feats, cores, log)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
		plans = append(plans, plan...)
	}

	fmt.Fprintf(w, "%d rows × %d FLOAT features; GOMAXPROCS %d, NumCPU %d; best of %d\n", o.rows, predict.NumFeatures, procs, runtime.NumCPU(), o.repeat)
	fmt.Fprintf(w, "per core = rows/s ÷ cores, cores = min(partitions or goroutines, GOMAXPROCS); of ceiling = per core ÷ the model alone's rows/s on one goroutine\n\n")
	fmt.Fprintln(w, "| model | run | partitions | cores | time | rows/s | rows/s per core | of ceiling |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		perCore := rate(o.rows, r) / float64(r.cores)
		fmt.Fprintf(w, "| %s | %s | %s | %d | %.3fs | %s | %s | %.0f%% |\n", r.model, r.run, r.partitions, r.cores,
			r.best.Seconds(), millions(rate(o.rows, r)), millions(perCore), 100*perCore/r.ceil)
	}
	if len(plans) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(plans, "\n"))
	}
	return nil
}

// measureModel times one model: alone on one goroutine (the ceiling) and on as many as the
// largest partition count can use (what the machine gives the model alone in parallel),
// then each query form in a session of each partition count. The measurements take turns,
// -repeat rounds of all of them, so that a busy spell of a shared machine does not fall on
// one of them only; each keeps its best time. Every sum must equal the model alone's. With
// -explain it also returns EXPLAIN ANALYZE of the first form at the last partition count.
func measureModel(ctx context.Context, o options, spec predict.ModelSpec, m udf.Model, batches []arrow.RecordBatch,
	feats []float32, cores func(int) int, log io.Writer) ([]row, []string, error) {
	alone := func(g int) func() (float64, time.Duration, error) {
		return func() (float64, time.Duration, error) { return predict.ModelAlone(ctx, m, feats, g) }
	}
	rows := []row{{model: spec.Name, run: "model alone", partitions: "-", cores: 1, measure: alone(1)}}
	if g := cores(slices.Max(o.partitions)); g > 1 {
		rows = append(rows, row{model: spec.Name, run: fmt.Sprintf("model alone, %d goroutines", g), partitions: "-",
			cores: g, measure: alone(g)})
	}
	var last *dataframe.Session
	for _, p := range o.partitions {
		s, err := predict.OpenSession(memory.DefaultAllocator, batches, p, m)
		if err != nil {
			return nil, nil, err
		}
		defer s.Close()
		last = s
		for _, f := range o.forms {
			q := predict.Query(f)
			run := "predict(f0, ..., f9)"
			if f == predict.Vector {
				run = "predict(vector(f0, ..., f9))"
			}
			rows = append(rows, row{model: spec.Name, run: run, partitions: strconv.Itoa(p), cores: cores(p),
				measure: func() (float64, time.Duration, error) { return predict.RunQuery(ctx, s, q) }})
		}
	}
	var want float64
	for rep := 0; rep < o.repeat; rep++ {
		for i := range rows {
			r := &rows[i]
			sum, took, err := r.measure()
			if err != nil {
				return nil, nil, fmt.Errorf("%s, %s, %s partitions: %w", spec.Name, r.run, r.partitions, err)
			}
			if rep == 0 && i == 0 {
				want = sum
			} else if sum != want {
				return nil, nil, fmt.Errorf("%s, %s, %s partitions: sum %v, the model alone's %v", spec.Name, r.run, r.partitions, sum, want)
			}
			if rep == 0 || took < r.best {
				r.best = took
			}
			fmt.Fprintf(log, "%s, %s, partitions %s, round %d: %v (sum %s)\n", spec.Name, r.run, r.partitions, rep+1, took,
				strconv.FormatFloat(sum, 'f', -1, 64))
		}
	}
	for i := range rows {
		rows[i].ceil = rate(o.rows, rows[0])
	}
	if !o.explain {
		return rows, nil, nil
	}
	q := predict.Query(o.forms[0])
	plan, err := predict.Explain(ctx, last, q)
	if err != nil {
		return nil, nil, err
	}
	head := fmt.Sprintf("%s, %d partitions: EXPLAIN ANALYZE %s", spec.Name, o.partitions[len(o.partitions)-1], q)
	return rows, append(append([]string{head}, plan...), ""), nil
}

// rate is rows per second of a run.
func rate(rows int, r row) float64 { return float64(rows) / r.best.Seconds() }

// millions formats a rate in millions ("2.35M").
func millions(v float64) string { return fmt.Sprintf("%.2fM", v/1e6) }
