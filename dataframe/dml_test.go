package dataframe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

func execOK(t *testing.T, s *Session, sql string) *Result {
	t.Helper()
	res, err := s.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

func countOf(t *testing.T, s *Session, table string) int64 {
	t.Helper()
	res := execOK(t, s, "SELECT count(*) FROM "+table)
	defer res.Release()
	return res.Batches[0].Column(0).(*array.Int64).Value(0)
}

func TestRowsAffected(t *testing.T) {
	s, err := NewSession(WithWarehouse(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sql  string
		want int64
	}{
		{"CREATE TABLE t (a INT, b VARCHAR(3))", 0},
		{"INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, NULL)", 3},
		{"INSERT INTO t SELECT a + 10, b FROM t WHERE a < 3", 2},
		{"UPDATE t SET b = 'z' WHERE a > 2", 3},
		{"UPDATE t SET b = 'w' WHERE a > 100", 0},
		{"DELETE FROM t WHERE b = 'z'", 3},
		{"CREATE TABLE c AS SELECT * FROM t", 2},
		{"INSERT OVERWRITE c SELECT * FROM t WHERE a = 1", 1},
	}
	for _, c := range cases {
		res := execOK(t, s, c.sql)
		res.Release()
		if res.RowsAffected != c.want {
			t.Errorf("%s: %d rows affected, want %d", c.sql, res.RowsAffected, c.want)
		}
	}
	// The tables and their rows survive a new session (a restart).
	s2, err := NewSession(WithWarehouse(s.cfg.warehouse))
	if err != nil {
		t.Fatal(err)
	}
	if n := countOf(t, s2, "t"); n != 2 {
		t.Errorf("t has %d rows after restart, want 2", n)
	}
}

// TestKilledWriterLeavesWholeStatements kills a child process that keeps inserting 1000 rows
// per statement and creating tables with CREATE TABLE AS SELECT; whatever the moment of the
// kill, every table holds whole statements' rows.
func TestKilledWriterLeavesWholeStatements(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	if dir := os.Getenv("EMBER_TEST_WRITER"); dir != "" {
		writerChild(dir)
		return
	}
	for round, delay := range []time.Duration{150, 400, 900} {
		dir := t.TempDir()
		s, err := NewSession(WithWarehouse(dir))
		if err != nil {
			t.Fatal(err)
		}
		execOK(t, s, "CREATE TABLE t (a BIGINT NOT NULL, b VARCHAR(20))").Release()
		execOK(t, s, "CREATE TABLE src AS SELECT 1 AS a, 'row' AS b").Release()
		for range 10 {
			execOK(t, s, "INSERT INTO src SELECT a + 1, b FROM src").Release()
		}
		closeStores(dir) // the child opens the folders
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLeavesWholeStatements$")
		cmd.Env = append(os.Environ(), "EMBER_TEST_WRITER="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: the writer stopped by itself (%v) before it was killed", round, cmd.ProcessState)
		}

		s2, err := NewSession(WithWarehouse(dir))
		if err != nil {
			t.Fatal(err)
		}
		n := countOf(t, s2, "t")
		if n%1024 != 0 {
			t.Errorf("round %d: t holds %d rows, not a multiple of 1024 (a statement was half applied)", round, n)
		}
		for i := 0; ; i++ {
			name := "c" + strconv.Itoa(i)
			found := false
			for _, tn := range s2.TableNames() {
				found = found || tn == name
			}
			if !found {
				break
			}
			if got := countOf(t, s2, name); got != 1024 {
				t.Errorf("round %d: %s holds %d rows, want 1024", round, name, got)
			}
		}
		t.Logf("round %d: killed after %v with %d rows in t", round, delay*time.Millisecond, n)
		closeStores(dir)
	}
}

// writerChild inserts and creates tables until it is killed.
func writerChild(dir string) {
	s, err := NewSession(WithWarehouse(dir))
	if err != nil {
		os.Exit(2)
	}
	ctx := context.Background()
	for i := 0; ; i++ {
		for _, q := range []string{"INSERT INTO t SELECT a, b FROM src", fmt.Sprintf("CREATE TABLE c%d AS SELECT * FROM src", i)} {
			res, err := s.Exec(ctx, q)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			res.Release()
		}
	}
}

// closeStores closes the open tables of a warehouse in this process, so that another
// process may open them.
func closeStores(dir string) {
	openStores.Lock()
	defer openStores.Unlock()
	for k, t := range openStores.m {
		if len(k) >= len(dir) && k[:len(dir)] == dir {
			t.Close()
			delete(openStores.m, k)
		}
	}
}

func TestShowCreateTable(t *testing.T) {
	s, err := NewSession(WithWarehouse(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE a1 (id INT NOT NULL, name VARCHAR(10), d DECIMAL(6,2) DEFAULT 2.5, PRIMARY KEY (id))",
		"ALTER TABLE a1 ADD COLUMN note TEXT",
		"CREATE INDEX by_name ON a1 (name)",
	} {
		execOK(t, s, q).Release()
	}
	res := execOK(t, s, "SHOW CREATE TABLE a1")
	defer res.Release()
	got := res.Batches[0].Column(1).ValueStr(0)
	want := "CREATE TABLE `a1` (\n  `id` INT NOT NULL,\n  `name` VARCHAR(10),\n  `d` DECIMAL(6,2) DEFAULT 2.50,\n  `note` TEXT,\n  PRIMARY KEY (`id`)\n);\nCREATE INDEX `by_name` ON `a1` (`name`)"
	if got != want {
		t.Fatalf("SHOW CREATE TABLE:\n%s\nwant:\n%s", got, want)
	}
	// The declaration, its added column and index survive a restart.
	s2, err := NewSession(WithWarehouse(s.cfg.warehouse))
	if err != nil {
		t.Fatal(err)
	}
	res2 := execOK(t, s2, "SHOW CREATE TABLE a1")
	defer res2.Release()
	if got2 := res2.Batches[0].Column(1).ValueStr(0); got2 != want {
		t.Fatalf("after restart:\n%s", got2)
	}
}

func TestMemoryLimit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	s, err := NewSession(WithInMemoryCatalog(), WithAllocator(mem), WithMemoryLimit(1<<20), WithPartitions(2))
	if err != nil {
		t.Fatal(err)
	}
	// Small statements run.
	execOK(t, s, "SELECT 1").Release()
	// A sort of 810,000 generated rows does not fit in 1 MiB.
	_, err = s.Exec(context.Background(), "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 900) SELECT a.n * 1000 + b.n AS x FROM r a, r b ORDER BY x DESC")
	if err == nil || !errors.Is(err, errs.ErrResourceExhausted) || !strings.Contains(err.Error(), "memory limit of 1048576 bytes") {
		t.Fatalf("error %v, want resource exhausted naming the limit", err)
	}
	// The session still works.
	execOK(t, s, "SELECT 2").Release()
}
