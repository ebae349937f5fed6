package exec

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// pullAll runs partition 0 of n under a fresh TaskContext to its end, calling each on every
// batch (each must not keep it), and returns the number of rows produced.
func pullAll(t *testing.T, mem memory.Allocator, n Node, batchSize int, each func(arrow.RecordBatch)) int64 {
	t.Helper()
	tc := &TaskContext{Ctx: context.Background(), Mem: mem, BatchSize: batchSize}
	op, err := Build(tc, n, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := Open(tc, op); err != nil {
		Close(op)
		t.Fatal(err)
	}
	var rows int64
	for {
		out, err := Next(tc, op)
		if err != nil {
			Close(op)
			t.Fatal(err)
		}
		if out == nil {
			break
		}
		rows += out.NumRows()
		each(out)
		out.Release()
	}
	if err := Close(op); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestPartialAggregatePassThrough checks that a partial aggregate whose keys barely repeat
// switches to passing rows through, and one whose keys come in runs flushes its table
// (either way its output holds some key twice: more rows than groups), and that partial →
// final then gives exactly what a single-phase aggregate gives, NULL keys and NULL values
// included; with repeating keys in no order it keeps grouping.
func TestPartialAggregatePassThrough(t *testing.T) {
	dec := &arrow.Decimal128Type{Precision: 15, Scale: 2}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "d", Type: dec, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	const rows = 3 * partialProbeRows / 2
	for _, tc := range []struct {
		name      string
		key       func(i int) int64
		wantSplit bool
	}{
		// Keys 0..3rows/4-1 in order, then the first rows/4 of them again: the probe
		// sees only new keys, and the repeats must still merge in the final phase.
		{"distinct", func(i int) int64 { return int64(i%(rows/2+rows/4)) * 7919 }, true},
		{"repeating", func(i int) int64 { return int64(i % 1000) }, false},
		// Runs of 4 rows, partialFlushGroups+4464 keys, then the first keys again: the
		// table flushes (clustered, few groups per row so no pass-through) and the
		// repeats land in a later table than their first rows.
		{"clustered", func(i int) int64 { return int64(i / 4 % (partialFlushGroups + 4464)) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src := &opBenchSource{schema: schema}
			defer src.Release()
			for lo := 0; lo < rows; lo += 5000 {
				rb := array.NewRecordBuilder(mem, schema)
				for i := lo; i < min(lo+5000, rows); i++ {
					if i%997 == 0 {
						rb.Field(0).AppendNull()
					} else {
						rb.Field(0).(*array.Int64Builder).Append(tc.key(i))
					}
					if i%13 == 0 {
						rb.Field(1).AppendNull()
					} else {
						rb.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i%100_000) - 50_000))
					}
					if i%17 == 0 {
						rb.Field(2).AppendNull()
					} else {
						rb.Field(2).(*array.Int64Builder).Append(int64(i % 1234))
					}
				}
				src.batches = append(src.batches, rb.NewRecordBatch())
				rb.Release()
			}

			var specs []AggSpec
			for _, a := range []struct{ fn, name string }{{"sum", "d"}, {"avg", "v"}, {"count", "d"}, {"min", "v"}, {"max", "d"}} {
				fn, ok := aggFnOK(a.fn)
				if !ok {
					t.Fatalf("no %s aggregate", a.fn)
				}
				col := schema.FieldIndices(a.name)[0]
				specs = append(specs, AggSpec{Fn: fn, Args: []int{col}, ArgTypes: []arrow.DataType{schema.Field(col).Type}, Name: a.fn + "_" + a.name})
			}
			outFields := []arrow.Field{schema.Field(0)}
			pfields := []arrow.Field{schema.Field(0)}
			final := make([]AggSpec, len(specs))
			for i, s := range specs {
				rt, err := s.Fn.ReturnType(s.ArgTypes)
				if err != nil {
					t.Fatal(err)
				}
				outFields = append(outFields, arrow.Field{Name: s.Name, Type: rt, Nullable: true})
				sts, err := s.stateTypes()
				if err != nil {
					t.Fatal(err)
				}
				final[i] = s
				for j, st := range sts {
					final[i].StateCols = append(final[i].StateCols, len(pfields))
					pfields = append(pfields, arrow.Field{Name: fmt.Sprintf("%s_state%d", s.Name, j), Type: st, Nullable: true})
				}
			}
			out := arrow.NewSchema(outFields, nil)
			keys := []int{0}
			single := NewHashAggregateExec(src, keys, specs, AggSingle, out)
			partial := NewHashAggregateExec(src, keys, specs, AggPartial, arrow.NewSchema(pfields, nil))
			twoPhase := NewHashAggregateExec(partial, keys, final, AggFinal, out)

			collect := func(n Node) map[string]string {
				got := map[string]string{}
				pullAll(t, mem, n, 4096, func(b arrow.RecordBatch) {
					for r := range int(b.NumRows()) {
						vals := make([]string, b.NumCols())
						for c := range vals {
							vals[c] = b.Column(c).ValueStr(r)
						}
						if _, dup := got[vals[0]]; dup {
							t.Fatalf("key %s twice in the output", vals[0])
						}
						got[vals[0]] = strings.Join(vals[1:], " ")
					}
				})
				return got
			}
			want := collect(single)
			got := collect(twoPhase)
			if len(got) != len(want) {
				t.Fatalf("%d groups, want %d", len(got), len(want))
			}
			for k, w := range want {
				if got[k] != w {
					t.Fatalf("key %s: got %q, want %q", k, got[k], w)
				}
			}
			if _, ok := want[array.NullValueStr]; !ok {
				t.Fatal("no NULL group in the single-phase answer")
			}
			partialRows := pullAll(t, mem, partial, 4096, func(arrow.RecordBatch) {})
			if split := partialRows > int64(len(want)); split != tc.wantSplit {
				t.Fatalf("partial produced %d rows for %d groups: split %v, want %v", partialRows, len(want), split, tc.wantSplit)
			}
		})
	}
}
