package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/sql/planner"
)

// ScanExec reads a data source. Its splits (files, row groups) are dealt round-robin over N
// partitions: partition p reads splits p, p+N, p+2N... in order. Output partitioning: any(N).
// Only the projected columns are read. The source's batches go to the caller as they are
// (a batch of zero columns keeps its row count, for count(*) over no columns).
//
// Predicates are the pruning hints of the scan's pushed filters: the physical planner has
// already left out the splits they rule out (Pruned counts them), and readers get them to
// skip pages. They never replace the filter above the scan.
//
// RuntimeFilters come from hash joins above the scan (runtime_filter.go): once one is
// ready, the scan skips the splits its bounds rule out, gives its bounds to readers as
// hints, and drops the rows whose key cannot match before handing batches on (rows it
// drops, and the rows of splits it skips, count as rows skipped in EXPLAIN ANALYZE). A
// reader that can (Parquet) drops them itself, between decoding the key columns and the
// others, so the dropped rows' other values are never decoded.
type ScanExec struct {
	Source         datasource.Source
	Columns        []int // ordinals of Source.ArrowSchema() to read, in output order
	Splits         []datasource.Split
	N              int
	Predicates     []datasource.Predicate
	Pruned         int // splits of the source that Predicates ruled out at planning
	RuntimeFilters []*RuntimeFilter
	schema         *arrow.Schema
}

// NewScanExec builds a scan over splits dealt into n partitions (at least 1).
func NewScanExec(src datasource.Source, columns []int, splits []datasource.Split, n int) *ScanExec {
	if n < 1 {
		n = 1
	}
	if len(splits) > 0 && n > len(splits) {
		n = len(splits)
	}
	full := src.ArrowSchema()
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = full.Field(c)
	}
	return &ScanExec{Source: src, Columns: columns, Splits: splits, N: n, schema: arrow.NewSchema(fields, nil)}
}

// NewPrunedScanExec is NewScanExec over the splits of src that preds do not rule out
// (all of them when src is not a datasource.Pruner).
func NewPrunedScanExec(src datasource.Source, columns []int, splits []datasource.Split, n int, preds []datasource.Predicate) *ScanExec {
	if pr, ok := src.(datasource.Pruner); ok && len(preds) > 0 {
		keep := make([]datasource.Split, 0, len(splits))
		for _, sp := range splits {
			if pr.MayMatch(sp, preds) {
				keep = append(keep, sp)
			}
		}
		s := NewScanExec(src, columns, keep, n)
		s.Predicates, s.Pruned = preds, len(splits)-len(keep)
		return s
	}
	s := NewScanExec(src, columns, splits, n)
	s.Predicates = preds
	return s
}

func (s *ScanExec) Schema() *arrow.Schema      { return s.schema }
func (s *ScanExec) Children() []Node           { return nil }
func (s *ScanExec) Partitioning() Partitioning { return Partitioning{Kind: AnyPartitioning, N: s.N} }

// String is "Scan: t [a, b] splits=N", with " pruned=K" when the scan has pruning hints and
// " runtime filter from HashJoin#ID on a" when it has runtime filters.
func (s *ScanExec) String() string {
	names := make([]string, len(s.Columns))
	for i := range s.Columns {
		names[i] = s.schema.Field(i).Name
	}
	out := fmt.Sprintf("Scan: %s [%s] splits=%d", planner.ExplainName(s.Source), strings.Join(names, ", "), len(s.Splits))
	if len(s.Predicates) > 0 {
		out += fmt.Sprintf(" pruned=%d", s.Pruned)
	}
	return out + runtimeFilterText(s.RuntimeFilters)
}

// splitUnit names the scan's splits in EXPLAIN ANALYZE: "row_groups" when every split is
// a Parquet row group, else "splits".
func (s *ScanExec) splitUnit() string {
	for _, sp := range s.Splits {
		if fs, ok := sp.(*datasource.FileSplit); !ok || fs.RowGroup < 0 {
			return "splits"
		}
	}
	return "row_groups"
}

func (s *ScanExec) Execute(tc *TaskContext, p int) (Operator, error) {
	var mine []datasource.Split
	for i := p; i < len(s.Splits); i += s.N {
		mine = append(mine, s.Splits[i])
	}
	return &scanOp{node: s, splits: mine, filters: newScanFilters(tc.query, s)}, nil
}

type scanOp struct {
	node    *ScanExec
	splits  []datasource.Split
	cur     datasource.Reader
	filters *scanFilters // nil without runtime filters
	// pred is the predicate of the Filter right above the scan, when it handed it down
	// (FilterExec.Execute, scan_filter.go); nil otherwise.
	pred *scanPredicate
	// rows combines filters and pred; nil when the scan has neither (set at the first
	// split).
	rows *scanRowFilter
	// readerFilters: the current reader applies rows' filters itself, decoding the other
	// columns only for the rows they keep (datasource.RowFiltering).
	readerFilters bool
	// files keeps the files this task's splits opened, for its later splits of the same
	// file (their footers decoded once); closed with the operator.
	files   *datasource.FileCache
	metrics *Metrics // nil when not built through Build
}

// skipped counts rows that pruning left out at run time.
func (o *scanOp) skipped(n int64) {
	if o.metrics != nil && n > 0 {
		o.metrics.RowsSkipped.Add(n)
	}
}

func (o *scanOp) setMetrics(m *Metrics) { o.metrics = m }

// closeCur closes the current reader, recording what it read.
func (o *scanOp) closeCur() error {
	if sr, ok := o.cur.(datasource.StatsReader); ok && o.metrics != nil {
		st := sr.Stats()
		o.metrics.PagesRead.Add(st.PagesRead)
		o.metrics.PagesSkipped.Add(st.PagesSkipped)
		o.metrics.RowsSkipped.Add(st.RowsSkipped)
	}
	err := o.cur.Close()
	o.cur = nil
	return err
}

func (o *scanOp) Open(tc *TaskContext) error { return nil }

func (o *scanOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		if o.cur == nil {
			if len(o.splits) == 0 {
				return nil, nil
			}
			preds := o.node.Predicates
			if o.filters != nil {
				o.filters.refresh(tc.Ctx, true)
				if o.filters.skip(o.splits[0]) {
					if fs, ok := o.splits[0].(*datasource.FileSplit); ok {
						o.skipped(fs.Rows)
					}
					o.splits = o.splits[1:]
					continue
				}
				preds = o.filters.predicates()
			}
			if o.files == nil {
				o.files = datasource.NewFileCache()
			}
			opts := datasource.ReadOptions{BatchSize: tc.BatchSize, Mem: tc.Mem, Predicates: preds, Files: o.files}
			if o.rows == nil && (o.filters != nil || o.pred != nil) {
				o.rows = &scanRowFilter{rf: o.filters, pred: o.pred}
			}
			if o.rows != nil {
				opts.Filter = o.rows.rowFilter(tc)
			}
			r, err := o.node.Source.Open(tc.Ctx, o.splits[0], o.node.Columns, opts)
			if err != nil {
				return nil, err
			}
			rf, ok := r.(datasource.RowFiltering)
			o.readerFilters = ok && rf.FiltersRows()
			o.splits = o.splits[1:]
			o.cur = r
			if o.metrics != nil {
				o.metrics.SplitsRead.Add(1)
			}
		}
		if o.filters != nil {
			o.filters.refresh(tc.Ctx, false)
		}
		b, err := o.cur.Next()
		if err != nil {
			return nil, err
		}
		if b != nil {
			if !b.Schema().Equal(o.node.schema) {
				// Sources may name fields differently (e.g. metadata); give the batch the
				// plan's schema without copying the columns.
				nb := array.NewRecordBatch(o.node.schema, b.Columns(), b.NumRows())
				b.Release()
				b = nb
			}
			if o.rows == nil || !o.rows.needsApply(o.readerFilters) {
				return b, nil
			}
			b, dropped, err := o.rows.apply(tc, b)
			o.skipped(dropped)
			if err != nil || b != nil {
				return b, err
			}
			continue
		}
		if err := o.closeCur(); err != nil {
			return nil, err
		}
	}
}

func (o *scanOp) Close() error {
	var err error
	if o.cur != nil {
		err = o.closeCur()
	}
	if ferr := o.files.Close(); err == nil {
		err = ferr
	}
	o.files = nil
	return err
}
