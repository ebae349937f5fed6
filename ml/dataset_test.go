package ml

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestDatasetChecksAndIndexesClasses(t *testing.T) {
	s := mlSession(t, "", 3)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE d (a INT, b DOUBLE, name VARCHAR(10), y VARCHAR(5))",
		"INSERT INTO d VALUES (1, 0.5, 'x', 'no'), (2, 1.5, 'y', 'yes'), (3, 2.5, 'z', 'no'), (4, 3.5, 'w', 'maybe')",
	} {
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	df, err := s.SQL(ctx, "SELECT a, b, y FROM d")
	if err != nil {
		t.Fatal(err)
	}
	before := s.Metrics()
	ds, err := NewDataset(ctx, df, DataSpec{Label: "Y", Classify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if got := strings.Join(ds.Classes, ","); got != "maybe,no,yes" {
		t.Errorf("classes %s", got)
	}
	if ds.Rows != 4 || strings.Join(ds.Features, ",") != "a,b" || ds.Label != "y" {
		t.Errorf("rows %d features %v label %q", ds.Rows, ds.Features, ds.Label)
	}
	// Sum of a, of b, of class indexes.
	got, err := ds.Aggregate(ctx, make([]float64, 3), func(st []float64, b Batch) error {
		for i := 0; i < b.N; i++ {
			st[0] += b.X[0][i]
			st[1] += b.X[1][i]
			st[2] += b.Y[i]
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 10 || got[1] != 8 || got[2] != 1+2+1+0 {
		t.Errorf("sums %v", got)
	}
	if d := s.Metrics().SourceScans - before.SourceScans; d != 1 {
		t.Errorf("%d source scans, want 1", d)
	}

	bad := []struct{ sql, label, want string }{
		{"SELECT a, b FROM d", "y", `label column "y" does not exist`},
		{"SELECT a, name, y FROM d", "y", `feature column "name" is VARCHAR`},
		{"SELECT a, b, y FROM d WHERE a > 10", "y", "no rows"},
		{"SELECT a, b, 'one' AS y FROM d", "y", `label column "y" has a single class (one)`},
		{"SELECT CASE WHEN a = 2 THEN NULL ELSE a END AS a, b, y FROM d", "y", `feature column "a" has 1 NULL value`},
		{"SELECT a, b, CASE WHEN a = 1 THEN NULL ELSE y END AS y FROM d", "y", `label column "y" has 1 NULL value`},
	}
	for _, c := range bad {
		df, err := s.SQL(ctx, c.sql)
		if err == nil {
			_, err = NewDataset(ctx, df, DataSpec{Label: c.label, Classify: true})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.sql, err, c.want)
		}
	}
	df, _ = s.SQL(ctx, "SELECT a, b FROM d")
	if _, err := NewDataset(ctx, df, DataSpec{Label: "b"}); err != nil {
		t.Errorf("regression on b: %v", err)
	}
	if _, err := NewDataset(ctx, df, DataSpec{Label: "b", Features: []string{"zz"}}); err == nil || !strings.Contains(err.Error(), `feature column "zz" does not exist`) {
		t.Errorf("missing feature: %v", err)
	}
}

func TestDatasetFromColumns(t *testing.T) {
	s := mlSession(t, "", 2)
	ctx := context.Background()
	ds, err := DatasetFromColumns(ctx, s, []string{"x0", "x1"}, [][]float64{{1, 2, 3}, {4, 5, 6}}, []float64{0, 1, 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if strings.Join(ds.Classes, ",") != "0,1" || ds.Rows != 3 {
		t.Errorf("classes %v rows %d", ds.Classes, ds.Rows)
	}
	for _, c := range []struct {
		x, y []float64
		want string
	}{
		{[]float64{1, math.Inf(1), 3}, []float64{0, 1, 1}, `feature column "x0" has 1 infinite value`},
		{[]float64{1, math.NaN(), math.NaN()}, []float64{0, 1, 1}, `feature column "x0" has 2 NaN values`},
		{[]float64{1, 2, 3}, []float64{0, math.Inf(-1), 1}, `label column "label" has 1 infinite value`},
	} {
		_, err := DatasetFromColumns(ctx, s, []string{"x0"}, [][]float64{c.x}, c.y, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: got %v, want %q", c.x, c.y, err, c.want)
		}
	}
}
