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
	"github.com/embersql/ember/sql/planner"
)

// jsonNode is a test source: partition p produces one batch per JSON text of parts[p], built
// with the task's allocator.
type jsonNode struct {
	schema *arrow.Schema
	parts  [][]string
}

func (j *jsonNode) Schema() *arrow.Schema { return j.schema }
func (j *jsonNode) Children() []Node      { return nil }
func (j *jsonNode) Partitioning() Partitioning {
	return Partitioning{Kind: AnyPartitioning, N: len(j.parts)}
}
func (j *jsonNode) String() string { return "JSON" }
func (j *jsonNode) Execute(tc *TaskContext, p int) (Operator, error) {
	var bs []arrow.RecordBatch
	for _, text := range j.parts[p] {
		b, _, err := array.RecordFromJSON(tc.Mem, j.schema, strings.NewReader(text))
		if err != nil {
			releaseAll(bs)
			return nil, err
		}
		bs = append(bs, b)
	}
	return &batchesOp{pending: bs}, nil
}

var setOpSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// rowsOf renders every row of the batches as "k|s" and sorts them.
func rowsOf(bs []arrow.RecordBatch) []string {
	var out []string
	for _, b := range bs {
		for i := range int(b.NumRows()) {
			var parts []string
			for _, c := range b.Columns() {
				parts = append(parts, c.ValueStr(i))
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	slices.Sort(out)
	return out
}

func TestSetOpExec(t *testing.T) {
	// left: (1,a) x3, (2,b), (NULL,c) x2, (3,NULL), (4,d) over two partitions and batches.
	left := [][]string{
		{`[{"k":1,"s":"a"},{"k":1,"s":"a"}]`, `[{"k":null,"s":"c"},{"k":3,"s":null}]`},
		{`[{"k":1,"s":"a"},{"k":2,"s":"b"},{"k":null,"s":"c"},{"k":4,"s":"d"}]`},
	}
	// right: (1,a) x2, (2,b) x2, (NULL,c), (3,NULL), (5,e)
	right := [][]string{
		{`[{"k":2,"s":"b"},{"k":1,"s":"a"}]`},
		{`[{"k":1,"s":"a"},{"k":null,"s":"c"}]`, `[{"k":3,"s":null},{"k":5,"s":"e"},{"k":2,"s":"b"}]`},
	}
	empty := [][]string{{}, {`[]`}}
	cases := []struct {
		name        string
		kind        planner.SetOpKind
		all         bool
		left, right [][]string
		want        []string // sorted
	}{
		{"intersect", planner.Intersect, false, left, right, []string{"(null)|c", "1|a", "2|b", "3|(null)"}},
		{"intersect all", planner.Intersect, true, left, right, []string{"(null)|c", "1|a", "1|a", "2|b", "3|(null)"}},
		{"except", planner.Except, false, left, right, []string{"4|d"}},
		{"except all", planner.Except, true, left, right, []string{"(null)|c", "1|a", "4|d"}},
		{"except all reversed", planner.Except, true, right, left, []string{"2|b", "5|e"}},
		{"intersect empty right", planner.Intersect, false, left, empty, nil},
		{"except empty right dedups", planner.Except, false, left, empty, []string{"(null)|c", "1|a", "2|b", "3|(null)", "4|d"}},
		{"except all empty right keeps all", planner.Except, true, left, empty,
			[]string{"(null)|c", "(null)|c", "1|a", "1|a", "1|a", "2|b", "3|(null)", "4|d"}},
		{"except empty left", planner.Except, true, empty, right, nil},
	}
	for _, tc := range cases {
		for _, parts := range []int{1, 3} {
			for _, single := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/parts=%d/single=%v", tc.name, parts, single), func(t *testing.T) {
					mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
					defer mem.AssertSize(t, 0)
					var l, r Node = &jsonNode{setOpSchema, tc.left}, &jsonNode{setOpSchema, tc.right}
					if single { // both inputs in one partition: no exchange is needed
						l = NewExchange(l, Partitioning{Kind: SinglePartition, N: 1})
						r = NewExchange(r, Partitioning{Kind: SinglePartition, N: 1})
					}
					n, err := NewSetOpExec(l, r, tc.kind, tc.all, setOpSchema, parts)
					if err != nil {
						t.Fatal(err)
					}
					if want := map[bool]int{false: parts, true: 1}[single]; n.Partitioning().N != want {
						t.Fatalf("%d partitions, want %d", n.Partitioning().N, want)
					}
					ex, err := Run(context.Background(), n, Config{Parallelism: 2, BatchSize: 2, Mem: mem})
					if err != nil {
						t.Fatal(err)
					}
					defer ex.Release()
					if got := rowsOf(ex.Batches); !slices.Equal(got, tc.want) {
						t.Errorf("got %v, want %v", got, tc.want)
					}
				})
			}
		}
	}
}

func TestSetOpExecRejects(t *testing.T) {
	other := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int32}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	one := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}}, nil)
	list := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)}}, nil)
	src := func(s *arrow.Schema) Node { return &jsonNode{s, [][]string{{}}} }
	cases := []struct {
		name        string
		left, right Node
		schema      *arrow.Schema
		kind        planner.SetOpKind
		msg         string
	}{
		{"kind", src(one), src(one), one, planner.SetOpKind("Union"), "unknown kind"},
		{"column count", src(setOpSchema), src(one), setOpSchema, planner.Intersect, "inputs have 2 and 1 columns"},
		{"types", src(setOpSchema), src(other), setOpSchema, planner.Except, "column 1"},
		{"unhashable", src(list), src(list), list, planner.Intersect, "cannot be hashed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSetOpExec(tc.left, tc.right, tc.kind, false, tc.schema, 2)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want an error with %q", err, tc.msg)
			}
		})
	}
}
