package dataframe

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

var kvSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// kvDF is a DataFrame of rows (k = i % 7, v = i) for i < n, in `batches` batches, which
// the session deals into its partitions (batch j to partition j % partitions).
func kvDF(t *testing.T, s *Session, n, batches int) *DataFrame {
	t.Helper()
	var bs []arrow.RecordBatch
	per := (n + batches - 1) / batches
	for start := 0; start < n; start += per {
		b := array.NewRecordBuilder(s.cfg.mem, kvSchema)
		for i := start; i < min(start+per, n); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i % 7))
			b.Field(1).(*array.Int64Builder).Append(int64(i))
		}
		bs = append(bs, b.NewRecordBatch())
		b.Release()
	}
	df, err := s.FromRecords(kvSchema, bs...)
	for _, b := range bs {
		b.Release() // the session retains its own references
	}
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// partitionsOf runs ForeachPartition over df with a function that records, per partition
// index, the values of int64 column col it reads (a partition that runs with no rows is
// recorded empty).
func partitionsOf(t *testing.T, df *DataFrame, col string) map[int][]int64 {
	t.Helper()
	var mu sync.Mutex
	seen := map[int][]int64{}
	name := df.s.nextName("record_partitions")
	err := df.s.RegisterPartitionFunc(name, func(pc *udf.PartitionContext, in udf.BatchReader, _ udf.BatchWriter) error {
		mu.Lock()
		if _, ok := seen[pc.Partition]; !ok {
			seen[pc.Partition] = []int64{}
		}
		mu.Unlock()
		for {
			b, err := in.Next() // owned by the reader
			if err != nil || b == nil {
				return err
			}
			idx := b.Schema().FieldIndices(col)
			if len(idx) != 1 {
				return errs.Execf("no column %s in %s", col, b.Schema())
			}
			vals := b.Column(idx[0]).(*array.Int64).Int64Values()
			mu.Lock()
			seen[pc.Partition] = append(seen[pc.Partition], vals...)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := df.ForeachPartition(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return seen
}

// checkAllOnce fails unless the partitions hold the values 0..n-1 each exactly once.
func checkAllOnce(t *testing.T, parts map[int][]int64, n int) {
	t.Helper()
	var all []int64
	for _, vs := range parts {
		all = append(all, vs...)
	}
	slices.Sort(all)
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i)
	}
	if !slices.Equal(all, want) {
		t.Errorf("rows over all partitions %v, want 0..%d once each", all, n-1)
	}
}

// sortedRows collects df and sorts its rows by their text, for comparing multisets.
func sortedRows(t *testing.T, df *DataFrame) []Row {
	t.Helper()
	rows := collect(t, df)
	sort.Slice(rows, func(i, j int) bool { return fmt.Sprint(rows[i]) < fmt.Sprint(rows[j]) })
	return rows
}

func TestRepartitionByColumns(t *testing.T) {
	for _, parts := range []int{1, 3} {
		s := dfSession(t, parts)
		df := kvDF(t, s, 40, 5)
		rep := df.Repartition(4, "K") // names resolve case-insensitively, as in SQL
		byPart := partitionsOf(t, rep, "v")
		if len(byPart) != 4 {
			t.Errorf("session partitions=%d: %d partitions ran, want 4", parts, len(byPart))
		}
		checkAllOnce(t, byPart, 40)
		where := map[int64]int{} // key (v % 7) → its partition
		for p, vs := range byPart {
			for _, v := range vs {
				if q, ok := where[v%7]; ok && q != p {
					t.Errorf("session partitions=%d: key %d in partitions %d and %d", parts, v%7, q, p)
				}
				where[v%7] = p
			}
		}
		if len(where) != 7 {
			t.Errorf("session partitions=%d: %d keys, want 7", parts, len(where))
		}
		// Same rows as without the repartition; several key columns work too.
		want := sortedRows(t, df)
		for _, d := range []*DataFrame{rep, df.Repartition(2, "k", "v"), df.Repartition(5)} {
			if got := sortedRows(t, d); !reflect.DeepEqual(got, want) {
				t.Errorf("session partitions=%d: %s gives %v, want %v", parts, d.SQL(), got, want)
			}
		}
	}
}

func TestRepartitionRoundRobin(t *testing.T) {
	s := dfSession(t, 2)
	byPart := partitionsOf(t, peopleDF(t, s).Repartition(3), "id")
	if len(byPart) != 3 {
		t.Errorf("%d partitions ran, want 3", len(byPart))
	}
	var ids []int64
	for _, vs := range byPart {
		ids = append(ids, vs...)
	}
	slices.Sort(ids)
	if want := []int64{1, 2, 3, 4, 5, 6}; !slices.Equal(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
	// More partitions than the session has, and fewer; the rows stay the same.
	n, err := peopleDF(t, s).Repartition(7).Count(context.Background())
	if err != nil || n != int64(len(people)) {
		t.Errorf("Repartition(7).Count() = %d, %v; want %d", n, err, len(people))
	}
}

func TestCoalesce(t *testing.T) {
	s := dfSession(t, 4)
	df := kvDF(t, s, 40, 8)
	before := partitionsOf(t, df, "v")
	nonEmpty := 0
	for _, vs := range before {
		if len(vs) > 0 {
			nonEmpty++
		}
	}
	if len(before) != 4 || nonEmpty != 4 {
		t.Fatalf("the input has %d partitions, %d with rows; want 4 and 4", len(before), nonEmpty)
	}
	one := partitionsOf(t, df.Coalesce(1), "v")
	if len(one) != 1 || len(one[0]) != 40 {
		t.Errorf("Coalesce(1): partitions %v, want one partition 0 with 40 rows", one)
	}
	checkAllOnce(t, one, 40)
	// Coalesce(2) merges neighbours: partition 0 holds what partitions 0 and 1 held.
	two := partitionsOf(t, df.Coalesce(2), "v")
	if len(two) != 2 {
		t.Errorf("Coalesce(2): %d partitions, want 2", len(two))
	}
	for i := range 2 {
		want := append(slices.Clone(before[2*i]), before[2*i+1]...)
		if got := two[i]; !slices.Equal(sortedInts(got), sortedInts(want)) {
			t.Errorf("Coalesce(2) partition %d: %v, want partitions %d and %d: %v", i, got, 2*i, 2*i+1, want)
		}
	}
	if got, want := sortedRows(t, df.Coalesce(3)), sortedRows(t, df); !reflect.DeepEqual(got, want) {
		t.Errorf("Coalesce(3) rows %v, want %v", got, want)
	}

	// More partitions than there are: nothing changes.
	s2 := dfSession(t, 2)
	df2 := kvDF(t, s2, 10, 2)
	eight := partitionsOf(t, df2.Coalesce(8), "v")
	if len(eight) != 2 {
		t.Errorf("Coalesce(8) of 2 partitions: %d partitions, want 2", len(eight))
	}
	checkAllOnce(t, eight, 10)

	// A coalesce keeps its input's order: the first rows of a sort stay first.
	rows := collect(t, df.OrderBy(Col("v").Desc()).Coalesce(1).Limit(3))
	if want := []Row{{int64(39 % 7), int64(39)}, {int64(38 % 7), int64(38)}, {int64(37 % 7), int64(37)}}; !reflect.DeepEqual(rows, want) {
		t.Errorf("OrderBy(v desc).Coalesce(1).Limit(3) = %v, want %v", rows, want)
	}
}

func sortedInts(vs []int64) []int64 {
	out := slices.Clone(vs)
	slices.Sort(out)
	return out
}

// TestRepartitionFilterPushedBelow: a Filter after Repartition runs before the shuffle
// (the optimized plan has it under the repartition) and gives the rows filtering first
// gives.
func TestRepartitionFilterPushedBelow(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	df := kvDF(t, s, 40, 4)
	filtered := df.Repartition(4, "k").Filter(Col("v").Gt(30))
	plan, err := filtered.Explain(ctx, "logical")
	if err != nil {
		t.Fatal(err)
	}
	_, opt, ok := strings.Cut(plan, "== Optimized Logical Plan ==")
	if !ok {
		t.Fatalf("no optimized plan in\n%s", plan)
	}
	rep, filter := lineIndent(opt, "Repartition: hash("), lineIndent(opt, "Filter: ")
	if rep < 0 || filter <= rep {
		t.Errorf("the filter is not below the repartition (indents %d, %d):\n%s", rep, filter, opt)
	}
	if !strings.Contains(opt, "into 4") {
		t.Errorf("the repartition lost its partition count:\n%s", opt)
	}
	if got, want := sortedRows(t, filtered), sortedRows(t, df.Filter(Col("v").Gt(30))); !reflect.DeepEqual(got, want) || len(got) != 9 {
		t.Errorf("got %v, want %v (9 rows)", got, want)
	}
	// Still 4 partitions after the filter.
	if byPart := partitionsOf(t, filtered, "v"); len(byPart) != 4 {
		t.Errorf("%d partitions after the filter, want 4", len(byPart))
	}
	// The physical plan shuffles into 4 on k.
	phys, err := filtered.Explain(ctx, "physical")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(phys, "Exchange: hash([k]) into 4") {
		t.Errorf("physical plan:\n%s", phys)
	}
}

// lineIndent returns the indentation of the first line of text containing s, or -1.
func lineIndent(text, s string) int {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return len(l) - len(strings.TrimLeft(l, " "))
		}
	}
	return -1
}

// TestRepartitionLosesOrder: after Repartition the DataFrame is not ordered, so a Limit
// wraps it (it keeps some rows, not a top-N of the old order).
func TestRepartitionLosesOrder(t *testing.T) {
	s := dfSession(t, 2)
	ordered := kvDF(t, s, 20, 2).OrderBy("v")
	if !ordered.ordered {
		t.Fatal("OrderBy did not mark the DataFrame ordered")
	}
	for _, d := range []*DataFrame{ordered.Repartition(3), ordered.Repartition(3, "k"), ordered.Coalesce(1)} {
		if d.ordered {
			t.Errorf("%s is still marked ordered", d.SQL())
		}
		n, err := d.Limit(5).Count(context.Background())
		if err != nil || n != 5 {
			t.Errorf("Limit(5).Count() = %d, %v; want 5", n, err)
		}
	}
}

func TestRepartitionErrors(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	df := kvDF(t, s, 10, 2)
	cases := []struct {
		name string
		df   *DataFrame
		want string
	}{
		{"zero", df.Repartition(0), "Repartition needs 1 or more partitions, not 0"},
		{"zero with a column", df.Repartition(0, "k"), "Repartition needs 1 or more partitions, not 0"},
		{"negative coalesce", df.Coalesce(-2), "Coalesce needs 1 or more partitions, not -2"},
		{"unknown column", df.Repartition(2, "k", "vv"), `unknown column "vv"; did you mean "v"?`},
		{"first error kept", df.Repartition(2, "nope").Coalesce(0).Repartition(0), `unknown column "nope"`},
		{"error before", df.Select("kk").Repartition(2), `"kk"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.df.Count(ctx)
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a plan error containing %q", err, c.want)
			}
			if c.name == "unknown column" && !strings.HasPrefix(err.Error(), "Repartition: ") {
				t.Errorf("%q does not say which step failed", err)
			}
			if c.df.Err() == nil && c.name != "error before" {
				t.Error("Err() is nil; the error should be kept in the DataFrame")
			}
		})
	}
}

// TestRepartitionDealsRows: Repartition(n) spreads rows evenly even when the input is one
// batch in one partition (the exchange deals rows, not batches).
func TestRepartitionDealsRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s, err := NewSession(WithInMemoryCatalog(), WithAllocator(mem), WithPartitions(1))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.AssertSize(t, 0)
	defer s.Close()
	byPart := partitionsOf(t, kvDF(t, s, 30, 1).Repartition(3), "v")
	if len(byPart) != 3 {
		t.Fatalf("%d partitions ran, want 3", len(byPart))
	}
	for p, vs := range byPart {
		if len(vs) != 10 {
			t.Errorf("partition %d holds %d rows, want 10", p, len(vs))
		}
	}
}
