package train

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Small enough for CI, large enough for two row groups (two scan splits) and for the
// fitted weights to be close to the generating ones.
const (
	testRows     = 150_000
	testFeatures = 5
	testSeed     = 7
)

// values flattens batches row-major as the raw file holds them.
func values(t *testing.T, batches []arrow.RecordBatch, d int) []float64 {
	t.Helper()
	var out []float64
	for _, b := range batches {
		for i := 0; i < int(b.NumRows()); i++ {
			for j := 0; j <= d; j++ {
				out = append(out, b.Column(j).(*array.Float64).Value(i))
			}
			out = append(out, float64(b.Column(d+1).(*array.Int64).Value(i)))
		}
	}
	return out
}

func TestMakeBatchesIsDeterministic(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	gen := func(seed uint64) []float64 {
		batches, err := MakeBatches(mem, 20_000, testFeatures, seed)
		if err != nil {
			t.Fatal(err)
		}
		defer ReleaseAll(batches)
		if len(batches) != 3 || batches[2].NumRows() != 20_000-2*BatchRows {
			t.Fatalf("got %d batches, the last of %d rows", len(batches), batches[len(batches)-1].NumRows())
		}
		return values(t, batches, testFeatures)
	}
	a, b, c := gen(1), gen(1), gen(2)
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("value %d differs between two runs with the same seed: %v, %v", i, a[i], b[i])
		}
		if a[i] == c[i] {
			same++
		}
	}
	// Only y_bin values (0 or 1) may coincide across seeds.
	if same > len(a)/(testFeatures+2) {
		t.Errorf("seeds 1 and 2 share %d of %d values", same, len(a))
	}
	// The features are standard normal, y_bin takes both values.
	var sum, sq, ones float64
	rows := len(a) / (testFeatures + 2)
	for i := 0; i < rows; i++ {
		v := a[i*(testFeatures+2)]
		sum, sq = sum+v, sq+v*v
		ones += a[i*(testFeatures+2)+testFeatures+1]
	}
	if mean, vr := sum/float64(rows), sq/float64(rows); math.Abs(mean) > 0.03 || math.Abs(vr-1) > 0.05 {
		t.Errorf("f0: mean %v, variance %v; want about 0 and 1", mean, vr)
	}
	if ones < 0.2*float64(rows) || ones > 0.8*float64(rows) {
		t.Errorf("y_bin is 1 in %v of %d rows", ones, rows)
	}
}

func TestMakeDataWritesOnceAndReuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := MakeData(ctx, dir, 10_000, 3, testSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Reused {
		t.Error("a new folder is reported as reused")
	}
	raw, err := os.ReadFile(d.Raw)
	if err != nil {
		t.Fatal(err)
	}
	batches, err := MakeBatches(memory.DefaultAllocator, 10_000, 3, testSeed)
	if err != nil {
		t.Fatal(err)
	}
	defer ReleaseAll(batches)
	want := values(t, batches, 3)
	if len(raw) != 8*len(want) {
		t.Fatalf("raw file of %d bytes, want %d", len(raw), 8*len(want))
	}
	for i, v := range want {
		if got := math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])); got != v {
			t.Fatalf("raw value %d is %v, want %v", i, got, v)
		}
	}
	st, err := os.Stat(d.Raw)
	if err != nil {
		t.Fatal(err)
	}

	again, err := MakeData(ctx, dir, 10_000, 3, testSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	st2, err := os.Stat(again.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Reused || !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("second MakeData: reused %v, raw file rewritten %v", again.Reused, !st2.ModTime().Equal(st.ModTime()))
	}

	// A truncated raw file is not reused.
	if err := os.Truncate(d.Raw, 8); err != nil {
		t.Fatal(err)
	}
	third, err := MakeData(ctx, dir, 10_000, 3, testSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st3, err := os.Stat(third.Raw); third.Reused || err != nil || st3.Size() != int64(len(raw)) {
		t.Errorf("after truncation: reused %v, err %v", third.Reused, err)
	}
	// Another seed gets its own folder.
	other, err := MakeData(ctx, dir, 10_000, 3, testSeed+1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.Reused || filepath.Dir(other.Dir) != dir || other.Dir == d.Dir {
		t.Errorf("seed %d: folder %s, reused %v", testSeed+1, other.Dir, other.Reused)
	}
}

// TestEmberTrainings runs every training through SQL and the Go API at 1 and 3 partitions
// on a checked allocator: one source scan each, weights near the generating ones, the two
// paths agreeing.
func TestEmberTrainings(t *testing.T) {
	ctx := context.Background()
	data, err := MakeData(ctx, t.TempDir(), testRows, testFeatures, testSeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	for _, parts := range []int{1, 3} {
		for _, m := range Models {
			var fits []Fit
			for _, run := range []func(context.Context, memory.Allocator, *Data, Model, int, Params) (Fit, error){RunSQL, RunGo} {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				f, err := run(ctx, mem, data, m, parts, p)
				if err != nil {
					t.Fatalf("%s, %d partitions: %v", m, parts, err)
				}
				mem.AssertSize(t, 0)
				if f.SourceScans != 1 || f.SourceRows != testRows {
					t.Errorf("%s %s, %d partitions: %d source scans of %d rows", f.Engine, m, parts, f.SourceScans, f.SourceRows)
				}
				fits = append(fits, f)
			}
			sql, api := fits[0], fits[1]
			switch m {
			case Logistic, Linear:
				w, b := LogisticWeights(testFeatures)
				tol := 0.05
				if m == Linear {
					w, b = LinearWeights(testFeatures)
					tol = 0.01
				}
				truth := Fit{Coef: w, Intercept: b}
				for _, f := range fits {
					if d := CoefDiff(f, truth); !(d < tol) {
						t.Errorf("%s %s, %d partitions: weights %v %v, generated with %v %v (relative difference %v)",
							f.Engine, m, parts, f.Coef, f.Intercept, w, b, d)
					}
				}
				if d := CoefDiff(sql, api); !(d < 1e-9) {
					t.Errorf("%s, %d partitions: SQL and Go weights differ by %v", m, parts, d)
				}
				if m == Logistic && (sql.Iterations < 1 || sql.Iterations != api.Iterations) {
					t.Errorf("logistic, %d partitions: iterations %d (SQL), %d (Go)", parts, sql.Iterations, api.Iterations)
				}
			case KMeans:
				// Isotropic normal features: a k-means of 8 clusters keeps more than half
				// of the total sum of squares (about rows × features) and less than all.
				total := float64(testRows * testFeatures)
				if !(sql.Inertia > 0.3*total && sql.Inertia < total) || sql.Inertia != api.Inertia {
					t.Errorf("kmeans, %d partitions: inertia %v (SQL), %v (Go); total sum of squares about %v", parts, sql.Inertia, api.Inertia, total)
				}
				if sql.Iterations < 1 || sql.Iterations > p.KMeansIter || sql.Iterations != api.Iterations {
					t.Errorf("kmeans, %d partitions: iterations %d (SQL), %d (Go)", parts, sql.Iterations, api.Iterations)
				}
			}
		}
	}
}

// The statements run in TestEmberTrainings; this checks that small numbers are written
// without an exponent, which OPTIONS do not parse.
func TestStatementSpellsNumbersWithoutExponent(t *testing.T) {
	p := DefaultParams()
	p.L2, p.Tol = 1e-7, 1e-9
	s := p.Statement(Logistic, "m", 2)
	for _, want := range []string{"l2_reg = 0.0000001", "tol = 0.000000001", "AS SELECT f0, f1, y_bin FROM t"} {
		if !strings.Contains(s, want) {
			t.Errorf("statement %q lacks %q", s, want)
		}
	}
}

func TestRunSklearnWithoutPython(t *testing.T) {
	data := &Data{Rows: 1, Features: 1, Raw: "unused"}
	_, err := RunSklearn(context.Background(), filepath.Join(t.TempDir(), "no-python"), data, Models, DefaultParams(), 1)
	if !errors.Is(err, ErrNoSklearn) {
		t.Errorf("missing interpreter: got %v, want ErrNoSklearn", err)
	}
}

func TestCoefDiff(t *testing.T) {
	ref := Fit{Coef: []float64{2, -4}, Intercept: 1}
	if d := CoefDiff(ref, ref); d != 0 {
		t.Errorf("a fit against itself: %v", d)
	}
	// The largest difference (0.5, the intercept's) over the largest weight (4).
	if d := CoefDiff(Fit{Coef: []float64{2.1, -4.2}, Intercept: 1.5}, ref); math.Abs(d-0.125) > 1e-12 {
		t.Errorf("got %v, want 0.125", d)
	}
	if d := CoefDiff(Fit{Coef: []float64{1}}, ref); !math.IsNaN(d) {
		t.Errorf("different lengths: %v, want NaN", d)
	}
}
