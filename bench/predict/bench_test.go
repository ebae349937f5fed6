package predict

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// smallRows is the table size of the tests: two full batches and a short one.
const smallRows = 20_000

// TestQueryMatchesModel runs the benchmark's code path on a small table, for every model,
// query form and partition counts 1 and 3, and checks the query's sum of predictions
// against the model's own predictions of the same rows (ModelAlone). A classifier's
// prediction is its class index, so the sums are counts and must be equal exactly.
func TestQueryMatchesModel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches, err := MakeTable(mem, smallRows, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ReleaseAll(batches)
	feats := RowMajor(batches)
	ctx := context.Background()
	for _, spec := range Models {
		m, err := spec.Load(fixtureDir)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := ModelAlone(ctx, m, feats, 1)
		if err != nil {
			t.Fatal(err)
		}
		if par, _, err := ModelAlone(ctx, m, feats, 2); err != nil || par != want {
			t.Errorf("%s: the model alone on 2 goroutines sums %v (%v), on one %v", spec.Name, par, err, want)
		}
		// Both classes occur, so a sum that ignored rows or predicted a constant fails.
		if want <= 0 || want >= smallRows {
			t.Fatalf("%s: the model predicts class 1 for %v of %d rows", spec.Name, want, smallRows)
		}
		for _, parts := range []int{1, 3} {
			s, err := OpenSession(mem, batches, parts, m)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range Forms {
				got, _, err := RunQuery(ctx, s, Query(f))
				if err != nil {
					t.Errorf("%s, %d partitions, %s: %v", spec.Name, parts, f, err)
					continue
				}
				if got != want {
					t.Errorf("%s, %d partitions, %s: sum %v, the model alone %v", spec.Name, parts, f, got, want)
				}
			}
			if parts == 3 {
				lines, err := Explain(ctx, s, Query(Columns))
				if err != nil {
					t.Fatal(err)
				}
				plan := strings.Join(lines, "\n")
				if !strings.Contains(plan, "BatchedCall") {
					t.Errorf("%s: EXPLAIN ANALYZE has no BatchedCall:\n%s", spec.Name, plan)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestMakeTable checks the table's shape, that it depends on the seed and row count only,
// and that RowMajor transposes it.
func TestMakeTable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a, err := MakeTable(mem, smallRows, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer ReleaseAll(a)
	b, err := MakeTable(mem, smallRows, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer ReleaseAll(b)
	c, err := MakeTable(mem, smallRows, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer ReleaseAll(c)
	wantBatches := (smallRows + BatchRows - 1) / BatchRows
	if len(a) != wantBatches {
		t.Fatalf("%d batches, want %d", len(a), wantBatches)
	}
	var rows int64
	for i, bt := range a {
		if !bt.Schema().Equal(Schema()) {
			t.Fatalf("batch %d schema %s", i, bt.Schema())
		}
		if i < len(a)-1 && bt.NumRows() != BatchRows {
			t.Errorf("batch %d has %d rows", i, bt.NumRows())
		}
		rows += bt.NumRows()
		if !array.RecordEqual(bt, b[i]) {
			t.Errorf("batch %d differs between two tables of the same seed", i)
		}
	}
	if rows != smallRows {
		t.Errorf("%d rows, want %d", rows, smallRows)
	}
	fa, fc := RowMajor(a), RowMajor(c)
	if slices.Equal(fa, fc) {
		t.Error("seeds 7 and 8 give the same table")
	}
	// Row 8193 (second batch, second row), column 4.
	if got, want := fa[(BatchRows+1)*NumFeatures+4], a[1].Column(4).(*array.Float32).Value(1); got != want {
		t.Errorf("RowMajor: %v, want %v", got, want)
	}
	var sum, sq float64
	for _, v := range fa {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	n := float64(len(fa))
	if mean, sd := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n)); math.Abs(mean) > 0.05 || math.Abs(sd-1) > 0.05 {
		t.Errorf("values have mean %.3f and sd %.3f, want standard normal", mean, sd)
	}
}

func TestParseFormAndQuery(t *testing.T) {
	for _, f := range Forms {
		got, err := ParseForm(string(f))
		if err != nil || got != f {
			t.Errorf("ParseForm(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseForm("row"); err == nil {
		t.Error("ParseForm(\"row\") succeeded")
	}
	if got, want := Query(Vector), "SELECT sum(predict(vector(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9))) FROM t"; got != want {
		t.Errorf("Query(Vector) = %q, want %q", got, want)
	}
}
