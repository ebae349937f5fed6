package dataframe

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// explainText runs an EXPLAIN and returns its lines joined by newlines.
func explainText(t *testing.T, s *Session, sql string) string {
	t.Helper()
	res := execOK(t, s, sql)
	defer res.Release()
	if !res.Text {
		t.Fatalf("%s: not a text result", sql)
	}
	var lines []string
	for _, b := range res.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			lines = append(lines, b.Column(0).ValueStr(i))
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// shopSession is a session over testdata/slt/explain's one-file CSV tables (orders,
// customers), with n partitions.
func shopSession(t *testing.T, n int) *Session {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s, err := NewSession(WithInMemoryCatalog(), WithPartitions(n), WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range []string{"orders", "customers"} {
		execOK(t, s, "CREATE TABLE "+tbl+" USING csv OPTIONS (header 'true') LOCATION '../testdata/slt/explain/data/shop_"+tbl+".csv'").Release()
	}
	return s
}

// TestExplainPhysicalShuffle: a shuffle join hash-exchanges both sides into the session's
// partitions; the slt goldens cannot show this (their matrix runs 1 and 4 partitions), so
// it is checked here at both. Neither table has statistics (1000 rows each, estimated), so
// the narrower rows of orders (two integers) are built and customers (an integer and a
// string) probes. The join keeps its probe side's hash partitioning on c_id; the
// projection above drops c_id, so its partitioning is any.
func TestExplainPhysicalShuffle(t *testing.T) {
	want := map[int]string{
		1: `== Physical Plan (3 stages) ==
Stage 0: 1 task, output to stage 2
  Scan: customers [c_id, c_name] splits=1 [any(1)]
Stage 1: 1 task, output to stage 2
  Scan: orders [o_id, o_cust] splits=1 [any(1)]
Stage 2: 1 task, result
  Project: #2 AS o_id, #1 AS c_name [any(1)]
    HashJoin: Inner on c_id = o_cust [hash([0], 1)]
      Exchange: hash([c_id]) into 1 [hash([0], 1)] <- stage 0
      Exchange: hash([o_cust]) into 1 [hash([1], 1)] <- stage 1
`,
		4: `== Physical Plan (3 stages) ==
Stage 0: 1 task, output to stage 2
  Scan: customers [c_id, c_name] splits=1 [any(1)]
Stage 1: 1 task, output to stage 2
  Scan: orders [o_id, o_cust] splits=1 [any(1)]
Stage 2: 4 tasks, result
  Project: #2 AS o_id, #1 AS c_name [any(4)]
    HashJoin: Inner on c_id = o_cust [hash([0], 4)]
      Exchange: hash([c_id]) into 4 [hash([0], 4)] <- stage 0
      Exchange: hash([o_cust]) into 4 [hash([1], 4)] <- stage 1
`,
	}
	for _, n := range []int{1, 4} {
		s := shopSession(t, n)
		execOK(t, s, "SET ember.optimizer.broadcast_threshold_rows = 0").Release()
		execOK(t, s, "SET ember.optimizer.runtime_filters = false").Release()
		got := explainText(t, s, "EXPLAIN PHYSICAL SELECT o_id, c_name FROM orders JOIN customers ON o_cust = c_id")
		if got != want[n] {
			t.Errorf("partitions=%d:\n%s\nwant:\n%s", n, got, want[n])
		}
	}
}

// TestExplainBroadcastNeverForOuterRight: a right or full join shuffles even when its
// build side is tiny; a left join over the same tables broadcasts.
func TestExplainBroadcastNeverForOuterRight(t *testing.T) {
	s := shopSession(t, 4)
	for _, c := range []struct {
		typ       string
		broadcast bool
	}{{"LEFT", true}, {"RIGHT", false}, {"FULL", false}, {"", true}} {
		got := explainText(t, s, "EXPLAIN PHYSICAL SELECT o_id, c_name FROM orders "+c.typ+" JOIN customers ON o_cust = c_id")
		if b := strings.Contains(got, "Exchange: broadcast"); b != c.broadcast {
			t.Errorf("%s JOIN: broadcast=%v, want %v:\n%s", c.typ, b, c.broadcast, got)
		}
		if h := strings.Contains(got, "Exchange: hash([o_cust]) into 4"); h == c.broadcast {
			t.Errorf("%s JOIN: probe side hash-exchanged=%v:\n%s", c.typ, h, got)
		}
	}
}

func TestFormatEstimate(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {0.4, "0"}, {1, "1"}, {37.5, "38"}, {999, "999"}, {1000, "1K"}, {1234, "1.2K"},
		{15_049, "15K"}, {6_001_215, "6M"}, {1_500_000_000, "1.5G"},
	} {
		if got := formatEstimate(c.in); got != c.want {
			t.Errorf("formatEstimate(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestExplainForms(t *testing.T) {
	s := shopSession(t, 2)
	q := " SELECT o_id FROM orders WHERE o_cust = 3"
	cases := []struct {
		form        string
		has, hasNot []string
	}{
		{"EXPLAIN", []string{"== Optimized Logical Plan ==", "== Physical Plan =="}, []string{"Bound", "est=", "Stage"}},
		{"EXPLAIN LOGICAL", []string{"== Bound Logical Plan ==", "== Optimized Logical Plan =="}, []string{"Physical", "est="}},
		{"EXPLAIN PHYSICAL", []string{"== Physical Plan (1 stage) ==", "Stage 0: 1 task, result"}, []string{"Logical"}},
		{"EXPLAIN VERBOSE", []string{"== Bound Logical Plan ==", "== Optimizer Trace ==", "FilterPushdown (batch", "Scan: orders [o_id, o_cust] filters=[(orders.o_cust = 3)] est=1K", "== Physical Plan =="}, nil},
	}
	for _, c := range cases {
		got := explainText(t, s, c.form+q)
		for _, h := range c.has {
			if !strings.Contains(got, h) {
				t.Errorf("%s: no %q in\n%s", c.form, h, got)
			}
		}
		for _, h := range c.hasNot {
			if strings.Contains(got, h) {
				t.Errorf("%s: %q in\n%s", c.form, h, got)
			}
		}
	}
	_, err := s.Exec(context.Background(), "EXPLAIN ANALYZE FORMAT='logical'"+q)
	if err == nil || !strings.Contains(err.Error(), "does not combine") {
		t.Errorf("EXPLAIN ANALYZE LOGICAL: %v", err)
	}
}

// TestExplainAnalyzeBuildSwap: a shuffled inner join whose right input turns out much
// larger than its left builds from the left at run time, and EXPLAIN ANALYZE says in how
// many partitions; a build side under 8 batches never turns around (the default batch
// size here). The planner builds dims (LIKE estimated at 10% on both sides, dims the
// narrower estimate); at run time 30 tagged rows meet 400 dims rows. The rows are the
// same either way (testdata/slt/join/build_swap.slt checks them in the whole matrix).
func TestExplainAnalyzeBuildSwap(t *testing.T) {
	for _, c := range []struct {
		batch   int
		swapped bool
	}{{7, true}, {8192, false}} {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		s, err := NewSession(WithInMemoryCatalog(), WithPartitions(2), WithBatchSize(c.batch), WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"SET ember.optimizer.broadcast_threshold_rows = 1",
			"CREATE TABLE tagged (k BIGINT, tag VARCHAR(8))",
			"INSERT INTO tagged SELECT id, CASE WHEN id % 100 = 7 THEN 'x' ELSE 'yyy' END FROM range(0, 3000)",
			"CREATE TABLE dims (d BIGINT, name VARCHAR(16))",
			"INSERT INTO dims SELECT id * 3 + 1, concat('d', CAST(id AS CHAR)) FROM range(0, 400)",
		} {
			execOK(t, s, q).Release()
		}
		got := explainText(t, s, "EXPLAIN ANALYZE SELECT t.k, d.name FROM tagged t JOIN dims d ON t.k = d.d WHERE t.tag LIKE '%x%' AND d.name LIKE '%d%'")
		if !strings.Contains(got, ": Inner on k = d [hash(") || !strings.Contains(got, "analyzed: 4 rows") {
			t.Fatalf("batch=%d: not the plan or rows expected:\n%s", c.batch, got)
		}
		if sw := strings.Contains(got, "built from left in 2 partitions"); sw != c.swapped {
			t.Errorf("batch=%d: built from left in both partitions = %v, want %v:\n%s", c.batch, sw, c.swapped, got)
		}
		s.Close()
		mem.AssertSize(t, 0)
	}
}
