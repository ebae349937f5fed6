package optimizer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// wrapLimit puts a Limit over the root while the plan has fewer than max Limits (max < 0:
// always); calls counts its applications.
type wrapLimit struct {
	max   int
	calls *int
}

func (wrapLimit) Name() string { return "WrapLimit" }
func (r wrapLimit) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	*r.calls++
	n := 0
	planner.WalkPlan(p, func(x planner.Plan) bool {
		if _, ok := x.(*planner.Limit); ok {
			n++
		}
		return true
	})
	if r.max >= 0 && n >= r.max {
		return p, nil
	}
	return planner.NewLimit(p, 0, 10)
}

// funcRule is a rule made of a function, for the driver's failure cases.
type funcRule struct {
	name string
	f    func(planner.Plan) (planner.Plan, error)
}

func (r funcRule) Name() string                                           { return r.name }
func (r funcRule) Apply(p planner.Plan, _ *Context) (planner.Plan, error) { return r.f(p) }

func TestDriverFixedPoint(t *testing.T) {
	scan := planner.NewScan(newTable("t", "a", "b"), "")
	for _, tc := range []struct {
		name        string
		max         int // wrapLimit's max
		iterations  int
		wantSteps   int
		wantCalls   int
		unconverged bool
	}{
		// Two changing passes, then a third that changes nothing ends the batch.
		{name: "converges", max: 2, iterations: 10, wantSteps: 2, wantCalls: 3},
		// A rule that always changes the plan stops at the iteration limit.
		{name: "limit", max: -1, iterations: 5, wantSteps: 5, wantCalls: 5, unconverged: true},
		// Once runs one pass (no idempotence check without invariants).
		{name: "once", max: -1, iterations: 1, wantSteps: 1, wantCalls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if invariantsByDefault && tc.name == "once" {
				t.Skip("ember_invariants makes Once batches check idempotence")
			}
			calls := 0
			o := New([]Batch{{Name: "b1", Strategy: FixedPoint(tc.iterations), Rules: []Rule{wrapLimit{max: tc.max, calls: &calls}}}}, Options{})
			out, tr, err := o.Optimize(scan)
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Steps) != tc.wantSteps || calls != tc.wantCalls {
				t.Fatalf("got %d steps and %d calls, want %d and %d", len(tr.Steps), calls, tc.wantSteps, tc.wantCalls)
			}
			if got := strings.Count(planner.Explain(out), "Limit: count=10"); got != tc.wantSteps {
				t.Fatalf("plan has %d limits, want %d:\n%s", got, tc.wantSteps, planner.Explain(out))
			}
			for i, s := range tr.Steps {
				if s.Batch != "b1" || s.Rule != "WrapLimit" || s.Pass != i+1 {
					t.Fatalf("step %d = %+v", i, s)
				}
			}
			if got := len(tr.Unconverged) == 1 && tr.Unconverged[0] == "b1"; got != tc.unconverged {
				t.Fatalf("unconverged = %v", tr.Unconverged)
			}
		})
	}
}

func TestDriverTrace(t *testing.T) {
	scan := planner.NewScan(newTable("t", "a", "b"), "")
	calls := 0
	noop := funcRule{name: "Noop", f: func(p planner.Plan) (planner.Plan, error) { return p, nil }}
	o := New([]Batch{
		{Name: "first", Strategy: FixedPoint(10), Rules: []Rule{noop, wrapLimit{max: 1, calls: &calls}}},
		{Name: "second", Strategy: Once, Rules: []Rule{noop}},
	}, Options{CheckInvariants: true})
	_, tr, err := o.Optimize(scan)
	if err != nil {
		t.Fatal(err)
	}
	want := "WrapLimit (batch first, pass 1):\n  Limit: count=10\n    Scan: t [a, b]\n"
	if got := tr.String(); got != want {
		t.Fatalf("trace:\n%s\nwant:\n%s", got, want)
	}
	if !tr.Fired("WrapLimit") || tr.Fired("Noop") || !slices.Equal(tr.Rules(), []string{"WrapLimit"}) {
		t.Fatalf("fired: %v", tr.Rules())
	}
}

func TestDriverDisabled(t *testing.T) {
	for _, tc := range []struct {
		name     string
		disabled []string
		wantErr  string // empty: no error
		fired    bool   // whether FilterPushdown fires
	}{
		{name: "none", fired: true},
		{name: "exact", disabled: []string{"FilterPushdown"}},
		{name: "case-insensitive", disabled: []string{"filterpushdown"}},
		{name: "typo", disabled: []string{"FilterPushdwn"}, wantErr: `unknown optimizer rule "FilterPushdwn" in the disabled rules (did you mean "FilterPushdown"?)`},
		{name: "unknown", disabled: []string{"zzz"}, wantErr: `unknown optimizer rule "zzz" in the disabled rules (known rules: CollapseProjects, CommonSubexpressionElimination, ConstantFolding, DecorrelateSubqueries, EliminateRedundant, FilterPushdown, InferFiltersFromJoins, JoinReorder, JoinStrategy, LimitPushdown, NullSimplification, OuterJoinSimplification, ProjectionPruning, PushSemiJoinThroughJoin)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := planner.NewScan(newTable("l", "a"), "")
			r := planner.NewScan(newTable("r", "b"), "")
			j := join(t, l, r, planner.CrossJoin, nil)
			p := filter(t, j, eq(col(t, j, "a"), col(t, j, "b")))
			out, tr, err := New(DefaultBatches(), Options{Disabled: tc.disabled, CheckInvariants: true}).Optimize(p)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a plan error containing %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tr.Fired("FilterPushdown") != tc.fired {
				t.Fatalf("FilterPushdown fired = %v, want %v", !tc.fired, tc.fired)
			}
			if !tc.fired && out != p {
				t.Fatalf("plan changed with every applicable rule disabled:\n%s", planner.Explain(out))
			}
		})
	}
}

func TestDriverErrors(t *testing.T) {
	scan := planner.NewScan(newTable("t", "a", "b"), "")
	for _, tc := range []struct {
		name  string
		rule  Rule
		once  bool
		check bool // only detectable with invariant checks on
		kind  error
		want  string
	}{
		{
			name: "schema change",
			rule: funcRule{name: "DropColumn", f: func(p planner.Plan) (planner.Plan, error) {
				return planner.ProjectExprs(p, []planner.Expr{planner.NewColumnRef(p.Schema()[0])}, nil)
			}},
			kind: errs.ErrInternal,
			want: `optimizer rule "DropColumn" changed the plan's schema from [t.a:BIGINT, t.b:BIGINT] to [t.a:BIGINT]`,
		},
		{
			name: "rule error keeps its kind",
			rule: funcRule{name: "Failing", f: func(planner.Plan) (planner.Plan, error) {
				return nil, errs.Planf("boom")
			}},
			kind: errs.ErrPlan,
			want: `optimizer rule "Failing": plan error: boom`,
		},
		{
			name: "untyped rule error is internal",
			rule: funcRule{name: "Buggy", f: func(planner.Plan) (planner.Plan, error) {
				return nil, errors.New("oops")
			}},
			kind: errs.ErrInternal,
			want: `internal error: optimizer rule "Buggy": oops`,
		},
		{
			name: "nil plan",
			rule: funcRule{name: "Nil", f: func(planner.Plan) (planner.Plan, error) { return nil, nil }},
			kind: errs.ErrInternal,
			want: `optimizer rule "Nil" returned no plan`,
		},
		{
			name: "dangling reference",
			rule: funcRule{name: "Dangling", f: func(p planner.Plan) (planner.Plan, error) {
				if _, ok := p.(*planner.Filter); ok {
					return p, nil
				}
				ghost := planner.NewColumn("ghost", "t", planner.Int64, true)
				// Built without the constructor, which would refuse it.
				return &planner.Filter{Input: p, Cond: gt(planner.NewColumnRef(ghost), lit(1))}, nil
			}},
			check: true,
			kind:  errs.ErrInternal,
			want:  `optimizer rule "Dangling" produced an invalid plan: invariant broken at "Filter: (t.ghost > 1)": column t.ghost is not in the input [t.a:BIGINT, t.b:BIGINT]`,
		},
		{
			name: "dishonest change",
			rule: funcRule{name: "Copy", f: func(p planner.Plan) (planner.Plan, error) {
				s := *p.(*planner.Scan)
				return &s, nil
			}},
			check: true,
			kind:  errs.ErrInternal,
			want:  `optimizer rule "Copy" reported a change but returned an equal plan`,
		},
		{
			name:  "once batch not idempotent",
			rule:  wrapLimit{max: -1, calls: new(int)},
			once:  true,
			check: true,
			kind:  errs.ErrInternal,
			want:  `batch "b" runs once but is not idempotent: rule "WrapLimit" changed the plan again`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			strategy := FixedPoint(3)
			if tc.once {
				strategy = Once
			}
			batches := []Batch{{Name: "b", Strategy: strategy, Rules: []Rule{tc.rule}}}
			_, _, err := New(batches, Options{CheckInvariants: true}).Optimize(scan)
			if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant kind %v containing %s", err, tc.kind, tc.want)
			}
			if tc.check && !invariantsByDefault {
				if _, _, err := New(batches, Options{}).Optimize(scan); err != nil {
					t.Fatalf("without invariant checks: %v", err)
				}
			}
		})
	}
}

func TestDefaultBatches(t *testing.T) {
	want := []string{"DecorrelateSubqueries", "ConstantFolding", "NullSimplification", "EliminateRedundant",
		"FilterPushdown", "OuterJoinSimplification", "InferFiltersFromJoins", "PushSemiJoinThroughJoin", "LimitPushdown", "ProjectionPruning",
		"JoinReorder", "CommonSubexpressionElimination", "CollapseProjects", "JoinStrategy"}
	if got := RuleNames(); !slices.Equal(got, want) {
		t.Fatalf("RuleNames() = %v, want %v", got, want)
	}
	// Names are identities: no two distinct rule types may share one.
	types := map[string]string{}
	for _, b := range DefaultBatches() {
		for _, r := range b.Rules {
			ty := fmt.Sprintf("%T", r)
			if prev, ok := types[r.Name()]; ok && prev != ty {
				t.Fatalf("rule name %q used by %s and %s", r.Name(), prev, ty)
			}
			types[r.Name()] = ty
		}
	}
}
