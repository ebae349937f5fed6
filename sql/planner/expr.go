package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/udf"
)

// Expr is a bound, typed logical expression. Expressions are immutable values: WithChildren
// returns a new expression (or the same one when the children are the same pointers).
type Expr interface {
	// Type is the result type. It is fixed at construction (by the binder), never inferred later.
	Type() arrow.DataType
	// Nullable reports whether the result may be NULL.
	Nullable() bool
	Children() []Expr
	// WithChildren returns a copy with the given children (same count as Children()).
	WithChildren(children []Expr) Expr
	// String renders the expression in SQL-like text for EXPLAIN and errors. It never shows
	// column IDs.
	String() string
}

// ColumnRef reads the column with Col.ID from the node's input.
type ColumnRef struct{ Col Column }

func (e *ColumnRef) Type() arrow.DataType       { return e.Col.Type }
func (e *ColumnRef) Nullable() bool             { return e.Col.Nullable }
func (e *ColumnRef) Children() []Expr           { return nil }
func (e *ColumnRef) WithChildren(c []Expr) Expr { return e }
func (e *ColumnRef) String() string             { return e.Col.QualifiedName() }
func NewColumnRef(c Column) *ColumnRef          { return &ColumnRef{Col: c} }

// Literal is a constant. Value holds one of: nil (NULL), bool, int64 (all integer types),
// float64 (FLOAT and DOUBLE), decimal128.Num (scaled by the type's scale), string,
// arrow.Date32, arrow.Timestamp (microseconds).
type Literal struct {
	Value any
	Typ   arrow.DataType
}

func (e *Literal) Type() arrow.DataType       { return e.Typ }
func (e *Literal) Nullable() bool             { return e.Value == nil }
func (e *Literal) Children() []Expr           { return nil }
func (e *Literal) WithChildren(c []Expr) Expr { return e }
func (e *Literal) String() string             { return FormatValue(e.Value, e.Typ, true) }

// NewLiteral returns a literal of the given value and type.
func NewLiteral(v any, t arrow.DataType) *Literal { return &Literal{Value: v, Typ: t} }

// FormatValue renders a literal value; quoted wraps strings and dates in SQL quotes.
func FormatValue(v any, t arrow.DataType, quoted bool) string {
	if v == nil {
		return "NULL"
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		if quoted {
			return "'" + strings.ReplaceAll(x, "'", "''") + "'"
		}
		return x
	case decimal128.Num:
		s := int32(0)
		if dt, ok := t.(*arrow.Decimal128Type); ok {
			s = dt.Scale
		}
		return FormatDecimal(x, s)
	case arrow.Date32:
		d := x.FormattedString()
		if quoted {
			return "DATE '" + d + "'"
		}
		return d
	case []any:
		// An array literal (folded array(...)), printed as the shell prints arrays.
		parts := make([]string, len(x))
		var et arrow.DataType
		if lt, ok := t.(arrow.ListLikeType); ok {
			et = lt.Elem()
		}
		for i, v := range x {
			parts[i] = FormatValue(v, et, quoted)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case arrow.Timestamp:
		ts := x.ToTime(arrow.Microsecond).Format("2006-01-02 15:04:05.999999")
		if quoted {
			return "TIMESTAMP '" + ts + "'"
		}
		return ts
	}
	return fmt.Sprint(v)
}

// FormatDecimal renders a scaled decimal with exactly scale fractional digits.
func FormatDecimal(n decimal128.Num, scale int32) string {
	neg := n.Sign() < 0
	if neg {
		n = n.Negate()
	}
	s := n.BigInt().String()
	if scale > 0 {
		for int32(len(s)) <= scale {
			s = "0" + s
		}
		s = s[:int32(len(s))-scale] + "." + s[int32(len(s))-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// BinaryOp is an infix operator.
type BinaryOp string

// The binary operators. Arithmetic operands are coerced by the binder: + and - see one
// common type; * and / on decimals keep their own scales (the result scale is s1+s2 for *, and
// s1+4 for /, MySQL's div_precision_increment); integer / integer is DECIMAL as in MySQL.
// Comparison operands always have one common type. AND/OR follow three-valued logic.
const (
	OpAdd    BinaryOp = "+"
	OpSub    BinaryOp = "-"
	OpMul    BinaryOp = "*"
	OpDiv    BinaryOp = "/"
	OpIntDiv BinaryOp = "DIV"
	OpMod    BinaryOp = "%"
	OpEq     BinaryOp = "="
	OpNe     BinaryOp = "<>"
	OpLt     BinaryOp = "<"
	OpLe     BinaryOp = "<="
	OpGt     BinaryOp = ">"
	OpGe     BinaryOp = ">="
	OpAnd    BinaryOp = "AND"
	OpOr     BinaryOp = "OR"
)

// IsComparison reports whether op is = <> < <= > >=.
func (op BinaryOp) IsComparison() bool {
	switch op {
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		return true
	}
	return false
}

// IsArithmetic reports whether op is + - * / DIV %.
func (op BinaryOp) IsArithmetic() bool {
	switch op {
	case OpAdd, OpSub, OpMul, OpDiv, OpIntDiv, OpMod:
		return true
	}
	return false
}

// Binary is "Left Op Right" with result type Typ.
type Binary struct {
	Op          BinaryOp
	Left, Right Expr
	Typ         arrow.DataType
}

func (e *Binary) Type() arrow.DataType { return e.Typ }
func (e *Binary) Nullable() bool {
	// Division by zero yields NULL in MySQL.
	return e.Left.Nullable() || e.Right.Nullable() || e.Op == OpDiv || e.Op == OpIntDiv || e.Op == OpMod
}
func (e *Binary) Children() []Expr { return []Expr{e.Left, e.Right} }
func (e *Binary) WithChildren(c []Expr) Expr {
	if c[0] == e.Left && c[1] == e.Right {
		return e
	}
	return &Binary{Op: e.Op, Left: c[0], Right: c[1], Typ: e.Typ}
}
func (e *Binary) String() string {
	return "(" + e.Left.String() + " " + string(e.Op) + " " + e.Right.String() + ")"
}

// Not is boolean negation (NULL stays NULL).
type Not struct{ E Expr }

func (e *Not) Type() arrow.DataType { return Boolean }
func (e *Not) Nullable() bool       { return e.E.Nullable() }
func (e *Not) Children() []Expr     { return []Expr{e.E} }
func (e *Not) WithChildren(c []Expr) Expr {
	if c[0] == e.E {
		return e
	}
	return &Not{E: c[0]}
}
func (e *Not) String() string { return "NOT " + e.E.String() }

// Negate is arithmetic negation.
type Negate struct{ E Expr }

func (e *Negate) Type() arrow.DataType { return e.E.Type() }
func (e *Negate) Nullable() bool       { return e.E.Nullable() }
func (e *Negate) Children() []Expr     { return []Expr{e.E} }
func (e *Negate) WithChildren(c []Expr) Expr {
	if c[0] == e.E {
		return e
	}
	return &Negate{E: c[0]}
}
func (e *Negate) String() string { return "-" + e.E.String() }

// IsNull is "E IS NULL", or "E IS NOT NULL" when Negated. Never NULL itself.
type IsNull struct {
	E       Expr
	Negated bool
}

func (e *IsNull) Type() arrow.DataType { return Boolean }
func (e *IsNull) Nullable() bool       { return false }
func (e *IsNull) Children() []Expr     { return []Expr{e.E} }
func (e *IsNull) WithChildren(c []Expr) Expr {
	if c[0] == e.E {
		return e
	}
	return &IsNull{E: c[0], Negated: e.Negated}
}
func (e *IsNull) String() string {
	if e.Negated {
		return e.E.String() + " IS NOT NULL"
	}
	return e.E.String() + " IS NULL"
}

// Cast converts E to To. A value that cannot be converted is an execution error (as in
// Spark's ANSI mode and DuckDB), never a silent NULL.
type Cast struct {
	E  Expr
	To arrow.DataType
}

func (e *Cast) Type() arrow.DataType { return e.To }
func (e *Cast) Nullable() bool       { return e.E.Nullable() }
func (e *Cast) Children() []Expr     { return []Expr{e.E} }
func (e *Cast) WithChildren(c []Expr) Expr {
	if c[0] == e.E {
		return e
	}
	return &Cast{E: c[0], To: e.To}
}
func (e *Cast) String() string { return "CAST(" + e.E.String() + " AS " + TypeString(e.To) + ")" }

// When is one WHEN ... THEN ... arm of a Case.
type When struct{ Cond, Then Expr }

// Case is a searched CASE; the binder turns the simple form into this one. Every Then and
// Else has type Typ. Else is nil when absent (NULL).
type Case struct {
	Whens []When
	Else  Expr
	Typ   arrow.DataType
}

func (e *Case) Type() arrow.DataType { return e.Typ }
func (e *Case) Nullable() bool {
	if e.Else == nil || e.Else.Nullable() {
		return true
	}
	for _, w := range e.Whens {
		if w.Then.Nullable() {
			return true
		}
	}
	return false
}
func (e *Case) Children() []Expr {
	c := make([]Expr, 0, 2*len(e.Whens)+1)
	for _, w := range e.Whens {
		c = append(c, w.Cond, w.Then)
	}
	if e.Else != nil {
		c = append(c, e.Else)
	}
	return c
}
func (e *Case) WithChildren(c []Expr) Expr {
	if sameExprs(c, e.Children()) {
		return e
	}
	n := &Case{Typ: e.Typ, Whens: make([]When, len(e.Whens))}
	for i := range e.Whens {
		n.Whens[i] = When{Cond: c[2*i], Then: c[2*i+1]}
	}
	if e.Else != nil {
		n.Else = c[len(c)-1]
	}
	return n
}
func (e *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, w := range e.Whens {
		b.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Then.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE " + e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}

// InList is "E [NOT] IN (List...)"; every list item has E's type. SQL semantics: NULL when E
// is NULL, or when no item matches and some item is NULL.
type InList struct {
	E       Expr
	List    []Expr
	Negated bool
}

func (e *InList) Type() arrow.DataType { return Boolean }
func (e *InList) Nullable() bool {
	if e.E.Nullable() {
		return true
	}
	for _, x := range e.List {
		if x.Nullable() {
			return true
		}
	}
	return false
}
func (e *InList) Children() []Expr { return append([]Expr{e.E}, e.List...) }
func (e *InList) WithChildren(c []Expr) Expr {
	if sameExprs(c, e.Children()) {
		return e
	}
	return &InList{E: c[0], List: append([]Expr(nil), c[1:]...), Negated: e.Negated}
}
func (e *InList) String() string {
	items := make([]string, len(e.List))
	for i, x := range e.List {
		items[i] = x.String()
	}
	not := ""
	if e.Negated {
		not = "NOT "
	}
	return e.E.String() + " " + not + "IN (" + strings.Join(items, ", ") + ")"
}

// Like is "E [NOT] LIKE Pattern [ESCAPE Escape]", with % and _ wildcards; case sensitive.
type Like struct {
	E, Pattern Expr
	Negated    bool
	Escape     byte
}

func (e *Like) Type() arrow.DataType { return Boolean }
func (e *Like) Nullable() bool       { return e.E.Nullable() || e.Pattern.Nullable() }
func (e *Like) Children() []Expr     { return []Expr{e.E, e.Pattern} }
func (e *Like) WithChildren(c []Expr) Expr {
	if c[0] == e.E && c[1] == e.Pattern {
		return e
	}
	return &Like{E: c[0], Pattern: c[1], Negated: e.Negated, Escape: e.Escape}
}
func (e *Like) String() string {
	not := ""
	if e.Negated {
		not = "NOT "
	}
	return e.E.String() + " " + not + "LIKE " + e.Pattern.String()
}

// ScalarFunc calls a scalar function of the udf registry.
type ScalarFunc struct {
	Fn   udf.ScalarFunction
	Args []Expr
	Typ  arrow.DataType
}

func (e *ScalarFunc) Type() arrow.DataType { return e.Typ }
func (e *ScalarFunc) Nullable() bool       { return true }
func (e *ScalarFunc) Children() []Expr     { return e.Args }
func (e *ScalarFunc) WithChildren(c []Expr) Expr {
	if sameExprs(c, e.Args) {
		return e
	}
	return &ScalarFunc{Fn: e.Fn, Args: c, Typ: e.Typ}
}
func (e *ScalarFunc) String() string { return callString(e.Fn.Name(), false, e.Args) }

// AggregateCall is one aggregate of an Aggregate node (it appears nowhere else). count(*)
// has no arguments. OrderBy is the ORDER BY inside the call (group_concat(x ORDER BY y));
// when it is set, Fn is a udf.OrderedAggregateFunction and the executor passes the keys'
// values after the arguments. Children are the arguments then the order keys' expressions.
type AggregateCall struct {
	Fn       udf.AggregateFunction
	Args     []Expr
	Distinct bool
	OrderBy  []SortKey
	Typ      arrow.DataType
}

func (e *AggregateCall) Type() arrow.DataType { return e.Typ }
func (e *AggregateCall) Nullable() bool       { return e.Fn.Name() != "count" }
func (e *AggregateCall) Children() []Expr {
	if len(e.OrderBy) == 0 {
		return e.Args
	}
	c := append(make([]Expr, 0, len(e.Args)+len(e.OrderBy)), e.Args...)
	for _, k := range e.OrderBy {
		c = append(c, k.Expr)
	}
	return c
}
func (e *AggregateCall) WithChildren(c []Expr) Expr {
	if sameExprs(c, e.Children()) {
		return e
	}
	n := len(e.Args)
	var order []SortKey
	if len(e.OrderBy) > 0 {
		order = make([]SortKey, len(e.OrderBy))
		for i, k := range e.OrderBy {
			order[i] = SortKey{Expr: c[n+i], Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
	}
	return &AggregateCall{Fn: e.Fn, Args: c[:n:n], Distinct: e.Distinct, OrderBy: order, Typ: e.Typ}
}

// String renders the call; an ORDER BY key shows its NULL order only where it is not the
// default (NULLs first under ASC, last under DESC).
func (e *AggregateCall) String() string {
	if len(e.Args) == 0 {
		return e.Fn.Name() + "(*)"
	}
	s := callString(e.Fn.Name(), e.Distinct, e.Args)
	if len(e.OrderBy) == 0 {
		return s
	}
	keys := make([]string, len(e.OrderBy))
	for i, k := range e.OrderBy {
		keys[i] = k.Expr.String()
		if k.Desc {
			keys[i] += " DESC"
		}
		switch {
		case k.Desc && k.NullsFirst:
			keys[i] += " NULLS FIRST"
		case !k.Desc && !k.NullsFirst:
			keys[i] += " NULLS LAST"
		}
	}
	return s[:len(s)-1] + " ORDER BY " + strings.Join(keys, ", ") + ")"
}

func callString(name string, distinct bool, args []Expr) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	d := ""
	if distinct {
		d = "DISTINCT "
	}
	return name + "(" + d + strings.Join(parts, ", ") + ")"
}

func sameExprs(a, b []Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// SortKey is one ORDER BY key. NullsFirst is explicit: the binder fills MySQL's default
// (NULLs first under ASC, last under DESC) when the query does not say.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

func (k SortKey) String() string {
	s := k.Expr.String()
	if k.Desc {
		s += " DESC"
	} else {
		s += " ASC"
	}
	if k.NullsFirst {
		s += " NULLS FIRST"
	} else {
		s += " NULLS LAST"
	}
	return s
}

// ColumnsOf returns the IDs of all columns an expression reads.
func ColumnsOf(e Expr, into map[ColumnID]bool) map[ColumnID]bool {
	if into == nil {
		into = map[ColumnID]bool{}
	}
	WalkExpr(e, func(x Expr) bool {
		if c, ok := x.(*ColumnRef); ok {
			into[c.Col.ID] = true
		}
		return true
	})
	return into
}

// SplitConjunction returns the AND-ed parts of e (e itself when it is not an AND).
func SplitConjunction(e Expr) []Expr {
	if b, ok := e.(*Binary); ok && b.Op == OpAnd {
		return append(SplitConjunction(b.Left), SplitConjunction(b.Right)...)
	}
	return []Expr{e}
}

// Conjunction ANDs the expressions together; nil for none.
func Conjunction(es []Expr) Expr {
	var out Expr
	for _, e := range es {
		if out == nil {
			out = e
		} else {
			out = &Binary{Op: OpAnd, Left: out, Right: e, Typ: Boolean}
		}
	}
	return out
}

// AddInterval is "E + INTERVAL ..." (or minus, with negated amounts) on a DATE or TIMESTAMP:
// MySQL's month arithmetic clamps to the month's last day (Jan 31 + 1 month = Feb 28/29).
// Adding days or time to a DATE with Micros != 0 yields a TIMESTAMP (Typ says which).
type AddInterval struct {
	E      Expr
	Months int32
	Days   int32
	Micros int64
	Typ    arrow.DataType
}

func (e *AddInterval) Type() arrow.DataType { return e.Typ }
func (e *AddInterval) Nullable() bool       { return e.E.Nullable() }
func (e *AddInterval) Children() []Expr     { return []Expr{e.E} }
func (e *AddInterval) WithChildren(c []Expr) Expr {
	if c[0] == e.E {
		return e
	}
	n := *e
	n.E = c[0]
	return &n
}
func (e *AddInterval) String() string {
	return fmt.Sprintf("(%s + INTERVAL months=%d days=%d micros=%d)", e.E, e.Months, e.Days, e.Micros)
}
