package slt

import (
	"testing"
)

func TestParse(t *testing.T) {
	text := `# comment
statement ok
CREATE TEMPORARY VIEW v AS
SELECT 1

statement error unknown column
SELECT nope FROM v

query IT rowsort
SELECT 1, 'a'
----
1   a
`
	recs, err := parse("x.slt", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	if recs[0].Kind != StatementOK || recs[0].SQL != "CREATE TEMPORARY VIEW v AS\nSELECT 1" || recs[0].Line != 2 {
		t.Errorf("record 0 = %+v", recs[0])
	}
	if recs[1].Kind != StatementError || recs[1].Pattern != "unknown column" {
		t.Errorf("record 1 = %+v", recs[1])
	}
	if recs[2].Kind != Query || recs[2].Types != "IT" || recs[2].Sort != RowSort ||
		len(recs[2].Expected) != 1 || recs[2].Expected[0] != "1\ta" {
		t.Errorf("record 2 = %+v", recs[2])
	}
	for _, bad := range []string{"statement maybe\nSELECT 1\n", "query I wrongsort\nSELECT 1\n", "frobnicate\n"} {
		if _, err := parse("bad.slt", bad); err == nil {
			t.Errorf("parse(%q) succeeded, want an error", bad)
		}
	}
}

func TestRender(t *testing.T) {
	rows := [][]string{{"b", ""}, {"a", "NULL"}}
	got := render(rows, RowSort)
	want := []string{"a\tNULL", "b\t(empty)"}
	if !equalLines(got, want) {
		t.Errorf("render rowsort = %q, want %q", got, want)
	}
	got = render(rows, ValueSort)
	want = []string{"", "NULL", "a", "b"}
	if !equalLines(got, want) {
		t.Errorf("render valuesort = %q, want %q", got, want)
	}
}
