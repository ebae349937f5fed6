package kernels

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func TestMakeConstantAndScalarAt(t *testing.T) {
	cases := []struct {
		name string
		v    any
		dt   arrow.DataType
		want string // the same n=3 array through FromJSON
	}{
		{"bool", true, planner.Boolean, `[true, true, true]`},
		{"false", false, planner.Boolean, `[false, false, false]`},
		{"tinyint", int64(-128), planner.Int8, `[-128, -128, -128]`},
		{"smallint", int64(300), planner.Int16, `[300, 300, 300]`},
		{"int", int64(70000), planner.Int32, `[70000, 70000, 70000]`},
		{"bigint", int64(-5), planner.Int64, `[-5, -5, -5]`},
		{"unsigned", int64(255), arrow.PrimitiveTypes.Uint8, `[255, 255, 255]`},
		{"float", 1.5, planner.Float32, `[1.5, 1.5, 1.5]`},
		{"double", -0.25, planner.Float64, `[-0.25, -0.25, -0.25]`},
		{"decimal", decimal128.FromI64(-150), planner.Decimal(5, 2), `["-1.50", "-1.50", "-1.50"]`},
		{"string", "héllo", planner.String, `["héllo", "héllo", "héllo"]`},
		{"empty string", "", planner.String, `["", "", ""]`},
		{"date", arrow.Date32(19723), planner.Date, `["2024-01-01", "2024-01-01", "2024-01-01"]`},
		{"timestamp", arrow.Timestamp(1704067200000001), planner.Timestamp,
			`["2024-01-01 00:00:00.000001", "2024-01-01 00:00:00.000001", "2024-01-01 00:00:00.000001"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			got, err := MakeConstant(mem, c.v, c.dt, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			assertEqual(t, fromJSON(t, mem, c.dt, c.want), got)
			if v := ScalarAt(got, 2); v != c.v {
				t.Fatalf("ScalarAt: got %v (%T), want %v (%T)", v, v, c.v, c.v)
			}
			nulls, err := MakeConstant(mem, nil, c.dt, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer nulls.Release()
			assertEqual(t, fromJSON(t, mem, c.dt, `[null, null, null]`), nulls)
			if v := ScalarAt(nulls, 0); v != nil {
				t.Fatalf("ScalarAt of NULL: got %v", v)
			}
			empty, err := MakeConstant(mem, c.v, c.dt, 0)
			if err != nil {
				t.Fatal(err)
			}
			if empty.Len() != 0 {
				t.Fatalf("n=0: got %d rows", empty.Len())
			}
			empty.Release()
		})
	}
}

func TestMakeConstantNullTypeAndErrors(t *testing.T) {
	mem := newMem(t)
	n, err := MakeConstant(mem, nil, planner.Null, 4)
	if err != nil {
		t.Fatal(err)
	}
	if n.DataType().ID() != arrow.NULL || n.Len() != 4 || n.NullN() != 4 || ScalarAt(n, 1) != nil {
		t.Fatalf("got %v", n)
	}
	n.Release()
	for _, c := range []struct {
		v  any
		dt arrow.DataType
	}{
		{int64(1), planner.Null},
		{"1", planner.Int64},
		{int64(128), planner.Int8},
		{int64(-1), arrow.PrimitiveTypes.Uint32},
		{1.5, planner.Decimal(5, 2)},
		{int64(1), planner.Float64},
		{true, planner.String},
	} {
		if _, err := MakeConstant(mem, c.v, c.dt, 2); !errors.Is(err, errs.ErrInternal) {
			t.Errorf("%v (%T) as %s: want an internal error, got %v", c.v, c.v, c.dt, err)
		}
	}
}

// ScalarAt copies strings: the value must survive the array.
func TestScalarAtStringCopy(t *testing.T) {
	mem := newMem(t)
	a, err := MakeConstant(mem, "abc", planner.String, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := ScalarAt(a, 0).(string)
	a.Release()
	if s != "abc" {
		t.Fatalf("got %q", s)
	}
}
