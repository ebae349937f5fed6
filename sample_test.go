package ember_test

import (
	"context"
	"testing"

	"github.com/embersql/ember"
	"github.com/embersql/ember/dataframe"
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
