package dataframe

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCreateTableUsingParquetAsSelect(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSession(WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	execOK(t, s, "CREATE TABLE src (k VARCHAR(5), v INT)").Release()
	execOK(t, s, "INSERT INTO src VALUES ('a', 1), ('b', 2), ('a', 3), (NULL, 4), ('x/y', 5)").Release()

	// Partitioned, in the warehouse: hive folders, one file each.
	res := execOK(t, s, "CREATE TABLE p USING parquet PARTITIONED BY (k) AS SELECT k, v FROM src")
	res.Release()
	if res.RowsAffected != 5 {
		t.Errorf("rows written %d, want 5", res.RowsAffected)
	}
	root := filepath.Join(dir, "tables-external", "default", "p")
	var folders []string
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		folders = append(folders, e.Name())
		if _, err := os.Stat(filepath.Join(root, e.Name(), "part-00000.parquet")); err != nil {
			t.Errorf("folder %s has no part file: %v", e.Name(), err)
		}
	}
	if want := []string{"k=__HIVE_DEFAULT_PARTITION__", "k=a", "k=b", "k=x%2Fy"}; !slices.Equal(folders, want) {
		t.Errorf("folders %v, want %v", folders, want)
	}
	if n := countOf(t, s, "p WHERE k = 'a'"); n != 2 {
		t.Errorf("p has %d rows with k = 'a', want 2", n)
	}
	if n := countOf(t, s, "p"); n != 5 {
		t.Errorf("p has %d rows, want 5", n)
	}

	// At a LOCATION, unpartitioned.
	loc := filepath.Join(t.TempDir(), "out")
	execOK(t, s, "CREATE TABLE q USING parquet LOCATION '"+loc+"' AS SELECT v * 10 AS w FROM src").Release()
	if n := countOf(t, s, "q WHERE w >= 30"); n != 3 {
		t.Errorf("q has %d rows with w >= 30, want 3", n)
	}
	if _, err := s.Exec(t.Context(), "CREATE TABLE q2 USING parquet LOCATION '"+loc+"' AS SELECT 1"); err == nil {
		t.Errorf("writing into an existing LOCATION succeeded")
	}

	// Without LOCATION or partitions: a managed table.
	execOK(t, s, "CREATE TABLE m USING parquet AS SELECT v FROM src WHERE v > 2").Release()
	execOK(t, s, "INSERT INTO m VALUES (9)").Release()
	if n := countOf(t, s, "m"); n != 4 {
		t.Errorf("m has %d rows, want 4", n)
	}
	if _, err := s.Exec(t.Context(), "CREATE TABLE bad USING parquet PARTITIONED BY (zz) AS SELECT 1 AS a"); err == nil {
		t.Errorf("an unknown partition column was accepted")
	}
}
