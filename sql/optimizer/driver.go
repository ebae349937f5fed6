package optimizer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// Rule is one logical rewrite. Its Name is its only identity: the driver disables, traces
// and reports rules by name, so names are unique across all batches.
//
// Apply returns p itself (the same pointer) when the rule does not change the plan, and a
// plan with the same root schema (same column IDs and types, in order) when it does. Apply
// must not mutate p. An error is wrapped by the driver as `optimizer rule "name": ...`.
type Rule interface {
	Name() string
	Apply(p planner.Plan, ctx *Context) (planner.Plan, error)
}

// Context is what the driver hands every rule: services a rule may use but must not own.
type Context struct {
	// Eval evaluates a constant expression (all leaves literals, every function
	// Immutable). Nil when the session supplied none: rules then leave constants unfolded.
	Eval ConstEvaluator
	// BroadcastThresholdRows is Options.BroadcastThresholdRows (JoinStrategy reads it).
	BroadcastThresholdRows int64
}

// ConstEvaluator evaluates a constant expression to a literal of the same type. The session
// injects one backed by exec's kernels, so the optimizer never duplicates evaluation logic.
// An error (a failing cast, an overflow) means "do not fold": the expression is kept and the
// error surfaces at run time, and only if a row reaches it.
type ConstEvaluator func(e planner.Expr) (*planner.Literal, error)

// Strategy says how often a batch runs its rules: MaxIterations passes at most, stopping at
// the first pass in which no rule changed the plan. The zero value means Once.
type Strategy struct {
	MaxIterations int
}

// Once runs a batch's rules a single time. Under invariant checks the driver runs a Once
// batch a second time and fails if anything changes (its rules must be idempotent).
var Once = Strategy{MaxIterations: 1}

// FixedPoint runs a batch's rules until a pass changes nothing, at most n passes (n < 1
// means 1). Hitting the limit is not an error; the trace lists the batch as unconverged.
func FixedPoint(n int) Strategy { return Strategy{MaxIterations: n} }

func (s Strategy) passes() int { return max(s.MaxIterations, 1) }

// Batch is a named, ordered group of rules run under one strategy.
type Batch struct {
	Name     string
	Strategy Strategy
	Rules    []Rule
}

// Options configure an Optimizer.
type Options struct {
	// Disabled names rules to skip (case-insensitive). An unknown name is a plan error,
	// returned by Optimize, with the nearest known name as a suggestion.
	Disabled []string
	// Eval folds constant expressions; see ConstEvaluator.
	Eval ConstEvaluator
	// BroadcastThresholdRows: JoinStrategy marks a hash join "broadcast" when its build
	// side is estimated at this many rows or fewer, else "shuffle"; 0 (or less) leaves
	// joins unmarked, which the physical planner shuffles.
	BroadcastThresholdRows int64
	// CheckInvariants validates the plan after every rule that changed it (see CheckPlan),
	// checks that a change is real and that Once batches are idempotent. It is always on in
	// builds with the ember_invariants tag.
	CheckInvariants bool
}

// Optimizer runs batches of rules over logical plans, like Catalyst's RuleExecutor. It
// holds no per-query state and is safe for concurrent use once built.
type Optimizer struct {
	batches  []Batch
	disabled map[string]bool
	eval     ConstEvaluator
	check    bool
	err      error
	// broadcast is Options.BroadcastThresholdRows.
	broadcast int64
}

// New returns an optimizer running batches in order. An error in opts (an unknown disabled
// rule) is reported by every call to Optimize.
func New(batches []Batch, opts Options) *Optimizer {
	o := &Optimizer{
		batches:   append([]Batch(nil), batches...),
		disabled:  map[string]bool{},
		eval:      opts.Eval,
		check:     opts.CheckInvariants || invariantsByDefault,
		broadcast: opts.BroadcastThresholdRows,
	}
	known := map[string]string{} // lower-case name -> name
	var names []string
	for _, b := range batches {
		for _, r := range b.Rules {
			if _, ok := known[strings.ToLower(r.Name())]; !ok {
				known[strings.ToLower(r.Name())] = r.Name()
				names = append(names, r.Name())
			}
		}
	}
	for _, d := range opts.Disabled {
		name, ok := known[strings.ToLower(strings.TrimSpace(d))]
		if ok {
			o.disabled[name] = true
			continue
		}
		if near := udf.Nearest(d, names); near != "" {
			o.err = errs.Planf("unknown optimizer rule %q in the disabled rules (did you mean %q?)", d, near)
		} else {
			sort.Strings(names)
			o.err = errs.Planf("unknown optimizer rule %q in the disabled rules (known rules: %s)", d, strings.Join(names, ", "))
		}
		break
	}
	return o
}

// Optimize runs every batch over p and returns the optimized plan, whose schema equals p's,
// with the trace of the rules that changed it. Errors: the options' plan error, a rule's
// error wrapped as `optimizer rule "name": ...`, or an internal error naming the rule that
// changed the root schema or (under invariant checks) broke the plan. The trace is returned
// with an error too, as far as it got.
func (o *Optimizer) Optimize(p planner.Plan) (planner.Plan, *Trace, error) {
	tr := &Trace{}
	if o.err != nil {
		return nil, tr, o.err
	}
	if o.check {
		if err := CheckPlan(p); err != nil {
			return nil, tr, errs.Wrap(errs.ErrInternal, err, "optimizer input plan")
		}
	}
	ctx := &Context{Eval: o.eval, BroadcastThresholdRows: o.broadcast}
	for _, b := range o.batches {
		n := b.Strategy.passes()
		changedOnce := false
		for pass := 1; ; pass++ {
			changed := false
			for _, r := range b.Rules {
				if o.disabled[r.Name()] {
					continue
				}
				np, err := o.apply(r, p, ctx)
				if err != nil {
					return nil, tr, err
				}
				if np == p {
					continue
				}
				changed, changedOnce = true, true
				p = np
				tr.Steps = append(tr.Steps, Step{Batch: b.Name, Rule: r.Name(), Pass: pass, Plan: planner.Explain(p)})
			}
			if !changed {
				break
			}
			if pass >= n {
				if n > 1 {
					tr.Unconverged = append(tr.Unconverged, b.Name)
				}
				break
			}
		}
		if o.check && n == 1 && changedOnce {
			for _, r := range b.Rules {
				if o.disabled[r.Name()] {
					continue
				}
				np, err := o.apply(r, p, ctx)
				if err != nil {
					return nil, tr, err
				}
				if np != p {
					return nil, tr, errs.Internalf("batch %q runs once but is not idempotent: rule %q changed the plan again", b.Name, r.Name())
				}
			}
		}
	}
	return p, tr, nil
}

// apply runs one rule with the driver's checks; it returns p itself when nothing changed.
func (o *Optimizer) apply(r Rule, p planner.Plan, ctx *Context) (planner.Plan, error) {
	np, err := r.Apply(p, ctx)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "optimizer rule %q", r.Name())
	}
	if np == nil {
		return nil, errs.Internalf("optimizer rule %q returned no plan", r.Name())
	}
	if np == p {
		return p, nil
	}
	if !np.Schema().Equal(p.Schema()) {
		return nil, errs.Internalf("optimizer rule %q changed the plan's schema from [%s] to [%s]", r.Name(), p.Schema(), np.Schema())
	}
	if o.check {
		if err := CheckPlan(np); err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "optimizer rule %q produced an invalid plan", r.Name())
		}
		if planEqual(np, p) {
			return nil, errs.Internalf("optimizer rule %q reported a change but returned an equal plan", r.Name())
		}
	}
	return np, nil
}

// Step is one rule application that changed the plan.
type Step struct {
	Batch string
	Rule  string
	// Pass is the batch's pass (1-based) in which the rule fired.
	Pass int
	// Plan is planner.Explain of the plan after the rule.
	Plan string
}

// Trace lists, in order, the rule applications that changed the plan (never the ones that
// did not, so adding a rule leaves other EXPLAIN VERBOSE goldens alone).
type Trace struct {
	Steps []Step
	// Unconverged names the fixed-point batches that still changed the plan in their last
	// allowed pass.
	Unconverged []string
}

// Fired reports whether the named rule changed the plan at least once.
func (t *Trace) Fired(rule string) bool {
	for _, s := range t.Steps {
		if s.Rule == rule {
			return true
		}
	}
	return false
}

// Rules returns the names of the rules that fired, in order, each once.
func (t *Trace) Rules() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range t.Steps {
		if !seen[s.Rule] {
			seen[s.Rule] = true
			out = append(out, s.Rule)
		}
	}
	return out
}

// String renders the trace for EXPLAIN VERBOSE: each step's heading, then the plan after it
// indented by two spaces. Deterministic (no IDs, no timings).
func (t *Trace) String() string {
	var b strings.Builder
	for _, s := range t.Steps {
		fmt.Fprintf(&b, "%s (batch %s, pass %d):\n", s.Rule, s.Batch, s.Pass)
		for _, line := range strings.Split(strings.TrimRight(s.Plan, "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	for _, u := range t.Unconverged {
		fmt.Fprintf(&b, "batch %s did not converge\n", u)
	}
	return b.String()
}
