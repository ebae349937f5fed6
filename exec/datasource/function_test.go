package datasource

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

var fnSchema = arrow.NewSchema([]arrow.Field{
	{Name: "n", Type: planner.Int64},
	{Name: "s", Type: planner.String, Nullable: true},
}, nil)

// fakeTable is a udf.FunctionTable whose part p yields rows n = p*100 + i, s = "r<n>" (NULL
// for every third), i < rows, in batches of emitRows rows whatever the batch size asked.
type fakeTable struct {
	parts, rows, emitRows int
	schema                *arrow.Schema // what the batches really hold; fnSchema when nil
	readErr               error         // returned after the first batch
	panicMsg              string        // panics after the first batch
	nullN                 bool          // makes n NULL in row 0 (its schema says NOT NULL)
	returned              atomic.Int32  // Reads that have returned
}

func (f *fakeTable) Schema() *arrow.Schema { return fnSchema }
func (f *fakeTable) Parts() int            { return f.parts }

func (f *fakeTable) Read(ctx context.Context, part int, mem memory.Allocator, _ int, emit func(arrow.RecordBatch) error) error {
	defer f.returned.Add(1)
	schema := f.schema
	if schema == nil {
		schema = fnSchema
	}
	for start := 0; start < f.rows; start += f.emitRows {
		var rows []string
		for i := start; i < min(start+f.emitRows, f.rows); i++ {
			n, s := strconv.Itoa(part*100+i), `"r`+strconv.Itoa(part*100+i)+`"`
			if i%3 == 2 {
				s = "null"
			}
			if f.nullN && i == 0 {
				n = "null"
			}
			rows = append(rows, `{"n": `+n+`, "s": `+s+`}`)
		}
		b, _, err := array.RecordFromJSON(mem, schema, strings.NewReader("["+strings.Join(rows, ",")+"]"))
		if err != nil {
			return err
		}
		if err := emit(b); err != nil {
			return err
		}
		switch {
		case f.readErr != nil:
			return f.readErr
		case f.panicMsg != "":
			panic(f.panicMsg)
		}
	}
	return nil
}

func fnSource(t udf.FunctionTable) Source {
	return NewFunctionSource(&planner.FunctionTable{Fn: "f", Args: []*planner.Literal{planner.NewLiteral(int64(1), planner.Int64)}, Table: t})
}

func TestFunctionSourceReads(t *testing.T) {
	tests := []struct {
		name      string
		columns   []int
		batchSize int
	}{
		{"both columns, sliced", []int{0, 1}, 2},
		{"reordered and repeated", []int{1, 0, 1}, 3},
		{"whole batches", []int{0}, 8192},
		{"no columns (count)", nil, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			f := &fakeTable{parts: 3, rows: 7, emitRows: 5}
			src := fnSource(f)
			if src.Name() != "f" || planner.ExplainName(src) != "f(1)" {
				t.Errorf("name %q, explain name %q", src.Name(), planner.ExplainName(src))
			}
			splits, err := src.Splits(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(splits) != 3 || splits[2].String() != "f(1) part 2" {
				t.Fatalf("splits %v", splits)
			}
			rows, batches := scan(t, src, tc.columns, tc.batchSize, mem)
			var want [][]string
			for p := 0; p < 3; p++ {
				for i := 0; i < 7; i++ {
					n, s := strconv.Itoa(p*100+i), "r"+strconv.Itoa(p*100+i)
					if i%3 == 2 {
						s = "NULL"
					}
					row := []string{}
					for _, c := range tc.columns {
						row = append(row, []string{n, s}[c])
					}
					want = append(want, row)
				}
			}
			if fmt.Sprint(rows) != fmt.Sprint(want) {
				t.Errorf("rows %v\nwant %v", rows, want)
			}
			// Each part's batches of 5 and 2 rows, sliced to the batch size.
			perPart := (5+tc.batchSize-1)/tc.batchSize + (2+tc.batchSize-1)/tc.batchSize
			if batches != 3*perPart {
				t.Errorf("%d batches, want %d", batches, 3*perPart)
			}
			if got := f.returned.Load(); got != 3 {
				t.Errorf("%d Reads returned, want 3", got)
			}
		})
	}
}

// TestFunctionSourceRange reads the built-in range through the source: every value once,
// in order within each part, at several batch sizes.
func TestFunctionSourceRange(t *testing.T) {
	fn, ok := udf.NewBuiltins().Table("range")
	if !ok {
		t.Fatal("range is not registered")
	}
	for _, batchSize := range []int{1000, 8192, 100000} {
		t.Run(strconv.Itoa(batchSize), func(t *testing.T) {
			mem := checkedMem(t)
			tab, err := fn.Bind(context.Background(), []any{int64(-5), int64(400000), int64(3)})
			if err != nil {
				t.Fatal(err)
			}
			src := NewFunctionSource(&planner.FunctionTable{Fn: "range", Table: tab})
			splits, err := src.Splits(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			const n = 133335 // -5, -2, ..., 399997
			if len(splits) != 3 {
				t.Errorf("%d splits, want 3 (ceil(%d / 65536))", len(splits), n)
			}
			rows, _ := scan(t, src, []int{0}, batchSize, mem)
			if len(rows) != n {
				t.Fatalf("%d rows, want %d", len(rows), n)
			}
			for i, r := range rows {
				if want := strconv.Itoa(-5 + 3*i); r[0] != want {
					t.Fatalf("row %d is %s, want %s", i, r[0], want)
				}
			}
		})
	}
}

// TestFunctionSourceEarlyClose closes readers before their end: the function stops, the
// batches waiting in the channel are released, and Close returns only after Read did.
func TestFunctionSourceEarlyClose(t *testing.T) {
	for _, reads := range []int{0, 1, 3} {
		t.Run(strconv.Itoa(reads), func(t *testing.T) {
			mem := checkedMem(t)
			f := &fakeTable{parts: 1, rows: 1000, emitRows: 4}
			src := fnSource(f)
			splits, err := src.Splits(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			r, err := src.Open(context.Background(), splits[0], []int{0, 1}, ReadOptions{BatchSize: 2, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < reads; i++ {
				b, err := r.Next()
				if err != nil || b == nil {
					t.Fatalf("batch %d: %v, %v", i, b, err)
				}
				b.Release()
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if f.returned.Load() != 1 {
				t.Error("Read still running after Close")
			}
			if err := r.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestFunctionSourceErrors(t *testing.T) {
	wrongType := arrow.NewSchema([]arrow.Field{{Name: "n", Type: planner.Float64}, {Name: "s", Type: planner.String, Nullable: true}}, nil)
	oneColumn := arrow.NewSchema([]arrow.Field{{Name: "n", Type: planner.Int64}}, nil)
	tests := []struct {
		name string
		f    *fakeTable
		kind error
		msg  string
	}{
		{"read error", &fakeTable{readErr: errors.New("disk on fire")}, errs.ErrExecution, "table function f(1): disk on fire"},
		{"read error of a kind", &fakeTable{readErr: errs.Planf("bad option")}, errs.ErrPlan, "bad option"},
		{"panic", &fakeTable{panicMsg: "oops"}, errs.ErrExecution, "table function f(1) panicked: oops"},
		{"wrong type", &fakeTable{schema: wrongType}, errs.ErrExecution, `table function f(1) emitted column "n" as float64; its schema says int64`},
		{"wrong column count", &fakeTable{schema: oneColumn}, errs.ErrExecution, "table function f(1) emitted a batch of 1 columns; its schema has 2"},
		{"NULL in a NOT NULL column", &fakeTable{nullN: true}, errs.ErrExecution, `emitted NULLs in column "n"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			tc.f.parts, tc.f.rows, tc.f.emitRows = 1, 10, 3
			_, _, err := scanErr(fnSource(tc.f), []int{0, 1}, 8192, mem)
			if !errors.Is(err, tc.kind) || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want a %v containing %q", err, tc.kind, tc.msg)
			}
		})
	}
}

func TestFunctionSourceCancel(t *testing.T) {
	mem := checkedMem(t)
	src := fnSource(&fakeTable{parts: 2, rows: 1000, emitRows: 1})
	ctx, cancel := context.WithCancel(context.Background())
	splits, err := src.Splits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := src.Open(ctx, splits[1], []int{0}, ReadOptions{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Next()
	if err != nil || b == nil {
		t.Fatalf("first batch: %v, %v", b, err)
	}
	b.Release()
	cancel()
	for {
		b, err := r.Next()
		if b != nil {
			b.Release() // sent before the cancel was seen
			continue
		}
		if !errors.Is(err, errs.ErrCanceled) {
			t.Errorf("after cancel: %v, want a canceled error", err)
		}
		break
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Open(ctx, splits[0], nil, ReadOptions{Mem: mem}); !errors.Is(err, errs.ErrCanceled) {
		t.Errorf("Open on a canceled context: %v", err)
	}
	if _, err := src.Splits(ctx); !errors.Is(err, errs.ErrCanceled) {
		t.Errorf("Splits on a canceled context: %v", err)
	}
	other := fnSource(&fakeTable{parts: 1})
	otherSplits, err := other.Splits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Open(context.Background(), otherSplits[0], nil, ReadOptions{Mem: mem}); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("Open of a foreign split: %v", err)
	}
	if _, err := src.Open(context.Background(), splits[0], []int{2}, ReadOptions{Mem: mem}); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("Open of ordinal 2: %v", err)
	}
}
