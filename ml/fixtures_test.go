package ml

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Helpers to read the fixtures of testdata/ml (see make_fixtures.py there).

const fixtureDir = "../testdata/ml"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCSV(t testing.TB, name string) (header []string, rows [][]string) {
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
	return recs[0], recs[1:]
}

// readData reads <name>_data.csv: row-major float32 features, empty cells as NaN.
func readData(t testing.TB, name string) (features []float32, rows, cols int) {
	t.Helper()
	header, recs := readCSV(t, name+"_data.csv")
	cols = len(header)
	for _, rec := range recs {
		for _, cell := range rec {
			if cell == "" {
				features = append(features, float32(math.NaN()))
				continue
			}
			v, err := strconv.ParseFloat(cell, 32)
			if err != nil {
				t.Fatalf("%s_data.csv: %v", name, err)
			}
			features = append(features, float32(v))
		}
	}
	return features, len(recs), cols
}

// readPred reads <name>_pred.csv into columns by name.
func readPred(t testing.TB, name string) map[string][]float64 {
	t.Helper()
	header, recs := readCSV(t, name+"_pred.csv")
	out := make(map[string][]float64, len(header))
	for _, rec := range recs {
		for j, cell := range rec {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatalf("%s_pred.csv: %v", name, err)
			}
			out[header[j]] = append(out[header[j]], v)
		}
	}
	return out
}

// column returns column name of the fixture's predictions, failing when absent.
func column(t testing.TB, pred map[string][]float64, name string) []float64 {
	t.Helper()
	c, ok := pred[name]
	if !ok {
		t.Fatalf("prediction column %q missing", name)
	}
	return c
}

// tolerance is the agreement required with the libraries' own outputs: absolute for
// values up to 1, relative beyond.
const tolerance = 1e-6

// compare checks got[r*stride+off] against want[r] for every row and returns the largest
// scaled difference.
func compare(t *testing.T, what string, got []float64, stride, off int, want []float64) float64 {
	t.Helper()
	if len(got) != len(want)*stride {
		t.Fatalf("%s: %d values for %d rows × %d", what, len(got), len(want), stride)
	}
	worst := 0.0
	bad := 0
	for r, w := range want {
		g := got[r*stride+off]
		d := math.Abs(g-w) / math.Max(1, math.Abs(w))
		if math.IsNaN(g) != math.IsNaN(w) || d > tolerance {
			if bad < 5 {
				t.Errorf("%s row %d: got %.17g, want %.17g", what, r, g, w)
			}
			bad++
		}
		worst = max(worst, d)
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d rows differ by more than %g", what, bad, len(want), tolerance)
	}
	return worst
}

// editJSON decodes a fixture into generic values, lets edit change it, and re-encodes it.
func editJSON(t testing.TB, name string, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readFixture(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// path walks a generic JSON value along keys (string) and indexes (int).
func path(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}
