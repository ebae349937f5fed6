// Package errs is Ember's error taxonomy: parse, plan, execution, not implemented, resource
// exhausted, canceled and internal. Every error that reaches a user carries exactly one of
// these kinds, checked with errors.Is(err, errs.ErrPlan) and friends.
//
// It is a leaf: it imports nothing from the repository, and every package except sql/parser
// may import it (sql/parser returns its own *parser.Error, which the session wraps as
// ErrParse at the layer crossing).
//
// How to add a kind: add the sentinel here, a constructor, and the kind to KindOf's list.
// Messages are lower case without a trailing period.
package errs
