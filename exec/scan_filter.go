package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
)

// A Filter directly above a scan hands its predicate to the scan task (FilterExec.Execute),
// which applies it with the runtime filters where the rows are read: a Parquet reader
// decodes the columns the filters read, evaluates them, and decodes the other columns for
// the rows kept only (late materialization, datasource.RowFilter); other sources' batches
// are filtered as they come. The Filter then passes the scan's batches on. Rows the
// predicate drops count as the scan's rows skipped in EXPLAIN ANALYZE, as those of runtime
// filters do.

// pushedColumns returns the columns a predicate reads, ok false when the scan should not
// evaluate it: it calls a registered function (user-defined functions may count their
// calls or have effects, which evaluating them early would change).
func pushedColumns(e PhysExpr, cols map[int]bool) bool {
	switch x := e.(type) {
	case *colExpr:
		cols[x.idx] = true
		return true
	case *litExpr:
		return true
	case *callExpr:
		if x.fn {
			return false
		}
		for _, a := range x.args {
			if !pushedColumns(a, cols) {
				return false
			}
		}
		return true
	}
	return false
}

// scanPredicate is a Filter's predicate as a scan task evaluates it: over a batch holding
// only the columns it reads (the others NULL-typed placeholders, which it never touches).
type scanPredicate struct {
	pred   PhysExpr
	uses   []bool        // per scan column: the predicate reads it
	schema *arrow.Schema // the scan's, NULL-typed where unused
	sel    []int32
}

// newScanPredicate prepares pred for the scan of schema, nil when it cannot be pushed.
func newScanPredicate(pred PhysExpr, schema *arrow.Schema) *scanPredicate {
	cols := map[int]bool{}
	if !pushedColumns(pred, cols) {
		return nil
	}
	sp := &scanPredicate{pred: pred, uses: make([]bool, schema.NumFields())}
	fields := make([]arrow.Field, schema.NumFields())
	for i, f := range schema.Fields() {
		if cols[i] {
			sp.uses[i] = true
			fields[i] = f
		} else {
			fields[i] = arrow.Field{Name: f.Name, Type: arrow.Null, Nullable: true}
		}
	}
	for c := range cols {
		if c < 0 || c >= len(fields) {
			return nil
		}
	}
	sp.schema = arrow.NewSchema(fields, nil)
	return sp
}

// columns lists the scan columns the predicate reads.
func (sp *scanPredicate) columns() []int {
	var out []int
	for i, u := range sp.uses {
		if u {
			out = append(out, i)
		}
	}
	return out
}

// keep evaluates the predicate on the rows sel (all rows when all) of a batch of n rows
// whose columns are cols, and returns the rows where it is TRUE, ascending, or all.
func (sp *scanPredicate) keep(tc *TaskContext, cols []arrow.Array, n int, sel []int32, all bool) ([]int32, bool, error) {
	m := n
	if !all {
		m = len(sel)
	}
	in := make([]arrow.Array, len(sp.uses))
	defer func() {
		for _, a := range in {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, u := range sp.uses {
		switch {
		case !u:
			in[i] = array.NewNull(m)
		case cols[i] == nil:
			return nil, false, errs.Internalf("scan filter: column %d not read", i)
		case all:
			cols[i].Retain()
			in[i] = cols[i]
		default:
			a, err := TakeArray(tc.Mem, cols[i], sel)
			if err != nil {
				return nil, false, err
			}
			in[i] = a
		}
	}
	b := array.NewRecordBatch(sp.schema, in, int64(m))
	defer b.Release()
	res, err := sp.pred.Eval(tc, b)
	if err != nil {
		return nil, false, err
	}
	defer res.Release()
	mask, ok := res.(*array.Boolean)
	if !ok {
		return nil, false, errs.Internalf("scan filter: predicate of type %s", res.DataType())
	}
	if cap(sp.sel) < m {
		sp.sel = make([]int32, 0, m)
	}
	out := sp.sel[:0]
	for i := range m {
		if mask.IsValid(i) && mask.Value(i) {
			if all {
				out = append(out, int32(i))
			} else {
				out = append(out, sel[i])
			}
		}
	}
	sp.sel = out
	return out, len(out) == n, nil
}

// scanRowFilter combines a scan task's runtime filters (rf) and pushed predicate (pred),
// either of which may be nil: runtime filters first (cheap, and the predicate then runs
// on the rows they keep, as it did above the scan).
//
// Selective filters pay off in the reader (the other columns decoded for few rows); a
// filter that keeps most rows does not (decoding rows one by one costs more than decoding
// pages whole and copying the kept runs, as TPC-H Q1's 98% does). So the reader filters
// until denseTrialBatches batches' worth of rows have been seen; if more than a quarter
// passed, the task then reads whole batches and filters them itself (bulk).
type scanRowFilter struct {
	rf   *scanFilters
	pred *scanPredicate
	// seen and kept count the rows the reader's filtering saw and kept; bulk: stop
	// filtering in the reader. filtered says whether the reader filtered the batch it
	// returned last.
	seen, kept int64
	bulk       bool
	filtered   bool
}

// denseTrialBatches is how many batches of rows (TaskContext.BatchSize) a scan task
// filters in its reader before judging whether the filters are selective enough to keep
// doing so: 65,536 rows at the default batch size; the test matrix's small batch sizes
// switch within small tables, so both ways run there.
const denseTrialBatches = 8

// readerKeep is the reader's filter: keep, until the filters prove not selective.
func (f *scanRowFilter) readerKeep(tc *TaskContext, cols []arrow.Array, n int) ([]int32, bool, error) {
	if f.bulk {
		f.filtered = false
		return nil, true, nil
	}
	sel, all, err := f.keep(tc, cols, n)
	if err != nil {
		return nil, false, err
	}
	f.filtered = true
	f.seen += int64(n)
	if all {
		f.kept += int64(n)
	} else {
		f.kept += int64(len(sel))
	}
	if f.seen >= denseTrialBatches*int64(max(tc.BatchSize, 1)) && 4*f.kept > f.seen {
		f.bulk = true
	}
	return sel, all, nil
}

// keep returns the rows of a batch (its columns cols, n rows) both keep, or all.
func (f *scanRowFilter) keep(tc *TaskContext, cols []arrow.Array, n int) ([]int32, bool, error) {
	if n == 0 {
		return nil, true, nil
	}
	sel, all := []int32(nil), true
	if f.rf != nil {
		sel, all = f.rf.keepRows(cols, n)
		if !all && len(sel) == 0 {
			return nil, false, nil
		}
	}
	if f.pred == nil {
		return sel, all, nil
	}
	return f.pred.keep(tc, cols, n, sel, all)
}

// rowFilter is the filter for a reader of tc's task: the columns both read, in order.
func (f *scanRowFilter) rowFilter(tc *TaskContext) *datasource.RowFilter {
	seen := map[int]bool{}
	var cols []int
	add := func(c int) {
		if !seen[c] {
			seen[c] = true
			cols = append(cols, c)
		}
	}
	if f.rf != nil {
		for _, c := range f.rf.keyColumns() {
			add(c)
		}
	}
	if f.pred != nil {
		for _, c := range f.pred.columns() {
			add(c)
		}
	}
	return &datasource.RowFilter{Cols: cols, Keep: func(cols []arrow.Array, n int) ([]int32, bool, error) {
		return f.readerKeep(tc, cols, n)
	}}
}

// needsApply reports whether a batch the current reader returned still has to be filtered:
// the reader does not filter, or it let the batch through whole (bulk).
func (f *scanRowFilter) needsApply(readerFilters bool) bool {
	return !readerFilters || !f.filtered
}

// apply drops the rows of b the filters rule out, for batches the reader did not filter:
// what is left (b itself when nothing is dropped, nil when everything is) and how many rows
// it dropped. Runtime filters pick rows by index; the predicate's mask goes to FilterBatch,
// which copies runs of kept rows. It takes ownership of b.
func (f *scanRowFilter) apply(tc *TaskContext, b arrow.RecordBatch) (arrow.RecordBatch, int64, error) {
	n := int64(b.NumRows())
	if f.rf != nil {
		sel, all := f.rf.keepRows(b.Columns(), int(n))
		switch {
		case !all && len(sel) == 0:
			b.Release()
			return nil, n, nil
		case !all:
			nb, err := TakeRows(tc.Mem, b, sel)
			b.Release()
			if err != nil {
				return nil, 0, err
			}
			b = nb
		}
	}
	if f.pred != nil && b.NumRows() > 0 {
		mask, err := f.pred.pred.Eval(tc, b)
		if err != nil {
			b.Release()
			return nil, 0, err
		}
		trues := countTrue(mask)
		switch {
		case trues == int(b.NumRows()):
			mask.Release()
		case trues == 0:
			mask.Release()
			b.Release()
			return nil, n, nil
		default:
			nb, err := FilterBatch(tc.Mem, b, mask)
			mask.Release()
			b.Release()
			if err != nil {
				return nil, 0, err
			}
			b = nb
		}
	}
	return b, n - b.NumRows(), nil
}
