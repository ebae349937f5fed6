package tpch

import (
	"fmt"
	"math"
	"strconv"
	_ "unsafe" // for go:linkname

	"github.com/pingcap/go-tpc/tpch/dbgen"
)

// go-tpc's dbgen.InitDbGen takes an integer scale factor, while TPC-H's own dbgen also
// accepts fractions below 1 (driver.c: with -s 0.01 it sets scale to 1 and multiplies
// each table's base row count by the fraction, in thousandths). To offer the same small
// scales, initDbgen below does what driver.c does, right after InitDbGen(1), on dbgen's
// unexported tables, which it reaches with linkname directives:
//
//	base[t] = base[t] * milli / 1000 (at least 1)  for part, partsupp, supplier, customer,
//	                                               orders, lineitem and the two pair tables
//	ockeyMax = base[customer], LPkeyMax = base[part]  (what initOrder/initLineItem derive)
//
// nation and region keep 25 and 5 rows, as at every scale. The customer-key and part-key
// ranges are the only derived values; supplier keys (partSuppBridge) read the base row
// count directly. The layout below mirrors tDef of go-tpc v1.0.12 (tpch/dbgen/driver.go)
// field for field, and checkDbgenLayout refuses to touch anything that does not look
// exactly like that version's tables.

// dbgenTDef mirrors dbgen's unexported tDef; the blank fields (comment, loader, genSeed,
// child, vTotal) only keep the layout.
type dbgenTDef struct {
	name string
	_    string
	base int64
	_    dbgen.Loader
	_    func(dbgen.Table, int64)
	_    dbgen.Table
	_    int64
}

//go:linkname dbgenTDefs github.com/pingcap/go-tpc/tpch/dbgen.tDefs
var dbgenTDefs []dbgenTDef

//go:linkname dbgenOckeyMax github.com/pingcap/go-tpc/tpch/dbgen.ockeyMax
var dbgenOckeyMax int64

//go:linkname dbgenLPkeyMax github.com/pingcap/go-tpc/tpch/dbgen.LPkeyMax
var dbgenLPkeyMax int64

// baseRows is each dbgen table's row count at scale factor 1, indexed by dbgen.Table
// (TPC-H clause 4.2.5); tDef names are those of go-tpc v1.0.12.
var baseRows = []struct {
	name string
	rows int64
}{
	dbgen.TPart:      {"part.tbl", 200_000},
	dbgen.TPsupp:     {"partsupp.tbl", 200_000}, // in parts; each part has 4 partsupp rows
	dbgen.TSupp:      {"supplier.tbl", 10_000},
	dbgen.TCust:      {"customer.tbl", 150_000},
	dbgen.TOrder:     {"orders.tbl", 1_500_000},
	dbgen.TLine:      {"lineitem.tbl", 1_500_000}, // in orders; 1 to 7 lines each
	dbgen.TOrderLine: {"orders.tbl", 1_500_000},
	dbgen.TPartPsupp: {"part.tbl", 200_000},
	dbgen.TNation:    {"nation.tbl", 25},
	dbgen.TRegion:    {"region.tbl", 5},
}

// Scale is a validated scale factor: either a whole number (Int ≥ 1, Milli 0) or a fraction
// in thousandths (Int 1, Milli in 1..999), as TPC-H's dbgen accepts them.
type Scale struct {
	Int   int64
	Milli int64
}

// ParseScale validates a scale factor: a whole number ≥ 1, or a multiple of 0.001 below 1.
func ParseScale(sf float64) (Scale, error) {
	switch {
	case math.IsNaN(sf) || math.IsInf(sf, 0) || sf <= 0:
		return Scale{}, fmt.Errorf("tpch: scale factor %v must be a positive number", sf)
	case sf >= 1:
		if sf != math.Trunc(sf) || sf > 1e5 {
			return Scale{}, fmt.Errorf("tpch: scale factor %v must be a whole number from 1 to 100000, or a multiple of 0.001 below 1", sf)
		}
		return Scale{Int: int64(sf)}, nil
	}
	m := math.Round(sf * 1000)
	if m < 1 || math.Abs(sf*1000-m) > 1e-6 {
		return Scale{}, fmt.Errorf("tpch: scale factor %v below 1 must be a multiple of 0.001", sf)
	}
	return Scale{Int: 1, Milli: int64(m)}, nil
}

// Float is the scale factor as a number.
func (s Scale) Float() float64 {
	if s.Milli > 0 {
		return float64(s.Milli) / 1000
	}
	return float64(s.Int)
}

// String is the shortest decimal form: "1", "0.01".
func (s Scale) String() string { return strconv.FormatFloat(s.Float(), 'f', -1, 64) }

// rows is the number of generated rows (parts, orders for the pair tables) of dbgen table t.
func (s Scale) rows(t dbgen.Table) int64 {
	base := baseRows[t].rows
	if t == dbgen.TNation || t == dbgen.TRegion {
		return base
	}
	if s.Milli > 0 {
		return max(base*s.Milli/1000, 1)
	}
	return base * s.Int
}

// initDbgen initialises go-tpc's dbgen for s. dbgen is process-global state; the caller
// holds dbgenMu and calls this at most once per process (InitDbGen appends to its
// distributions, so a second call would corrupt them).
func initDbgen(s Scale) error {
	dbgen.InitDbGen(s.Int)
	if s.Milli == 0 {
		return nil
	}
	if err := checkDbgenLayout(); err != nil {
		return err
	}
	for t := dbgen.TPart; t <= dbgen.TPartPsupp; t++ {
		dbgenTDefs[t].base = s.rows(t)
	}
	dbgenOckeyMax = dbgenTDefs[dbgen.TCust].base
	dbgenLPkeyMax = dbgenTDefs[dbgen.TPart].base
	return nil
}

// checkDbgenLayout verifies, after InitDbGen(1), that dbgen's tables are those of go-tpc
// v1.0.12, so that the linkname writes of initDbgen land where they should.
func checkDbgenLayout() error {
	bad := func(what string) error {
		return fmt.Errorf("tpch: go-tpc's dbgen internals differ from v1.0.12 (%s); fractional scale factors need that version", what)
	}
	if len(dbgenTDefs) != len(baseRows) {
		return bad(fmt.Sprintf("%d tables", len(dbgenTDefs)))
	}
	for t, want := range baseRows {
		got := dbgenTDefs[t]
		if got.name != want.name || got.base != want.rows {
			return bad(fmt.Sprintf("table %d is %q with %d rows", t, got.name, got.base))
		}
	}
	if dbgenOckeyMax != baseRows[dbgen.TCust].rows || dbgenLPkeyMax != baseRows[dbgen.TPart].rows {
		return bad(fmt.Sprintf("key ranges %d and %d", dbgenOckeyMax, dbgenLPkeyMax))
	}
	return nil
}
