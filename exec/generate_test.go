package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/planner"
)

// TestGenerate explodes a list column over several partitions and batch sizes, including a
// NULL row whose offsets still span elements (which must not come out), and checks the
// rows, that batches respect the batch size, and that no memory leaks.
func TestGenerate(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	list := planner.ArrayOf(planner.Int64)
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: planner.Int64}, {Name: "l", Type: list, Nullable: true}}, nil)
	first, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(
		`[{"id": 1, "l": [10, 11, 12]}, {"id": 2, "l": []}, {"id": 3, "l": null}, {"id": 4, "l": [40, null]}]`))
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	second := crookedBatch(t, mem, schema)
	defer second.Release()
	src := datasource.NewMemory("t", schema, []arrow.RecordBatch{first, second}, 2)
	defer src.(interface{ Release() }).Release()

	want := []string{"1 10", "1 11", "1 12", "4 40", "4 NULL", "5 1", "5 2", "7 5"}
	wantOuter := append(slices.Clone(want), "2 NULL", "3 NULL", "6 NULL")
	slices.Sort(wantOuter)
	for _, outer := range []bool{false, true} {
		for _, parts := range []int{1, 2} {
			for _, bs := range []int{1, 2, 3, 100} {
				out := arrow.NewSchema(append(schema.Fields(), arrow.Field{Name: "x", Type: planner.Int64, Nullable: true}), nil)
				node := &GenerateExec{Child: NewScanExec(src, []int{0, 1}, splits(t, src), parts),
					Arg: &colExpr{idx: 1, typ: list, name: "l"}, Outer: outer, schema: out}
				ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: bs, Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, b := range ex.Batches {
					if int(b.NumRows()) > bs {
						t.Errorf("batch of %d rows, batch size %d", b.NumRows(), bs)
					}
					for i := 0; i < int(b.NumRows()); i++ {
						got = append(got, format.Value(b.Column(0), i)+" "+format.Value(b.Column(2), i))
					}
				}
				ex.Release()
				slices.Sort(got)
				w := want
				if outer {
					w = wantOuter
				}
				if !slices.Equal(got, w) {
					t.Errorf("outer=%v partitions=%d batch=%d: got %q, want %q", outer, parts, bs, got, w)
				}
			}
		}
	}
	if got := fmt.Sprint(&GenerateExec{Arg: &colExpr{idx: 1}, Outer: true}); got != "Generate: explode_outer(#1)" {
		t.Errorf("String() = %q", got)
	}
}

// crookedBatch is rows 5, 6, 7 with l = [1, 2], NULL, [5], where the NULL row's offsets
// span the elements 3 and 4 (Arrow allows it).
func crookedBatch(t *testing.T, mem memory.Allocator, schema *arrow.Schema) arrow.RecordBatch {
	t.Helper()
	ids, _, _ := array.FromJSON(mem, planner.Int64, strings.NewReader(`[5, 6, 7]`))
	defer ids.Release()
	child, _, _ := array.FromJSON(mem, planner.Int64, strings.NewReader(`[1, 2, 3, 4, 5]`))
	defer child.Release()
	offs := memory.NewResizableBuffer(mem)
	offs.Resize(4 * 4)
	copy(arrow.Int32Traits.CastFromBytes(offs.Bytes()), []int32{0, 2, 4, 5})
	defer offs.Release()
	valid := memory.NewResizableBuffer(mem)
	valid.Resize(1)
	valid.Bytes()[0] = 0b101
	defer valid.Release()
	data := array.NewData(schema.Field(1).Type, 3, []*memory.Buffer{valid, offs}, []arrow.ArrayData{child.Data()}, 1, 0)
	defer data.Release()
	l := array.MakeFromData(data)
	defer l.Release()
	return array.NewRecordBatch(schema, []arrow.Array{ids, l}, 3)
}
