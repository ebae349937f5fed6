package dataframe

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

type structsInner struct {
	Extra int32 `ember:"extra"`
	note  string
}

type structsCelsius float64

type structsAll struct {
	ID     int
	I8     int8
	I16    int16
	I32    int32
	I64    int64
	U      uint
	U8     uint8
	U16    uint16
	U32    uint32
	U64    uint64
	F32    float32
	F64    structsCelsius
	Name   string `ember:"name"`
	Blob   []byte
	At     time.Time
	Tags   []string
	Opt    *int64
	OptS   *string
	OptT   *time.Time
	OptB   *[]byte
	Scores []*float64
	Flag   bool
	Skip   string `ember:"-"`
	hidden int
	structsInner
}

const structsAllSchema = "ID: int64, I8: int8, I16: int16, I32: int32, I64: int64, U: uint64, U8: uint8, " +
	"U16: uint16, U32: uint32, U64: uint64, F32: float32, F64: float64, name: utf8, Blob: binary, " +
	"At: timestamp[us, tz=UTC], Tags: list<item: utf8, nullable>, Opt: int64?, OptS: utf8?, " +
	"OptT: timestamp[us, tz=UTC]?, OptB: binary?, Scores: list<item: float64, nullable>, Flag: bool, extra: int32"

// schemaText renders a schema as "name: type" with ? for a nullable column.
func schemaText(s *arrow.Schema) string {
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + ": " + f.Type.String()
		if f.Nullable {
			parts[i] += "?"
		}
	}
	return strings.Join(parts, ", ")
}

func TestSchemaFromStruct(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[structsAll](), reflect.TypeFor[*structsAll]()} {
		s, err := schemaFromStruct(typ)
		if err != nil {
			t.Fatal(err)
		}
		if got := schemaText(s); got != structsAllSchema {
			t.Fatalf("schema of %v:\ngot  %s\nwant %s", typ, got, structsAllSchema)
		}
	}
}

func TestRecordFromStructs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	seven, name, blob := int64(7), "opt", []byte{0, 1}
	half, east := 0.5, time.FixedZone("east", 5*3600+1800)
	at := time.Date(2024, 3, 4, 5, 6, 7, 123456789, east)
	rows := []structsAll{
		{ID: -1, I8: -8, I16: -16, I32: -32, I64: -64, U: 1, U8: 8, U16: 16, U32: 32, U64: 1<<64 - 1,
			F32: 1.5, F64: -2.25, Name: "first", Blob: []byte("ab"), At: at, Tags: []string{"x", ""},
			Opt: &seven, OptS: &name, OptT: &at, OptB: &blob, Scores: []*float64{&half, nil}, Flag: true,
			Skip: "skipped", hidden: 3, structsInner: structsInner{Extra: 9, note: "n"}},
		{ID: 2, Name: "", At: time.Unix(0, 0)},
	}
	b, err := recordFromStructs(mem, rows)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if got := schemaText(b.Schema()); got != structsAllSchema {
		t.Fatalf("schema %s", got)
	}
	got, err := rowsFromBatches([]arrow.RecordBatch{b})
	if err != nil {
		t.Fatal(err)
	}
	utc := at.Truncate(time.Microsecond).UTC()
	want := []Row{
		{int64(-1), int64(-8), int64(-16), int64(-32), int64(-64), uint64(1), uint64(8), uint64(16), uint64(32), uint64(1<<64 - 1),
			float64(1.5), float64(-2.25), "first", []byte("ab"), utc, []any{"x", ""},
			int64(7), "opt", utc, []byte{0, 1}, []any{0.5, nil}, true, int64(9)},
		// A nil slice is an empty value (binary, list), a nil pointer NULL.
		{int64(2), int64(0), int64(0), int64(0), int64(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0),
			float64(0), float64(0), "", []byte{}, time.Unix(0, 0).UTC(), []any{},
			nil, nil, nil, nil, []any{}, false, int64(0)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows:\ngot  %#v\nwant %#v", got, want)
	}
	if b.Column(13).IsNull(1) || b.Column(15).IsNull(1) {
		t.Fatal("a nil slice in a non-pointer field became NULL")
	}

	// Pointers to structs, and an empty slice (schema only).
	p, err := recordFromStructs(mem, []*structsInner{{Extra: 1}, {Extra: 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	if p.NumRows() != 2 || schemaText(p.Schema()) != "extra: int32" {
		t.Fatalf("pointers: %d rows, schema %s", p.NumRows(), schemaText(p.Schema()))
	}
	e, err := recordFromStructs(mem, []structsAll{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Release()
	if e.NumRows() != 0 || schemaText(e.Schema()) != structsAllSchema {
		t.Fatalf("empty: %d rows, schema %s", e.NumRows(), schemaText(e.Schema()))
	}
}

func TestRecordFromStructsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	type withMap struct{ M map[string]int }
	type withStruct struct{ S structsInner }
	type withNested struct{ N [][]int }
	type withPtrPtr struct{ P **int }
	type withArray struct{ A [3]int }
	type withAny struct{ X any }
	type withSlicePtrSlice struct{ X []*[]int }
	type dupNames struct {
		A int
		B int `ember:"a"`
	}
	type noFields struct{ _ int }
	tests := []struct {
		name string
		rows any
		kind error
		text string
	}{
		{"not a slice", 3, errs.ErrPlan, "slice of structs or of pointers to structs, not int"},
		{"nil", nil, errs.ErrPlan, "not <nil>"},
		{"a struct", structsInner{}, errs.ErrPlan, "not dataframe.structsInner"},
		{"slice of ints", []int{1}, errs.ErrPlan, "not []int"},
		{"slice of times", []time.Time{}, errs.ErrPlan, "not []time.Time"},
		{"map field", []withMap{}, errs.ErrNotImplemented, "field M: type map[string]int is not supported"},
		{"struct field", []withStruct{}, errs.ErrNotImplemented, "field S: type dataframe.structsInner"},
		{"nested slice", []withNested{}, errs.ErrNotImplemented, "field N: type [][]int"},
		{"pointer to pointer", []withPtrPtr{}, errs.ErrNotImplemented, "field P: type **int"},
		{"array field", []withArray{}, errs.ErrNotImplemented, "field A: type [3]int"},
		{"interface field", []withAny{}, errs.ErrNotImplemented, "field X: type interface {}"},
		{"slice of pointers to slices", []withSlicePtrSlice{}, errs.ErrNotImplemented, "field X: type []*[]int"},
		{"duplicate names", []dupNames{}, errs.ErrPlan, `two fields make the column "A" (and "a")`},
		{"no exported fields", []noFields{}, errs.ErrPlan, "has no exported fields"},
		{"nil element", []*structsInner{{Extra: 1}, nil}, errs.ErrPlan, "element 1 is a nil *dataframe.structsInner"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := recordFromStructs(mem, tc.rows)
			if err == nil {
				b.Release()
				t.Fatalf("no error, want %q", tc.text)
			}
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %q (kind %v), want %v containing %q", err, errors.Is(err, tc.kind), tc.kind, tc.text)
			}
		})
	}
	if _, err := schemaFromStruct(reflect.TypeFor[int]()); !errors.Is(err, errs.ErrPlan) {
		t.Fatalf("schemaFromStruct(int): %v", err)
	}
}
