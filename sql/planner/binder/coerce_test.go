package binder

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

func col(t arrow.DataType) planner.Expr {
	return planner.NewColumnRef(planner.NewColumn("c", "", t, true))
}

func lit(v any, t arrow.DataType) planner.Expr { return planner.NewLiteral(v, t) }

func TestCommonType(t *testing.T) {
	cases := []struct {
		name  string
		ctx   coerceCtx
		exprs []planner.Expr
		want  string // "" when the types must not meet
	}{
		{"same ints", compareCtx, []planner.Expr{col(planner.Int32), col(planner.Int32)}, "INT"},
		{"mixed ints", compareCtx, []planner.Expr{col(planner.Int32), col(planner.Int64)}, "BIGINT"},
		{"int and fitting literal", compareCtx, []planner.Expr{col(planner.Int16), lit(int64(300), planner.Int64)}, "SMALLINT"},
		{"int and wide literal", compareCtx, []planner.Expr{col(planner.Int32), lit(int64(5_000_000_000), planner.Int64)}, "BIGINT"},
		// 13 integer digits from (15,2), scale 4 from (10,4).
		{"decimals", compareCtx, []planner.Expr{col(planner.Decimal(15, 2)), col(planner.Decimal(10, 4))}, "DECIMAL(17,4)"},
		// 38 integer digits and scale 5 need 43: scale gives way down to min(5, 6).
		{"decimal capped", compareCtx, []planner.Expr{col(planner.Decimal(38, 0)), col(planner.Decimal(10, 5))}, "DECIMAL(38,5)"},
		{"int and decimal", compareCtx, []planner.Expr{col(planner.Int64), col(planner.Decimal(5, 2))}, "DECIMAL(21,2)"},
		{"floats", compareCtx, []planner.Expr{col(planner.Float32), col(planner.Float32)}, "FLOAT"},
		{"float and int", compareCtx, []planner.Expr{col(planner.Float32), col(planner.Int32)}, "DOUBLE"},
		{"null adopts", unionCtx, []planner.Expr{lit(nil, planner.Null), col(planner.Date)}, "DATE"},
		{"all null", unionCtx, []planner.Expr{lit(nil, planner.Null)}, "NULL"},
		{"date and timestamp", compareCtx, []planner.Expr{col(planner.Date), col(planner.Timestamp)}, "TIMESTAMP"},
		{"string column and date: compare", compareCtx, []planner.Expr{col(planner.String), col(planner.Date)}, "DATE"},
		{"string column and date: union", unionCtx, []planner.Expr{col(planner.String), col(planner.Date)}, "VARCHAR"},
		{"string column and int: compare", compareCtx, []planner.Expr{col(planner.String), col(planner.Int32)}, "DOUBLE"},
		{"string column and int: union", unionCtx, []planner.Expr{col(planner.String), col(planner.Int32)}, "VARCHAR"},
		{"bool and int", compareCtx, []planner.Expr{col(planner.Boolean), col(planner.Int32)}, "INT"},
		{"bool and date", compareCtx, []planner.Expr{col(planner.Boolean), col(planner.Date)}, ""},
		{"bool and string: compare", compareCtx, []planner.Expr{col(planner.Boolean), col(planner.String)}, ""},
		{"bool and string: union", unionCtx, []planner.Expr{col(planner.Boolean), col(planner.String)}, "VARCHAR"},
		{"binary types meet only themselves", unionCtx, []planner.Expr{col(arrow.BinaryTypes.Binary), col(arrow.BinaryTypes.Binary)}, "BLOB"},
		{"binary and string", unionCtx, []planner.Expr{col(arrow.BinaryTypes.Binary), col(planner.String)}, ""},
	}
	for _, tc := range cases {
		got, _, _, ok := commonType(tc.ctx, tc.exprs)
		switch {
		case tc.want == "" && ok:
			t.Errorf("%s: got %s, want an error", tc.name, planner.TypeString(got))
		case tc.want != "" && (!ok || planner.TypeString(got) != tc.want):
			t.Errorf("%s: got %v (ok=%v), want %s", tc.name, got, ok, tc.want)
		}
	}
}

func TestArithTypes(t *testing.T) {
	d152 := planner.Decimal(15, 2)
	cases := []struct {
		op           planner.BinaryOp
		l, r         planner.Expr
		lt, rt, want string // want "" when the operands must not combine
	}{
		{planner.OpAdd, col(planner.Int32), col(planner.Int16), "BIGINT", "BIGINT", "BIGINT"},
		{planner.OpMod, col(planner.Int32), col(planner.Int64), "BIGINT", "BIGINT", "BIGINT"},
		{planner.OpIntDiv, col(planner.Int32), col(planner.Int64), "BIGINT", "BIGINT", "BIGINT"},
		// MySQL: int / int is DECIMAL; BIGINT holds DECIMAL(19,0): (19+0+4, 0+4).
		{planner.OpDiv, col(planner.Int64), col(planner.Int64), "DECIMAL(19,0)", "DECIMAL(19,0)", "DECIMAL(23,4)"},
		{planner.OpDiv, col(planner.Int64), lit(int64(7), planner.Int64), "DECIMAL(19,0)", "DECIMAL(1,0)", "DECIMAL(23,4)"},
		// (15,2) and (10,4): operands (17,4), one more digit for the carry.
		{planner.OpSub, col(d152), col(planner.Decimal(10, 4)), "DECIMAL(17,4)", "DECIMAL(17,4)", "DECIMAL(18,4)"},
		{planner.OpAdd, col(d152), col(planner.Int32), "DECIMAL(15,2)", "DECIMAL(15,2)", "DECIMAL(16,2)"},
		{planner.OpMul, col(d152), col(planner.Int32), "DECIMAL(15,2)", "DECIMAL(10,0)", "DECIMAL(25,2)"},
		// (40,20) capped: 20 integer digits kept, scale 38-20.
		{planner.OpMul, col(planner.Decimal(20, 10)), col(planner.Decimal(20, 10)), "DECIMAL(20,10)", "DECIMAL(20,10)", "DECIMAL(38,20)"}, // MySQL keeps the scale; the integer digits give way
		// (15,2)/(5,3): integer digits 13+3, scale 2+4.
		{planner.OpDiv, col(d152), col(planner.Decimal(5, 3)), "DECIMAL(15,2)", "DECIMAL(5,3)", "DECIMAL(22,6)"},
		{planner.OpMod, col(d152), col(planner.Decimal(5, 3)), "DECIMAL(16,3)", "DECIMAL(16,3)", "DECIMAL(16,3)"},
		{planner.OpIntDiv, col(d152), col(planner.Int32), "DECIMAL(15,2)", "DECIMAL(15,2)", "BIGINT"},
		{planner.OpDiv, col(d152), col(planner.Float32), "DOUBLE", "DOUBLE", "DOUBLE"},
		{planner.OpIntDiv, col(planner.Float64), col(planner.Int32), "DOUBLE", "DOUBLE", "BIGINT"},
		{planner.OpAdd, col(planner.Date), col(planner.Int32), "", "", ""},
		{planner.OpAdd, col(planner.Boolean), col(planner.Int32), "", "", ""},
	}
	for _, tc := range cases {
		lt, rt, res, ok := arithTypes(tc.op, tc.l, tc.r)
		if tc.want == "" {
			if ok {
				t.Errorf("%s %s %s: got %s, want an error", tc.l.Type(), tc.op, tc.r.Type(), planner.TypeString(res))
			}
			continue
		}
		if !ok || planner.TypeString(lt) != tc.lt || planner.TypeString(rt) != tc.rt || planner.TypeString(res) != tc.want {
			t.Errorf("%s %s %s: got %v %v -> %v (ok=%v), want %s %s -> %s", planner.TypeString(tc.l.Type()), tc.op, planner.TypeString(tc.r.Type()),
				lt, rt, res, ok, tc.lt, tc.rt, tc.want)
		}
	}
}

func TestCastToFoldsLiterals(t *testing.T) {
	cases := []struct {
		in   planner.Expr
		to   arrow.DataType
		want string // the result's text; "error" when it must fail
	}{
		{lit(int64(7), planner.Int64), planner.Decimal(5, 2), "7.00"},
		{lit(int64(7), planner.Int64), planner.Decimal(2, 2), "CAST(7 AS DECIMAL(2,2))"}, // does not fit: left to run time
		{lit(int64(7), planner.Int64), planner.Float64, "7"},
		{lit(int64(300), planner.Int64), planner.Int8, "CAST(300 AS TINYINT)"},
		{lit("12", planner.String), planner.Int64, "12"},
		{lit("1.25", planner.String), planner.Decimal(10, 3), "1.250"},
		{lit("abc", planner.String), planner.Int64, "error"},
		{lit("1999-02-03", planner.String), planner.Date, "DATE '1999-02-03'"},
		{lit("1999-02-30", planner.String), planner.Date, "error"},
		{lit("1999-02-03 04:05:06.5", planner.String), planner.Timestamp, "TIMESTAMP '1999-02-03 04:05:06.5'"},
		{lit(nil, planner.Null), planner.Date, "NULL"},
		{col(planner.Int32), planner.Int64, "CAST(c AS BIGINT)"},
	}
	for _, tc := range cases {
		got, err := castTo(tc.in, tc.to, "test")
		switch {
		case tc.want == "error":
			if err == nil {
				t.Errorf("castTo(%s, %s) = %s, want an error", tc.in, planner.TypeString(tc.to), got)
			}
		case err != nil:
			t.Errorf("castTo(%s, %s): %v", tc.in, planner.TypeString(tc.to), err)
		case got.String() != tc.want || !arrow.TypeEqual(got.Type(), tc.to):
			t.Errorf("castTo(%s, %s) = %s of %s, want %s", tc.in, planner.TypeString(tc.to), got, planner.TypeString(got.Type()), tc.want)
		}
	}
}
