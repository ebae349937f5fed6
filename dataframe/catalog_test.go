package dataframe

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCatalogDatabasesSurviveRestart: databases (even empty ones) and their tables are in
// the warehouse's catalog file, so a new session sees them; USE is per session.
func TestCatalogDatabasesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(csv, []byte("a\n1\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s1, err := NewSession(WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE DATABASE d1", "CREATE DATABASE empty", "USE d1",
		"CREATE TABLE x USING csv OPTIONS (header 'true') LOCATION '" + csv + "'"} {
		res, err := s1.Exec(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		res.Release()
	}
	s2, err := NewSession(WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s2.cat.databaseNames(), []string{"d1", "default", "empty"}; !slices.Equal(got, want) {
		t.Fatalf("databases after restart: %v, want %v", got, want)
	}
	if _, err := s2.Exec(ctx, "SELECT * FROM x"); err == nil {
		t.Fatalf("a new session starts in default, where x does not exist")
	}
	res, err := s2.Exec(ctx, "SELECT count(*) FROM d1.x")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if n := res.Batches[0].Column(0).ValueStr(0); n != "2" {
		t.Fatalf("count = %s, want 2", n)
	}
}

// TestCatalogFirstFormat: a catalog file of the first format (a bare array of tables) loads
// into default.
func TestCatalogFirstFormat(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(csv, []byte("a\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := `[{"name": "x", "format": "csv", "location": "` + csv + `", "options": {"header": "true"}}]`
	if err := os.WriteFile(filepath.Join(dir, catalogFile), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Exec(context.Background(), "SELECT count(*) FROM `default`.x")
	if err != nil {
		t.Fatal(err)
	}
	res.Release()
}
