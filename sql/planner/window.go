package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/udf"
)

// The window functions that are not aggregates (WindowCall.Name when WindowCall.Agg is nil).
const (
	WinRowNumber   = "row_number"
	WinRank        = "rank"
	WinDenseRank   = "dense_rank"
	WinPercentRank = "percent_rank"
	WinCumeDist    = "cume_dist"
	WinNtile       = "ntile"
	WinLag         = "lag"
	WinLead        = "lead"
	WinFirstValue  = "first_value"
	WinLastValue   = "last_value"
	WinNthValue    = "nth_value"
)

// windowArity is the number of Args each non-aggregate window function takes (after the
// binder filled defaults: lag and lead always carry their offset and default).
var windowArity = map[string]int{
	WinRowNumber: 0, WinRank: 0, WinDenseRank: 0, WinPercentRank: 0, WinCumeDist: 0,
	WinNtile: 1, WinLag: 3, WinLead: 3, WinFirstValue: 1, WinLastValue: 1, WinNthValue: 2,
}

// UsesFrame reports whether a window function's result depends on the frame: aggregates and
// first_value, last_value, nth_value. Ranking functions, ntile, lag and lead ignore it (as in
// MySQL, DuckDB and Spark).
func (c *WindowCall) UsesFrame() bool {
	switch c.Name {
	case WinFirstValue, WinLastValue, WinNthValue:
		return true
	}
	return c.Agg != nil
}

// FrameUnit is ROWS or RANGE.
type FrameUnit int

const (
	// FrameRows counts offsets in rows.
	FrameRows FrameUnit = iota
	// FrameRange compares ORDER BY key values: CURRENT ROW includes the row's peers.
	FrameRange
)

// BoundKind is where a frame bound lies relative to the current row.
type BoundKind int

const (
	UnboundedPreceding BoundKind = iota
	Preceding
	CurrentRow
	Following
	UnboundedFollowing
)

// FrameBound is one end of a frame. N is the offset of ROWS n PRECEDING/FOLLOWING. For RANGE
// n PRECEDING/FOLLOWING, Value computes, per row, the ORDER BY key value at which the frame
// ends (key - n or key + n with the key's direction already applied: n PRECEDING under DESC
// is key + n); it has the type of the frame's RangeKey. Text is the offset as written, for
// EXPLAIN.
type FrameBound struct {
	Kind  BoundKind
	N     int64
	Value Expr
	Text  string
}

func (b FrameBound) String() string {
	switch b.Kind {
	case UnboundedPreceding:
		return "UNBOUNDED PRECEDING"
	case UnboundedFollowing:
		return "UNBOUNDED FOLLOWING"
	case CurrentRow:
		return "CURRENT ROW"
	}
	off := b.Text
	if off == "" {
		off = strconv.FormatInt(b.N, 10)
	}
	if b.Kind == Preceding {
		return off + " PRECEDING"
	}
	return off + " FOLLOWING"
}

// WindowFrame is ROWS|RANGE BETWEEN Start AND End. RangeKey is set exactly when a RANGE
// bound has an offset: the single ORDER BY key, cast to the type of the bounds' Values.
type WindowFrame struct {
	Unit     FrameUnit
	Start    FrameBound
	End      FrameBound
	RangeKey Expr
}

// DefaultFrame is the frame of a window without a frame clause: RANGE BETWEEN UNBOUNDED
// PRECEDING AND CURRENT ROW with ORDER BY (the row and its peers), the whole partition
// without.
func DefaultFrame(ordered bool) WindowFrame {
	if ordered {
		return WindowFrame{Unit: FrameRange, Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: CurrentRow}}
	}
	return WindowFrame{Unit: FrameRows, Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: UnboundedFollowing}}
}

// Validate checks the frame's shape: the start is not UNBOUNDED FOLLOWING, the end not
// UNBOUNDED PRECEDING, the start does not come after the end by kind (CURRENT ROW to n
// PRECEDING, n FOLLOWING to CURRENT ROW or n PRECEDING), ROWS offsets are non-negative,
// and RANGE offsets carry Values and a RangeKey. Messages are lower case, for users.
func (f WindowFrame) Validate() error {
	switch {
	case f.Start.Kind == UnboundedFollowing:
		return fmt.Errorf("a window frame cannot start at UNBOUNDED FOLLOWING")
	case f.End.Kind == UnboundedPreceding:
		return fmt.Errorf("a window frame cannot end at UNBOUNDED PRECEDING")
	case f.Start.Kind > f.End.Kind:
		return fmt.Errorf("a window frame cannot start at %s and end at %s", f.Start, f.End)
	}
	offsets := false
	for _, b := range []FrameBound{f.Start, f.End} {
		if b.Kind != Preceding && b.Kind != Following {
			continue
		}
		if f.Unit == FrameRows && b.N < 0 {
			return fmt.Errorf("window frame offset must be a non-negative integer, got %d", b.N)
		}
		if f.Unit == FrameRange {
			if b.Value == nil {
				return fmt.Errorf("RANGE frame bound %s has no value", b)
			}
			offsets = true
		}
	}
	if offsets != (f.RangeKey != nil) {
		return fmt.Errorf("RANGE frame with offsets needs its key (and only then)")
	}
	return nil
}

func (f WindowFrame) String() string {
	u := "ROWS"
	if f.Unit == FrameRange {
		u = "RANGE"
	}
	return u + " BETWEEN " + f.Start.String() + " AND " + f.End.String()
}

// exprs returns the frame's expressions: RangeKey, then the Values present.
func (f WindowFrame) exprs() []Expr {
	var es []Expr
	if f.RangeKey != nil {
		es = append(es, f.RangeKey)
	}
	for _, b := range []FrameBound{f.Start, f.End} {
		if b.Value != nil {
			es = append(es, b.Value)
		}
	}
	return es
}

// withExprs replaces the frame's expressions in the order of exprs.
func (f WindowFrame) withExprs(es []Expr) WindowFrame {
	i := 0
	if f.RangeKey != nil {
		f.RangeKey, i = es[i], i+1
	}
	if f.Start.Value != nil {
		f.Start.Value, i = es[i], i+1
	}
	if f.End.Value != nil {
		f.End.Value = es[i]
	}
	return f
}

// WindowCall is one window function of a Window node (it appears nowhere else): Agg is an
// aggregate of the registry computed over the frame, or Agg is nil and Name is one of the
// Win* functions. Args per function: none for the ranking functions; ntile: the bucket count
// (a positive BIGINT literal); lag and lead: the value (of type Typ), the offset (a
// non-negative BIGINT literal) and the default (of type Typ); first_value, last_value: the
// value; nth_value: the value and n (a positive BIGINT literal); an aggregate: its arguments
// (none for count(*)). Children are Args followed by the frame's expressions.
type WindowCall struct {
	Name  string
	Agg   udf.AggregateFunction
	Args  []Expr
	Frame WindowFrame
	Typ   arrow.DataType
}

func (e *WindowCall) Type() arrow.DataType { return e.Typ }
func (e *WindowCall) Nullable() bool {
	switch e.Name {
	case WinRowNumber, WinRank, WinDenseRank, WinPercentRank, WinCumeDist, WinNtile:
		return false
	}
	return e.Agg == nil || e.Agg.Name() != "count"
}
func (e *WindowCall) Children() []Expr {
	return append(append([]Expr(nil), e.Args...), e.Frame.exprs()...)
}
func (e *WindowCall) WithChildren(c []Expr) Expr {
	if sameExprs(c, e.Children()) {
		return e
	}
	n := *e
	n.Args = append([]Expr(nil), c[:len(e.Args)]...)
	n.Frame = e.Frame.withExprs(c[len(e.Args):])
	return &n
}

// Call renders the function call alone: name and arguments, count(*) for an aggregate
// without arguments.
func (e *WindowCall) Call() string {
	if e.Agg != nil && len(e.Args) == 0 {
		return e.Name + "(*)"
	}
	return callString(e.Name, false, e.Args)
}

// String renders the call with its frame when the function uses one.
func (e *WindowCall) String() string {
	if e.UsesFrame() {
		return e.Call() + " " + e.Frame.String()
	}
	return e.Call()
}

// validate checks the call's shape (argument count, constant arguments, frame).
func (e *WindowCall) validate() error {
	if e.Agg != nil {
		if e.Name != e.Agg.Name() {
			return fmt.Errorf("window aggregate %s is named %q", e.Agg.Name(), e.Name)
		}
	} else {
		n, ok := windowArity[e.Name]
		if !ok {
			return fmt.Errorf("unknown window function %q", e.Name)
		}
		if len(e.Args) != n {
			return fmt.Errorf("%s takes %d arguments, got %d", e.Name, n, len(e.Args))
		}
		var min int64 = 1
		constArg := -1
		switch e.Name {
		case WinNtile:
			constArg = 0
		case WinLag, WinLead:
			constArg, min = 1, 0
		case WinNthValue:
			constArg = 1
		}
		if constArg >= 0 {
			if v, ok := WindowConstArg(e.Args[constArg]); !ok || v < min {
				return fmt.Errorf("%s argument %d must be an integer constant of at least %d, got %s", e.Name, constArg+1, min, e.Args[constArg])
			}
		}
	}
	if e.Typ == nil {
		return fmt.Errorf("%s has no type", e.Name)
	}
	return e.Frame.Validate()
}

// WindowConstArg reads the integer constant of a window function argument (ntile's bucket
// count, lag's offset, nth_value's n); ok is false when e is not a BIGINT literal.
func WindowConstArg(e Expr) (int64, bool) {
	l, ok := e.(*Literal)
	if !ok {
		return 0, false
	}
	v, ok := l.Value.(int64)
	return v, ok
}

// Window computes window functions that share one PARTITION BY and ORDER BY. Its output is
// the input columns followed by one column per call (Out, in the order of Funcs); it keeps
// the input rows (no row is added or removed). Calls with other partitioning or ordering go
// into another Window node stacked on this one.
type Window struct {
	Input       Plan
	PartitionBy []Expr
	OrderBy     []SortKey
	Funcs       []*WindowCall
	Out         []Column
	schema      Schema
}

// NewWindow validates the node: at least one call, one output column per call, keys and
// calls over input columns only, every call well formed (WindowCall and frame shapes), and
// a RANGE frame with offsets over exactly one ORDER BY key.
func NewWindow(input Plan, partitionBy []Expr, orderBy []SortKey, funcs []*WindowCall, out []Column) (*Window, error) {
	if len(funcs) == 0 {
		return nil, fmt.Errorf("window: no functions")
	}
	if len(out) != len(funcs) {
		return nil, fmt.Errorf("window: %d output columns for %d functions", len(out), len(funcs))
	}
	in := input.Schema()
	if err := checkRefs(in, partitionBy...); err != nil {
		return nil, fmt.Errorf("window: %w", err)
	}
	for _, k := range orderBy {
		if err := checkRefs(in, k.Expr); err != nil {
			return nil, fmt.Errorf("window: %w", err)
		}
	}
	for _, f := range funcs {
		if err := checkRefs(in, f); err != nil {
			return nil, fmt.Errorf("window: %w", err)
		}
		if err := f.validate(); err != nil {
			return nil, fmt.Errorf("window: %s: %w", f.Name, err)
		}
		if f.Frame.RangeKey != nil && len(orderBy) != 1 {
			return nil, fmt.Errorf("window: a RANGE frame with offsets needs exactly one ORDER BY key, got %d", len(orderBy))
		}
	}
	schema := append(append(make(Schema, 0, len(in)+len(out)), in...), out...)
	return &Window{Input: input, PartitionBy: partitionBy, OrderBy: orderBy, Funcs: funcs, Out: out, schema: schema}, nil
}

func (w *Window) Schema() Schema   { return w.schema }
func (w *Window) Children() []Plan { return []Plan{w.Input} }
func (w *Window) WithChildren(c []Plan) (Plan, error) {
	if c[0] == w.Input {
		return w, nil
	}
	return NewWindow(c[0], w.PartitionBy, w.OrderBy, w.Funcs, w.Out)
}

// Exprs returns the partition keys, the order key expressions, then the calls.
func (w *Window) Exprs() []Expr {
	es := append([]Expr(nil), w.PartitionBy...)
	for _, k := range w.OrderBy {
		es = append(es, k.Expr)
	}
	for _, f := range w.Funcs {
		es = append(es, f)
	}
	return es
}

func (w *Window) WithExprs(es []Expr) (Plan, error) {
	if sameExprs(es, w.Exprs()) {
		return w, nil
	}
	np, no := len(w.PartitionBy), len(w.OrderBy)
	order := append([]SortKey(nil), w.OrderBy...)
	for i := range order {
		order[i].Expr = es[np+i]
	}
	funcs := make([]*WindowCall, len(w.Funcs))
	for i := range funcs {
		c, ok := es[np+no+i].(*WindowCall)
		if !ok {
			return nil, fmt.Errorf("window: expression %d must stay a window call, got %s", np+no+i, es[np+no+i])
		}
		funcs[i] = c
	}
	return NewWindow(w.Input, append([]Expr(nil), es[:np]...), order, funcs, w.Out)
}

func (w *Window) String() string {
	order := make([]string, len(w.OrderBy))
	for i, k := range w.OrderBy {
		order[i] = k.String()
	}
	funcs := make([]string, len(w.Funcs))
	for i, f := range w.Funcs {
		funcs[i] = f.String() + " AS " + w.Out[i].Name
	}
	return "Window: partitionBy=[" + joinExprs(w.PartitionBy) + "] orderBy=[" + strings.Join(order, ", ") +
		"] funcs=[" + strings.Join(funcs, ", ") + "]"
}
