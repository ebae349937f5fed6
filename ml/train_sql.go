package ml

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/udf"
)

// Training from SQL (BigQuery ML's form) and from Session.Train:
//
//	CREATE [OR REPLACE] MODEL [IF NOT EXISTS] m
//	  OPTIONS (model_type = 'logistic_reg' | 'linear_reg' | 'kmeans',
//	           input_label_cols = ['y'], <the trainer's options>...)
//	  AS SELECT ... [ASYNC]
//
// Every column of the SELECT but the label is a feature. A training is checked before it
// starts (options, model type, label column, feature types: errors come back at once,
// with ASYNC too), then runs: the data is cached and checked (Dataset), the trainer fits,
// the model is evaluated on the training data, and one Registry.Create stores it with its
// metrics as the model's next version (OR REPLACE: as version 1, after dropping the old
// versions). Nothing is stored before the training succeeded, so a failed or cancelled
// training leaves the registry as it was.

// commonTrainOptions are the options every model_type takes.
var commonTrainOptions = []string{"model_type", "input_label_cols", "description"}

// trainingPlan is a checked training, ready to run.
type trainingPlan struct {
	s         *dataframe.Session
	reg       *Registry
	name      string
	modelType string
	trainer   Trainer
	data      *dataframe.DataFrame
	spec      DataSpec
	orReplace bool
	source    string
	query     string
	options   map[string]string
}

// planTraining checks a training request: the model name, model_type, the trainer's
// options (unknown ones are errors, with a did-you-mean), the label column and the
// features' types.
func planTraining(s *dataframe.Session, reg *Registry, name string, data *dataframe.DataFrame, vals map[string]string, lists map[string][]string) (*trainingPlan, error) {
	name = strings.ToLower(name)
	if err := checkModelName(name); err != nil {
		return nil, err
	}
	o := NewOptions(vals, lists)
	types := make([]string, 0, len(trainers))
	for t := range trainers {
		types = append(types, t)
	}
	sort.Strings(types)
	if !o.Has("model_type") {
		return nil, errs.Planf("CREATE MODEL %s ... AS SELECT needs OPTIONS (model_type = '...'), one of %s", name, strings.Join(types, ", "))
	}
	mt, err := o.String("model_type", "")
	if err != nil {
		return nil, err
	}
	mt = strings.ToLower(mt)
	newTrainer, ok := trainers[mt]
	if !ok {
		hint := ""
		if near := udf.Nearest(mt, types); near != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", near)
		}
		return nil, errs.Planf("CREATE MODEL %s: unknown model_type %q%s; model types are %s", name, mt, hint, strings.Join(types, ", "))
	}
	tr, err := newTrainer(o)
	if err != nil {
		return nil, errs.Wrap(errs.KindOf(err), err, "CREATE MODEL %s", name)
	}
	labels := o.List("input_label_cols")
	if _, err := o.String("description", ""); err != nil { // kept in the options as written
		return nil, err
	}
	needs := tr.Needs()
	spec := DataSpec{Classify: needs.Classify}
	switch {
	case needs.Label && len(labels) > 1:
		return nil, errs.Planf("CREATE MODEL %s: input_label_cols names %d columns; %s takes one label", name, len(labels), mt)
	case needs.Label && len(labels) == 1:
		spec.Label = labels[0]
	case needs.Label:
		spec.Label = "label" // BigQuery ML's default
	case len(labels) > 0:
		return nil, errs.Planf("CREATE MODEL %s: %s has no label; drop input_label_cols", name, mt)
	}
	if unused := o.Unused(); len(unused) > 0 {
		known := append([]string(nil), commonTrainOptions...)
		known = append(known, o.Known()...)
		hint := ""
		if near := udf.Nearest(unused[0], known); near != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", near)
		}
		return nil, errs.Planf("CREATE MODEL %s: unknown option %q for model_type %s%s", name, unused[0], mt, hint)
	}
	// The label and the features' types are checked now, from the query's schema; the
	// values (NULL, NaN, one class, no rows) when the data is read.
	schema, err := data.Schema()
	if err != nil {
		return nil, err
	}
	if spec.Label != "" {
		found := false
		for _, f := range schema.Fields() {
			found = found || strings.EqualFold(f.Name, spec.Label)
		}
		if !found {
			cols := make([]string, schema.NumFields())
			for i, f := range schema.Fields() {
				cols[i] = f.Name
			}
			what := "input_label_cols names"
			if len(labels) == 0 {
				what = "with no input_label_cols, the label is"
			}
			return nil, errs.Planf("CREATE MODEL %s: label column %q does not exist (%s %q); the query's columns are %s", name, spec.Label, what, spec.Label, strings.Join(cols, ", "))
		}
	}
	for _, f := range schema.Fields() {
		if !strings.EqualFold(f.Name, spec.Label) && !isNumeric(f.Type) {
			return nil, errs.Planf("CREATE MODEL %s: feature column %q is %s: features must be numbers (leave the column out, or encode it as numbers)", name, f.Name, udf.TypeName(f.Type))
		}
	}
	opts := make(map[string]string, len(vals)+len(lists))
	for k, v := range vals {
		opts[k] = v
	}
	for k, l := range lists {
		opts[k] = "[" + strings.Join(l, ", ") + "]"
	}
	return &trainingPlan{s: s, reg: reg, name: name, modelType: mt, trainer: tr, data: data, spec: spec, options: opts}, nil
}

// run trains, evaluates and registers the model; it returns the result message.
func (p *trainingPlan) run(ctx context.Context) (string, error) {
	ds, err := NewDataset(ctx, p.data, p.spec)
	if err != nil {
		return "", errs.Wrap(errs.KindOf(err), err, "CREATE MODEL %s", p.name)
	}
	defer ds.Close()
	m, err := p.trainer.Fit(ctx, ds)
	if err != nil {
		return "", errs.Wrap(errs.KindOf(err), err, "CREATE MODEL %s: training %s", p.name, p.modelType)
	}
	metrics, _, err := EvaluateDataset(ctx, m, ds)
	if err != nil {
		return "", errs.Wrap(errs.KindOf(err), err, "CREATE MODEL %s: evaluating the trained model", p.name)
	}
	for k, v := range metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(metrics, k) // undefined metrics (a class never predicted) are left out
		}
	}
	data, err := m.MarshalJSON()
	if err != nil {
		return "", errs.Wrap(errs.ErrInternal, err, "CREATE MODEL %s: saving the model", p.name)
	}
	// Last check before the registry changes: a job cancelled now stores nothing.
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if p.orReplace {
		if vs, err := p.reg.Versions(p.name); err == nil && len(vs) > 0 {
			if _, err := p.reg.Drop(p.name, 0); err != nil {
				return "", err
			}
		}
	}
	info, err := p.reg.Create(p.name, m.Kind(), data, ModelInfo{Source: p.source, Options: p.options, Metrics: metrics, Label: ds.Label, TrainingQuery: p.query})
	if err != nil {
		return "", errs.Wrap(errs.ErrExecution, err, "CREATE MODEL %s", p.name)
	}
	task := info.Task
	if _, ok := m.(centered); ok {
		task = "clustering"
	}
	return fmt.Sprintf("Created model %s (%s %s over %d features, %d rows)", info.Ref(), info.Kind, task, info.NumFeatures, ds.Rows), nil
}

// trainStatement runs CREATE MODEL ... AS SELECT: at once, or as a job with ASYNC.
func trainStatement(ctx context.Context, s *dataframe.Session, reg *Registry, x *parser.CreateModel) (*dataframe.Result, error) {
	if x.OrReplace && x.IfNotExists {
		return nil, errs.Planf("CREATE MODEL: OR REPLACE and IF NOT EXISTS cannot both be given")
	}
	name, _, done, err := createTarget(reg, x)
	if done != nil || err != nil {
		return done, err
	}
	data, err := s.SQL(ctx, x.AsSelect.Text())
	if err != nil {
		return nil, errs.Wrap(errs.KindOf(err), err, "CREATE MODEL %s: the training query", name)
	}
	p, err := planTraining(s, reg, name, data, x.Options, x.ListOptions)
	if err != nil {
		return nil, err
	}
	p.orReplace, p.source, p.query = x.OrReplace, x.Text(), x.AsSelect.Text()
	if !x.Async {
		msg, err := p.run(ctx)
		if err != nil {
			return nil, err
		}
		return &dataframe.Result{Message: msg}, nil
	}
	job := DefaultJobs().Start(name, x.Text(), p.run)
	return jobStartedResult(s, job), nil
}

// Train implements dataframe.Trainer: Session.Train's request becomes a job.
func (extension) Train(ctx context.Context, s *dataframe.Session, req dataframe.TrainRequest) (dataframe.TrainingJob, error) {
	reg := SessionRegistry(s)
	if reg == nil {
		return nil, errs.Planf("Train: the session has no model registry")
	}
	if req.Data == nil {
		return nil, errs.Planf("Train %s: no data", req.Model)
	}
	vals, lists := map[string]string{}, map[string][]string{}
	for k, v := range req.Options {
		k = strings.ToLower(k)
		switch v := v.(type) {
		case string:
			vals[k] = v
		case []string:
			lists[k] = v
		case bool:
			vals[k] = strconv.FormatBool(v)
		case int:
			vals[k] = strconv.Itoa(v)
		case int64:
			vals[k] = strconv.FormatInt(v, 10)
		case float64:
			vals[k] = strconv.FormatFloat(v, 'g', -1, 64)
		default:
			return nil, errs.Planf("Train %s: option %s has a value of type %T; use a string, number, bool or []string", req.Model, k, v)
		}
	}
	p, err := planTraining(s, reg, req.Model, req.Data, vals, lists)
	if err != nil {
		return nil, err
	}
	p.orReplace = req.OrReplace
	p.source = "Session.Train over " + req.Data.SQL()
	p.query = req.Data.SQL()
	return DefaultJobs().Start(p.name, p.source, p.run), nil
}
