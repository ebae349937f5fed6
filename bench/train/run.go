package train

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/ml"
)

// Model is one of the benchmark's trainings.
type Model string

const (
	// Logistic is a binary logistic regression of y_bin with an L2 penalty (L-BFGS).
	Logistic Model = "logistic"
	// Linear is a ridge regression of y_lin (one pass, normal equations).
	Linear Model = "linear"
	// KMeans clusters the features (k-means|| then Lloyd in Ember, k-means++ then Lloyd in
	// scikit-learn).
	KMeans Model = "kmeans"
)

// Models are the trainings, in the order the benchmark runs them.
var Models = []Model{Logistic, Linear, KMeans}

// ParseModel returns the model named s.
func ParseModel(s string) (Model, error) {
	for _, m := range Models {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown model %q (known: logistic, linear, kmeans)", s)
}

// Params are the trainings' settings, the same for every engine.
type Params struct {
	// L2 is λ, the L2 penalty of the logistic and linear regressions: Ember's l2_reg
	// (objective: mean loss + λ/2·‖w‖²), scikit-learn's C = 1/(n·λ) and Ridge alpha = n·λ.
	L2 float64
	// MaxIter and Tol bound the logistic regression's L-BFGS iterations.
	MaxIter int
	Tol     float64
	// K, KMeansIter and KMeansSeed configure k-means (the seed is Ember's; scikit-learn
	// runs with random_state 0).
	K, KMeansIter, KMeansSeed int
}

// DefaultParams: λ 1e-4, 100 iterations, tol 1e-6, k-means with 8 clusters, 20 iterations,
// seed 1.
func DefaultParams() Params {
	return Params{L2: 1e-4, MaxIter: 100, Tol: 1e-6, K: 8, KMeansIter: 20, KMeansSeed: 1}
}

// Engines.
const (
	// EmberSQL is CREATE MODEL ... AS SELECT: the time covers reading and caching the
	// source, checking the data, the fit, the evaluation on the training rows and storing
	// the model in the (in-memory) registry.
	EmberSQL = "ember SQL"
	// EmberGo is the Go API: ml.NewDataset (read, check, cache: the load time) then the
	// estimator's FitDataset (the fit time).
	EmberGo = "ember Go"
	// Sklearn is scikit-learn: np.fromfile of the raw file and a contiguous copy of the
	// features (the load time), then the estimator's fit (the fit time).
	Sklearn = "scikit-learn"
)

// Fit is one measured training.
type Fit struct {
	Model  Model
	Engine string
	// Partitions is the Ember session's partition count (0 for scikit-learn).
	Partitions int
	// Load is the time to read the data (0 when Fit includes it: EmberSQL); Fit the time to
	// train.
	Load, Fit time.Duration
	// Iterations are the optimizer's iterations (L-BFGS, Lloyd); 0 for a direct solve.
	Iterations int
	// SourceScans and SourceRows are what Ember read from the Parquet folder (from
	// Session.Metrics; -1 for scikit-learn).
	SourceScans, SourceRows int64
	// CacheScans counts the scans of cached data (the passes over the Dataset, and the
	// SQL path's evaluation); -1 for scikit-learn.
	CacheScans int64
	// FitPasses counts the cache scans of FitDataset alone (RunGo): the passes over the
	// Dataset the fit made.
	FitPasses int64
	// Coef and Intercept are a regression's weights.
	Coef      []float64
	Intercept float64
	// Inertia is k-means' Σ squared distance of every row to its nearest center.
	Inertia float64
}

// Statement is the CREATE MODEL statement that trains m as model name over view t.
func (p Params) Statement(m Model, name string, features int) string {
	cols := strings.Join(FeatureNames(features), ", ")
	switch m {
	case Logistic:
		return fmt.Sprintf("CREATE MODEL %s OPTIONS (model_type = 'logistic_reg', input_label_cols = ['%s'], l2_reg = %s, "+
			"max_iterations = %d, tol = %s, standardize_features = FALSE) AS SELECT %s, %s FROM t",
			name, BinaryLabel, num(p.L2), p.MaxIter, num(p.Tol), cols, BinaryLabel)
	case Linear:
		return fmt.Sprintf("CREATE MODEL %s OPTIONS (model_type = 'linear_reg', input_label_cols = ['%s'], l2_reg = %s, "+
			"standardize_features = FALSE) AS SELECT %s, %s FROM t", name, LinearLabel, num(p.L2), cols, LinearLabel)
	default:
		return fmt.Sprintf("CREATE MODEL %s OPTIONS (model_type = 'kmeans', num_clusters = %d, max_iterations = %d, seed = %d) "+
			"AS SELECT %s FROM t", name, p.K, p.KMeansIter, p.KMeansSeed, cols)
	}
}

// num writes v without an exponent: OPTIONS values do not take scientific notation.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// openSession opens a fresh session of partitions partitions with the ml extension (an
// in-memory catalog and model registry) and registers the Parquet folder as view t. The
// caller closes it, which frees the caches the trainings leave.
func openSession(mem memory.Allocator, data *Data, partitions int) (*dataframe.Session, *dataframe.DataFrame, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(partitions),
		dataframe.WithAllocator(mem), dataframe.WithExtensions(ml.Extension()))
	if err != nil {
		return nil, nil, err
	}
	df, err := s.ReadParquet(data.Parquet)
	if err == nil {
		err = df.CreateOrReplaceTempView("t")
	}
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, df, nil
}

// checkScans fails unless the session read the source exactly once, all of its rows.
func checkScans(s *dataframe.Session, f *Fit, rows int) error {
	m := s.Metrics()
	f.SourceScans, f.SourceRows, f.CacheScans = m.SourceScans, m.SourceRowsRead, m.CacheScans
	if m.SourceScans != 1 || m.SourceRowsRead != int64(rows) {
		return fmt.Errorf("%s %s on %d partitions read the source %d times (%d rows); training must read it once (%d rows)",
			f.Engine, f.Model, f.Partitions, m.SourceScans, m.SourceRowsRead, rows)
	}
	return nil
}

// RunSQL trains m with CREATE MODEL ... AS SELECT in a fresh session of partitions
// partitions over the Parquet folder (allocating from mem; nil: the default allocator),
// and returns the statement's wall time as Fit, the model's iterations and weights (read
// back from the registry) and what the session read. It fails unless the source was read
// exactly once, all of it.
func RunSQL(ctx context.Context, mem memory.Allocator, data *Data, m Model, partitions int, p Params) (Fit, error) {
	f := Fit{Model: m, Engine: EmberSQL, Partitions: partitions}
	s, _, err := openSession(mem, data, partitions)
	if err != nil {
		return f, err
	}
	defer s.Close()
	name := "bench_" + string(m)
	var prog ml.Progress
	start := time.Now()
	res, err := s.Exec(ml.WithProgress(ctx, &prog), p.Statement(m, name, data.Features))
	f.Fit = time.Since(start)
	if err != nil {
		return f, fmt.Errorf("%s %s: %w", f.Engine, m, err)
	}
	res.Release()
	if err := checkScans(s, &f, data.Rows); err != nil {
		return f, err
	}
	model, _, err := ml.SessionRegistry(s).Model(name, 0)
	if err != nil {
		return f, err
	}
	if err := readModel(&f, model); err != nil {
		return f, err
	}
	if f.Iterations == 0 && m != Linear {
		// The registry's copy of a logistic model has no training summary: the trainer's
		// last progress report has its iterations.
		f.Iterations = prog.Iteration()
	}
	return f, nil
}

// readModel copies a trained model's iterations and weights into f.
func readModel(f *Fit, model any) error {
	switch x := model.(type) {
	case *ml.LinearRegressionModel:
		f.Coef, f.Intercept, f.Iterations = x.Coefficients(), x.Intercept(), x.Iterations()
	case *ml.LogisticRegressionModel:
		coef, icpt := x.Coefficients(), x.Intercepts()
		if len(coef) != 1 || len(icpt) != 1 {
			return fmt.Errorf("%s %s: %d coefficient rows, want 1 (two classes)", f.Engine, f.Model, len(coef))
		}
		f.Coef, f.Intercept = coef[0], icpt[0]
		if sum := x.Summary(); sum != nil { // nil for a model loaded from the registry
			f.Iterations = sum.Iterations()
		}
	case *ml.KMeansModel:
		f.Inertia, f.Iterations = x.Cost(), x.Iterations()
	default:
		return fmt.Errorf("%s %s: unexpected model type %T", f.Engine, f.Model, model)
	}
	return nil
}

// RunGo trains m through the Go API in a fresh session of partitions partitions over the
// Parquet folder: ml.NewDataset (timed as Load: the source read once, checked and cached)
// then the estimator's FitDataset (timed as Fit). It fails unless the source was read
// exactly once.
func RunGo(ctx context.Context, mem memory.Allocator, data *Data, m Model, partitions int, p Params) (Fit, error) {
	f := Fit{Model: m, Engine: EmberGo, Partitions: partitions}
	s, df, err := openSession(mem, data, partitions)
	if err != nil {
		return f, err
	}
	defer s.Close()
	spec := ml.DataSpec{Features: FeatureNames(data.Features)}
	switch m {
	case Logistic:
		spec.Label, spec.Classify = BinaryLabel, true
	case Linear:
		spec.Label = LinearLabel
	}
	start := time.Now()
	ds, err := ml.NewDataset(ctx, df, spec)
	f.Load = time.Since(start)
	if err != nil {
		return f, fmt.Errorf("%s %s: %w", f.Engine, m, err)
	}
	defer ds.Close()
	before := s.Metrics().CacheScans
	start = time.Now()
	var model any
	switch m {
	case Logistic:
		est := ml.NewLogisticRegression()
		est.RegParam, est.MaxIter, est.Tol, est.Standardization = p.L2, p.MaxIter, p.Tol, false
		model, err = est.FitDataset(ctx, ds)
	case Linear:
		est := ml.NewLinearRegression()
		est.RegParam, est.Standardization = p.L2, false
		model, err = est.FitDataset(ctx, ds)
	default:
		est := ml.NewKMeans()
		est.K, est.MaxIter, est.Seed = p.K, p.KMeansIter, int64(p.KMeansSeed)
		model, err = est.FitDataset(ctx, ds)
	}
	f.Fit = time.Since(start)
	if err != nil {
		return f, fmt.Errorf("%s %s: %w", f.Engine, m, err)
	}
	if err := checkScans(s, &f, data.Rows); err != nil {
		return f, err
	}
	f.FitPasses = f.CacheScans - before
	return f, readModel(&f, model)
}

//go:embed sklearn_train.py
var sklearnScript []byte

// ErrNoSklearn says that the Python interpreter is missing or lacks numpy or scikit-learn.
var ErrNoSklearn = errors.New("no scikit-learn")

// SklearnRound is one run of sklearn_train.py: every model fitted once.
type SklearnRound struct {
	Fits []Fit
	// Versions are numpy's and scikit-learn's; Threads describes the thread pools
	// (threadpoolctl: BLAS and OpenMP libraries and their thread counts).
	Versions, Threads string
}

// sklearnOut is what sklearn_train.py prints.
type sklearnOut struct {
	Versions    map[string]string `json:"versions"`
	Threadpools []struct {
		API        string `json:"user_api"`
		Internal   string `json:"internal_api"`
		NumThreads int    `json:"num_threads"`
	} `json:"threadpools"`
	LoadS float64 `json:"load_s"`
	Fits  []struct {
		Model     string    `json:"model"`
		FitS      float64   `json:"fit_s"`
		Coef      []float64 `json:"coef"`
		Intercept float64   `json:"intercept"`
		NIter     int       `json:"n_iter"`
		Inertia   float64   `json:"inertia"`
	} `json:"fits"`
}

// RunSklearn runs sklearn_train.py (embedded, fed to python on stdin) once over the raw
// file: it loads the data and fits models with the same objectives as Ember's (see
// Params). threads > 0 sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS
// unless the environment already sets them. It returns ErrNoSklearn (wrapped) when python
// cannot import numpy and scikit-learn.
func RunSklearn(ctx context.Context, python string, data *Data, models []Model, p Params, threads int) (SklearnRound, error) {
	var r SklearnRound
	probe := exec.CommandContext(ctx, python, "-c", "import numpy, scipy, sklearn, threadpoolctl")
	if out, err := probe.CombinedOutput(); err != nil {
		return r, fmt.Errorf("%w: %s cannot import numpy, scipy, sklearn and threadpoolctl: %v %s", ErrNoSklearn, python, err, lastLine(out))
	}
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = string(m)
	}
	cmd := exec.CommandContext(ctx, python, "-", "--data", data.Raw, "--rows", strconv.Itoa(data.Rows),
		"--features", strconv.Itoa(data.Features), "--models", strings.Join(names, ","), "--l2", num(p.L2),
		"--max-iter", strconv.Itoa(p.MaxIter), "--tol", num(p.Tol), "--k", strconv.Itoa(p.K),
		"--kmeans-iter", strconv.Itoa(p.KMeansIter))
	cmd.Stdin = bytes.NewReader(sklearnScript)
	cmd.Env = os.Environ()
	if threads > 0 {
		for _, v := range []string{"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"} {
			if os.Getenv(v) == "" {
				cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", v, threads))
			}
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return r, fmt.Errorf("sklearn_train.py: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var o sklearnOut
	if err := json.Unmarshal(out, &o); err != nil {
		return r, fmt.Errorf("sklearn_train.py printed something that is not its JSON: %v", err)
	}
	r.Versions = fmt.Sprintf("numpy %s, scikit-learn %s, scipy %s", o.Versions["numpy"], o.Versions["sklearn"], o.Versions["scipy"])
	var pools []string
	for _, tp := range o.Threadpools {
		pools = append(pools, fmt.Sprintf("%s (%s) %d threads", tp.Internal, tp.API, tp.NumThreads))
	}
	r.Threads = strings.Join(pools, ", ")
	if r.Threads == "" {
		r.Threads = "no thread pool found by threadpoolctl"
	}
	for _, x := range o.Fits {
		m, err := ParseModel(x.Model)
		if err != nil {
			return r, err
		}
		r.Fits = append(r.Fits, Fit{Model: m, Engine: Sklearn, Load: seconds(o.LoadS), Fit: seconds(x.FitS),
			Iterations: x.NIter, SourceScans: -1, SourceRows: -1, CacheScans: -1, Coef: x.Coef, Intercept: x.Intercept, Inertia: x.Inertia})
	}
	return r, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// CoefDiff is the largest difference between two regressions' weights (the intercept
// counted as one) over the largest weight of ref: ‖a − ref‖∞ / ‖ref‖∞. NaN when the
// lengths differ.
func CoefDiff(a, ref Fit) float64 {
	if len(a.Coef) != len(ref.Coef) || len(ref.Coef) == 0 {
		return math.NaN()
	}
	diff, scale := math.Abs(a.Intercept-ref.Intercept), math.Abs(ref.Intercept)
	for j, w := range ref.Coef {
		diff = max(diff, math.Abs(a.Coef[j]-w))
		scale = max(scale, math.Abs(w))
	}
	return diff / scale
}
