package main

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embersql/ember/bench/tpch"
)

func TestParseTSV(t *testing.T) {
	tests := []struct {
		out  string
		want [][]string
	}{
		{"", nil},
		{"\n", [][]string{{"NULL"}}},
		{"A\tF\t37734107.00\n", [][]string{{"A", "F", "37734107.00"}}},
		{"a\\tb\tc\\\\d\\n\t\n", [][]string{{"a\tb", "c\\d\n", "NULL"}}},
		{"1\n2\n", [][]string{{"1"}, {"2"}}},
	}
	for _, tc := range tests {
		if got := parseTSV(tc.out); !slices.EqualFunc(got, tc.want, slices.Equal[[]string]) {
			t.Errorf("parseTSV(%q) = %q, want %q", tc.out, got, tc.want)
		}
	}
}

// fakeEngine answers every script with rows, or err, or a panic, or hangs until cancelled.
type fakeEngine struct {
	rows  [][]string
	err   error
	panic bool
	hang  bool
	ran   []string // the queries it was given
}

func (f *fakeEngine) register(context.Context, string) error { return nil }
func (f *fakeEngine) close() error                           { return nil }
func (f *fakeEngine) run(ctx context.Context, s tpch.Script) ([][]string, error) {
	f.ran = append(f.ran, s.Statements()...)
	switch {
	case f.panic:
		panic("boom")
	case f.hang:
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.rows, f.err
}

func TestCheckOne(t *testing.T) {
	q6, err := tpch.Answer(6)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name       string
		eng, ref   *fakeEngine
		wantStatus string
		wantErr    string
	}{
		{"published answer", &fakeEngine{rows: q6}, nil, statusPass, ""},
		{"within the sum precision", &fakeEngine{rows: [][]string{{"123141100.00"}}}, nil, statusPass, ""},
		{"wrong value", &fakeEngine{rows: [][]string{{"123141278.2283"}}}, nil, statusFail, "row 0 column 0"},
		{"no rows", &fakeEngine{}, nil, statusFail, "expect 1 rows, got 0"},
		{"engine error", &fakeEngine{err: errors.New("not implemented: subquery")}, nil, statusError, "subquery"},
		{"engine panic", &fakeEngine{panic: true}, nil, statusError, "panic: boom"},
		{"timeout", &fakeEngine{hang: true}, nil, statusError, "timed out after"},
		{"reference agrees", &fakeEngine{rows: [][]string{{"5.00"}}}, &fakeEngine{rows: [][]string{{"5.00"}}}, statusPass, ""},
		{"reference disagrees", &fakeEngine{rows: [][]string{{"5.00"}}}, &fakeEngine{rows: [][]string{{"500.00"}}}, statusFail, "expect 500.00"},
		{"reference fails", &fakeEngine{rows: [][]string{{"5.00"}}}, &fakeEngine{err: errors.New("x")}, statusError, "reference: x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ref engine
			if tc.ref != nil {
				ref = tc.ref
			}
			status, _, err := checkOne(ctx, tc.eng, ref, 6, 50*time.Millisecond)
			if status != tc.wantStatus {
				t.Errorf("status %s, want %s (%v)", status, tc.wantStatus, err)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// Query 15 runs as one script: view, query, drop, in that order.
func TestCheckOneRunsQ15AsAScript(t *testing.T) {
	f := &fakeEngine{}
	checkOne(context.Background(), f, nil, 15, 0)
	if len(f.ran) != 3 || !strings.HasPrefix(f.ran[0], "create or replace view revenue0") || f.ran[2] != "drop view revenue0" {
		t.Errorf("q15 ran %q", f.ran)
	}
}

// The Go API and the shell give the same rows over the sample data. Building the shell
// compiles the engine, so -short skips this.
func TestAPIAndShellAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the shell")
	}
	ctx := context.Background()
	dir, err := filepath.Abs("../../../testdata/sample/tpch")
	if err != nil {
		t.Fatal(err)
	}
	api, err := openEngine(ctx, options{engine: "ember", via: "api"})
	if err != nil {
		t.Fatal(err)
	}
	defer api.close()
	sh, err := openEngine(ctx, options{engine: "ember", via: "shell", repo: "../../.."})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.close()
	for _, e := range []engine{api, sh} {
		if err := e.register(ctx, dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{1, 3, 6} {
		s, err := tpch.QueryScript(n)
		if err != nil {
			t.Fatal(err)
		}
		viaAPI, err := api.run(ctx, s)
		if err != nil {
			t.Fatalf("q%d via the API: %v", n, err)
		}
		viaShell, err := sh.run(ctx, s)
		if err != nil {
			t.Fatalf("q%d via the shell: %v", n, err)
		}
		if len(viaAPI) == 0 || !slices.EqualFunc(viaAPI, viaShell, slices.Equal[[]string]) {
			t.Errorf("q%d: the API gave %q, the shell %q", n, viaAPI, viaShell)
		}
	}
	// A failing statement is an error carrying the shell's message.
	if _, err := sh.run(ctx, tpch.Script{Query: "select nosuchcolumn from lineitem"}); err == nil || !strings.Contains(err.Error(), "nosuchcolumn") {
		t.Errorf("a bad query via the shell gave %v", err)
	}
}

func TestRunOrAbandon(t *testing.T) {
	rows := [][]string{{"1"}}
	// Returns normally.
	got, abandoned, err := runOrAbandon(context.Background(), time.Second, func() ([][]string, error) { return rows, nil })
	if err != nil || abandoned || len(got) != 1 {
		t.Errorf("normal run: %v %v %v", got, err, abandoned)
	}
	// A panic is an error.
	_, abandoned, err = runOrAbandon(context.Background(), time.Second, func() ([][]string, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panic: boom") || abandoned {
		t.Errorf("panic: %v %v", err, abandoned)
	}
	// Stops when cancelled: an error, not abandoned.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, abandoned, err = runOrAbandon(ctx, time.Second, func() ([][]string, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if !errors.Is(err, context.DeadlineExceeded) || abandoned {
		t.Errorf("cancelled: %v %v", err, abandoned)
	}
	// Ignores the cancellation: abandoned after the grace period.
	release := make(chan struct{})
	defer close(release)
	_, abandoned, err = runOrAbandon(ctx, 10*time.Millisecond, func() ([][]string, error) {
		<-release
		return nil, nil
	})
	if !abandoned || err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Errorf("stuck: %v %v", err, abandoned)
	}
}
