package planner

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/udf"
)

func windowInput(t *testing.T) (*Values, Column, Column) {
	t.Helper()
	a := NewColumn("a", "", Int64, true)
	b := NewColumn("b", "", Int64, true)
	v, err := NewValues([][]Expr{{NewLiteral(int64(1), Int64), NewLiteral(int64(2), Int64)}}, []Column{a, b})
	if err != nil {
		t.Fatal(err)
	}
	return v, a, b
}

func TestWindowNode(t *testing.T) {
	in, a, b := windowInput(t)
	rn := &WindowCall{Name: WinRowNumber, Frame: DefaultFrame(true), Typ: Int64}
	lag := &WindowCall{Name: WinLag, Args: []Expr{NewColumnRef(b), NewLiteral(int64(2), Int64), NewLiteral(nil, Int64)},
		Frame: DefaultFrame(true), Typ: Int64}
	rows := WindowFrame{Unit: FrameRows, Start: FrameBound{Kind: Preceding, N: 3}, End: FrameBound{Kind: Following, N: 1}}
	first := &WindowCall{Name: WinFirstValue, Args: []Expr{NewColumnRef(b)}, Frame: rows, Typ: Int64}
	out := []Column{NewColumn("rn", "", Int64, false), NewColumn("l", "", Int64, true), NewColumn("f", "", Int64, true)}
	order := []SortKey{{Expr: NewColumnRef(b), Desc: true}}
	w, err := NewWindow(in, []Expr{NewColumnRef(a)}, order, []*WindowCall{rn, lag, first}, out)
	if err != nil {
		t.Fatal(err)
	}
	want := "Window: partitionBy=[a] orderBy=[b DESC NULLS LAST] funcs=[row_number() AS rn, lag(b, 2, NULL) AS l, " +
		"first_value(b) ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING AS f]"
	if got := w.String(); got != want {
		t.Errorf("String:\n got %s\nwant %s", got, want)
	}
	if got := len(w.Schema()); got != 5 || w.Schema()[4].ID != out[2].ID || w.Schema()[0].ID != a.ID {
		t.Errorf("schema %s: want the input columns then the calls' columns", w.Schema())
	}
	if rn.Nullable() || !lag.Nullable() {
		t.Errorf("row_number must not be nullable, lag must")
	}
	// Same children and expressions: the same node.
	if p, err := w.WithChildren([]Plan{in}); err != nil || p != Plan(w) {
		t.Errorf("WithChildren with the same input: %v, %v", p, err)
	}
	if p, err := w.WithExprs(w.Exprs()); err != nil || p != Plan(w) {
		t.Errorf("WithExprs with the same expressions: %v, %v", p, err)
	}
	// Replacing an expression rebuilds the call.
	es := w.Exprs()
	es[len(es)-1] = first.WithChildren([]Expr{NewColumnRef(a)})
	p, err := w.WithExprs(es)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(*Window).Funcs[2].String(); got != "first_value(a) ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING" {
		t.Errorf("rebuilt call: %s", got)
	}
	es[0] = NewLiteral(int64(1), Int64)
	es[len(es)-1] = NewLiteral(int64(1), Int64)
	if _, err := w.WithExprs(es); err == nil {
		t.Errorf("a window call replaced by a literal was accepted")
	}
}

func TestWindowFrameRangeChildren(t *testing.T) {
	in, _, b := windowInput(t)
	key := NewColumnRef(b)
	lo := &Binary{Op: OpSub, Left: key, Right: NewLiteral(int64(5), Int64), Typ: Int64}
	fr := WindowFrame{Unit: FrameRange, Start: FrameBound{Kind: Preceding, Value: lo, Text: "5"},
		End: FrameBound{Kind: CurrentRow}, RangeKey: key}
	sum := &WindowCall{Name: "count", Agg: countLike{}, Args: []Expr{key}, Frame: fr, Typ: Int64}
	if got := len(sum.Children()); got != 3 {
		t.Fatalf("%d children, want the argument, the range key and one bound value", got)
	}
	w, err := NewWindow(in, nil, []SortKey{{Expr: key}}, []*WindowCall{sum}, []Column{NewColumn("s", "", Int64, false)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.String(), "count(b) RANGE BETWEEN 5 PRECEDING AND CURRENT ROW") {
		t.Errorf("String: %s", w.String())
	}
	// A RANGE offset needs exactly one ORDER BY key.
	if _, err := NewWindow(in, nil, nil, []*WindowCall{sum}, []Column{NewColumn("s", "", Int64, false)}); err == nil {
		t.Errorf("RANGE offset without ORDER BY was accepted")
	}
}

func TestWindowValidation(t *testing.T) {
	in, a, _ := windowInput(t)
	other := NewColumn("x", "", Int64, true)
	col := func() []Column { return []Column{NewColumn("o", "", Int64, true)} }
	frame := func(s, e BoundKind) WindowFrame {
		return WindowFrame{Unit: FrameRows, Start: FrameBound{Kind: s}, End: FrameBound{Kind: e}}
	}
	cases := []struct {
		name string
		call *WindowCall
		keys []Expr
		want string
	}{
		{"unknown function", &WindowCall{Name: "nope", Frame: DefaultFrame(false), Typ: Int64}, nil, "unknown window function"},
		{"ntile of zero", &WindowCall{Name: WinNtile, Args: []Expr{NewLiteral(int64(0), Int64)}, Frame: DefaultFrame(false), Typ: Int64}, nil, "at least 1"},
		{"negative lag", &WindowCall{Name: WinLag, Args: []Expr{NewColumnRef(a), NewLiteral(int64(-1), Int64), NewLiteral(nil, Int64)},
			Frame: DefaultFrame(false), Typ: Int64}, nil, "at least 0"},
		{"arity", &WindowCall{Name: WinFirstValue, Frame: DefaultFrame(false), Typ: Int64}, nil, "takes 1 arguments"},
		{"start after end", &WindowCall{Name: WinRowNumber, Frame: frame(CurrentRow, Preceding), Typ: Int64}, nil, "cannot start at CURRENT ROW"},
		{"unbounded following start", &WindowCall{Name: WinRowNumber, Frame: frame(UnboundedFollowing, UnboundedFollowing), Typ: Int64}, nil, "UNBOUNDED FOLLOWING"},
		{"foreign column", &WindowCall{Name: WinFirstValue, Args: []Expr{NewColumnRef(other)}, Frame: DefaultFrame(false), Typ: Int64}, nil, "not in the input"},
		{"foreign key", &WindowCall{Name: WinRowNumber, Frame: DefaultFrame(false), Typ: Int64}, []Expr{NewColumnRef(other)}, "not in the input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewWindow(in, c.keys, nil, []*WindowCall{c.call}, col())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// countLike is an aggregate named count; only its name matters to the planner.
type countLike struct{}

func (countLike) Name() string                                        { return "count" }
func (countLike) ReturnType([]arrow.DataType) (arrow.DataType, error) { return Int64, nil }
func (countLike) Volatility() udf.Volatility                          { return udf.Immutable }
func (countLike) Doc() string                                         { return "" }
func (countLike) StateTypes([]arrow.DataType) ([]arrow.DataType, error) {
	return []arrow.DataType{Int64}, nil
}
func (countLike) NewAccumulator([]arrow.DataType, memory.Allocator) (udf.GroupAccumulator, error) {
	return nil, nil
}
