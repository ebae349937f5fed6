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

// ExplainAnalyzed renders a physical plan with what each node did in a finished run: rows
// and batches produced (summed over partitions) and time spent in the node and below it.
func ExplainAnalyzed(n Node, ex *Execution) string {
	var b strings.Builder
	var rec func(Node, int)
	rec = func(n Node, d int) {
		b.WriteString(strings.Repeat("  ", d))
		b.WriteString(n.String())
		b.WriteString(" [" + n.Partitioning().String() + "]")
		if m := ex.MetricsOf(n); m != nil {
			fmt.Fprintf(&b, " rows=%d batches=%d time=%s", m.Rows.Load(), m.Batches.Load(), time.Duration(m.Nanos.Load()).Round(time.Microsecond))
		}
		b.WriteString("\n")
		for _, c := range n.Children() {
			rec(c, d+1)
		}
	}
	rec(n, 0)
	return b.String()
}
