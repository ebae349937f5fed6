package dataframe

import (
	"context"
	"sync"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
)

// Extensions let a package above dataframe in the import table (ml: the model registry and
// its statements) add statements and per-session setup without dataframe importing it, as
// database/sql drivers register themselves: the package's init calls RegisterExtension, and
// every Session opened afterwards runs the extension's Setup and offers it the statements
// dataframe does not run itself. A program that never imports the package gets sessions
// without it; its statements then fail with an error saying which import is missing.

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

var extensions struct {
	sync.RWMutex
	list []Extension
}

// RegisterExtension adds e to every Session opened from now on. Call it from an init.
func RegisterExtension(e Extension) {
	extensions.Lock()
	defer extensions.Unlock()
	extensions.list = append(extensions.list, e)
}

func registeredExtensions() []Extension {
	extensions.RLock()
	defer extensions.RUnlock()
	return append([]Extension(nil), extensions.list...)
}

// setupExtensions runs every extension's Setup on a new session.
func (s *Session) setupExtensions() error {
	s.exts = registeredExtensions()
	for _, e := range s.exts {
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
	case *parser.CreateModel, *parser.ShowModels, *parser.DescribeModel, *parser.DropModel:
		return errs.NotImplementedf("model statements need the model registry: import github.com/embersql/ember/ml in the program that opens the session")
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
