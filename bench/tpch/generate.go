package tpch

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pingcap/go-tpc/tpch/dbgen"
)

// RowGroupSize is the Parquet row-group length Generate asks DuckDB for: DuckDB's default
// (122880 rows, 60 of its 2048-row vectors).
const RowGroupSize = 122880

// GeneratorVersion names the generator in the manifest; data made by another is regenerated.
const GeneratorVersion = "github.com/pingcap/go-tpc v1.0.12 tpch/dbgen"

// ManifestName is the file, next to the Parquet files, that records a finished generation.
// It starts with "_" so that readers of the directory as a dataset skip it (Spark's rule).
const ManifestName = "_manifest.json"

// Manifest describes a generated data directory. Generate writes it last, by atomic
// rename, so its presence means every table file is complete.
type Manifest struct {
	ScaleFactor  float64          `json:"scale_factor"`
	Generator    string           `json:"generator"`
	Writer       string           `json:"writer"`
	RowGroupSize int              `json:"row_group_size"`
	Rows         map[string]int64 `json:"rows"`
}

// Options control Generate.
type Options struct {
	// ScaleFactor is TPC-H's SF: a whole number ≥ 1 or a multiple of 0.001 below 1.
	ScaleFactor float64
	// Dir receives <table>.parquet for the eight tables and the manifest. It is created if
	// missing; other files in it are left alone.
	Dir string
	// Force regenerates even when Dir already holds complete data for ScaleFactor.
	Force bool
	// Log receives one progress line per step; nil discards them.
	Log io.Writer
}

// TablePath is where Generate puts table's Parquet file in dir.
func TablePath(dir, table string) string { return filepath.Join(dir, table+".parquet") }

// DefaultDir is the data directory tpchgen and tpchcheck use for a scale factor, relative
// to the bench module's root (git-ignored): data/sf1, data/sf0.01.
func DefaultDir(s Scale) string { return filepath.Join("data", "sf"+s.String()) }

// ReadManifest reads dir's manifest. It returns an error wrapping fs.ErrNotExist when there
// is none.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("tpch: %s: %w", filepath.Join(dir, ManifestName), err)
	}
	return &m, nil
}

// complete reports whether m describes finished data of scale s that is still all there.
func (m *Manifest) complete(dir string, s Scale) bool {
	if m.ScaleFactor != s.Float() || m.Generator != GeneratorVersion || m.RowGroupSize != RowGroupSize {
		return false
	}
	for _, t := range Tables {
		if _, ok := m.Rows[t.Name]; !ok {
			return false
		}
		if st, err := os.Stat(TablePath(dir, t.Name)); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// dbgenMu serialises use of go-tpc's dbgen, whose state is global; dbgenUsed records that
// it ran, since it cannot be initialised twice in one process (see initDbgen).
var (
	dbgenMu   sync.Mutex
	dbgenUsed bool
)

// genGroup is one dbgen run and the tables it writes: orders and lineitem come from one
// pass (TOrderLine), as do part and partsupp (TPartPsupp).
type genGroup struct {
	table  dbgen.Table
	writes []genTable
}

type genTable struct {
	table dbgen.Table
	name  string
	open  func(io.Writer) dbgen.Loader
}

var genGroups = []genGroup{
	{dbgen.TNation, []genTable{{dbgen.TNation, "nation", func(w io.Writer) dbgen.Loader { return dbgen.NewNationLoader(w) }}}},
	{dbgen.TRegion, []genTable{{dbgen.TRegion, "region", func(w io.Writer) dbgen.Loader { return dbgen.NewRegionLoader(w) }}}},
	{dbgen.TSupp, []genTable{{dbgen.TSupp, "supplier", func(w io.Writer) dbgen.Loader { return dbgen.NewSuppLoader(w) }}}},
	{dbgen.TCust, []genTable{{dbgen.TCust, "customer", func(w io.Writer) dbgen.Loader { return dbgen.NewCustLoader(w) }}}},
	{dbgen.TPartPsupp, []genTable{
		{dbgen.TPart, "part", func(w io.Writer) dbgen.Loader { return dbgen.NewPartLoader(w) }},
		{dbgen.TPsupp, "partsupp", func(w io.Writer) dbgen.Loader { return dbgen.NewPartSuppLoader(w) }},
	}},
	{dbgen.TOrderLine, []genTable{
		{dbgen.TOrder, "orders", func(w io.Writer) dbgen.Loader { return dbgen.NewOrderLoader(w) }},
		{dbgen.TLine, "lineitem", func(w io.Writer) dbgen.Loader { return dbgen.NewLineItemLoader(w) }},
	}},
}

// Generate makes TPC-H data at opts.ScaleFactor in opts.Dir, one Parquet file per table,
// unless the directory already holds complete data for that scale (then it returns the
// existing manifest). It runs go-tpc's dbgen, which writes each table as '|'-separated text
// into a temporary directory under Dir; DuckDB loads each file into a table declared with
// the TPC-H types (Tables) and writes it with
//
//	COPY t TO 'Dir/t.parquet' (FORMAT PARQUET, COMPRESSION SNAPPY, ROW_GROUP_SIZE 122880)
//
// Generation and loading overlap: DuckDB loads one table while dbgen makes the next. The
// row counts are checked against TPC-H's (clause 4.2.5) before the manifest is written.
//
// dbgen keeps global state that cannot be reset, so Generate can make data once per
// process; a second call that is not answered from the cache returns an error.
func Generate(ctx context.Context, opts Options) (*Manifest, error) {
	s, err := ParseScale(opts.ScaleFactor)
	if err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		return nil, errors.New("tpch: no output directory")
	}
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	if !opts.Force {
		if m, err := ReadManifest(opts.Dir); err == nil && m.complete(opts.Dir, s) {
			fmt.Fprintf(logw, "tpch: %s already holds SF %s\n", opts.Dir, s)
			return m, nil
		}
	}

	dbgenMu.Lock()
	defer dbgenMu.Unlock()
	if dbgenUsed {
		return nil, errors.New("tpch: dbgen already ran in this process; generate each scale factor in its own process")
	}
	dbgenUsed = true

	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("tpch: %w", err)
	}
	// Whatever was there is no longer known to be complete.
	if err := os.Remove(filepath.Join(opts.Dir, ManifestName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("tpch: %w", err)
	}
	tmp, err := os.MkdirTemp(opts.Dir, ".gen-")
	if err != nil {
		return nil, fmt.Errorf("tpch: %w", err)
	}
	defer os.RemoveAll(tmp)

	duck, err := OpenDuckDB(ctx)
	if err != nil {
		return nil, err
	}
	defer duck.Close()
	if err := duck.Exec(ctx, "SET temp_directory = "+SQLString(filepath.Join(tmp, "duckdb"))); err != nil {
		return nil, err
	}

	start := time.Now()
	fmt.Fprintf(logw, "tpch: generating SF %s into %s\n", s, opts.Dir)
	if err := initDbgen(s); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan string) // names of tables whose text file is complete
	genErr := make(chan error, 1)
	go func() {
		defer close(ready)
		genErr <- runDbgen(ctx, tmp, ready, logw)
	}()

	m := &Manifest{
		ScaleFactor:  s.Float(),
		Generator:    GeneratorVersion,
		Writer:       "DuckDB " + duck.Version(),
		RowGroupSize: RowGroupSize,
		Rows:         make(map[string]int64, len(Tables)),
	}
	var loadErr error
	for name := range ready {
		if loadErr != nil {
			continue // drain until the generator notices the cancellation
		}
		t0 := time.Now()
		n, err := writeParquet(ctx, duck, name, filepath.Join(tmp, name+".tbl"), opts.Dir)
		if err != nil {
			loadErr = err
			cancel()
			continue
		}
		m.Rows[name] = n
		fmt.Fprintf(logw, "tpch: wrote %s (%d rows) in %.1fs\n", TablePath(opts.Dir, name), n, time.Since(t0).Seconds())
	}
	if err := <-genErr; err != nil && loadErr == nil {
		return nil, err
	}
	if loadErr != nil {
		return nil, loadErr
	}
	if err := checkRowCounts(s, m.Rows); err != nil {
		return nil, err
	}
	if err := writeManifest(opts.Dir, m); err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "tpch: SF %s done in %.1fs\n", s, time.Since(start).Seconds())
	return m, nil
}

// runDbgen writes every table as text into dir and sends each table's name on ready once
// its file is closed.
func runDbgen(ctx context.Context, dir string, ready chan<- string, logw io.Writer) error {
	for _, g := range genGroups {
		t0 := time.Now()
		loaders := make(map[dbgen.Table]dbgen.Loader, len(g.writes))
		var files []*os.File
		var bufs []*bufio.Writer
		closeAll := func() error {
			var first error
			for i, f := range files {
				if err := bufs[i].Flush(); err != nil && first == nil {
					first = err
				}
				if err := f.Close(); err != nil && first == nil {
					first = err
				}
			}
			return first
		}
		for _, w := range g.writes {
			f, err := os.Create(filepath.Join(dir, w.name+".tbl"))
			if err != nil {
				_ = closeAll()
				return fmt.Errorf("tpch: %w", err)
			}
			bw := bufio.NewWriterSize(f, 1<<20)
			files, bufs = append(files, f), append(bufs, bw)
			loaders[w.table] = ctxLoader{ctx: ctx, Loader: w.open(bw)}
		}
		err := dbgen.DbGen(loaders, []dbgen.Table{g.table})
		if cerr := closeAll(); err == nil && cerr != nil {
			err = fmt.Errorf("tpch: %w", cerr)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("tpch: dbgen: %w", err)
		}
		fmt.Fprintf(logw, "tpch: dbgen made %s in %.1fs\n", groupNames(g), time.Since(t0).Seconds())
		for _, w := range g.writes {
			select {
			case ready <- w.name:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

func groupNames(g genGroup) string {
	s := g.writes[0].name
	for _, w := range g.writes[1:] {
		s += "+" + w.name
	}
	return s
}

// ctxLoader stops dbgen at the next row once ctx is done.
type ctxLoader struct {
	ctx context.Context
	dbgen.Loader
}

func (l ctxLoader) Load(item any) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	return l.Loader.Load(item)
}

// writeParquet loads the dbgen text file of table into DuckDB and writes dir/table.parquet
// (through a temporary name and a rename). It returns the row count.
func writeParquet(ctx context.Context, duck *DuckDB, table, tbl, dir string) (int64, error) {
	var ddl string
	for _, t := range Tables {
		if t.Name == table {
			ddl = t.Columns
		}
	}
	if ddl == "" {
		return 0, fmt.Errorf("tpch: unknown table %q", table)
	}
	final := TablePath(dir, table)
	part := final + ".tmp"
	// go-tpc writes with encoding/csv and '|' as separator: fields holding '|' or '"', or
	// starting with a space, are double-quoted; there is no trailing separator.
	stmts := []string{
		fmt.Sprintf("CREATE TABLE %s (\n\t%s\n)", table, ddl),
		fmt.Sprintf("COPY %s FROM %s (FORMAT CSV, DELIMITER '|', QUOTE '\"', ESCAPE '\"', HEADER false, AUTO_DETECT false)", table, SQLString(tbl)),
		fmt.Sprintf("COPY %s TO %s (FORMAT PARQUET, COMPRESSION SNAPPY, ROW_GROUP_SIZE %d)", table, SQLString(part), RowGroupSize),
	}
	for _, q := range stmts {
		if err := duck.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("tpch: table %s: %w", table, err)
		}
	}
	n, err := duck.QueryInt(ctx, "SELECT count(*) FROM "+table)
	if err != nil {
		return 0, fmt.Errorf("tpch: table %s: %w", table, err)
	}
	if err := duck.Exec(ctx, "DROP TABLE "+table); err != nil {
		return 0, fmt.Errorf("tpch: table %s: %w", table, err)
	}
	if err := os.Rename(part, final); err != nil {
		return 0, fmt.Errorf("tpch: %w", err)
	}
	if err := os.Remove(tbl); err != nil {
		return 0, fmt.Errorf("tpch: %w", err)
	}
	return n, nil
}

// checkRowCounts compares the generated row counts with TPC-H's: exact for every table but
// lineitem, which has 1 to 7 lines per order.
func checkRowCounts(s Scale, rows map[string]int64) error {
	want := map[string]int64{
		"nation":   s.rows(dbgen.TNation),
		"region":   s.rows(dbgen.TRegion),
		"supplier": s.rows(dbgen.TSupp),
		"customer": s.rows(dbgen.TCust),
		"part":     s.rows(dbgen.TPart),
		"partsupp": 4 * s.rows(dbgen.TPart),
		"orders":   s.rows(dbgen.TOrder),
	}
	for _, t := range Tables {
		got, ok := rows[t.Name]
		if !ok {
			return fmt.Errorf("tpch: table %s was not written", t.Name)
		}
		if w, exact := want[t.Name]; exact && got != w {
			return fmt.Errorf("tpch: table %s has %d rows, TPC-H wants %d at SF %s", t.Name, got, w, s)
		}
	}
	if o, l := rows["orders"], rows["lineitem"]; l < o || l > 7*o {
		return fmt.Errorf("tpch: lineitem has %d rows for %d orders, outside 1 to 7 per order", l, o)
	}
	return nil
}

func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("tpch: %w", err)
	}
	path := filepath.Join(dir, ManifestName)
	if err := os.WriteFile(path+".tmp", append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("tpch: %w", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("tpch: %w", err)
	}
	return nil
}
