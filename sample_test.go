package ember_test

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/ml"
)

// TestSampleSeedsAWarehouse checks that every sample table is embedded, seeds a new
// warehouse and answers a query, and that the seeded catalog survives a new session.
func TestSampleSeedsAWarehouse(t *testing.T) {
	dir := t.TempDir()
	s, err := dataframe.NewSession(dataframe.WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsNewWarehouse() {
		t.Fatal("a fresh directory should be a new warehouse")
	}
	if err := s.SeedTables(ember.Sample, ember.SampleTables); err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.TableNames()), len(ember.SampleTables); got != want {
		t.Fatalf("%d tables after seeding, want %d", got, want)
	}
	s2, err := dataframe.NewSession(dataframe.WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	if s2.IsNewWarehouse() {
		t.Error("the seeded warehouse should not be new to a second session")
	}
	for name := range ember.SampleTables {
		r, err := s2.Exec(context.Background(), "SELECT count(*) FROM "+name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.NumRows() != 1 {
			t.Errorf("%s: count(*) returned %d rows", name, r.NumRows())
		}
		r.Release()
	}
}

// TestSampleModel seeds the sample model into a warehouse with the iris table and checks
// its predictions through SQL against scikit-learn's own (iris_species_pred.csv, written by
// make_iris_model.py): the same label for every row, probabilities within 1e-6.
func TestSampleModel(t *testing.T) {
	s, err := dataframe.NewSession(dataframe.WithWarehouse(t.TempDir()), dataframe.WithExtensions(ml.Extension()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SeedTables(ember.Sample, map[string]string{"iris": ember.SampleTables["iris"]}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // seeding twice leaves the model alone
		if err := ml.SeedModels(s, ember.Sample, ember.SampleModels); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open("testdata/sample/iris_species_pred.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want = want[1:]
	res, err := s.Exec(context.Background(), `SELECT ml_predict('iris_species', sepal_length, sepal_width, petal_length, petal_width),
		ml_predict_proba('iris_species', vector(sepal_length, sepal_width, petal_length, petal_width)) FROM iris`)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	row := 0
	for _, b := range res.Batches {
		labels, probs := b.Column(0).(*array.String), b.Column(1).(*array.List)
		vals := probs.ListValues().(*array.Float64)
		for i := range int(b.NumRows()) {
			if row >= len(want) {
				t.Fatalf("more than %d rows", len(want))
			}
			if labels.Value(i) != want[row][0] {
				t.Errorf("row %d: %s, scikit-learn %s", row, labels.Value(i), want[row][0])
			}
			start, end := probs.ValueOffsets(i)
			if end-start != 3 {
				t.Fatalf("row %d: %d probabilities", row, end-start)
			}
			for j := range 3 {
				p, _ := strconv.ParseFloat(want[row][1+j], 64)
				if got := vals.Value(int(start) + j); math.Abs(got-p) > 1e-6 {
					t.Errorf("row %d class %d: %v, scikit-learn %v", row, j, got, p)
				}
			}
			row++
		}
	}
	if row != len(want) {
		t.Errorf("%d rows, want %d", row, len(want))
	}
	if vs, err := ml.SessionRegistry(s).Versions("iris_species"); err != nil || len(vs) != 1 {
		t.Errorf("versions after seeding twice: %v, %v", vs, err)
	}
}
