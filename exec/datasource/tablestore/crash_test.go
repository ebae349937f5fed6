//go:build unix

package tablestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/sql/planner"
)

// crashEnv tells the test binary, re-executed by TestCrash, to run TestCrashChild with
// "dir|op|step": open the table in dir, run op, and die by SIGKILL at the commit step.
const crashEnv = "EMBER_TABLESTORE_CRASH"

// crashOpts are the options of both sides: an append that brings the log to 10 rows
// writes a Parquet file.
func crashOpts() Options { return Options{Name: "t", CompactRows: 10} }

// crashOp runs one statement of the crash test on tbl.
func crashOp(t testing.TB, tbl *Table, op string) {
	ctx := context.Background()
	mem := memory.DefaultAllocator
	var err error
	switch op {
	case "append-log": // stays in the log
		appendRows(t, tbl, mem, 12, 13)
	case "append-fold": // folds the log and the new rows into a Parquet file
		appendRows(t, tbl, mem, 12, 20)
	case "overwrite":
		b := idBatch(t, mem, 100, 130)
		_, err = tbl.Overwrite(ctx, []arrow.RecordBatch{b})
		b.Release()
	case "overwrite-log":
		b := idBatch(t, mem, 100, 103)
		_, err = tbl.Overwrite(ctx, []arrow.RecordBatch{b})
		b.Release()
	case "truncate":
		err = tbl.Truncate(ctx)
	case "compact":
		err = tbl.Compact(ctx)
	case "addcolumn":
		err = tbl.AddColumn(ctx, arrow.Field{Name: "note", Type: planner.String, Nullable: true}, nil)
	default:
		t.Fatalf("unknown op %q", op)
	}
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
}

// TestCrashChild is the child side of TestCrash; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("run by TestCrash")
	}
	parts := strings.Split(spec, "|")
	dir, op, step := parts[0], parts[1], parts[2]
	testHook = func(s string) {
		if s == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	tbl, err := Open(dir, crashOpts())
	if err != nil {
		t.Fatal(err)
	}
	crashOp(t, tbl, op)
	t.Fatalf("%s finished without reaching step %s", op, step)
}

// TestCrash kills a child process at each named step of each kind of commit, then opens
// the table and checks that it holds exactly the rows before the statement, or after it
// when the crash came after the manifest switch (or, for a log append, after the write:
// the kernel keeps written data when a process dies), and no leftover files.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	before := idRows(0, 12) // a data file of rows 0-9, rows 10 and 11 in the log
	withNote := func(rows []string) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r+"|NULL")
		}
		return out
	}
	tests := []struct {
		op, step string
		after    []string // rows after the statement
		isAfter  bool
	}{
		{"append-log", "log-appended", idRows(0, 13), true},
		{"append-log", "log-synced", idRows(0, 13), true},
		{"append-fold", "files-written", idRows(0, 20), false},
		{"append-fold", "manifest-tmp-written", idRows(0, 20), false},
		{"append-fold", "manifest-renamed", idRows(0, 20), true},
		{"append-fold", "committed", idRows(0, 20), true},
		{"overwrite", "files-written", idRows(100, 130), false},
		{"overwrite", "manifest-tmp-written", idRows(100, 130), false},
		{"overwrite", "manifest-renamed", idRows(100, 130), true},
		{"overwrite-log", "manifest-tmp-written", idRows(100, 103), false},
		{"overwrite-log", "committed", idRows(100, 103), true},
		{"truncate", "manifest-tmp-written", nil, false},
		{"truncate", "manifest-renamed", nil, true},
		{"compact", "files-written", before, false},
		{"compact", "manifest-renamed", before, true},
		{"addcolumn", "manifest-tmp-written", withNote(before), false},
		{"addcolumn", "committed", withNote(before), true},
	}
	for _, tc := range tests {
		t.Run(tc.op+"/"+tc.step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "t")
			tbl, err := Create(dir, idSchema, crashOpts())
			if err != nil {
				t.Fatal(err)
			}
			appendRows(t, tbl, memory.DefaultAllocator, 0, 10)
			appendRows(t, tbl, memory.DefaultAllocator, 10, 12)
			tbl.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashEnv+"="+dir+"|"+tc.op+"|"+tc.step)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() ||
				ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed at %s: %v\n%s", tc.step, err, out)
			}

			mem := checkedMem(t)
			opts := crashOpts()
			opts.Mem = mem
			tbl, err = Open(dir, opts)
			if err != nil {
				t.Fatalf("open after the crash: %v", err)
			}
			defer tbl.Close()
			want := before
			if tc.isAfter {
				want = tc.after
			}
			equalRows(t, "rows after the crash", readTable(t, tbl, 8192, mem), want)
			wantCols := 2
			if tc.op == "addcolumn" && tc.isAfter {
				wantCols = 3
			}
			if n := tbl.Schema().NumFields(); n != wantCols {
				t.Fatalf("%d columns after the crash, want %d", n, wantCols)
			}
			if tc.op == "compact" {
				if st := tbl.Stats(); (st.LogRows == 0) != tc.isAfter {
					t.Fatalf("compact: %+v after the crash", st)
				}
			}
			expectFiles(t, tbl)

			// The table keeps working: one more row, then a reopen.
			if tbl.Schema().NumFields() == 2 {
				appendRows(t, tbl, mem, 500, 501)
				want = append(append([]string(nil), want...), idRows(500, 501)...)
			}
			tbl.Close()
			tbl, err = Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Close()
			equalRows(t, "rows after one more append", readTable(t, tbl, 8192, mem), want)
		})
	}
}

// TestTornLogTail damages the end of the log the ways a crash or a bad disk can, and checks
// that Open keeps exactly the complete records, cuts the rest off, and appends after them.
func TestTornLogTail(t *testing.T) {
	base := filepath.Join(t.TempDir(), "base")
	tbl, err := Create(base, idSchema, Options{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	appendRows(t, tbl, memory.DefaultAllocator, 0, 1)
	appendRows(t, tbl, memory.DefaultAllocator, 1, 3)
	lastStart := tbl.Stats().LogBytes
	appendRows(t, tbl, memory.DefaultAllocator, 3, 6)
	logName := tbl.m.log
	size := tbl.Stats().LogBytes
	tbl.Close()
	logData, err := os.ReadFile(filepath.Join(base, logName))
	if err != nil || int64(len(logData)) != size {
		t.Fatalf("log of %d bytes, stats say %d: %v", len(logData), size, err)
	}

	tests := []struct {
		name    string
		damage  func(log []byte) []byte
		keepAll bool // whether the last record survives
	}{
		{"cut in the payload", func(l []byte) []byte { return l[:len(l)-1] }, false},
		{"cut in the header", func(l []byte) []byte { return l[:lastStart+5] }, false},
		{"header only", func(l []byte) []byte { return l[:lastStart+recordHeaderSize] }, false},
		{"checksum mismatch", func(l []byte) []byte {
			l = append([]byte(nil), l...)
			l[len(l)-3] ^= 0x40
			return l
		}, false},
		{"length damaged", func(l []byte) []byte {
			l = append([]byte(nil), l...)
			l[lastStart+4] ^= 0x10
			return l
		}, false},
		{"zeros after the end", func(l []byte) []byte { return append(append([]byte(nil), l...), make([]byte, 4096)...) }, true},
		{"half a record after the end", func(l []byte) []byte {
			return append(append([]byte(nil), l...), l[lastStart:lastStart+20]...)
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "t")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range storeFiles(t, base) {
				data, err := os.ReadFile(filepath.Join(base, f))
				if err != nil {
					t.Fatal(err)
				}
				if f == logName {
					data = tc.damage(data)
				}
				if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			mem := checkedMem(t)
			opts := Options{Name: "t", Mem: mem}
			tbl, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Close()
			want, wantSize := idRows(0, 3), lastStart
			if tc.keepAll {
				want, wantSize = idRows(0, 6), size
			}
			equalRows(t, "rows", readTable(t, tbl, 8192, mem), want)
			if st, err := os.Stat(filepath.Join(dir, logName)); err != nil || st.Size() != wantSize {
				t.Fatalf("log is %v bytes after Open, want %d (%v)", st.Size(), wantSize, err)
			}
			appendRows(t, tbl, mem, 6, 7)
			tbl.Close()
			tbl, err = Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Close()
			equalRows(t, "rows after an append", readTable(t, tbl, 8192, mem), append(want, idRows(6, 7)...))
		})
	}

	// A damaged file header is corruption, not a torn tail.
	dir := filepath.Join(t.TempDir(), "t")
	os.MkdirAll(dir, 0o755)
	for _, f := range storeFiles(t, base) {
		data, _ := os.ReadFile(filepath.Join(base, f))
		if f == logName {
			data = append([]byte("XMBERLOG"), data[8:]...)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	_, err = Open(dir, Options{Name: "t"})
	if want := fmt.Sprintf("corrupt table log %s: bad file header", filepath.Join(dir, logName)); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
}
