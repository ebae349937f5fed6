package predict

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/embersql/ember/ml"
)

// fixtureDir holds the models and their check files (testdata/ml, make_fixtures.py).
const fixtureDir = "../../testdata/ml"

// tolerance is the largest difference allowed between Ember's and the library's
// probabilities (absolute: they lie in [0, 1]).
const tolerance = 1e-6

// readCSV reads a fixture CSV of numbers: its header and its columns.
func readCSV(t *testing.T, name string) ([]string, [][]float64) {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: no rows", name)
	}
	cols := make([][]float64, len(recs[0]))
	for _, rec := range recs[1:] {
		for j, cell := range rec {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cols[j] = append(cols[j], v)
		}
	}
	return recs[0], cols
}

// checkRows reads bench_data.csv, the check rows, row-major as float32.
func checkRows(t *testing.T) ([]float32, int) {
	t.Helper()
	header, cols := readCSV(t, "bench_data.csv")
	if len(header) != NumFeatures {
		t.Fatalf("bench_data.csv has %d columns, want %d", len(header), NumFeatures)
	}
	rows := len(cols[0])
	feats := make([]float32, rows*NumFeatures)
	for j, c := range cols {
		for i, v := range c {
			feats[i*NumFeatures+j] = float32(v) // the file holds float32 values exactly
		}
	}
	return feats, rows
}

// TestModelsMatchLibraries compares each benchmark model's class probabilities and
// predicted classes, as Ember computes them, with those of the library that trained it on
// the 1000 check rows.
func TestModelsMatchLibraries(t *testing.T) {
	feats, rows := checkRows(t)
	for _, spec := range Models {
		t.Run(spec.Name, func(t *testing.T) {
			m, err := spec.Load(fixtureDir)
			if err != nil {
				t.Fatal(err)
			}
			header, cols := readCSV(t, "bench_"+spec.Name+"_pred.csv")
			want := map[string][]float64{}
			for j, h := range header {
				want[h] = cols[j]
			}
			for _, c := range []string{"p0", "p1", "pred"} {
				if len(want[c]) != rows {
					t.Fatalf("column %s has %d rows, the check rows %d", c, len(want[c]), rows)
				}
			}
			ctx := context.Background()
			proba := make([]float64, 2*rows)
			if err := m.PredictProba(ctx, feats, rows, proba); err != nil {
				t.Fatal(err)
			}
			pred := make([]float64, rows)
			if err := m.Predict(ctx, feats, rows, pred); err != nil {
				t.Fatal(err)
			}
			bad, worst := 0, 0.0
			for i := 0; i < rows; i++ {
				d := max(math.Abs(proba[2*i]-want["p0"][i]), math.Abs(proba[2*i+1]-want["p1"][i]))
				worst = max(worst, d)
				if !(d <= tolerance) || pred[i] != want["pred"][i] {
					if bad < 5 {
						t.Errorf("row %d: got p=[%.17g %.17g] class %v, want [%.17g %.17g] class %v", i,
							proba[2*i], proba[2*i+1], pred[i], want["p0"][i], want["p1"][i], want["pred"][i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d rows differ", bad, rows)
			}
			t.Logf("largest probability difference %.3g over %d rows", worst, rows)
		})
	}
}

// TestModelShapes checks that the files are the models the benchmark says they are.
func TestModelShapes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "bench_xgb100.json"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := ml.LoadXGBoost(data)
	if err != nil {
		t.Fatal(err)
	}
	if x.NumTrees() != 100 || x.Objective() != "binary:logistic" || x.NumFeatures() != NumFeatures {
		t.Errorf("bench_xgb100.json: %d trees, %s, %d features; want 100, binary:logistic, %d",
			x.NumTrees(), x.Objective(), x.NumFeatures(), NumFeatures)
	}
	data, err = os.ReadFile(filepath.Join(fixtureDir, "bench_logistic.json"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ml.LoadMLP(data)
	if err != nil {
		t.Fatal(err)
	}
	if l.NumFeatures() != NumFeatures || len(l.Classes()) != 2 {
		t.Errorf("bench_logistic.json: %d features, classes %v", l.NumFeatures(), l.Classes())
	}
}

func TestFindModel(t *testing.T) {
	for _, spec := range Models {
		got, err := FindModel(spec.Name)
		if err != nil || got != spec {
			t.Errorf("FindModel(%q) = %v, %v", spec.Name, got, err)
		}
	}
	if _, err := FindModel("xgb"); err == nil {
		t.Error("FindModel(\"xgb\") found a model")
	}
}
