package ml

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/udf"
)

// EVALUATE MODEL m[@v] [ON (SELECT ...)], and the job statements SHOW JOBS, SHOW JOB id,
// CANCEL JOB id.

// evaluateStatement evaluates a model on the ON query, or on its training query.
func evaluateStatement(ctx context.Context, s *dataframe.Session, reg *Registry, x *parser.EvaluateModel) (*dataframe.Result, error) {
	m, info, err := reg.Model(x.Model.Name, x.Model.Version)
	if err != nil {
		return nil, err
	}
	query := info.TrainingQuery
	if x.On != nil {
		query = x.On.Text()
	}
	if query == "" {
		return nil, errs.Planf("EVALUATE MODEL %s: the model was imported, not trained in Ember; give the data with ON (SELECT ...)", info.Ref())
	}
	data, err := s.SQL(ctx, query)
	if err != nil {
		what := "the ON query"
		if x.On == nil {
			what = "the model's training query"
		}
		return nil, errs.Wrap(errs.KindOf(err), err, "EVALUATE MODEL %s: %s", info.Ref(), what)
	}
	metrics, order, err := evaluateModelOn(ctx, m, info, data)
	if err != nil {
		return nil, errs.Wrap(errs.KindOf(err), err, "EVALUATE MODEL %s", info.Ref())
	}
	return metricsResult(s, metrics, order), nil
}

// evaluateModelOn picks the model's features and label out of data and evaluates.
func evaluateModelOn(ctx context.Context, m udf.Model, info ModelInfo, data *dataframe.DataFrame) (map[string]float64, []string, error) {
	schema, err := data.Schema()
	if err != nil {
		return nil, nil, err
	}
	has := func(name string) bool {
		for _, f := range schema.Fields() {
			if strings.EqualFold(f.Name, name) {
				return true
			}
		}
		return false
	}
	_, clustering := m.(centered)
	spec := DataSpec{OneClass: true}
	if !clustering {
		spec.Label = info.Label
		if spec.Label == "" {
			spec.Label = "label"
		}
		if !has(spec.Label) {
			return nil, nil, errs.Planf("the data has no label column %q (the model's label)", spec.Label)
		}
		spec.Classify = m.Task() == udf.Classification
	}
	if names := m.FeatureNames(); len(names) > 0 {
		for _, n := range names {
			if !has(n) {
				return nil, nil, errs.Planf("the data has no column %q, a feature of the model (features: %s)", n, strings.Join(names, ", "))
			}
		}
		spec.Features = names
	}
	ds, err := NewDataset(ctx, data, spec)
	if err != nil {
		return nil, nil, err
	}
	defer ds.Close()
	return EvaluateDataset(ctx, m, ds)
}

// jobStartedResult is the reply of CREATE MODEL ... ASYNC: the job's id, model and state.
func jobStartedResult(s *dataframe.Session, job *Job) *dataframe.Result {
	res := jobsResult(s, []*Job{job})
	res.Message = fmt.Sprintf("Started job %s training model %s; SHOW JOB %s reports its progress", job.ID(), job.Model(), job.ID())
	return res
}

// jobsResult renders jobs as rows: job_id, model, state, iteration, loss, elapsed_s,
// started, message (the result or the error).
func jobsResult(s *dataframe.Session, jobs []*Job) *dataframe.Result {
	mem := s.Allocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "job_id", Type: arrow.BinaryTypes.String},
		{Name: "model", Type: arrow.BinaryTypes.String},
		{Name: "state", Type: arrow.BinaryTypes.String},
		{Name: "iteration", Type: arrow.PrimitiveTypes.Int64},
		{Name: "loss", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "elapsed_s", Type: arrow.PrimitiveTypes.Float64},
		{Name: "started", Type: arrow.BinaryTypes.String},
		{Name: "message", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, j := range jobs {
		b.Field(0).(*array.StringBuilder).Append(j.ID())
		b.Field(1).(*array.StringBuilder).Append(j.Model())
		b.Field(2).(*array.StringBuilder).Append(string(j.State()))
		b.Field(3).(*array.Int64Builder).Append(int64(j.Iteration()))
		if l, ok := j.Loss(); ok {
			b.Field(4).(*array.Float64Builder).Append(l)
		} else {
			b.Field(4).AppendNull()
		}
		b.Field(5).(*array.Float64Builder).Append(j.Elapsed().Round(time.Millisecond).Seconds())
		b.Field(6).(*array.StringBuilder).Append(j.Started().UTC().Format("2006-01-02 15:04:05"))
		switch {
		case j.Err() != nil:
			b.Field(7).(*array.StringBuilder).Append(j.Err().Error())
		case j.Result() != "":
			b.Field(7).(*array.StringBuilder).Append(j.Result())
		default:
			b.Field(7).AppendNull()
		}
	}
	rec := b.NewRecordBatch()
	return &dataframe.Result{Schema: schema, Batches: []arrow.RecordBatch{rec}}
}

// cancelWait is how long CANCEL JOB waits for the job to stop.
const cancelWait = 5 * time.Second

// jobStatement runs SHOW JOBS, SHOW JOB id and CANCEL JOB id.
func jobStatement(s *dataframe.Session, st parser.Statement) (*dataframe.Result, bool, error) {
	jobs := DefaultJobs()
	switch x := st.(type) {
	case *parser.ShowJobs:
		return jobsResult(s, jobs.List()), true, nil
	case *parser.ShowJob:
		j, err := jobs.Get(x.ID)
		if err != nil {
			return nil, true, err
		}
		return jobsResult(s, []*Job{j}), true, nil
	case *parser.CancelJob:
		j, err := jobs.Cancel(x.ID)
		if err != nil {
			return nil, true, err
		}
		// Trainers stop between iterations; wait a little so that the reply says how
		// the job ended.
		select {
		case <-j.Done():
		case <-time.After(cancelWait):
			return &dataframe.Result{Message: fmt.Sprintf("Cancelling job %s (model %s); it stops at its next iteration and stores nothing", j.ID(), j.Model())}, true, nil
		}
		if j.State() == JobSucceeded {
			return &dataframe.Result{Message: fmt.Sprintf("Job %s had already finished: %s", j.ID(), j.Result())}, true, nil
		}
		return &dataframe.Result{Message: fmt.Sprintf("Cancelled job %s (model %s); nothing was stored", j.ID(), j.Model())}, true, nil
	}
	return nil, false, nil
}
