package exec

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// PartitionKind says how a node's output rows are spread over its partitions.
type PartitionKind int

const (
	// AnyPartitioning: rows are in N partitions with no known relation to their values.
	AnyPartitioning PartitionKind = iota
	// HashPartitioning: rows with equal Keys values are in the same partition.
	HashPartitioning
	// SinglePartition: all rows are in partition 0 (N == 1).
	SinglePartition
	// BroadcastPartitioning (exchanges only): every consumer partition sees all rows.
	BroadcastPartitioning
)

// Partitioning is a node's output partitioning.
type Partitioning struct {
	Kind PartitionKind
	N    int
	// Keys are the column ordinals of the hash partitioning (HashPartitioning only).
	Keys []int
}

func (p Partitioning) String() string {
	switch p.Kind {
	case HashPartitioning:
		return fmt.Sprintf("hash(%v, %d)", p.Keys, p.N)
	case SinglePartition:
		return "single"
	case BroadcastPartitioning:
		return fmt.Sprintf("broadcast(%d)", p.N)
	}
	return fmt.Sprintf("any(%d)", p.N)
}

// Node is a physical plan node: a description of work that can be instantiated once per
// output partition. Nodes are immutable once built and safe to share among tasks.
// An Exchange is the only node whose partitions are produced by a different stage.
type Node interface {
	Schema() *arrow.Schema
	Children() []Node
	// Partitioning is the node's output partitioning; its N is the number of partitions
	// Execute accepts.
	Partitioning() Partitioning
	// Execute creates the operator producing partition p. Children's operators are created
	// with Build(tc, child, p') inside it (or in Open).
	Execute(tc *TaskContext, p int) (Operator, error)
	// String is the one-line EXPLAIN text of the node.
	String() string
}

// ExplainPhysical renders a physical plan as an indented tree with partitioning.
func ExplainPhysical(n Node) string {
	var b strings.Builder
	var rec func(Node, int)
	rec = func(n Node, d int) {
		b.WriteString(strings.Repeat("  ", d))
		b.WriteString(n.String())
		b.WriteString(" [" + n.Partitioning().String() + "]\n")
		for _, c := range n.Children() {
			rec(c, d+1)
		}
	}
	rec(n, 0)
	return b.String()
}

// ExplainAnalyzed renders a physical plan with what each node did in a finished run,
// summed over its partitions: rows and batches returned; compute, the time spent in the
// node's own Open and Next calls (its children's time taken out, except below an
// Exchange, whose child ran in another stage); mem, the peak of the Arrow memory its
// operators allocated and had not freed yet. A scan adds the splits it read and those
// pruned at planning (row_groups for Parquet), pages read and skipped, and rows skipped
// inside the splits it read. Timings vary from run to run; ExplainScans does not.
func ExplainAnalyzed(n Node, ex *Execution) string {
	var b strings.Builder
	var rec func(Node, int)
	rec = func(n Node, d int) {
		b.WriteString(strings.Repeat("  ", d))
		b.WriteString(n.String())
		b.WriteString(" [" + n.Partitioning().String() + "]")
		if m := ex.MetricsOf(n); m != nil {
			self := m.Nanos.Load()
			if _, isExchange := n.(*Exchange); !isExchange {
				for _, c := range n.Children() {
					if cm := ex.MetricsOf(c); cm != nil {
						self -= cm.Nanos.Load()
					}
				}
			}
			fmt.Fprintf(&b, " rows=%d batches=%d compute=%s", m.Rows.Load(), m.Batches.Load(),
				time.Duration(max(self, 0)).Round(time.Microsecond))
			if peak := m.MemPeak.Load(); peak > 0 {
				b.WriteString(" mem=" + formatBytes(peak))
			}
			if s, ok := n.(*ScanExec); ok {
				b.WriteString(" " + scanCounts(s, m))
			}
			if sw := m.BuildSwapped.Load(); sw > 0 {
				fmt.Fprintf(&b, " built from left in %d partitions", sw)
			}
		}
		b.WriteString("\n")
		for _, c := range n.Children() {
			rec(c, d+1)
		}
	}
	rec(n, 0)
	return b.String()
}

// ExplainScans renders one line per scan of a finished run (in plan order) with what
// the scan read and what pruning spared it, e.g. "t: row_groups read=3 pruned=7,
// rows=300". Nothing in it depends on timing, batch size or
// the number of partitions, so tests can compare it.
func ExplainScans(n Node, ex *Execution) string {
	var b strings.Builder
	var rec func(Node)
	rec = func(n Node) {
		if s, ok := n.(*ScanExec); ok {
			if m := ex.MetricsOf(s); m != nil {
				fmt.Fprintf(&b, "%s: %s, rows=%d\n", s.Source.Name(), scanCounts(s, m), m.Rows.Load())
			} else {
				fmt.Fprintf(&b, "%s: not run\n", s.Source.Name())
			}
		}
		for _, c := range n.Children() {
			rec(c)
		}
	}
	rec(n)
	return b.String()
}

// scanCounts renders the split, page and row counters of a scan.
func scanCounts(s *ScanExec, m *Metrics) string {
	out := fmt.Sprintf("%s read=%d pruned=%d", s.splitUnit(), m.SplitsRead.Load(), s.Pruned)
	if pr, ps := m.PagesRead.Load(), m.PagesSkipped.Load(); pr > 0 || ps > 0 {
		out += fmt.Sprintf(", pages read=%d skipped=%d", pr, ps)
	}
	if rs := m.RowsSkipped.Load(); rs > 0 {
		out += fmt.Sprintf(", rows skipped=%d", rs)
	}
	return out
}

// formatBytes renders a byte count with a binary unit: 512B, 1.5KiB, 3.0MiB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	v, u := float64(n)/unit, 0
	for v >= unit && u < 3 {
		v /= unit
		u++
	}
	return fmt.Sprintf("%.1f%s", v, []string{"KiB", "MiB", "GiB", "TiB"}[u])
}
