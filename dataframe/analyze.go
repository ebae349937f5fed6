package dataframe

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/exec/kernels"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Table statistics: ANALYZE TABLE and SHOW STATS.
//
// ANALYZE TABLE t [COMPUTE STATISTICS [FOR COLUMNS a, b | FOR ALL COLUMNS]] scans the table
// once, its splits in parallel, and computes per column the NULL count, the min and max, a
// distinct count (the HyperLogLog sketch of approx_count_distinct: exact up to 2048 values,
// then within about 1%) and, for numbers, dates, timestamps and strings, an equi-depth
// histogram (planner.Histogram, 64 buckets unless WITH n BUCKETS) built from the non-NULL
// values of a uniform sample of the rows (32768 rows unless WITH n SAMPLES; the whole
// table when it is smaller, so the histogram of a small table is exact). The sample is
// deterministic: row r of split s is in it when its key, a fixed hash of (s, r), is among
// the smallest, so the result does not depend on how splits were spread over goroutines.
//
// The result (tableStats) is kept per table: on the tableDef in catalog.json, or on the
// managedEntry of a temporary table (the session's only). It records the row count and,
// for managed tables, the store version it saw: a later INSERT, UPDATE, DELETE or TRUNCATE
// changes one of them, which marks the statistics stale. Stale statistics still serve the
// optimizer (as fractions of the rows: a managed table's row count is always the exact
// current one); SHOW STATS says they are stale and ANALYZE TABLE refreshes them.
//
// Tables hand statistics to the optimizer as planner.StatsProvider: managedTable (its
// exact row count, plus what ANALYZE found), and external tables wrapped by withAnalyzed
// (ANALYZE's facts over the source's own, e.g. Parquet footers' row and NULL counts).

const (
	defaultBuckets = 64
	defaultSamples = 1 << 15
	maxBuckets     = 1024
	maxSamples     = 1 << 20
)

// tableStats is what ANALYZE TABLE found in one table. Immutable once stored.
type tableStats struct {
	// Rows is the table's row count when analyzed; Version the managed table's store
	// version then (-1 for external tables).
	Rows    int64         `json:"rows"`
	Version int64         `json:"version"`
	Columns []columnStats `json:"columns"`
}

// columnStats is one analyzed column, matched to the table's columns by name and type.
type columnStats struct {
	Name string
	Type string // planner.TypeString of the column's type when analyzed
	planner.ColumnStats
}

// stale reports whether a table whose current row count and store version are rows and
// version (each -1 when unknown) has changed since the statistics were taken.
func (t *tableStats) stale(rows, version int64) bool {
	return rows >= 0 && rows != t.Rows || version >= 0 && t.Version >= 0 && version != t.Version
}

// column returns the statistics of the column named name of type typ, nil when none.
func (t *tableStats) column(name string, typ arrow.DataType) *columnStats {
	for i := range t.Columns {
		c := &t.Columns[i]
		if strings.EqualFold(c.Name, name) && c.Type == planner.TypeString(typ) {
			return c
		}
	}
	return nil
}

// forSchema is t as planner.TableStats of a table of the given schema whose current row
// count is rows (-1: unknown, t's count serves). NULL counts scale with the row count;
// the other facts are kept. A nil t knows only rows.
func (t *tableStats) forSchema(schema *arrow.Schema, rows int64) *planner.TableStats {
	if t == nil {
		return &planner.TableStats{RowCount: rows}
	}
	if rows < 0 {
		rows = t.Rows
	}
	out := &planner.TableStats{RowCount: rows, Columns: make([]planner.ColumnStats, schema.NumFields())}
	for i, f := range schema.Fields() {
		c := t.column(f.Name, f.Type)
		if c == nil {
			out.Columns[i] = planner.ColumnStats{NullCount: -1, Distinct: -1}
			continue
		}
		cs := c.ColumnStats
		if t.Rows > 0 && rows != t.Rows && cs.NullCount > 0 {
			cs.NullCount = int64(math.Round(float64(cs.NullCount) * float64(rows) / float64(t.Rows)))
		}
		out.Columns[i] = cs
	}
	return out
}

// Statistics implements planner.StatsProvider: the exact row count of the snapshot, and
// what ANALYZE TABLE found (if it ran).
func (m *managedTable) Statistics() *planner.TableStats {
	m.statsOnce.Do(func() { m.stats = m.analyzed.forSchema(m.ArrowSchema(), m.NumRows()) })
	return m.stats
}

// withAnalyzed returns src with ANALYZE TABLE's statistics t merged over its own (src
// itself when t is nil). The wrapper keeps src's Pruner.
func withAnalyzed(src datasource.Source, t *tableStats) datasource.Source {
	if t == nil {
		return src
	}
	a := &analyzedSource{Source: src, analyzed: t}
	if _, ok := src.(datasource.Pruner); ok {
		return analyzedPruner{a}
	}
	return a
}

// analyzedSource is an external table's source with ANALYZE TABLE's statistics.
type analyzedSource struct {
	datasource.Source
	analyzed *tableStats
	once     sync.Once
	stats    *planner.TableStats
}

// Statistics implements planner.StatsProvider: the source's live row count and NULL
// counts (Parquet footers) when it has them, ANALYZE's distinct counts, bounds and
// histograms, and the source's facts of columns ANALYZE skipped.
func (s *analyzedSource) Statistics() *planner.TableStats {
	s.once.Do(func() {
		live := liveStats(s.Source)
		rows := int64(-1)
		if live != nil {
			rows = live.RowCount
		}
		st := s.analyzed.forSchema(s.ArrowSchema(), rows)
		if live != nil {
			for i := range st.Columns {
				if i >= len(live.Columns) {
					break
				}
				c, l := &st.Columns[i], live.Columns[i]
				if l.NullCount >= 0 {
					c.NullCount = l.NullCount
				}
				if c.Distinct < 0 {
					c.Distinct = l.Distinct
				}
			}
		}
		s.stats = st
	})
	return s.stats
}

// analyzedPruner is an analyzedSource over a source that prunes splits.
type analyzedPruner struct{ *analyzedSource }

// MayMatch implements datasource.Pruner by the wrapped source's.
func (p analyzedPruner) MayMatch(split datasource.Split, preds []datasource.Predicate) bool {
	return p.Source.(datasource.Pruner).MayMatch(split, preds)
}

// liveStats is a source's own statistics, nil when it has none.
func liveStats(src datasource.Source) *planner.TableStats {
	if sp, ok := src.(planner.StatsProvider); ok {
		if st := sp.Statistics(); st != nil && st.RowCount >= 0 {
			return st
		}
	}
	return nil
}

// statsTarget is a table that ANALYZE TABLE or SHOW STATS works on.
type statsTarget struct {
	key, name string
	src       datasource.Source // the rows, as scans read them
	table     planner.Table     // what queries see (with statistics)
	analyzed  *tableStats
	// rows and version are the table's current row count and store version, -1 unknown.
	rows, version int64
	release       func()
}

// statsTarget resolves a table for ANALYZE TABLE and SHOW STATS: a view or an unknown
// name is a plan error. The caller calls release when done.
func (c *catalog) statsTarget(dbName, name string) (*statsTarget, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	db, err := c.resolveDB(dbName)
	if err != nil {
		return nil, err
	}
	key := tableKey(db, name)
	if _, ok := c.views[key]; ok {
		return nil, errs.Planf("%q is a view; statistics are kept for tables only", name)
	}
	managed := func(e *managedEntry) (*statsTarget, error) {
		m, err := e.snapshot()
		if err != nil {
			return nil, err
		}
		return &statsTarget{key: key, name: e.spec.Name, src: m.Snapshot, table: m, analyzed: e.stats,
			rows: m.NumRows(), version: m.Version(), release: m.Release}, nil
	}
	if e, ok := c.temps[key]; ok {
		return managed(e)
	}
	d, ok := c.tables[key]
	if !ok {
		return nil, c.unknownTableLocked(name, name, db)
	}
	if d.Kind == kindManaged {
		e, err := c.openManaged(key, d)
		if err != nil {
			return nil, err
		}
		return managed(e)
	}
	src, ok := c.sources[key]
	if !ok {
		if src, err = openSource(d.Name, d.Format, d.Location, d.Options); err != nil {
			return nil, fmt.Errorf("table %s: %w", d.Name, err)
		}
		c.sources[key] = src
	}
	return &statsTarget{key: key, name: d.Name, src: src, table: withAnalyzed(src, d.Stats), analyzed: d.Stats,
		rows: -1, version: -1, release: func() {}}, nil
}

// setStats stores the statistics of the table of key (in the catalog file for a table of
// the warehouse).
func (c *catalog) setStats(key string, st *tableStats) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.temps[key]; ok {
		e.stats = st
		return nil
	}
	d, ok := c.tables[key]
	if !ok {
		_, name := splitKey(key)
		return errs.Planf("table %q was dropped while ANALYZE TABLE ran", name)
	}
	old := d
	d.Stats = st
	c.tables[key] = d
	if err := c.save(); err != nil {
		c.tables[key] = old
		return err
	}
	if e, ok := c.managedOpen[key]; ok {
		e.stats = st
	}
	return nil
}

// analyzeTable runs ANALYZE TABLE.
func (s *Session) analyzeTable(ctx context.Context, n *ast.AnalyzeTableStmt) (*Result, error) {
	switch {
	case n.IndexFlag || len(n.IndexNames) > 0:
		return nil, errs.NotImplementedf("ANALYZE TABLE ... INDEX (Ember keeps statistics of columns)")
	case len(n.PartitionNames) > 0:
		return nil, errs.NotImplementedf("ANALYZE TABLE ... PARTITION")
	case n.Incremental:
		return nil, errs.NotImplementedf("ANALYZE INCREMENTAL TABLE")
	case n.HistogramOperation != ast.HistogramOperationNop:
		return nil, errs.NotImplementedf("ANALYZE TABLE ... UPDATE or DROP HISTOGRAM")
	case n.ColumnChoice == ast.PredicateColumns:
		return nil, errs.NotImplementedf("ANALYZE TABLE ... PREDICATE COLUMNS")
	}
	opts := analyzeOptions{buckets: defaultBuckets, samples: defaultSamples}
	for _, o := range n.AnalyzeOpts {
		var v int64
		ok := true
		switch x := o.Value.GetValue().(type) {
		case uint64:
			v = int64(min(x, math.MaxInt64))
		case int64:
			v = x
		default:
			ok = false
		}
		switch {
		case o.Type == ast.AnalyzeOptNumBuckets && ok && v >= 1 && v <= maxBuckets:
			opts.buckets = int(v)
		case o.Type == ast.AnalyzeOptNumSamples && ok && v >= 1 && v <= maxSamples:
			opts.samples = int(v)
		case o.Type == ast.AnalyzeOptNumBuckets:
			return nil, errs.Planf("ANALYZE TABLE takes 1 to %d BUCKETS", maxBuckets)
		case o.Type == ast.AnalyzeOptNumSamples:
			return nil, errs.Planf("ANALYZE TABLE takes 1 to %d SAMPLES", maxSamples)
		default:
			return nil, errs.NotImplementedf("ANALYZE TABLE option %s (Ember takes BUCKETS and SAMPLES)", ast.AnalyzeOptionString[o.Type])
		}
	}
	var msgs []string
	for _, tn := range n.TableNames {
		msg, err := s.analyzeOne(ctx, tn, n.ColumnChoice == ast.ColumnList, n.ColumnNames, opts)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return &Result{Message: strings.Join(msgs, "; ")}, nil
}

type analyzeOptions struct{ buckets, samples int }

// analyzeOne analyzes one table: the named columns, or every column of a type it knows.
func (s *Session) analyzeOne(ctx context.Context, tn *ast.TableName, list bool, names []ast.CIStr, opts analyzeOptions) (string, error) {
	t, err := s.cat.statsTarget(tn.Schema.O, tn.Name.O)
	if err != nil {
		return "", err
	}
	defer t.release()
	schema := t.src.ArrowSchema()
	var ords []int
	if list {
		seen := map[int]bool{}
		var all []string
		for _, f := range schema.Fields() {
			all = append(all, f.Name)
		}
		for _, n := range names {
			i := fieldIndex(schema, n.O)
			if i < 0 {
				msg := fmt.Sprintf("unknown column %q in table %s", n.O, t.name)
				if near := udf.Nearest(n.O, all); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", near)
				}
				return "", errs.Planf("%s", msg)
			}
			if !analyzable(schema.Field(i).Type) {
				return "", errs.Planf("ANALYZE TABLE cannot compute statistics of column %q of type %s", n.O, planner.TypeString(schema.Field(i).Type))
			}
			if !seen[i] {
				seen[i] = true
				ords = append(ords, i)
			}
		}
		sort.Ints(ords)
	} else {
		for i, f := range schema.Fields() {
			if analyzable(f.Type) {
				ords = append(ords, i)
			}
		}
	}
	st, err := scanStats(ctx, t.src, ords, opts, s.cfg.partitions, s.cfg.batchSize, s.cfg.mem)
	if err != nil {
		return "", err
	}
	st.Version = t.version
	// Columns analyzed before and not now stay, unless the table changed since.
	if old := t.analyzed; old != nil && !old.stale(st.Rows, t.version) {
		for _, c := range old.Columns {
			typ := typeOfName(schema, c.Name)
			if typ != nil && c.Type == planner.TypeString(typ) && st.column(c.Name, typ) == nil {
				st.Columns = append(st.Columns, c)
			}
		}
		sort.SliceStable(st.Columns, func(i, j int) bool {
			return fieldIndex(schema, st.Columns[i].Name) < fieldIndex(schema, st.Columns[j].Name)
		})
	}
	if err := s.cat.setStats(t.key, st); err != nil {
		return "", err
	}
	return fmt.Sprintf("table %s analyzed: %s, %d columns", t.name, rowsMessage(st.Rows, "read"), len(ords)), nil
}

// fieldIndex is the ordinal of the column named name (case-insensitive), -1 when none.
func fieldIndex(schema *arrow.Schema, name string) int {
	for i, f := range schema.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// typeOfName is the type of the column named name (nil when none).
func typeOfName(schema *arrow.Schema, name string) arrow.DataType {
	if i := fieldIndex(schema, name); i >= 0 {
		return schema.Field(i).Type
	}
	return nil
}

// analyzable reports whether ANALYZE TABLE computes statistics of a column of type t.
func analyzable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16,
		arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.STRING,
		arrow.LARGE_STRING, arrow.DATE32, arrow.TIMESTAMP:
		return true
	}
	return false
}

// scanStats reads the columns ords of src, its splits spread over parallel goroutines,
// and computes their statistics (Version is left to the caller). Every batch read is
// released here.
func scanStats(ctx context.Context, src datasource.Source, ords []int, opts analyzeOptions, parallel, batchSize int, mem memory.Allocator) (*tableStats, error) {
	splits, err := src.Splits(ctx)
	if err != nil {
		return nil, err
	}
	fn, ok := udf.NewBuiltins().Aggregate("approx_count_distinct")
	if !ok {
		return nil, errs.Internalf("approx_count_distinct is not a built-in aggregate")
	}
	schema := src.ArrowSchema()
	newPartial := func() (*partialStats, error) {
		p := &partialStats{cols: make([]*colAcc, len(ords))}
		for i, o := range ords {
			acc, err := fn.NewAccumulator([]arrow.DataType{schema.Field(o).Type}, mem)
			if err != nil {
				p.release()
				return nil, err
			}
			p.cols[i] = &colAcc{hll: acc}
		}
		return p, nil
	}
	parallel = max(1, min(parallel, len(splits)))
	parts := make([]*partialStats, parallel)
	defer func() {
		for _, p := range parts {
			if p != nil {
				p.release()
			}
		}
	}()
	for w := range parts {
		if parts[w], err = newPartial(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errc := make(chan error, parallel)
	var wg sync.WaitGroup
	for w := range parts {
		wg.Add(1)
		go func(p *partialStats) {
			defer wg.Done()
			for si := range next {
				if err := p.readSplit(ctx, src, splits[si], si, ords, opts.samples, batchSize, mem); err != nil {
					errc <- err
					cancel()
					return
				}
			}
		}(parts[w])
	}
feed:
	for i := range splits {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	out := &tableStats{Version: -1}
	var sample []sampleRow
	for _, p := range parts {
		out.Rows += p.rows
		sample = append(sample, p.sample...)
	}
	// The rows of smallest keys over all the partial samples: the table's sample.
	slices.SortFunc(sample, func(a, b sampleRow) int { return cmp.Compare(a.key, b.key) })
	sample = sample[:min(len(sample), opts.samples)]
	for i, o := range ords {
		f := schema.Field(o)
		cs, err := mergeColumn(parts, i, f.Type, out.Rows, sample, opts)
		if err != nil {
			return nil, err
		}
		out.Columns = append(out.Columns, columnStats{Name: f.Name, Type: planner.TypeString(f.Type), ColumnStats: cs})
	}
	return out, nil
}

// partialStats is what one goroutine gathered from the splits it read.
type partialStats struct {
	rows int64
	cols []*colAcc
	// sample is a max-heap by key of the sampled rows (see sampleRow).
	sample []sampleRow
	keys   []uint64 // scratch: the sample keys of a batch's rows
}

// colAcc accumulates one column.
type colAcc struct {
	nulls    int64
	min, max any
	hll      udf.GroupAccumulator
	groups   []uint32 // zeros: every row is in group 0 of hll
}

// sampleRow is a sampled row: its key (sampleKey) and its values of the analyzed columns
// (nil for NULL).
type sampleRow struct {
	key  uint64
	vals []any
}

func (p *partialStats) release() {
	for _, c := range p.cols {
		if c != nil {
			c.hll.Release()
		}
	}
}

// readSplit folds split number si into p.
func (p *partialStats) readSplit(ctx context.Context, src datasource.Source, split datasource.Split, si int, ords []int, samples, batchSize int, mem memory.Allocator) error {
	r, err := src.Open(ctx, split, ords, datasource.ReadOptions{BatchSize: batchSize, Mem: mem})
	if err != nil {
		return err
	}
	defer r.Close()
	var row uint64
	for {
		if err := ctx.Err(); err != nil {
			return errs.Canceled(err)
		}
		b, err := r.Next()
		if err != nil {
			return err
		}
		if b == nil {
			return nil
		}
		err = p.add(b, uint64(si), row, samples)
		row += uint64(b.NumRows())
		b.Release()
		if err != nil {
			return err
		}
	}
}

// add folds one batch, whose first row is row number row of split si.
func (p *partialStats) add(b arrow.RecordBatch, si, row uint64, samples int) error {
	n := int(b.NumRows())
	p.rows += int64(n)
	if cap(p.keys) < n {
		p.keys = make([]uint64, n)
	}
	keys := p.keys[:n]
	for i := range keys {
		keys[i] = sampleKey(si<<40 | (row + uint64(i)))
	}
	for ci, c := range p.cols {
		col := b.Column(ci)
		c.nulls += int64(col.NullN())
		if col.NullN() == n {
			continue
		}
		if lo, hi, ok := minMax(col); ok {
			if order, _ := planner.CompareValues(lo, c.min); c.min == nil || order < 0 {
				c.min = lo
			}
			if order, _ := planner.CompareValues(hi, c.max); c.max == nil || order > 0 {
				c.max = hi
			}
		}
		if cap(c.groups) < n {
			c.groups = make([]uint32, n)
		}
		if err := c.hll.Update([]arrow.Array{col}, c.groups[:n], 1); err != nil {
			return err
		}
	}
	// The sample keeps the rows of smallest keys: a row goes in while the heap is short of
	// samples, or in place of the top (largest key) when its key is smaller.
	for i, k := range keys {
		full := len(p.sample) >= samples
		if full && k >= p.sample[0].key {
			continue
		}
		var vals []any
		if full {
			vals = p.sample[0].vals // the evicted row's, reused
		} else {
			vals = make([]any, len(p.cols))
		}
		for ci := range p.cols {
			vals[ci] = kernels.ScalarAt(b.Column(ci), i)
		}
		if full {
			p.sample[0] = sampleRow{key: k, vals: vals}
			siftDown(p.sample, 0)
		} else {
			p.sample = append(p.sample, sampleRow{key: k, vals: vals})
			siftUp(p.sample, len(p.sample)-1)
		}
	}
	return nil
}

// siftUp restores the max-heap order of h (by key) after h[i] grew.
func siftUp(h []sampleRow, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].key >= h[i].key {
			return
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

// siftDown restores the max-heap order of h (by key) after h[i] shrank.
func siftDown(h []sampleRow, i int) {
	for {
		big := i
		if l := 2*i + 1; l < len(h) && h[l].key > h[big].key {
			big = l
		}
		if r := 2*i + 2; r < len(h) && h[r].key > h[big].key {
			big = r
		}
		if big == i {
			return
		}
		h[big], h[i] = h[i], h[big]
		i = big
	}
}

// sampleKey is a fixed hash of a row's (split, row) number: a bijection (splitmix64's
// finalizer), so no two rows share a key.
func sampleKey(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// mergeColumn combines column i of the partial results into its statistics; sample is
// the table's sampled rows.
func mergeColumn(parts []*partialStats, i int, typ arrow.DataType, rows int64, sample []sampleRow, opts analyzeOptions) (planner.ColumnStats, error) {
	cs := planner.ColumnStats{}
	main := parts[0].cols[i]
	for k, p := range parts {
		c := p.cols[i]
		cs.NullCount += c.nulls
		if c.min != nil {
			if order, _ := planner.CompareValues(c.min, cs.Min); cs.Min == nil || order < 0 {
				cs.Min = c.min
			}
			if order, _ := planner.CompareValues(c.max, cs.Max); cs.Max == nil || order > 0 {
				cs.Max = c.max
			}
		}
		if k == 0 {
			continue
		}
		states, err := c.hll.State(1)
		if err != nil {
			return cs, err
		}
		err = main.hll.Merge(states, []uint32{0}, 1)
		for _, s := range states {
			s.Release()
		}
		if err != nil {
			return cs, err
		}
	}
	final, err := main.hll.Final(1)
	if err != nil {
		return cs, err
	}
	cs.Distinct = final.(*array.Int64).Value(0)
	final.Release()
	if typ.ID() == arrow.BOOL {
		return cs, nil
	}
	var vals []any
	for _, r := range sample {
		if v := r.vals[i]; v != nil {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return cs, nil
	}
	sort.SliceStable(vals, func(a, b int) bool {
		c, _ := planner.CompareValues(vals[a], vals[b])
		return c < 0
	})
	cs.Histogram = planner.BuildHistogram(vals, opts.buckets, rows-cs.NullCount, cs.Distinct)
	return cs, nil
}

// minMax returns the least and greatest non-NULL values of a (as planner.Literal holds
// them, in Ember's order); ok is false when a has none.
func minMax(a arrow.Array) (lo, hi any, ok bool) {
	switch x := a.(type) {
	case *array.Int8:
		return ordered(a, x.Int8Values(), func(v int8) any { return int64(v) })
	case *array.Int16:
		return ordered(a, x.Int16Values(), func(v int16) any { return int64(v) })
	case *array.Int32:
		return ordered(a, x.Int32Values(), func(v int32) any { return int64(v) })
	case *array.Int64:
		return ordered(a, x.Int64Values(), func(v int64) any { return v })
	case *array.Uint8:
		return ordered(a, x.Uint8Values(), func(v uint8) any { return int64(v) })
	case *array.Uint16:
		return ordered(a, x.Uint16Values(), func(v uint16) any { return int64(v) })
	case *array.Uint32:
		return ordered(a, x.Uint32Values(), func(v uint32) any { return int64(v) })
	case *array.Date32:
		return ordered(a, x.Date32Values(), func(v arrow.Date32) any { return v })
	case *array.Timestamp:
		return ordered(a, x.TimestampValues(), func(v arrow.Timestamp) any { return v })
	case *array.String:
		return ordered(a, stringValues(x), func(v string) any { return strings.Clone(v) })
	case *array.Float64:
		return floatMinMax(a, x.Float64Values())
	case *array.Decimal128:
		return decimalMinMax(a, x.Values())
	}
	// FLOAT, booleans, BIGINT UNSIGNED, LARGE STRING: through boxed values.
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			continue
		}
		v := kernels.ScalarAt(a, i)
		if c, _ := planner.CompareValues(v, lo); lo == nil || c < 0 {
			lo = v
		}
		if c, _ := planner.CompareValues(v, hi); hi == nil || c > 0 {
			hi = v
		}
	}
	return lo, hi, lo != nil
}

// stringValues are the values of a string array (views into its buffer).
func stringValues(x *array.String) []string {
	out := make([]string, x.Len())
	for i := range out {
		out[i] = x.Value(i)
	}
	return out
}

// ordered is minMax over a's values vals of an ordered Go type, converted by conv.
func ordered[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | arrow.Date32 | arrow.Timestamp | string](a arrow.Array, vals []T, conv func(T) any) (lo, hi any, ok bool) {
	var mn, mx T
	for i, v := range vals {
		if a.IsNull(i) {
			continue
		}
		if !ok || v < mn {
			mn = v
		}
		if !ok || v > mx {
			mx = v
		}
		ok = true
	}
	if !ok {
		return nil, nil, false
	}
	return conv(mn), conv(mx), true
}

// floatMinMax is minMax of float64 values in Ember's order: NaN above everything.
func floatMinMax(a arrow.Array, vals []float64) (lo, hi any, ok bool) {
	var mn, mx float64
	for i, v := range vals {
		if a.IsNull(i) {
			continue
		}
		if !ok || !math.IsNaN(v) && (math.IsNaN(mn) || v < mn) {
			mn = v
		}
		if !ok || math.IsNaN(v) || !math.IsNaN(mx) && v > mx {
			mx = v
		}
		ok = true
	}
	if !ok {
		return nil, nil, false
	}
	return mn, mx, true
}

// decimalMinMax is minMax of DECIMAL values (unscaled: one column, one scale).
func decimalMinMax(a arrow.Array, vals []decimal128.Num) (lo, hi any, ok bool) {
	var mn, mx decimal128.Num
	for i, v := range vals {
		if a.IsNull(i) {
			continue
		}
		if !ok || v.Less(mn) {
			mn = v
		}
		if !ok || mx.Less(v) {
			mx = v
		}
		ok = true
	}
	if !ok {
		return nil, nil, false
	}
	return mn, mx, true
}

// showStats runs SHOW STATS t: one row per column of the table with what the optimizer
// knows of it (ANALYZE TABLE's statistics, else the source's own, e.g. Parquet footers).
func (s *Session) showStats(t *ast.TableName) (*Result, error) {
	tg, err := s.cat.statsTarget(t.Schema.O, t.Name.O)
	if err != nil {
		return nil, err
	}
	defer tg.release()
	var st *planner.TableStats
	if sp, ok := tg.table.(planner.StatsProvider); ok {
		st = sp.Statistics()
	}
	status := ""
	if tg.analyzed != nil {
		rows := tg.rows
		if rows < 0 {
			if live := liveStats(tg.src); live != nil {
				rows = live.RowCount
			}
		}
		status = "analyzed"
		if tg.analyzed.stale(rows, tg.version) {
			status = "stale"
		}
	}
	rowCount := int64(-1)
	if st != nil {
		rowCount = st.RowCount
	}
	schema := tg.table.ArrowSchema()
	fields := []arrow.Field{
		{Name: "column_name", Type: arrow.BinaryTypes.String},
		{Name: "data_type", Type: arrow.BinaryTypes.String},
		{Name: "row_count", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "null_count", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "distinct_count", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "min", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "max", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "buckets", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "status", Type: arrow.BinaryTypes.String, Nullable: true},
	}
	out := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(s.cfg.mem, out)
	defer b.Release()
	str := func(i int, v string, ok bool) {
		if ok {
			b.Field(i).(*array.StringBuilder).Append(v)
		} else {
			b.Field(i).AppendNull()
		}
	}
	num := func(i int, v int64, ok bool) {
		if ok {
			b.Field(i).(*array.Int64Builder).Append(v)
		} else {
			b.Field(i).AppendNull()
		}
	}
	for i, f := range schema.Fields() {
		str(0, f.Name, true)
		str(1, planner.TypeString(f.Type), true)
		var cs planner.ColumnStats
		known := st != nil && i < len(st.Columns)
		if known {
			cs = st.Columns[i]
		}
		num(2, rowCount, rowCount >= 0)
		num(3, cs.NullCount, known && cs.NullCount >= 0)
		num(4, cs.Distinct, known && cs.Distinct >= 0)
		str(5, planner.FormatValue(cs.Min, f.Type, false), cs.Min != nil)
		str(6, planner.FormatValue(cs.Max, f.Type, false), cs.Max != nil)
		if cs.Histogram != nil {
			num(7, int64(len(cs.Histogram.Buckets)), true)
		} else {
			num(7, 0, false)
		}
		str(8, status, status != "" && tg.analyzed.column(f.Name, f.Type) != nil)
	}
	rec := b.NewRecordBatch()
	return &Result{Schema: out, Batches: []arrow.RecordBatch{rec}}, nil
}

// MarshalJSON writes a column's statistics with its values tagged by type (see
// encodeValue), so they read back exactly.
func (c columnStats) MarshalJSON() ([]byte, error) {
	j := columnJSON{Name: c.Name, Type: c.Type, Nulls: c.NullCount, Distinct: c.Distinct,
		Min: encodeValue(c.Min), Max: encodeValue(c.Max)}
	if c.Histogram != nil {
		for _, b := range c.Histogram.Buckets {
			j.Buckets = append(j.Buckets, bucketJSON{Lower: encodeValue(b.Lower), Upper: encodeValue(b.Upper),
				Count: b.Count, Distinct: b.Distinct, UpperCount: b.UpperCount})
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *columnStats) UnmarshalJSON(data []byte) error {
	var j columnJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*c = columnStats{Name: j.Name, Type: j.Type, ColumnStats: planner.ColumnStats{NullCount: j.Nulls, Distinct: j.Distinct}}
	var err error
	if c.Min, err = decodeValue(j.Min); err != nil {
		return err
	}
	if c.Max, err = decodeValue(j.Max); err != nil {
		return err
	}
	if len(j.Buckets) > 0 {
		h := &planner.Histogram{Buckets: make([]planner.HistogramBucket, len(j.Buckets))}
		for i, b := range j.Buckets {
			hb := &h.Buckets[i]
			if hb.Lower, err = decodeValue(b.Lower); err != nil {
				return err
			}
			if hb.Upper, err = decodeValue(b.Upper); err != nil {
				return err
			}
			hb.Count, hb.Distinct, hb.UpperCount = b.Count, b.Distinct, b.UpperCount
		}
		c.Histogram = h
	}
	return nil
}

type columnJSON struct {
	Name     string       `json:"name"`
	Type     string       `json:"type"`
	Nulls    int64        `json:"nulls"`
	Distinct int64        `json:"distinct"`
	Min      string       `json:"min,omitempty"`
	Max      string       `json:"max,omitempty"`
	Buckets  []bucketJSON `json:"buckets,omitempty"`
}

type bucketJSON struct {
	Lower      string `json:"lower"`
	Upper      string `json:"upper"`
	Count      int64  `json:"count"`
	Distinct   int64  `json:"distinct"`
	UpperCount int64  `json:"upper_count"`
}

// encodeValue writes a value as planner.Literal holds it as "tag:text": i (int64),
// f (float64), n (decimal128 unscaled), s (string), d (Date32 days), t (Timestamp),
// b (bool); "" for nil.
func encodeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return "i:" + strconv.FormatInt(x, 10)
	case float64:
		return "f:" + strconv.FormatFloat(x, 'g', -1, 64)
	case decimal128.Num:
		return "n:" + x.BigInt().String()
	case string:
		return "s:" + x
	case arrow.Date32:
		return "d:" + strconv.FormatInt(int64(x), 10)
	case arrow.Timestamp:
		return "t:" + strconv.FormatInt(int64(x), 10)
	case bool:
		return "b:" + strconv.FormatBool(x)
	}
	return "?:" + fmt.Sprint(v)
}

// decodeValue reads what encodeValue wrote.
func decodeValue(s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	tag, text, ok := strings.Cut(s, ":")
	var v any
	var err error
	switch {
	case !ok:
		err = fmt.Errorf("no type tag")
	case tag == "i":
		v, err = strconv.ParseInt(text, 10, 64)
	case tag == "f":
		v, err = strconv.ParseFloat(text, 64)
	case tag == "n":
		n, ok := new(big.Int).SetString(text, 10)
		if !ok {
			err = fmt.Errorf("bad decimal")
		} else {
			v = decimal128.FromBigInt(n)
		}
	case tag == "s":
		v = text
	case tag == "d":
		var d int64
		d, err = strconv.ParseInt(text, 10, 32)
		v = arrow.Date32(d)
	case tag == "t":
		var t int64
		t, err = strconv.ParseInt(text, 10, 64)
		v = arrow.Timestamp(t)
	case tag == "b":
		v, err = strconv.ParseBool(text)
	default:
		err = fmt.Errorf("unknown type tag %q", tag)
	}
	if err != nil {
		return nil, errs.Execf("the catalog's statistics hold a bad value %q: %v", s, err)
	}
	return v, nil
}
