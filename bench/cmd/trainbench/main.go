package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/bench/train"
)

type options struct {
	rows, features int
	seed           uint64
	partitions     []int
	models         []train.Model
	repeat         int
	python         string
	threads        int
	data           string
	cpuprofile     string
	goAPI          bool
	params         train.Params
}

func main() {
	var o options
	var parts, models string
	o.params = train.DefaultParams()
	flag.IntVar(&o.rows, "rows", 1_000_000, "rows of the dataset")
	flag.IntVar(&o.features, "features", 20, "feature columns of the dataset")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the dataset")
	flag.StringVar(&parts, "partitions", fmt.Sprintf("1,%d", runtime.NumCPU()), "Ember partition counts, comma-separated")
	flag.StringVar(&models, "models", "logistic,linear,kmeans", "trainings, comma-separated (logistic, linear, kmeans)")
	flag.IntVar(&o.repeat, "repeat", 1, "rounds of every measurement; the best time counts")
	flag.StringVar(&o.python, "python", "/usr/bin/python3", "Python interpreter with numpy, scipy and scikit-learn (skipped with a note when it lacks them)")
	flag.IntVar(&o.threads, "threads", runtime.NumCPU(), "OMP/OpenBLAS/MKL threads for scikit-learn, unless the environment sets them (0: leave unset)")
	flag.StringVar(&o.data, "data", "data/train", "folder of the generated datasets (reused when present)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the Ember runs to this file")
	flag.BoolVar(&o.goAPI, "go-api", true, "also time the Go API (ml.NewDataset, then FitDataset)")
	flag.Float64Var(&o.params.L2, "l2", o.params.L2, "L2 penalty λ of the logistic and linear regressions (Ember's l2_reg)")
	flag.Parse()
	err := parseLists(&o, parts, models)
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		err = run(ctx, o, os.Stdout, os.Stderr)
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "trainbench:", err)
		os.Exit(1)
	}
}

// parseLists fills o's lists from the flags' text and checks the numbers.
func parseLists(o *options, parts, models string) error {
	switch {
	case o.rows <= 0:
		return fmt.Errorf("-rows must be positive, got %d", o.rows)
	case o.features <= 0:
		return fmt.Errorf("-features must be positive, got %d", o.features)
	case o.repeat <= 0:
		return fmt.Errorf("-repeat must be positive, got %d", o.repeat)
	case !(o.params.L2 >= 0):
		return fmt.Errorf("-l2 must be ≥ 0, got %g", o.params.L2)
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
		m, err := train.ParseModel(s)
		if err != nil {
			return err
		}
		o.models = append(o.models, m)
	}
	if len(o.partitions) == 0 || len(o.models) == 0 {
		return fmt.Errorf("-partitions and -models need at least one value each")
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

// slot is one line of the report: a training on one engine and partition count, and its
// best round.
type slot struct {
	model      train.Model
	engine     string
	partitions int
	best       *train.Fit
}

func (sl *slot) keep(f train.Fit) {
	if sl.best == nil || f.Fit < sl.best.Fit {
		sl.best = &f
	}
}

func run(ctx context.Context, o options, w, log io.Writer) error {
	start := time.Now()
	data, err := train.MakeData(ctx, o.data, o.rows, o.features, o.seed, log)
	if err != nil {
		return err
	}
	if data.Reused {
		fmt.Fprintf(log, "reusing %s\n", data.Dir)
	} else {
		fmt.Fprintf(log, "data written in %v\n", time.Since(start).Round(time.Millisecond))
	}

	var slots []*slot
	find := func(m train.Model, engine string, p int) *slot {
		for _, s := range slots {
			if s.model == m && s.engine == engine && s.partitions == p {
				return s
			}
		}
		s := &slot{model: m, engine: engine, partitions: p}
		slots = append(slots, s)
		return s
	}
	// Fix the lines' order: per model, SQL and Go per partition count, then scikit-learn.
	for _, m := range o.models {
		for _, p := range o.partitions {
			find(m, train.EmberSQL, p)
			if o.goAPI {
				find(m, train.EmberGo, p)
			}
		}
		find(m, train.Sklearn, 0)
	}

	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	sklearnNote := ""
	sklearnOK := true
	for rep := 1; rep <= o.repeat; rep++ {
		for _, m := range o.models {
			for _, p := range o.partitions {
				runs := []func(context.Context, memory.Allocator, *train.Data, train.Model, int, train.Params) (train.Fit, error){train.RunSQL}
				if o.goAPI {
					runs = append(runs, train.RunGo)
				}
				for _, r := range runs {
					cpu0 := cpuTime()
					f, err := r(ctx, memory.DefaultAllocator, data, m, p, o.params)
					if err != nil {
						return err
					}
					cpu := cpuTime() - cpu0
					fmt.Fprintf(log, "round %d: %s, %s, %d partitions: load %v, fit %v, %d iterations, %d source scans (%d rows), %d cache scans (%d in the fit); %.1f cores busy\n",
						rep, m, f.Engine, p, f.Load.Round(time.Millisecond), f.Fit.Round(time.Millisecond), f.Iterations,
						f.SourceScans, f.SourceRows, f.CacheScans, f.FitPasses, cpu.Seconds()/(f.Load+f.Fit).Seconds())
					find(m, f.Engine, p).keep(f)
					runtime.GC() // free the session's caches before the next run
				}
			}
		}
		if !sklearnOK {
			continue
		}
		r, err := train.RunSklearn(ctx, o.python, data, o.models, o.params, o.threads)
		if errors.Is(err, train.ErrNoSklearn) {
			sklearnOK = false
			sklearnNote = fmt.Sprintf("scikit-learn skipped: %v", err)
			fmt.Fprintln(log, sklearnNote)
			continue
		}
		if err != nil {
			return err
		}
		sklearnNote = fmt.Sprintf("scikit-learn: %s; %s", r.Versions, r.Threads)
		for _, f := range r.Fits {
			fmt.Fprintf(log, "round %d: %s, scikit-learn: load %v, fit %v, %d iterations\n", rep, f.Model,
				f.Load.Round(time.Millisecond), f.Fit.Round(time.Millisecond), f.Iterations)
			find(f.Model, train.Sklearn, 0).keep(f)
		}
	}

	fmt.Fprintf(w, "%d rows × %d DOUBLE features; GOMAXPROCS %d, NumCPU %d; best of %d\n", o.rows, o.features,
		runtime.GOMAXPROCS(0), runtime.NumCPU(), o.repeat)
	fmt.Fprintf(w, "logistic: l2_reg %g, max_iterations %d, tol %g; linear: l2_reg %g; kmeans: %d clusters, max_iterations %d\n",
		o.params.L2, o.params.MaxIter, o.params.Tol, o.params.L2, o.params.K, o.params.KMeansIter)
	fmt.Fprintf(w, "%s\n", sklearnNote)
	fmt.Fprintln(w, "ember SQL: fit = the whole CREATE MODEL (read + cache + check + fit + evaluate + store); ember Go: load = ml.NewDataset, fit = FitDataset;")
	fmt.Fprintln(w, "scikit-learn: load = np.fromfile + contiguous copy, fit = estimator.fit; rows/s = rows ÷ fit;")
	fmt.Fprintln(w, "agreement vs scikit-learn: max |Δweight| ÷ max |weight| (intercept included), or Ember's inertia ÷ scikit-learn's")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| model | engine | partitions | load s | fit s | rows/s | iterations | source scans | agreement |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|")
	for _, s := range slots {
		f := s.best
		if f == nil {
			continue
		}
		ref := find(s.model, train.Sklearn, 0).best
		parts, scans, load, agree := "-", "-", "-", "-"
		if s.engine != train.Sklearn {
			parts = strconv.Itoa(s.partitions)
			scans = fmt.Sprintf("%d (%s rows)", f.SourceScans, thousands(f.SourceRows))
		}
		if f.Load > 0 {
			load = fmt.Sprintf("%.3f", f.Load.Seconds())
		} else if s.engine == train.EmberSQL {
			load = "in fit"
		}
		if ref != nil && s.engine != train.Sklearn {
			agree = agreement(*f, *ref)
		}
		iters := strconv.Itoa(f.Iterations)
		if s.model == train.Linear {
			iters = "direct"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.3f | %s | %s | %s | %s |\n", s.model, s.engine, parts, load,
			f.Fit.Seconds(), millions(float64(o.rows)/f.Fit.Seconds()), iters, scans, agree)
	}
	return nil
}

// cpuTime is the CPU time (user and system) the process has used so far: its growth over
// a run divided by the run's wall time tells how many cores the run got (on a shared
// machine, fewer than its partitions when another tenant holds a core).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// agreement compares an Ember fit with scikit-learn's.
func agreement(f, ref train.Fit) string {
	if f.Model == train.KMeans {
		return fmt.Sprintf("inertia ×%.4f", f.Inertia/ref.Inertia)
	}
	d := train.CoefDiff(f, ref)
	if math.IsNaN(d) {
		return "?"
	}
	return fmt.Sprintf("%.1e", d)
}

// millions formats a rate in millions ("2.35M").
func millions(v float64) string { return fmt.Sprintf("%.2fM", v/1e6) }

// thousands writes n with thin separators (1,000,000).
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
