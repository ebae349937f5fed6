package binder

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// Parameters (? markers) are given their values before binding: SetParams stores each value,
// already a typed planner.Literal, in its marker node of the parsed tree, and bindExpr reads
// it back there (bindParam). The values thus travel with the statement through whatever
// binds it (a SELECT, the query under EXPLAIN, a DML statement's query) without the Binder
// holding per-call state; a view's text is parsed again at every use, so a marker in a view
// never has a value.

// DecimalParam is implemented by parameter values that bind as an exact DECIMAL literal (the
// database/sql driver's Decimal): DecimalString returns "[-]digits[.digits]", at most 38
// digits; the literal's precision and scale are those of the digits written (1.50 is
// DECIMAL(3,2)).
type DecimalParam interface {
	DecimalString() string
}

// paramValue is what SetParams stores in a marker given a non-NULL value.
type paramValue struct {
	lit *planner.Literal
}

// paramTree returns the parsed tree of a statement whose ? markers take parameters (nil when
// the statement has none).
func paramTree(st parser.Statement) ast.Node {
	switch x := st.(type) {
	case *parser.Query:
		return x.Node
	case *parser.CreateView:
		return x.Query.Node
	case *parser.CreateTableUsing:
		if x.AsSelect != nil {
			return x.AsSelect.Node
		}
	}
	return nil
}

// markersOf returns the ? markers of a parsed tree in the order they are written (the order
// of their text positions; TiDB's Accept order is not always the text order).
func markersOf(n ast.Node) []ast.ParamMarkerExpr {
	if n == nil {
		return nil
	}
	c := &markerCollector{}
	n.Accept(c)
	sort.SliceStable(c.found, func(i, j int) bool {
		return c.found[i].OriginTextPosition() < c.found[j].OriginTextPosition()
	})
	return c.found
}

type markerCollector struct{ found []ast.ParamMarkerExpr }

func (c *markerCollector) Enter(n ast.Node) (ast.Node, bool) {
	if m, ok := n.(ast.ParamMarkerExpr); ok {
		c.found = append(c.found, m)
	}
	return n, false
}

func (c *markerCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// SetParams gives the ? markers of the parsed statements of one script the values params:
// the markers of the first statement first, each statement's in the order they are written.
// The markers are those of a Query, of the query of a CREATE VIEW (whose binding at CREATE
// then succeeds, but the view's text, bound again at every use, has none: the CREATE fails
// naming the view) and of the AS SELECT of a CREATE TABLE. The number of markers must equal
// len(params) (a plan error naming both counts otherwise). A value is one of: nil (NULL),
// int64 and the other Go integer types (BIGINT; an unsigned value past BIGINT's range is
// DECIMAL(20,0)), float64 or float32 (DOUBLE), string or []byte (VARCHAR; the bytes are
// copied), bool (BOOLEAN), time.Time (TIMESTAMP, its instant in UTC to the microsecond), or
// a DecimalParam (DECIMAL). Any other type is a plan error naming the parameter. The trees
// are changed in place: parse the text again to bind other values.
func SetParams(stmts []parser.Statement, params []any) error {
	var markers []ast.ParamMarkerExpr
	for _, st := range stmts {
		markers = append(markers, markersOf(paramTree(st))...)
	}
	if len(markers) != len(params) {
		return errs.Planf("the SQL has %s but %s given", countOf(len(markers), "parameter marker (?)", "parameter markers (?)"),
			countOf(len(params), "argument was", "arguments were"))
	}
	for i, m := range markers {
		lit, err := paramLiteral(params[i], i+1)
		if err != nil {
			return err
		}
		if lit.Value == nil {
			// A NULL keeps the marker's value nil, so that the binder's checks for a non-NULL
			// constant (count(?) is count(*) only for a non-NULL argument) see a NULL; the
			// type NULL marks the marker as given.
			m.SetValue(nil)
			m.SetType(types.NewFieldType(mysql.TypeNull))
			continue
		}
		m.SetValue(paramValue{lit: lit})
	}
	return nil
}

// countOf renders "1 thing" or "n things".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// paramLiteral converts the value of parameter pos (1-based, for messages) into a typed
// literal, by the rules of SetParams.
func paramLiteral(v any, pos int) (*planner.Literal, error) {
	switch x := v.(type) {
	case nil:
		return planner.NewLiteral(nil, planner.Null), nil
	case int64:
		return planner.NewLiteral(x, planner.Int64), nil
	case int:
		return planner.NewLiteral(int64(x), planner.Int64), nil
	case int32:
		return planner.NewLiteral(int64(x), planner.Int64), nil
	case int16:
		return planner.NewLiteral(int64(x), planner.Int64), nil
	case int8:
		return planner.NewLiteral(int64(x), planner.Int64), nil
	case uint64:
		return unsignedLiteral(x), nil
	case uint:
		return unsignedLiteral(uint64(x)), nil
	case uint32:
		return planner.NewLiteral(int64(x), planner.Int64), nil
	case uint16:
		return planner.NewLiteral(int64(x), planner.Int64), nil
	case uint8:
		return planner.NewLiteral(int64(x), planner.Int64), nil
	case float64:
		return planner.NewLiteral(x, planner.Float64), nil
	case float32:
		return planner.NewLiteral(float64(x), planner.Float64), nil
	case string:
		return planner.NewLiteral(x, planner.String), nil
	case []byte:
		return planner.NewLiteral(string(x), planner.String), nil
	case bool:
		return planner.NewLiteral(x, planner.Boolean), nil
	case time.Time:
		return planner.NewLiteral(arrow.Timestamp(x.UnixMicro()), planner.Timestamp), nil
	case DecimalParam:
		str := x.DecimalString()
		lit, ok := decimalLiteral(str)
		if !ok {
			return nil, errs.Planf("parameter %d: %q is not a DECIMAL of at most %d digits", pos, str, planner.MaxDecimalPrecision)
		}
		return lit, nil
	}
	return nil, errs.Planf("parameter %d has unsupported type %T", pos, v)
}

// unsignedLiteral is BIGINT when x fits, else DECIMAL(20,0).
func unsignedLiteral(x uint64) *planner.Literal {
	if x <= math.MaxInt64 {
		return planner.NewLiteral(int64(x), planner.Int64)
	}
	lit, _ := decimalLiteral(strconv.FormatUint(x, 10))
	return lit
}

// bindParam binds a ? marker to the literal SetParams stored in it (a fresh copy: a marker
// may be bound more than once, as ORDER BY and GROUP BY rebind expressions).
func (s *state) bindParam(m ast.ParamMarkerExpr) (planner.Expr, error) {
	v, ok := m.GetValue().(paramValue)
	if !ok && m.GetValue() == nil && m.GetType().GetType() == mysql.TypeNull {
		return planner.NewLiteral(nil, planner.Null), nil
	}
	if !ok {
		return nil, errs.Planf("parameter marker ?%s has no value: %s", s.markerAt(m), paramHint(s))
	}
	return planner.NewLiteral(v.lit.Value, v.lit.Typ), nil
}

// markerAt returns " at line L, column C" for a marker, or "" when its recorded position is
// not a '?' of the statement's text (state.at finds names, which a marker is not).
func (s *state) markerAt(m ast.ParamMarkerExpr) string {
	o := m.OriginTextPosition()
	if s.q == nil || o < 0 || o >= len(s.sql) || s.sql[o] != '?' {
		return ""
	}
	line, col := s.q.Position(o)
	return fmt.Sprintf(" at line %d, column %d", line, col)
}

// paramHint says why a marker has no value where it is.
func paramHint(s *state) string {
	if len(s.views) > 0 {
		return fmt.Sprintf("view %s cannot use parameters", s.views[len(s.views)-1])
	}
	return "pass one argument per marker"
}
