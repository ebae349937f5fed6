package udf

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// readSeries reads every part of a bound series in order, checking batch sizes, the
// schema and that parts are contiguous runs of nearly equal size.
func readSeries(t *testing.T, tab FunctionTable, batchSize int) []int64 {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var out []int64
	var sizes []int
	for p := 0; p < tab.Parts(); p++ {
		before := len(out)
		err := tab.Read(context.Background(), p, mem, batchSize, func(b arrow.RecordBatch) error {
			defer b.Release()
			if !b.Schema().Equal(tab.Schema()) || b.NumRows() == 0 || b.NumRows() > int64(batchSize) {
				t.Fatalf("batch of %d rows with schema %s", b.NumRows(), b.Schema())
			}
			col := b.Column(0).(*array.Int64)
			if col.NullN() != 0 {
				t.Fatal("NULLs in a series")
			}
			out = append(out, col.Int64Values()...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(out)-before)
	}
	for _, n := range sizes {
		if n < sizes[len(sizes)-1] || n > sizes[0] || sizes[0]-n > 1 {
			t.Errorf("unequal parts %v", sizes)
			break
		}
	}
	return out
}

func TestSeries(t *testing.T) {
	reg := NewBuiltins()
	tests := []struct {
		fn          string
		args        []any
		first, step int64
		rows        int64
		parts       int
	}{
		{"range", []any{int64(5)}, 0, 1, 5, 1},
		{"range", []any{int64(2), int64(9), int64(3)}, 2, 3, 3, 1},
		{"range", []any{int64(2), int64(8), int64(3)}, 2, 3, 2, 1},
		{"range", []any{int64(5), int64(0), int64(-2)}, 5, -2, 3, 1},
		{"range", []any{int64(3), int64(3)}, 0, 1, 0, 1},
		{"range", []any{int64(-4)}, 0, 1, 0, 1},
		{"range", []any{int64(1000000)}, 0, 1, 1000000, 16},
		{"range", []any{int64(0), int64(10000000), int64(2)}, 0, 2, 5000000, 64},
		{"range", []any{int64(math.MaxInt64 - 2), int64(math.MaxInt64)}, math.MaxInt64 - 2, 1, 2, 1},
		{"range", []any{int64(math.MinInt64), int64(math.MaxInt64), int64(math.MaxInt64)}, math.MinInt64, math.MaxInt64, 3, 1},
		{"generate_series", []any{int64(1), int64(3)}, 1, 1, 3, 1},
		{"generate_series", []any{int64(3)}, 0, 1, 4, 1},
		{"generate_series", []any{int64(10), int64(1), int64(-3)}, 10, -3, 4, 1},
		{"generate_series", []any{int64(4), int64(4), int64(-1)}, 4, -1, 1, 1},
		{"generate_series", []any{int64(1), int64(0)}, 0, 1, 0, 1},
		{"generate_series", []any{int64(math.MinInt64 + 1), int64(math.MinInt64), int64(math.MinInt64)}, math.MinInt64 + 1, math.MinInt64, 1, 1},
		{"generate_series", []any{int64(1), int64(65537)}, 1, 1, 65537, 2},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			f, ok := reg.Table(tc.fn)
			if !ok {
				t.Fatalf("%s is not registered", tc.fn)
			}
			tab, err := f.Bind(context.Background(), tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if n := tab.(CountedTable).NumRows(); n != tc.rows {
				t.Errorf("NumRows %d, want %d", n, tc.rows)
			}
			if tab.Parts() != tc.parts {
				t.Errorf("%d parts, want %d", tab.Parts(), tc.parts)
			}
			if fld := tab.Schema().Field(0); tab.Schema().NumFields() != 1 || fld.Nullable || fld.Type.ID() != arrow.INT64 {
				t.Errorf("schema %s", tab.Schema())
			}
			for _, bs := range []int{7, 8192} {
				if tc.rows > 100000 && bs == 7 {
					continue
				}
				got := readSeries(t, tab, bs)
				if int64(len(got)) != tc.rows {
					t.Fatalf("batch size %d: %d rows, want %d", bs, len(got), tc.rows)
				}
				v := tc.first
				for i, x := range got {
					if x != v {
						t.Fatalf("batch size %d: row %d is %d, want %d", bs, i, x, v)
					}
					v += tc.step
				}
			}
		})
	}
}

func TestSeriesBindErrors(t *testing.T) {
	reg := NewBuiltins()
	tests := []struct {
		fn   string
		args []any
		msg  string
	}{
		{"range", nil, "range takes 1 to 3 arguments ([start, ]stop[, step]), got 0"},
		{"range", []any{int64(1), int64(2), int64(3), int64(4)}, "range takes 1 to 3 arguments ([start, ]stop[, step]), got 4"},
		{"range", []any{int64(1), int64(2), int64(0)}, "range: argument 3 (step) must not be 0"},
		{"generate_series", []any{int64(1), 2.5}, "generate_series: argument 2 (stop) must be an integer, got DOUBLE"},
		{"range", []any{"x"}, "range: argument 1 (stop) must be an integer, got VARCHAR"},
		{"range", []any{int64(1), nil}, "range: argument 2 (stop) must not be NULL"},
		{"range", []any{int64(math.MinInt64), int64(math.MaxInt64)}, "range(-9223372036854775808, 9223372036854775807, 1) has more than 9223372036854775807 rows"},
		{"generate_series", []any{int64(math.MaxInt64), int64(math.MinInt64), int64(-1)}, "has more than 9223372036854775807 rows"},
	}
	for _, tc := range tests {
		f, _ := reg.Table(tc.fn)
		_, err := f.Bind(context.Background(), tc.args)
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s%v: got %v, want a plan error containing %q", tc.fn, tc.args, err, tc.msg)
		}
	}
}

// TestSeriesStopsOnEmitError checks that Read returns emit's error at once.
func TestSeriesStopsOnEmitError(t *testing.T) {
	f, _ := NewBuiltins().Table("range")
	tab, err := f.Bind(context.Background(), []any{int64(100)})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	stop := errors.New("stop")
	calls := 0
	err = tab.Read(context.Background(), 0, mem, 10, func(b arrow.RecordBatch) error {
		b.Release()
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("got %v after %d calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = tab.Read(ctx, 0, mem, 10, func(b arrow.RecordBatch) error { b.Release(); return nil })
	if !errors.Is(err, errs.ErrCanceled) {
		t.Errorf("canceled read: %v", err)
	}
	if err := tab.Read(context.Background(), 1, mem, 10, nil); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("part out of range: %v", err)
	}
}

// stubTable is a session table function for the registry tests.
type stubTable struct{ name string }

func (s stubTable) Name() string                                       { return s.name }
func (s stubTable) Doc() string                                        { return "stub " + s.name }
func (s stubTable) Volatility() Volatility                             { return Volatile }
func (s stubTable) Bind(context.Context, []any) (FunctionTable, error) { return nil, nil }

func TestRegistryTables(t *testing.T) {
	root := NewBuiltins()
	child := root.Child()
	child.RegisterTable(stubTable{"Rows"})
	child.RegisterTable(stubTable{"range"}) // shadows the built-in for this child only
	if f, ok := child.Table("ROWS"); !ok || f.Name() != "Rows" {
		t.Errorf("Table(ROWS) = %v, %v", f, ok)
	}
	if f, _ := child.Table("range"); f.Doc() != "stub range" {
		t.Error("the child's range does not shadow the built-in")
	}
	if f, _ := root.Table("range"); f.Doc() == "stub range" {
		t.Error("the child's range leaked into the root")
	}
	if _, ok := root.Table("rows"); ok {
		t.Error("the child's function leaked into the root")
	}
	if got := strings.Join(child.TableNames(), ","); got != "generate_series,range,rows" {
		t.Errorf("TableNames = %s", got)
	}
	if child.Nearest("rnage") != "range" || child.Nearest("generate_seres") != "generate_series" {
		t.Errorf("Nearest misses table functions: %q", child.Nearest("rnage"))
	}
	infos := child.Lookup("range")
	if len(infos) != 1 || infos[0].Kind != KindTable || infos[0].Builtin || infos[0].Fn.Doc() != "stub range" ||
		infos[0].Fn.Volatility() != Volatile {
		t.Errorf("Lookup(range) = %+v", infos)
	}
	if _, err := infos[0].Fn.ReturnType(nil); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "range is a table function") {
		t.Errorf("ReturnType of a table function: %v", err)
	}
	var kinds []string
	for _, f := range root.Functions() {
		if f.Kind == KindTable {
			kinds = append(kinds, f.Name)
			if !f.Builtin || f.Fn.(Signed).Signature() == "" {
				t.Errorf("%s: builtin %v, signature %q", f.Name, f.Builtin, f.Fn.(Signed).Signature())
			}
		}
	}
	if strings.Join(kinds, ",") != "generate_series,range" {
		t.Errorf("table functions listed: %v", kinds)
	}
}
