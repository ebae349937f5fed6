package dataframe

import (
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Session functions: Go functions registered on the session's child registry, callable
// from the session's SQL and DataFrames (and nowhere else: sessions stay hermetic). In
// cluster mode every worker registers the same names (DESIGN.md); functions are never
// serialized.

// binderForms are names the binder handles before it looks a function up (DATE_ADD with
// its INTERVAL, COALESCE, IF, GROUPING, EXPLODE, ...), or whose registry entry it calls
// itself (date_add, for interval arithmetic): a session function of one of these names would
// never be called, or would change the meaning of other SQL.
var binderForms = map[string]bool{
	"date_add": true, "adddate": true, "date_sub": true, "subdate": true, "timestampadd": true,
	"get_format": true, "coalesce": true, "ifnull": true, "if": true, "nullif": true,
	"grouping": true, "grouping_id": true, "explode": true, "explode_outer": true,
}

// RegisterUDF registers a scalar function under f.Name() (lower-cased) for the session's
// SQL and DataFrames; see udf.Scalar1 ... udf.Scalar3E to make one from a Go function. It
// replaces the session's earlier function of that name, and shadows a built-in scalar of
// that name for this session only. It fails on a nil function, a name that is not an
// identifier ([a-z_][a-z0-9_]*) or starts with __ember_, the name of an aggregate function
// (calls would become ambiguous), and a name the binder reserves (date_add, coalesce, if,
// ...).
func (s *Session) RegisterUDF(f udf.ScalarFunction) error {
	if f == nil {
		return errs.Planf("RegisterUDF: nil function")
	}
	name, err := sessionFuncName("RegisterUDF", f.Name())
	if err != nil {
		return err
	}
	if _, isAgg := s.funcs.Aggregate(name); isAgg {
		return errs.Planf("RegisterUDF: %q is an aggregate function; choose another name", name)
	}
	s.funcs.RegisterScalar(f)
	return nil
}

// RegisterAggregate registers an aggregate function under f.Name() (lower-cased), with the
// rules of RegisterUDF; the name may not be that of a scalar function (a call would reach
// the scalar), but may shadow a built-in aggregate for this session.
func (s *Session) RegisterAggregate(f udf.AggregateFunction) error {
	if f == nil {
		return errs.Planf("RegisterAggregate: nil function")
	}
	name, err := sessionFuncName("RegisterAggregate", f.Name())
	if err != nil {
		return err
	}
	if _, isScalar := s.funcs.Scalar(name); isScalar {
		return errs.Planf("RegisterAggregate: %q is a scalar function; choose another name", name)
	}
	s.funcs.RegisterAggregate(f)
	return nil
}

// sessionFuncName checks a session function's name and returns it lower-cased.
func sessionFuncName(what, name string) (string, error) {
	lower := strings.ToLower(name)
	if lower == "" {
		return "", errs.Planf("%s: the function has an empty name", what)
	}
	if !isIdentifier(lower) {
		return "", errs.Planf("%s: %q is not a function name: use letters, digits and _, not starting with a digit", what, name)
	}
	if strings.HasPrefix(lower, "__ember_") {
		return "", errs.Planf("%s: names starting with __ember_ are reserved: %q", what, name)
	}
	if binderForms[lower] {
		return "", errs.Planf("%s: %q is a built-in form of the SQL dialect and cannot be redefined", what, lower)
	}
	return lower, nil
}

// RegisterModel makes model m callable from the session's SQL and DataFrames as name(...)
// (udf.ModelFunction: a regressor's DOUBLE prediction, a classifier's label) and, for a
// classifier, also as name_proba(...) (its class probabilities as ARRAY<DOUBLE>). The
// arguments are the model's features, as numbers or one VECTOR(n); the binder checks them
// against the model. The calls run in the batched call operator (EXPLAIN shows BatchedCall).
// The naming rules of RegisterUDF apply to both names; an earlier function of either name
// is replaced.
func (s *Session) RegisterModel(name string, m udf.Model) error {
	if m == nil {
		return errs.Planf("RegisterModel: nil model")
	}
	lower, err := sessionFuncName("RegisterModel", name)
	if err != nil {
		return err
	}
	fns := []udf.ScalarFunction{}
	pred, err := udf.NewModelFunction(lower, lower, m, udf.ModelPredict)
	if err != nil {
		return err
	}
	fns = append(fns, pred)
	if m.Task() == udf.Classification {
		proba, err := udf.NewModelFunction(lower+"_proba", lower, m, udf.ModelProba)
		if err != nil {
			return err
		}
		fns = append(fns, proba)
	}
	for _, f := range fns {
		if _, isAgg := s.funcs.Aggregate(f.Name()); isAgg {
			return errs.Planf("RegisterModel: %q is an aggregate function; choose another name", f.Name())
		}
	}
	for _, f := range fns {
		s.funcs.RegisterScalar(f)
	}
	return nil
}
