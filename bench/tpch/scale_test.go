package tpch

import (
	"testing"

	"github.com/pingcap/go-tpc/tpch/dbgen"
)

func TestParseScale(t *testing.T) {
	tests := []struct {
		sf      float64
		want    Scale
		str     string
		wantErr bool
	}{
		{sf: 1, want: Scale{Int: 1}, str: "1"},
		{sf: 10, want: Scale{Int: 10}, str: "10"},
		{sf: 0.01, want: Scale{Int: 1, Milli: 10}, str: "0.01"},
		{sf: 0.001, want: Scale{Int: 1, Milli: 1}, str: "0.001"},
		{sf: 0.999, want: Scale{Int: 1, Milli: 999}, str: "0.999"},
		{sf: 0, wantErr: true},
		{sf: -1, wantErr: true},
		{sf: 1.5, wantErr: true},
		{sf: 0.0005, wantErr: true},
		{sf: 0.0015, wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseScale(tc.sf)
		if tc.wantErr {
			if err == nil {
				t.Errorf("ParseScale(%v) = %+v, want an error", tc.sf, got)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("ParseScale(%v) = %+v (%q), %v; want %+v (%q)", tc.sf, got, got.String(), err, tc.want, tc.str)
		}
	}
}

// Row counts follow TPC-H clause 4.2.5, and below SF 1 dbgen's driver.c rule
// (base × thousandths / 1000): SF 0.01 has 100 suppliers and 15000 orders.
func TestScaleRows(t *testing.T) {
	tests := []struct {
		s     Scale
		table dbgen.Table
		want  int64
	}{
		{Scale{Int: 1}, dbgen.TOrder, 1_500_000},
		{Scale{Int: 10}, dbgen.TCust, 1_500_000},
		{Scale{Int: 10}, dbgen.TNation, 25},
		{Scale{Int: 1, Milli: 10}, dbgen.TSupp, 100},
		{Scale{Int: 1, Milli: 10}, dbgen.TOrder, 15_000},
		{Scale{Int: 1, Milli: 1}, dbgen.TSupp, 10},
		{Scale{Int: 1, Milli: 1}, dbgen.TRegion, 5},
	}
	for _, tc := range tests {
		if got := tc.s.rows(tc.table); got != tc.want {
			t.Errorf("%+v rows(%d) = %d, want %d", tc.s, tc.table, got, tc.want)
		}
	}
}

func TestCheckRowCounts(t *testing.T) {
	s := Scale{Int: 1, Milli: 1}
	good := map[string]int64{"nation": 25, "region": 5, "supplier": 10, "customer": 150,
		"part": 200, "partsupp": 800, "orders": 1500, "lineitem": 6005}
	if err := checkRowCounts(s, good); err != nil {
		t.Fatalf("good counts: %v", err)
	}
	for table, n := range map[string]int64{"supplier": 11, "lineitem": 1499, "partsupp": 200} {
		bad := make(map[string]int64)
		for k, v := range good {
			bad[k] = v
		}
		bad[table] = n
		if err := checkRowCounts(s, bad); err == nil {
			t.Errorf("%s with %d rows passed", table, n)
		}
	}
}
