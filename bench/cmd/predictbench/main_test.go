package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestParseLists(t *testing.T) {
	tests := []struct {
		parts, models, forms string
		wantErr              string
		wantParts            []int
	}{
		{parts: "1,2,2,4", models: "xgb100,logistic", forms: "columns,vector", wantParts: []int{1, 2, 4}},
		{parts: " 3 ", models: "logistic", forms: "vector", wantParts: []int{3}},
		{parts: "0", models: "logistic", forms: "columns", wantErr: `"0" is not a positive number`},
		{parts: "1", models: "xgb", forms: "columns", wantErr: `unknown model "xgb"`},
		{parts: "1", models: "logistic", forms: "rows", wantErr: `unknown query form "rows"`},
		{parts: "", models: "logistic", forms: "columns", wantErr: "at least one value"},
	}
	for _, tc := range tests {
		t.Run(tc.parts+"/"+tc.models+"/"+tc.forms, func(t *testing.T) {
			o := options{rows: 10, repeat: 1}
			err := parseLists(&o, tc.parts, tc.models, tc.forms)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(o.partitions) != len(tc.wantParts) {
				t.Fatalf("partitions %v, want %v", o.partitions, tc.wantParts)
			}
			for i, p := range tc.wantParts {
				if o.partitions[i] != p {
					t.Fatalf("partitions %v, want %v", o.partitions, tc.wantParts)
				}
			}
		})
	}
}

// TestRun runs the command's whole path on a small table: every model, both forms, 1 and
// 2 partitions, EXPLAIN ANALYZE; run fails if a query's sum differs from the model alone's.
func TestRun(t *testing.T) {
	o := options{rows: 20_000, repeat: 1, explain: true, testdata: "../../../testdata/ml"}
	if err := parseLists(&o, "1,2", "xgb100,logistic", "columns,vector"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), o, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"| xgb100 | model alone | - | 1 |",
		"| logistic | predict(vector(f0, ..., f9)) | 2 |",
		"BatchedCall: predict(",
		"rows=20000",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}
