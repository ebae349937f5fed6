package dataframe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustExec(t *testing.T, s *Session, sql string) *Result {
	t.Helper()
	res, err := s.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	t.Cleanup(res.Release)
	return res
}

func queryInts(t *testing.T, s *Session, sql string) []int64 {
	t.Helper()
	df, err := s.SQL(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range collect(t, df) {
		out = append(out, r[0].(int64))
	}
	return out
}

// TestCacheTableSharedWithDataFrames: SQL's CACHE TABLE and a DataFrame's Cache of a table
// are one cache, which SQL and DataFrames both read.
func TestCacheTableSharedWithDataFrames(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	mustExec(t, s, "CREATE TABLE nums (n BIGINT)")
	mustExec(t, s, "INSERT INTO nums VALUES (1), (2), (3), (4), (5)")

	// Eager CACHE TABLE builds at once; queries then read the cache, not the table.
	res := mustExec(t, s, "CACHE TABLE nums")
	if !strings.Contains(res.Message, "cached table nums (5 rows, MEMORY_AND_DISK)") {
		t.Errorf("message %q", res.Message)
	}
	if b := s.Metrics().CacheBuilds; b != 1 {
		t.Errorf("%d cache builds after CACHE TABLE, want 1", b)
	}
	if !s.IsCached("nums") || !s.IsCached("default.NUMS") {
		t.Error("IsCached is false after CACHE TABLE")
	}
	before := s.Metrics()
	df, err := s.Table("nums")
	if err != nil {
		t.Fatal(err)
	}
	if lvl, ok := df.StorageLevel(); !ok || lvl != MemoryAndDisk {
		t.Errorf("Table(nums).StorageLevel() = %v, %v", lvl, ok)
	}
	if n, err := df.Filter("n > 2").Count(ctx); err != nil || n != 3 {
		t.Errorf("count %d, %v", n, err)
	}
	if got := queryInts(t, s, "SELECT sum(n) FROM nums"); len(got) != 1 || got[0] != 15 {
		t.Errorf("sum %v", got)
	}
	after := s.Metrics()
	if d := after.SourceScans - before.SourceScans; d != 0 {
		t.Errorf("%d source scans while cached, want 0", d)
	}
	if d := after.CacheScans - before.CacheScans; d != 2 {
		t.Errorf("%d cache scans, want 2", d)
	}

	// UNCACHE TABLE is seen by the DataFrame; Table(...).Cache() caches the table for SQL.
	mustExec(t, s, "UNCACHE TABLE nums")
	if _, ok := df.StorageLevel(); ok || s.IsCached("nums") {
		t.Error("still cached after UNCACHE TABLE")
	}
	df.Persist(DiskOnly)
	if err := df.Err(); err != nil {
		t.Fatal(err)
	}
	if lvl, ok := df.StorageLevel(); !s.IsCached("nums") || !ok || lvl != DiskOnly {
		t.Errorf("after Table(nums).Persist(DiskOnly): IsCached %v, level %v %v", s.IsCached("nums"), lvl, ok)
	}
	if again, _ := s.Table("nums"); again.Persist(MemoryOnly).Err() == nil {
		t.Error("persisting the cached table at another level succeeded")
	}
	before = s.Metrics()
	if got := queryInts(t, s, "SELECT max(n) FROM nums"); len(got) != 1 || got[0] != 5 {
		t.Errorf("max %v", got)
	}
	if d := s.Metrics().CacheScans - before.CacheScans; d != 1 {
		t.Errorf("SQL after Table().Persist: %d cache scans, want 1", d)
	}
	df.Unpersist()
	if s.IsCached("nums") {
		t.Error("Unpersist of Table(nums) left the table cached")
	}
}

// TestCacheTableFollowsWrites: a write to a cached table, or to a table a cached DataFrame
// read, rebuilds the cache at its next use.
func TestCacheTableFollowsWrites(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	mustExec(t, s, "CREATE TABLE w (k BIGINT, v BIGINT)")
	mustExec(t, s, "INSERT INTO w VALUES (1, 10), (2, 20)")
	mustExec(t, s, "CACHE LAZY TABLE w")
	if b := s.Metrics().CacheBuilds; b != 0 {
		t.Errorf("LAZY built the cache (%d builds)", b)
	}
	tbl, err := s.Table("w")
	if err != nil {
		t.Fatal(err)
	}
	big := tbl.Filter("v >= 20").Cache() // a DataFrame cache over the table cache
	if n, _ := big.Count(ctx); n != 1 {
		t.Errorf("count %d, want 1", n)
	}
	mustExec(t, s, "INSERT INTO w VALUES (3, 30)")
	if n, _ := big.Count(ctx); n != 2 {
		t.Errorf("after INSERT: count %d, want 2", n)
	}
	mustExec(t, s, "UPDATE w SET v = 5 WHERE k = 3")
	if got := queryInts(t, s, "SELECT sum(v) FROM w"); len(got) != 1 || got[0] != 35 {
		t.Errorf("after UPDATE: sum %v, want 35", got)
	}
	if n, _ := big.Count(ctx); n != 1 {
		t.Errorf("after UPDATE: count %d, want 1", n)
	}
	builds := s.Metrics().CacheBuilds
	if n, _ := big.Count(ctx); n != 1 {
		t.Errorf("count %d", n)
	}
	if d := s.Metrics().CacheBuilds - builds; d != 0 {
		t.Errorf("%d rebuilds without a write, want 0", d)
	}

	// ALTER TABLE changes the columns: the table's cache is dropped, not served stale.
	mustExec(t, s, "ALTER TABLE w ADD COLUMN note VARCHAR(10)")
	if s.IsCached("w") {
		t.Error("still cached after ALTER TABLE ADD COLUMN")
	}
	df, err := s.SQL(ctx, "SELECT * FROM w")
	if err != nil {
		t.Fatal(err)
	}
	if cols, _ := df.Columns(); len(cols) != 3 {
		t.Errorf("columns %v after ALTER", cols)
	}

	// CLEAR CACHE drops DataFrame caches too; DataFrames derived from them read the sources.
	derived := big.Select("k")
	mustExec(t, s, "CACHE TABLE w")
	res := mustExec(t, s, "CLEAR CACHE")
	if res.Message != "cleared 2 caches" {
		t.Errorf("message %q", res.Message)
	}
	if _, ok := big.StorageLevel(); ok || s.IsCached("w") {
		t.Error("still cached after CLEAR CACHE")
	}
	builds = s.Metrics().CacheBuilds
	if got := collect(t, derived); len(got) != 1 || got[0][0] != int64(2) {
		t.Errorf("derived after CLEAR CACHE: %v", got)
	}
	if d := s.Metrics().CacheBuilds - builds; d != 0 {
		t.Errorf("an uncached DataFrame rebuilt its cache (%d builds)", d)
	}
}

// TestCacheTableExplain: EXPLAIN names the cache and does not build it; EXPLAIN ANALYZE
// does.
func TestCacheTableExplain(t *testing.T) {
	s := dfSession(t, 2)
	mustExec(t, s, "CREATE TABLE e (a BIGINT)")
	mustExec(t, s, "INSERT INTO e VALUES (1), (2)")
	mustExec(t, s, "CACHE LAZY TABLE e OPTIONS ('storageLevel' 'MEMORY_ONLY')")
	for _, mode := range []string{"", "VERBOSE ", "LOGICAL "} {
		res := mustExec(t, s, "EXPLAIN "+mode+"SELECT a FROM e WHERE a > 1")
		text := resultText(t, res)
		if !strings.Contains(text, "Scan: cached(e, MEMORY_ONLY) [a]") {
			t.Errorf("EXPLAIN %s does not show the cache:\n%s", mode, text)
		}
	}
	if b := s.Metrics().CacheBuilds; b != 0 {
		t.Errorf("EXPLAIN built the cache (%d builds)", b)
	}
	text := resultText(t, mustExec(t, s, "EXPLAIN ANALYZE SELECT a FROM e WHERE a > 1"))
	if !strings.Contains(text, "cached(e, MEMORY_ONLY)") || !strings.Contains(text, "rows=1") {
		t.Errorf("EXPLAIN ANALYZE:\n%s", text)
	}
	if b := s.Metrics().CacheBuilds; b != 1 {
		t.Errorf("EXPLAIN ANALYZE: %d builds, want 1", b)
	}
}

func resultText(t *testing.T, res *Result) string {
	t.Helper()
	rows, err := rowsFromBatches(res.Batches)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintln(&b, r[0])
	}
	return b.String()
}

// TestRefreshTable: a cached external table keeps answering from the cache when its files
// change, until REFRESH TABLE, after which it reads the files again (and stays cached).
func TestRefreshTable(t *testing.T) {
	s := dfSession(t, 2)
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.csv", "id\n1\n2\n")
	mustExec(t, s, fmt.Sprintf("CREATE TABLE ext USING csv OPTIONS (header true) LOCATION '%s'", dir))
	mustExec(t, s, "CACHE TABLE ext")
	write("b.csv", "id\n3\n")
	if got := queryInts(t, s, "SELECT count(*) FROM ext"); got[0] != 2 {
		t.Errorf("count %v before REFRESH, want the cached 2", got)
	}
	mustExec(t, s, "REFRESH TABLE ext")
	if !s.IsCached("ext") {
		t.Error("REFRESH TABLE uncached the table")
	}
	if got := queryInts(t, s, "SELECT count(*) FROM ext"); got[0] != 3 {
		t.Errorf("count %v after REFRESH, want 3", got)
	}
	// Replacing the table uncaches it.
	mustExec(t, s, fmt.Sprintf("CREATE OR REPLACE TABLE ext USING csv OPTIONS (header true) LOCATION '%s'", dir))
	if s.IsCached("ext") {
		t.Error("CREATE OR REPLACE left the table cached")
	}
}

// TestCacheTableMisuse: errors name the problem; a closed session refuses.
func TestCacheTableMisuse(t *testing.T) {
	s := dfSession(t, 1)
	mustExec(t, s, "CREATE TABLE m (a BIGINT)")
	for sql, want := range map[string]string{
		"CACHE TABLE mm":                         `unknown table "mm"; did you mean "m"?`,
		"CACHE TABLE db.m AS SELECT 1":           "cannot be qualified with a database",
		"CACHE TABLE nodb.m":                     "nodb",
		"CACHE TABLE v AS SELECT nope FROM m":    `unknown column "nope"`,
		"UNCACHE TABLE zz":                       `unknown table "zz"`,
		"CACHE TABLE m OPTIONS (storageLevel 1)": "unknown storage level",
	} {
		_, err := s.Exec(context.Background(), sql)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", sql, err, want)
		}
	}
	if err := s.CacheTable("m", StorageLevel(9)); err == nil || !strings.Contains(err.Error(), "unknown storage level 9") {
		t.Errorf("CacheTable with a bad level: %v", err)
	}
	if err := s.CacheTable("m", MemoryOnly); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.CacheTable("m", MemoryOnly); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("CacheTable on a closed session: %v", err)
	}
}
