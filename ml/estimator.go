package ml

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// The Go training API, after Spark ML's (estimator.go):
//
//   - an Estimator (LogisticRegression, LinearRegression, KMeans, StandardScaler, ...,
//     Pipeline) is configured by its fields and fitted to a DataFrame: Fit(ctx, df)
//     returns a Transformer;
//   - a Transformer (a fitted model, a fitted scaler, a PipelineModel) maps a DataFrame to
//     a DataFrame: Transform adds its output columns and keeps the input's;
//   - a model that predicts is also a udf.Model, so it can be registered as a SQL function
//     (Session.RegisterModel) or stored in the registry (Registry.Create with its
//     MarshalJSON bytes); SaveModel writes it to a file that LoadFile reads back.
//
// The trainers behind CREATE MODEL ... AS SELECT are the same estimators: a Trainer fits a
// Dataset (data already checked and cached), which is what Fit does after NewDataset.

// Estimator is fitted to a DataFrame (Spark ML's Estimator).
type Estimator interface {
	Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error)
}

// Transformer maps a DataFrame to a DataFrame (Spark ML's Transformer). The result is a
// lazy DataFrame (its error, if any, is reported by its actions).
type Transformer interface {
	Transform(df *dataframe.DataFrame) *dataframe.DataFrame
}

// TrainedModel is a model a trainer made: a udf.Model that saves to the JSON its kind
// loads (kinds.go), so the registry stores it as it stores an import.
type TrainedModel interface {
	udf.Model
	MarshalJSON() ([]byte, error)
}

// Trainer fits a model to a Dataset; CREATE MODEL ... AS SELECT runs one.
type Trainer interface {
	// Needs says what data the trainer takes: whether it needs a label, and whether the
	// label is a class.
	Needs() DataNeeds
	// Fit trains on ds, reporting progress through ReportProgress(ctx, ...), and stops
	// with ctx.Err() soon after ctx is done.
	Fit(ctx context.Context, ds *Dataset) (TrainedModel, error)
}

// DataNeeds is what a Trainer takes.
type DataNeeds struct {
	// Label: the trainer needs a label column (input_label_cols).
	Label bool
	// Classify: the label is a class.
	Classify bool
}

// progressKey is the context key of a training's progress sink.
type progressKey struct{}

// Progress is where a trainer reports its iterations (a job's record).
type Progress struct {
	iteration atomic.Int64
	loss      atomic.Uint64 // math.Float64bits
	hasLoss   atomic.Bool
}

// WithProgress returns ctx carrying p, for the trainer's ReportProgress calls.
func WithProgress(ctx context.Context, p *Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// ReportProgress records that the trainer finished an iteration with a loss (NaN when it
// has none); a no-op when ctx carries no Progress.
func ReportProgress(ctx context.Context, iteration int, loss float64) {
	p, _ := ctx.Value(progressKey{}).(*Progress)
	if p == nil {
		return
	}
	p.iteration.Store(int64(iteration))
	if loss == loss {
		p.loss.Store(math.Float64bits(loss))
		p.hasLoss.Store(true)
	}
}

// Iteration and Loss read the last report (ok false before any loss).
func (p *Progress) Iteration() int { return int(p.iteration.Load()) }

// Loss returns the last reported loss.
func (p *Progress) Loss() (float64, bool) {
	return math.Float64frombits(p.loss.Load()), p.hasLoss.Load()
}

// Options are a CREATE MODEL statement's OPTIONS, read by the trainers with checked
// conversions; Unused lists what no one read (an error for the statement).
type Options struct {
	vals  map[string]string
	lists map[string][]string
	used  map[string]bool
}

// NewOptions wraps the scalar and list options (keys lower-case).
func NewOptions(vals map[string]string, lists map[string][]string) *Options {
	if vals == nil {
		vals = map[string]string{}
	}
	if lists == nil {
		lists = map[string][]string{}
	}
	return &Options{vals: vals, lists: lists, used: map[string]bool{}}
}

// Has reports whether the option was given.
func (o *Options) Has(key string) bool {
	_, a := o.vals[key]
	_, b := o.lists[key]
	return a || b
}

func (o *Options) scalar(key string) (string, bool, error) {
	o.used[key] = true
	if _, ok := o.lists[key]; ok {
		return "", false, errs.Planf("option %s takes a single value, not a list", key)
	}
	v, ok := o.vals[key]
	return v, ok, nil
}

// String returns a string option, def when absent.
func (o *Options) String(key, def string) (string, error) {
	v, ok, err := o.scalar(key)
	if err != nil || !ok {
		return def, err
	}
	return v, nil
}

// Float returns a number option, def when absent; it must be finite and ≥ min.
func (o *Options) Float(key string, def, min float64) (float64, error) {
	v, ok, err := o.scalar(key)
	if err != nil || !ok {
		return def, err
	}
	f, perr := strconv.ParseFloat(v, 64)
	if perr != nil || f != f || f-f != 0 {
		return 0, errs.Planf("option %s must be a number, got %q", key, v)
	}
	if f < min {
		return 0, errs.Planf("option %s must be at least %g, got %s", key, min, v)
	}
	return f, nil
}

// Int returns a whole-number option, def when absent; it must be ≥ min.
func (o *Options) Int(key string, def, min int) (int, error) {
	v, ok, err := o.scalar(key)
	if err != nil || !ok {
		return def, err
	}
	n, perr := strconv.Atoi(v)
	if perr != nil {
		return 0, errs.Planf("option %s must be a whole number, got %q", key, v)
	}
	if n < min {
		return 0, errs.Planf("option %s must be at least %d, got %d", key, min, n)
	}
	return n, nil
}

// Bool returns a boolean option (true/false), def when absent.
func (o *Options) Bool(key string, def bool) (bool, error) {
	v, ok, err := o.scalar(key)
	if err != nil || !ok {
		return def, err
	}
	switch strings.ToLower(v) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errs.Planf("option %s must be TRUE or FALSE, got %q", key, v)
}

// Choice returns a string option that must be one of choices (compared lower-case).
func (o *Options) Choice(key, def string, choices ...string) (string, error) {
	v, err := o.String(key, def)
	if err != nil {
		return "", err
	}
	v = strings.ToLower(v)
	if !slices.Contains(choices, v) {
		return "", errs.Planf("option %s must be one of %s, got %q", key, strings.Join(choices, ", "), v)
	}
	return v, nil
}

// List returns a list option (a single value counts as a one-element list), nil when
// absent.
func (o *Options) List(key string) []string {
	o.used[key] = true
	if l, ok := o.lists[key]; ok {
		return l
	}
	if v, ok := o.vals[key]; ok {
		return []string{v}
	}
	return nil
}

// Known returns the option names asked for so far (the trainer's options), sorted.
func (o *Options) Known() []string {
	out := make([]string, 0, len(o.used))
	for k := range o.used {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Unused returns the options no reader asked for, sorted.
func (o *Options) Unused() []string {
	var out []string
	for k := range o.vals {
		if !o.used[k] {
			out = append(out, k)
		}
	}
	for k := range o.lists {
		if !o.used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// transformSeq numbers the functions Transform registers.
var transformSeq atomic.Int64

// modelTransform returns df with a column out holding m's predictions over the feature
// columns (and, for a classifier with probaOut != "", the class probabilities): m is
// registered in df's session under a fresh function name (ml_transform_N).
func modelTransform(df *dataframe.DataFrame, m udf.Model, features []string, out, probaOut string) *dataframe.DataFrame {
	if err := df.Err(); err != nil {
		return df
	}
	name := fmt.Sprintf("ml_transform_%d", transformSeq.Add(1))
	if err := df.Session().RegisterModel(name, m); err != nil {
		return df.WithError(err)
	}
	args := make([]string, len(features))
	for i, f := range features {
		args[i] = sqlIdent(f)
	}
	list := strings.Join(args, ", ")
	df = df.WithColumn(out, dataframe.Expr(fmt.Sprintf("%s(%s)", name, list)))
	if probaOut != "" && m.Task() == udf.Classification {
		df = df.WithColumn(probaOut, dataframe.Expr(fmt.Sprintf("%s_proba(%s)", name, list)))
	}
	return df
}
