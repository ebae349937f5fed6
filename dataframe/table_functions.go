package dataframe

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// RegisterTableFunction registers a table function under f.Name() (lower-cased) for the
// session's SQL (SELECT * FROM f(1, 'x') AS t(a, b), ... JOIN f(2) ON ...), with the name
// rules of RegisterUDF: it fails on a nil function, a name that is not an identifier
// ([a-z_][a-z0-9_]*) or starts with __ember_, and a name the binder reserves. It replaces
// the session's earlier table function of that name and shadows a built-in one (range,
// generate_series) for this session only. Table functions live apart from scalar and
// aggregate functions (they are only called in FROM), so the name may also be that of one
// of those. In cluster mode, every worker registers the same function (DESIGN.md).
func (s *Session) RegisterTableFunction(f udf.TableFunction) error {
	if f == nil {
		return errs.Planf("RegisterTableFunction: nil function")
	}
	if _, err := sessionFuncName("RegisterTableFunction", f.Name()); err != nil {
		return err
	}
	s.funcs.RegisterTable(f)
	return nil
}
