package dataframe

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
)

// Extensions let a package above dataframe in the import table (ml: the model registry and
// its statements) add statements and per-session setup without dataframe importing it. A
// program opts in per session, with the option WithExtensions(ml.Extension()) (the shell
// and the driver's Config.Extensions pass it): there is no process-wide list filled from
// init(), so sessions stay hermetic. A session opened without the extension refuses its
// statements with an error saying what is missing.

// Extension is a package's hooks into sessions.
type Extension interface {
	// Name names the extension in errors ("ml").
	Name() string
	// Setup prepares a new session (registering functions, opening state kept with
	// SetExtensionState). An error fails NewSession.
	Setup(s *Session) error
	// Exec runs st if the extension owns it; handled is false for a statement it does not
	// own.
	Exec(ctx context.Context, s *Session, st parser.Statement) (res *Result, handled bool, err error)
}

// WithExtensions adds extensions to the session: each one's Setup runs when the session
// opens, in order, and statements dataframe does not run itself are offered to them in
// that order.
func WithExtensions(e ...Extension) Option {
	return func(c *config) { c.exts = append(c.exts, e...) }
}

// setupExtensions runs every extension's Setup on a new session.
func (s *Session) setupExtensions() error {
	s.exts = s.cfg.exts
	for _, e := range s.exts {
		if e == nil {
			return errs.Planf("WithExtensions: nil extension")
		}
		if err := e.Setup(s); err != nil {
			return errs.Wrap(errs.KindOf(err), err, "extension %s", e.Name())
		}
	}
	return nil
}

// execExtension offers st to the session's extensions.
func (s *Session) execExtension(ctx context.Context, st parser.Statement) (*Result, bool, error) {
	for _, e := range s.exts {
		if res, ok, err := e.Exec(ctx, s, st); ok || err != nil {
			return res, true, err
		}
	}
	return nil, false, nil
}

// needsExtension is the error for a statement no extension ran.
func needsExtension(st parser.Statement) error {
	switch st.(type) {
	case *parser.CreateModel, *parser.ShowModels, *parser.DescribeModel, *parser.DropModel,
		*parser.EvaluateModel, *parser.ShowJobs, *parser.ShowJob, *parser.CancelJob:
		return errs.NotImplementedf("model statements need the model registry: open the session with dataframe.WithExtensions(ml.Extension()) (package github.com/embersql/ember/ml)")
	}
	return errs.NotImplementedf("statement %T", st)
}

// ExtensionState returns what an extension keeps in the session under key (nil if none).
func (s *Session) ExtensionState(key any) any {
	v, _ := s.extState.Load(key)
	return v
}

// SetExtensionState keeps v in the session under key (an extension's own key type, as
// with context values).
func (s *Session) SetExtensionState(key, v any) { s.extState.Store(key, v) }

// Allocator returns the Arrow allocator of the session's queries; extensions build their
// results from it (the caller releases them with Result.Release).
func (s *Session) Allocator() memory.Allocator { return s.cfg.mem }

// TrainRequest asks for a model to be trained in the background (Session.Train): the
// model name, the data, and the OPTIONS of CREATE MODEL ... AS SELECT (model_type,
// input_label_cols, l2_reg, ...) as Go values: strings, numbers, booleans, or []string
// for list options.
type TrainRequest struct {
	Model   string
	Data    *DataFrame
	Options map[string]any
	// OrReplace replaces the model's versions when the training succeeds; otherwise the
	// trained model is the model's next version.
	OrReplace bool
}

// TrainingJob is a training running in the background (package ml's *Job).
type TrainingJob interface {
	// ID is the job's id, as SHOW JOB and CANCEL JOB take it.
	ID() string
	// Wait blocks until the job ends or ctx is done, and returns the job's error.
	Wait(ctx context.Context) error
	// Cancel stops the job; a cancelled job stores nothing.
	Cancel()
}

// Trainer is an Extension that trains models (ml's).
type Trainer interface {
	Train(ctx context.Context, s *Session, req TrainRequest) (TrainingJob, error)
}

// Train starts training a model in the background and returns the job at once (the
// request is checked first: unknown options, a missing label column and the like fail
// here). It needs an extension that trains (WithExtensions(ml.Extension())).
func (s *Session) Train(ctx context.Context, req TrainRequest) (TrainingJob, error) {
	for _, e := range s.exts {
		if t, ok := e.(Trainer); ok {
			return t.Train(ctx, s, req)
		}
	}
	return nil, errs.Planf("Train needs a session opened with the ml extension (dataframe.WithExtensions(ml.Extension()))")
}
