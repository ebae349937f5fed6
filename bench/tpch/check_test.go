package tpch

import (
	"strings"
	"testing"
)

func TestCheckRows(t *testing.T) {
	prec := []Precision{PrecString, PrecSum, PrecAvg, PrecCount, PrecNumber}
	want := [][]string{{"A", "1000.00", "25.522006", "1478", "711.56"}}
	tests := []struct {
		name    string
		got     [][]string
		wantErr string // substring; "" for a pass
	}{
		{"equal", [][]string{{"A", "1000.00", "25.522006", "1478", "711.56"}}, ""},
		{"sum within 100", [][]string{{"A", "1099.99", "25.522006", "1478", "711.56"}}, ""},
		{"sum off by more than 100", [][]string{{"A", "1100.01", "25.522006", "1478", "711.56"}}, "row 0 column 1"},
		{"avg within 0.01", [][]string{{"A", "1000.00", "25.53", "1478", "711.56"}}, ""},
		{"avg off", [][]string{{"A", "1000.00", "25.54", "1478", "711.56"}}, "row 0 column 2"},
		{"count differs", [][]string{{"A", "1000.00", "25.522006", "1477", "711.56"}}, "row 0 column 3"},
		// A singleton column compares as text: the scale must match.
		{"number without scale", [][]string{{"A", "1000.00", "25.522006", "1478", "711.560"}}, "row 0 column 4"},
		{"string differs", [][]string{{"B", "1000.00", "25.522006", "1478", "711.56"}}, "row 0 column 0"},
		{"sum not a number", [][]string{{"A", "x", "25.522006", "1478", "711.56"}}, "row 0 column 1"},
		{"row count", nil, "expect 1 rows, got 0 rows"},
		{"NULL sum", [][]string{{"A", "NULL", "25.522006", "1478", "711.56"}}, "row 0 column 1"},
		{"column count", [][]string{{"A"}}, "expect 5 columns, got 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckRows(prec, want, tc.got)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("passed, want an error containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

// The published answers must pass their own check, and the linknamed tables must be those
// of go-tpc: 22 queries, each with an answer whose width is its precision list's.
func TestPublishedAnswers(t *testing.T) {
	for n := 1; n <= NumQueries; n++ {
		want, err := Answer(n)
		if err != nil {
			t.Fatal(err)
		}
		prec, err := Precisions(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || len(want[0]) != len(prec) {
			t.Fatalf("q%d: %d answer rows, %d precisions", n, len(want), len(prec))
		}
		if err := CheckQuery(n, want); err != nil {
			t.Errorf("q%d: the answer fails its own check: %v", n, err)
		}
	}
	// Q1's answer as go-tpc publishes it (tpch/answer.go): MySQL's scales, 2, 4 and 6.
	q1, _ := Answer(1)
	if got := strings.Join(q1[0][:6], " "); got != "A F 37734107.00 56586554400.73 53758257134.8700 55909065222.827692" {
		t.Errorf("q1 row 0 = %q", got)
	}
	if _, err := Answer(23); err == nil {
		t.Error("Answer(23) succeeded")
	}
}

// NULL, as the fixtures' DuckDB results hold it for a sum over no rows, equals only NULL.
func TestCheckRowsNull(t *testing.T) {
	prec := []Precision{PrecSum, PrecAvg}
	want := [][]string{{NullText, NullText}}
	if err := CheckRows(prec, want, [][]string{{NullText, NullText}}); err != nil {
		t.Errorf("NULL vs NULL: %v", err)
	}
	if err := CheckRows(prec, want, [][]string{{"0.00", NullText}}); err == nil {
		t.Error("0.00 passed for NULL")
	}
}
