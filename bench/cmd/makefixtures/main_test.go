package main

import (
	"context"
	"strings"
	"testing"

	"github.com/embersql/ember/bench/tpch"
)

func TestCheckTies(t *testing.T) {
	ctx := context.Background()
	d, err := tpch.OpenDuckDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Exec(ctx, "CREATE TABLE t AS SELECT * FROM (VALUES (1, 10), (2, 10), (3, 5)) v(a, b)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query   string
		nrows   int
		wantErr string // "" when the order is determined
	}{
		{"select a, b from t order by b desc, a", 3, ""},
		{"select a, b from t order by b desc", 3, "tie"},
		{"select a, b from t order by b desc limit 1", 1, "tie"}, // which 10 makes the cut is open
		{"select a, b from t order by b limit 1", 1, ""},         // 5, then a 10: no tie at the cut
		{"select a, b from t order by b asc limit 2", 2, "tie"},
		{"select sum(a) as s from t", 1, ""},
		{"select a from t", 3, "no ORDER BY"},
		{"select a, b + 1 from t order by b + 1", 3, "cannot check ties"},
	}
	for _, tc := range tests {
		err := checkTies(ctx, d, tc.query, tc.nrows)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.query, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.query, err, tc.wantErr)
		}
	}
}
