package tpch

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/parquet-go/parquet-go"
)

// ScanTable is the table whose file RunScan reads.
const ScanTable = "lineitem"

// ScanProjection is one column list that RunScan selects from ScanTable.
type ScanProjection struct {
	Name    string
	Columns []string
}

// DefaultScanProjections are RunScan's projections: every column of lineitem ("wide"), a
// decimal and a date ("narrow"), the decimal alone ("single"), and two text columns, a
// dictionary-encoded one and lineitem's longest ("strings").
func DefaultScanProjections() []ScanProjection {
	all, _ := TableColumns(ScanTable) // ScanTable is in Tables
	return []ScanProjection{
		{"wide", all},
		{"narrow", []string{"l_extendedprice", "l_shipdate"}},
		{"single", []string{"l_extendedprice"}},
		{"strings", []string{"l_shipmode", "l_comment"}},
	}
}

// TableColumns lists a TPC-H table's column names in TPC-H order, read from its DDL in
// Tables (one column per line there).
func TableColumns(table string) ([]string, error) {
	for _, t := range Tables {
		if t.Name != table {
			continue
		}
		var cols []string
		for _, line := range strings.Split(t.Columns, "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				cols = append(cols, f[0])
			}
		}
		return cols, nil
	}
	return nil, fmt.Errorf("tpch: no table %q", table)
}

// ScanBytes is what a Parquet file's footer says some of its columns occupy, summed over
// the row groups. Both sizes are the footer's per column chunk, page headers included:
// Compressed is the bytes on disk (Snappy-compressed pages for Generate's files),
// Uncompressed the pages after decompression, still Parquet-encoded (dictionary indices,
// RLE, plain values); neither is the size of the decoded Arrow columns.
type ScanBytes struct {
	Compressed   int64 `json:"compressed"`
	Uncompressed int64 `json:"uncompressed"`
	// Chunks counts the column chunks summed: row groups × columns.
	Chunks int `json:"chunks"`
	// RowGroups and Rows are the file's.
	RowGroups int   `json:"row_groups"`
	Rows      int64 `json:"rows"`
}

// ParquetColumnBytes sums the compressed and uncompressed sizes of the column chunks of
// columns (top-level names, matched exactly) over every row group of the Parquet file at
// path, reading only its footer (parquet-go). A column the file lacks, or named twice, is
// an error.
func ParquetColumnBytes(path string, columns []string) (ScanBytes, error) {
	f, err := os.Open(path)
	if err != nil {
		return ScanBytes{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ScanBytes{}, err
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return ScanBytes{}, fmt.Errorf("tpch: %s: %w", path, err)
	}
	want := make(map[string]int, len(columns)) // name → chunks found
	for _, c := range columns {
		if _, dup := want[c]; dup {
			return ScanBytes{}, fmt.Errorf("tpch: column %q named twice", c)
		}
		want[c] = 0
	}
	md := pf.Metadata()
	b := ScanBytes{RowGroups: len(md.RowGroups), Rows: md.NumRows}
	for _, rg := range md.RowGroups {
		for _, cc := range rg.Columns {
			name := strings.Join(cc.MetaData.PathInSchema, ".")
			if n, ok := want[name]; ok {
				want[name] = n + 1
				b.Compressed += cc.MetaData.TotalCompressedSize
				b.Uncompressed += cc.MetaData.TotalUncompressedSize
				b.Chunks++
			}
		}
	}
	for _, c := range columns {
		if want[c] != len(md.RowGroups) {
			return ScanBytes{}, fmt.Errorf("tpch: %s: column %q is in %d of %d row groups", path, c, want[c], len(md.RowGroups))
		}
	}
	return b, nil
}

// ScanConfig configures RunScan.
type ScanConfig struct {
	// ScaleFactor and Dir are as in BenchConfig; the data is generated if incomplete.
	ScaleFactor float64
	Dir         string
	// Warmup untimed runs, then Runs timed runs (≥ 1), of each engine per projection.
	Warmup, Runs int
	// Threads is Ember's partition count and DuckDB's thread count; 0 is GOMAXPROCS.
	Threads int
	// Projections to measure; nil is DefaultScanProjections.
	Projections []ScanProjection
	// Command and Commit are recorded in the report as they are.
	Command, Commit string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// ScanReport is RunScan's result.
type ScanReport struct {
	ScaleFactor   float64       `json:"scale_factor"`
	File          string        `json:"file"` // lineitem.parquet, absolute
	DataWriter    string        `json:"data_writer"`
	FileBytes     int64         `json:"file_bytes"`
	Warmup        int           `json:"warmup"`
	Runs          int           `json:"runs"`
	Threads       int           `json:"threads"`
	DuckDBVersion string        `json:"duckdb_version"`
	Machine       BenchMachine  `json:"machine"`
	Commit        string        `json:"commit,omitempty"`
	Command       string        `json:"command,omitempty"`
	Results       []ScanMeasure `json:"results"`
}

// ScanMeasure is one projection's measurements on both engines.
type ScanMeasure struct {
	Projection ScanProjection `json:"projection"`
	Bytes      ScanBytes      `json:"bytes"`
	// EmberTimes and DuckDBTimes are the timed runs' seconds, in order.
	EmberTimes  []float64 `json:"ember_times"`
	DuckDBTimes []float64 `json:"duckdb_times"`
	// EmberBatches and DuckDBBatches count the Arrow batches of the last run's result.
	EmberBatches  int `json:"ember_batches"`
	DuckDBBatches int `json:"duckdb_batches"`
}

// RunScan measures how fast Ember and DuckDB read lineitem.parquet: for each projection,
// `SELECT <columns> FROM lineitem` with the whole result materialized as Arrow batches and
// released, the engines alternating run by run (warm-up runs, then E, D, E, D, ...), both
// in this process. Ember runs in a dataframe.Session (in-memory catalog, Threads
// partitions) with the tables registered as CREATE TABLE t USING parquet LOCATION '...';
// DuckDB (SET threads = Threads) over views of read_parquet, through go-duckdb's Arrow
// interface (DuckDB.Query), which lets DuckDB materialize its result and exports it chunk
// by chunk to Arrow before it returns: DuckDB's time includes that copy. Every run must
// return the file's row count. The bytes each projection reads come from the file's footer
// (ParquetColumnBytes).
func RunScan(ctx context.Context, cfg ScanConfig) (*ScanReport, error) {
	s, err := ParseScale(cfg.ScaleFactor)
	if err != nil {
		return nil, err
	}
	if err := checkRunCounts(cfg.Runs, cfg.Warmup, cfg.Threads); err != nil {
		return nil, err
	}
	if cfg.Threads == 0 {
		cfg.Threads = runtime.GOMAXPROCS(0)
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Dir == "" {
		cfg.Dir = DefaultDir(s)
	}
	if cfg.Projections == nil {
		cfg.Projections = DefaultScanProjections()
	}
	m, err := Generate(ctx, Options{ScaleFactor: s.Float(), Dir: cfg.Dir, Log: cfg.Log})
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	path := TablePath(abs, ScanTable)
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	rep := &ScanReport{
		ScaleFactor: s.Float(),
		File:        path,
		DataWriter:  m.Writer,
		FileBytes:   st.Size(),
		Warmup:      cfg.Warmup,
		Runs:        cfg.Runs,
		Threads:     cfg.Threads,
		Machine:     probeMachine(),
		Commit:      cfg.Commit,
		Command:     cfg.Command,
	}
	for _, p := range cfg.Projections {
		if len(p.Columns) == 0 {
			return nil, fmt.Errorf("tpch: projection %q has no columns", p.Name)
		}
		b, err := ParquetColumnBytes(path, p.Columns)
		if err != nil {
			return nil, err
		}
		if b.Rows != m.Rows[ScanTable] {
			return nil, fmt.Errorf("tpch: %s has %d rows, the manifest says %d", path, b.Rows, m.Rows[ScanTable])
		}
		rep.Results = append(rep.Results, ScanMeasure{Projection: p, Bytes: b})
	}

	e, err := openEmberBench(ctx, abs, cfg.Threads)
	if err != nil {
		return nil, err
	}
	defer e.close()
	d, err := openDuckBench(ctx, abs, cfg.Threads)
	if err != nil {
		return nil, err
	}
	defer d.close()
	rep.DuckDBVersion = d.version()

	for i := range rep.Results {
		r := &rep.Results[i]
		q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(r.Projection.Columns, ", "), ScanTable)
		for run := range cfg.Warmup + cfg.Runs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			es, err := timeScan(ctx, q, e.query)
			if err != nil {
				return nil, fmt.Errorf("ember: %s: %w", r.Projection.Name, err)
			}
			ds, err := timeScan(ctx, q, d.query)
			if err != nil {
				return nil, fmt.Errorf("duckdb: %s: %w", r.Projection.Name, err)
			}
			if es.rows != r.Bytes.Rows || ds.rows != r.Bytes.Rows {
				return nil, fmt.Errorf("tpch: %s: Ember returned %d rows, DuckDB %d, the file holds %d", r.Projection.Name, es.rows, ds.rows, r.Bytes.Rows)
			}
			r.EmberBatches, r.DuckDBBatches = es.batches, ds.batches
			if run >= cfg.Warmup {
				r.EmberTimes = append(r.EmberTimes, es.seconds)
				r.DuckDBTimes = append(r.DuckDBTimes, ds.seconds)
			}
		}
		fmt.Fprintf(cfg.Log, "%-8s Ember %.3f s, DuckDB %.3f s (medians of %d)\n", r.Projection.Name, median(r.EmberTimes), median(r.DuckDBTimes), cfg.Runs)
	}
	rep.Machine.LoadEnd = loadAverage()
	return rep, nil
}

// scanRun is one timed run of a scan.
type scanRun struct {
	seconds float64
	rows    int64
	batches int
}

// timeScan runs query through query (an engine's: Ember's Session.Exec, DuckDB's Arrow
// Query) and times it, the result materialized by the engine and released here. A Go GC
// runs before the clock starts. A panic becomes the error.
func timeScan(ctx context.Context, q string,
	query func(context.Context, string) ([]arrow.RecordBatch, func(), error),
) (r scanRun, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	runtime.GC()
	start := time.Now()
	batches, release, err := query(ctx, q)
	if err != nil {
		return scanRun{}, err
	}
	for _, b := range batches {
		r.rows += b.NumRows()
	}
	r.batches = len(batches)
	release() // timed: freeing the result is part of the scan
	r.seconds = time.Since(start).Seconds()
	return r, nil
}

// median of xs; 0 when empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	t := slices.Clone(xs)
	slices.Sort(t)
	n := len(t)
	if n%2 == 1 {
		return t[n/2]
	}
	return (t[n/2-1] + t[n/2]) / 2
}

// Markdown renders the report: one row per projection (bytes read, median seconds, the
// time ratio E/D, MB/s of uncompressed and compressed bytes and M rows/s per engine, and
// DuckDB's median time before its Arrow export), then how it was measured.
func (rep *ScanReport) Markdown() string {
	var b strings.Builder
	mb := func(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
	rate := func(n int64, sec float64) string {
		if sec <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.0f", float64(n)/1e6/sec)
	}
	rows := func(n int64, sec float64) string {
		if sec <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f", float64(n)/1e6/sec)
	}
	var groups int
	var fileRows int64
	if len(rep.Results) > 0 {
		groups, fileRows = rep.Results[0].Bytes.RowGroups, rep.Results[0].Bytes.Rows
	}
	fmt.Fprintf(&b, "Scan throughput, TPC-H SF %s %s (%d rows, %d row groups, %s MB), Ember vs DuckDB %s\n\n",
		strconv.FormatFloat(rep.ScaleFactor, 'f', -1, 64), filepath.Base(rep.File), fileRows, groups, mb(rep.FileBytes), rep.DuckDBVersion)
	b.WriteString("| projection | columns | MB compr. | MB uncompr. | Ember s | DuckDB s | E/D | Ember MB/s uncompr. | DuckDB MB/s uncompr. | Ember MB/s compr. | DuckDB MB/s compr. | Ember M rows/s | DuckDB M rows/s | batches E / D |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Results {
		cols := strings.Join(r.Projection.Columns, ", ")
		if all, _ := TableColumns(ScanTable); slices.Equal(all, r.Projection.Columns) {
			cols = fmt.Sprintf("all %d", len(all))
		}
		es, ds := median(r.EmberTimes), median(r.DuckDBTimes)
		ratio := "–"
		if es > 0 && ds > 0 {
			ratio = fmt.Sprintf("%.2f", es/ds)
		}
		cells := []string{r.Projection.Name, cols, mb(r.Bytes.Compressed), mb(r.Bytes.Uncompressed),
			fmt.Sprintf("%.3f", es), fmt.Sprintf("%.3f", ds), ratio,
			rate(r.Bytes.Uncompressed, es), rate(r.Bytes.Uncompressed, ds),
			rate(r.Bytes.Compressed, es), rate(r.Bytes.Compressed, ds),
			rows(r.Bytes.Rows, es), rows(r.Bytes.Rows, ds),
			fmt.Sprintf("%d / %d", r.EmberBatches, r.DuckDBBatches)}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "- Timed: `SELECT <columns> FROM lineitem`, the whole result materialized as Arrow batches and released, both engines in one process. Ember: `Session.Exec` in a dataframe.Session (in-memory catalog, %d partitions) over `CREATE TABLE lineitem USING parquet LOCATION '...'`, planning included. DuckDB: go-duckdb's Arrow interface (`Arrow.QueryContext`) over a view of `read_parquet` (%d threads), which lets DuckDB materialize its whole result in its own format, then exports it to Arrow chunk by chunk on the calling goroutine (C data interface) before it returns: DuckDB's time includes that copy, which Ember, producing Arrow natively, does not pay. Every run returns all the file's rows. The file is in the OS page cache (after the warm-up).\n",
		rep.Threads, rep.Threads)
	fmt.Fprintf(&b, "- Bytes: the projected column chunks' total_compressed_size and total_uncompressed_size from the file's footer, summed over the row groups (page headers included). Uncompressed means after Snappy, still Parquet-encoded (dictionary indices, RLE, plain values), not the decoded Arrow size. MB = 10^6 bytes; MB/s and rows/s are over the median time.\n")
	fmt.Fprintf(&b, "- Runs: %d warm-up and %d timed per engine and projection, engines alternating run by run (E, D, E, D, ...); the table gives the medians. A Go GC runs before each run, off the clock.\n", rep.Warmup, rep.Runs)
	m := rep.Machine
	fmt.Fprintf(&b, "- Machine: %s, %s, NumCPU %d, GOMAXPROCS %d, %.1f GiB; load average (1, 5, 15 min) %s at the start, %s at the end. %s; DuckDB %s.\n",
		m.OS, m.CPU, m.NumCPU, m.GOMAXPROCS, float64(m.MemTotalKiB)/(1<<20), m.LoadStart, m.LoadEnd, m.GoVersion, rep.DuckDBVersion)
	fmt.Fprintf(&b, "- Data: %s (SF %s, Parquet written by %s).\n", displayPath(filepath.Dir(rep.File)), strconv.FormatFloat(rep.ScaleFactor, 'f', -1, 64), rep.DataWriter)
	if rep.Commit != "" {
		fmt.Fprintf(&b, "- Commit: %s.\n", rep.Commit)
	}
	if rep.Command != "" {
		fmt.Fprintf(&b, "- Command: `%s`\n", rep.Command)
	}
	return b.String()
}

// checkRunCounts checks the run settings RunBench and RunScan share.
func checkRunCounts(runs, warmup, threads int) error {
	switch {
	case runs < 1:
		return fmt.Errorf("tpch: runs must be at least 1, got %d", runs)
	case warmup < 0:
		return fmt.Errorf("tpch: warm-up runs cannot be negative, got %d", warmup)
	case threads < 0:
		return fmt.Errorf("tpch: threads cannot be negative, got %d", threads)
	}
	return nil
}
