package tablestore

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Defaults of Options.
const (
	// DefaultCompactRows is the log size in rows at which appends fold the log into a
	// Parquet file: one row group of datasource.DefaultRowGroupSize rows.
	DefaultCompactRows = datasource.DefaultRowGroupSize
	// DefaultCompactBytes is the log file size at which appends fold it into a Parquet file.
	DefaultCompactBytes = 16 << 20
)

// Options configure Create and Open. Nothing in them is stored with the table.
type Options struct {
	// Name is the table's name in errors and as the snapshots' Source name; the base name
	// of the folder when empty.
	Name string
	// Mem allocates the table's in-memory copy of its log (see Snapshot);
	// memory.DefaultAllocator when nil.
	Mem memory.Allocator
	// CompactRows and CompactBytes: an append (or overwrite) that would leave the log with
	// at least CompactRows rows or more than CompactBytes bytes writes a Parquet file
	// instead, folding the log into it. DefaultCompactRows and DefaultCompactBytes when <= 0.
	CompactRows  int64
	CompactBytes int64
	// Parquet configures the data files written.
	Parquet datasource.WriteOptions
	// NoSync skips every fsync. Commits stay atomic when the process dies (the kernel keeps
	// what was written), not when the machine loses power. For tests and scratch tables.
	NoSync bool
}

func (o Options) withDefaults(dir string) Options {
	if o.Name == "" {
		o.Name = filepath.Base(dir)
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	if o.CompactRows <= 0 {
		o.CompactRows = DefaultCompactRows
	}
	if o.CompactBytes <= 0 {
		o.CompactBytes = DefaultCompactBytes
	}
	return o
}

// Table is a managed table open for reading and writing. Its methods are safe for
// concurrent use: writes (Append, Overwrite, Replace, Truncate, AddColumn, Compact) run one
// at a time, each one atomic commit; Snapshot never waits for a write.
//
// One process holds a table folder at a time (Create and Open take an exclusive lock on
// the folder's lock file where the platform has flock), so the catalog keeps one *Table per
// folder and shares it.
type Table struct {
	dir  string
	opts Options
	lock *os.File

	// writeMu serializes writers (held across their I/O) and Close. The fields up to mu are
	// the writer's alone.
	writeMu sync.Mutex
	logFile *os.File // the current log, open for appends (its committed size is cache.size)
	nextSeq int64    // the sequence number of the next commit; never reused in a process
	broken  error    // set when a failed write left the log in an unknown state

	// mu guards what snapshots read; writers hold writeMu too when they change it, so
	// they may read it without mu. Held only briefly, never across I/O.
	mu      sync.Mutex
	m       *manifest
	cache   *logCache
	live    map[*snapState]struct{}
	garbage map[string]bool // data files dropped from the manifest, kept while a snapshot uses them
	closed  bool
}

// Create makes a new, empty table in dir (created if missing, with its parents) and opens
// it. The schema's field names must be unique (regardless of case) and its types Ember's
// canonical types (see doc.go); a field that is not Nullable rejects NULLs. Schema metadata
// is not kept. It fails if dir already holds a table.
func Create(dir string, schema *arrow.Schema, opts Options) (*Table, error) {
	opts = opts.withDefaults(dir)
	if err := checkSchema(schema); err != nil {
		return nil, wrapTable(opts.Name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "table %s: creating folder %s", opts.Name, dir)
	}
	t := &Table{dir: dir, opts: opts, live: map[*snapState]struct{}{}, garbage: map[string]bool{}}
	if err := t.takeLock(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(t.path(manifestName)); err == nil {
		t.unlock()
		return nil, errs.Execf("table %s already exists in %s", opts.Name, dir)
	}
	if err := syncDir(filepath.Dir(filepath.Clean(dir)), opts.NoSync); err != nil {
		t.unlock()
		return nil, errs.Wrap(errs.ErrExecution, err, "table %s: syncing the parent of %s", opts.Name, dir)
	}
	// Leftovers of an earlier Create that died before its manifest.
	if err := t.removeGarbage(nil); err != nil {
		t.unlock()
		return nil, err
	}
	fields := make([]arrow.Field, schema.NumFields())
	copy(fields, schema.Fields())
	empty := &manifest{schema: arrow.NewSchema(fields, nil), defaults: make([][]byte, len(fields))}
	t.m = empty
	t.cache = &logCache{schema: empty.schema, mem: opts.Mem}
	t.nextSeq = 1
	if err := t.commit(context.Background(), plan{schema: empty.schema, defaults: empty.defaults}); err != nil {
		t.closeFiles()
		return nil, err
	}
	return t, nil
}

// Open opens the table in dir. It removes what an interrupted commit left behind (files of
// this package's naming that the manifest does not list, manifest.tmp) and cuts a torn
// tail off the log. A missing or corrupt manifest, a missing data file or a log that does
// not decode is an execution error naming the file.
func Open(dir string, opts Options) (*Table, error) {
	opts = opts.withDefaults(dir)
	t := &Table{dir: dir, opts: opts, live: map[*snapState]struct{}{}, garbage: map[string]bool{}}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, errs.Execf("table %s: no such folder: %s", opts.Name, dir)
	}
	if err := t.takeLock(); err != nil {
		return nil, err
	}
	if err := t.load(); err != nil {
		t.closeFiles()
		return nil, err
	}
	return t, nil
}

func (t *Table) load() error {
	path := t.path(manifestName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return errs.Execf("table %s: %s has no %s: not a table folder, or its creation did not finish", t.opts.Name, t.dir, manifestName)
	}
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: reading %s", t.opts.Name, path)
	}
	m, err := parseManifest(path, data)
	if err != nil {
		return err
	}
	if err := t.removeGarbage(m); err != nil {
		return err
	}
	for _, f := range m.files {
		if _, err := os.Stat(t.path(f.name)); err != nil {
			return errs.Execf("corrupt table %s: data file %s listed in %s: %v", t.opts.Name, f.name, path, err)
		}
	}
	t.m, t.nextSeq = m, m.seq+1
	return t.openLog()
}

// openLog reads the current log into the cache, cutting off a torn tail.
func (t *Table) openLog() error {
	path := t.path(t.m.log)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return errs.Execf("corrupt table %s: log file %s listed in %s: %v", t.opts.Name, t.m.log, manifestName, err)
	}
	t.logFile = f
	data, err := io.ReadAll(f)
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: reading %s", t.opts.Name, path)
	}
	payloads, end, err := scanLog(path, data)
	if err != nil {
		return err
	}
	if end < int64(len(data)) {
		if err := f.Truncate(end); err != nil {
			return errs.Wrap(errs.ErrExecution, err, "table %s: cutting the torn tail of %s", t.opts.Name, path)
		}
		if err := syncFile(f, t.opts.NoSync); err != nil {
			return errs.Wrap(errs.ErrExecution, err, "table %s: syncing %s", t.opts.Name, path)
		}
	}
	t.cache = &logCache{schema: t.m.schema, mem: t.opts.Mem, size: end}
	for i, p := range payloads {
		bs, err := decodeIPC(t.m.schema, p, t.opts.Mem)
		if err != nil {
			return errs.Execf("corrupt table log %s: record %d: %v", path, i+1, err)
		}
		up, err := t.cache.appended(bs)
		if err != nil {
			return err
		}
		t.cache = up.next
		releaseAll(up.dropped) // no snapshot exists yet
	}
	return nil
}

// IsTable reports whether dir holds a table (a manifest.json), without opening it.
func IsTable(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, manifestName))
	return err == nil && st.Mode().IsRegular()
}

// Name returns the table's name (Options.Name).
func (t *Table) Name() string { return t.opts.Name }

// Dir returns the table's folder.
func (t *Table) Dir() string { return t.dir }

// Schema returns the current schema. It changes with AddColumn and Replace.
func (t *Table) Schema() *arrow.Schema {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m.schema
}

// Stats describe the committed state of a table.
type Stats struct {
	Version  int64 // the manifest's sequence number, increasing with each manifest switch
	Rows     int64 // FileRows + LogRows
	Files    int   // data files
	FileRows int64 // rows in the data files
	LogRows  int64 // rows in the log
	LogBytes int64 // size of the log file
}

// Stats returns the sizes of the table as last committed.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	fr := t.m.fileRows()
	return Stats{Version: t.m.seq, Rows: fr + t.cache.rows, Files: len(t.m.files), FileRows: fr,
		LogRows: t.cache.rows, LogBytes: t.cache.size}
}

// Append adds the rows of batches to the table in one atomic commit and returns how many.
// The batches must have the table's column count and types by ordinal (names are not
// compared); NULLs in a column that is not Nullable are refused. The caller keeps
// ownership of the batches.
//
// Usually this appends one record to the log and syncs it (no Parquet file, no manifest
// write). When the log would reach Options.CompactRows or Options.CompactBytes, the log
// and the new rows are written as one Parquet file instead, and the manifest switched to a
// new, empty log.
func (t *Table) Append(ctx context.Context, batches []arrow.RecordBatch) (int64, error) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if err := t.writable(ctx); err != nil {
		return 0, err
	}
	bs, rows, err := t.conform(t.m.schema, batches)
	if err != nil {
		return 0, err
	}
	defer releaseAll(bs)
	if rows == 0 {
		return 0, nil
	}
	if t.cache.rows+rows < t.opts.CompactRows {
		payload, err := encodeIPC(t.m.schema, bs, t.opts.Mem)
		if err != nil {
			return 0, err
		}
		if t.cache.size+recordHeaderSize+int64(len(payload)) <= t.opts.CompactBytes {
			return rows, t.appendLog(payload)
		}
	}
	write := append(append([]arrow.RecordBatch(nil), t.cache.batches...), bs...)
	return rows, t.commit(ctx, plan{schema: t.m.schema, defaults: t.m.defaults, keep: t.m.files, write: write})
}

// appendLog commits payload (an IPC stream of the table's schema) as one log record.
func (t *Table) appendLog(payload []byte) error {
	bs, err := decodeIPC(t.m.schema, payload, t.opts.Mem)
	if err != nil {
		return errs.Internalf("table %s: decoding a log record just encoded: %v", t.opts.Name, err)
	}
	up, err := t.cache.appended(bs)
	if err != nil {
		return err
	}
	rec := encodeRecord(payload)
	logPath := t.path(t.m.log)
	end := t.cache.size
	if _, err := t.logFile.WriteAt(rec, end); err != nil {
		up.abort()
		if terr := t.logFile.Truncate(end); terr != nil {
			t.broken = terr
		}
		return errs.Wrap(errs.ErrExecution, err, "table %s: appending to %s", t.opts.Name, logPath)
	}
	hook("log-appended")
	if err := syncFile(t.logFile, t.opts.NoSync); err != nil {
		// The record may or may not be durable: only a reopen can tell.
		up.abort()
		t.broken = err
		return errs.Wrap(errs.ErrExecution, err, "table %s: syncing %s", t.opts.Name, logPath)
	}
	hook("log-synced")
	up.next.size = end + int64(len(rec))
	t.mu.Lock()
	t.cache = up.next
	t.mu.Unlock()
	releaseAll(up.dropped)
	return nil
}

// Overwrite replaces every row of the table with the rows of batches in one atomic commit
// (INSERT OVERWRITE). The batches follow Append's rules and stay the caller's. Small
// results go to a new log, others to one Parquet file; the old files are removed once no
// snapshot uses them.
func (t *Table) Overwrite(ctx context.Context, batches []arrow.RecordBatch) (int64, error) {
	return t.OverwriteSince(ctx, nil, batches)
}

// ErrConflict is the cause (errors.Is) of the error OverwriteSince and Replace return when
// the table committed something after their base snapshot was taken: the statement read
// stale rows and may be retried.
var ErrConflict = errors.New("the table changed after the statement read it")

// OverwriteSince is Overwrite for statements that compute the new rows from the table
// (UPDATE, DELETE): base is the snapshot they read, and the commit fails with ErrConflict,
// changing nothing, if any write committed since (so that a concurrent INSERT is not
// lost). A nil base overwrites unconditionally.
func (t *Table) OverwriteSince(ctx context.Context, base *Snapshot, batches []arrow.RecordBatch) (int64, error) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if err := t.writableSince(ctx, base); err != nil {
		return 0, err
	}
	return t.overwrite(ctx, t.m.schema, t.m.defaults, batches)
}

// Replace replaces the schema and every row in one atomic commit, for ALTER TABLE forms
// that change existing columns (drop, rename, change type), which the caller computes from
// the snapshot base (nil: unconditionally; see OverwriteSince for the conflict rule). The
// schema follows Create's rules; column defaults are dropped (every row is written). The
// batches follow Append's rules against the new schema and stay the caller's.
func (t *Table) Replace(ctx context.Context, base *Snapshot, schema *arrow.Schema, batches []arrow.RecordBatch) (int64, error) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if err := t.writableSince(ctx, base); err != nil {
		return 0, err
	}
	if err := checkSchema(schema); err != nil {
		return 0, wrapTable(t.opts.Name, err)
	}
	fields := make([]arrow.Field, schema.NumFields())
	copy(fields, schema.Fields())
	return t.overwrite(ctx, arrow.NewSchema(fields, nil), make([][]byte, len(fields)), batches)
}

// Truncate removes every row in one atomic commit.
func (t *Table) Truncate(ctx context.Context) error {
	_, err := t.Overwrite(ctx, nil)
	return err
}

func (t *Table) overwrite(ctx context.Context, schema *arrow.Schema, defaults [][]byte, batches []arrow.RecordBatch) (int64, error) {
	bs, rows, err := t.conform(schema, batches)
	if err != nil {
		return 0, err
	}
	defer releaseAll(bs)
	p := plan{schema: schema, defaults: defaults}
	if rows > 0 && rows < t.opts.CompactRows {
		payload, err := encodeIPC(schema, bs, t.opts.Mem)
		if err != nil {
			return 0, err
		}
		if logHeaderSize+recordHeaderSize+int64(len(payload)) <= t.opts.CompactBytes {
			p.logPayload = payload
		}
	}
	if rows > 0 && p.logPayload == nil {
		p.write = bs
	}
	return rows, t.commit(ctx, p)
}

// AddColumn appends a column to the schema in one atomic commit. def is a one-row array of
// the field's type holding the value the existing rows get, or nil for NULL; the caller
// keeps it. A NOT NULL field needs a non-NULL default. Data files written before keep
// their columns and read the default for the new one; the log's rows are rewritten into
// the new log with the default.
func (t *Table) AddColumn(ctx context.Context, field arrow.Field, def arrow.Array) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if err := t.writable(ctx); err != nil {
		return err
	}
	m := t.m
	fields := append(append([]arrow.Field(nil), m.schema.Fields()...), field)
	schema := arrow.NewSchema(fields, nil)
	if err := checkSchema(schema); err != nil {
		return wrapTable(t.opts.Name, err)
	}
	if def != nil && (def.Len() != 1 || !arrow.TypeEqual(def.DataType(), field.Type)) {
		return errs.Internalf("table %s: the default of column %q must be one %s value, got %d of %s",
			t.opts.Name, field.Name, planner.TypeString(field.Type), def.Len(), planner.TypeString(def.DataType()))
	}
	if def != nil && def.IsNull(0) {
		def = nil
	}
	if def == nil && !field.Nullable {
		return errs.Planf("table %s: column %q is NOT NULL, so adding it needs a non-NULL default", t.opts.Name, field.Name)
	}
	var enc []byte
	if def != nil {
		var err error
		if enc, err = encodeDefault(field, def, t.opts.Mem); err != nil {
			return err
		}
	}
	p := plan{schema: schema, defaults: append(append([][]byte(nil), m.defaults...), enc), keep: m.files}
	if t.cache.rows > 0 {
		extended := make([]arrow.RecordBatch, 0, len(t.cache.batches))
		defer func() { releaseAll(extended) }()
		for _, b := range t.cache.batches {
			col, err := repeatValue(def, field.Type, int(b.NumRows()), t.opts.Mem)
			if err != nil {
				return err
			}
			cols := append(append(make([]arrow.Array, 0, len(fields)), b.Columns()...), col)
			extended = append(extended, arrowBatch(schema, cols, b.NumRows()))
			col.Release()
		}
		payload, err := encodeIPC(schema, extended, t.opts.Mem)
		if err != nil {
			return err
		}
		p.logPayload = payload
	}
	return t.commit(ctx, p)
}

// Compact folds the log into a Parquet file in one atomic commit (nothing happens when the
// log is empty). Appends do this on their own past Options.CompactRows or CompactBytes.
func (t *Table) Compact(ctx context.Context) error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if err := t.writable(ctx); err != nil {
		return err
	}
	if t.cache.rows == 0 {
		return nil
	}
	return t.commit(ctx, plan{schema: t.m.schema, defaults: t.m.defaults, keep: t.m.files, write: t.cache.batches})
}

// Close releases the table's memory, files and lock. Snapshots taken before stay readable
// (they hold their own references), but files that only they use are left on disk until
// the table is opened again. Close is idempotent.
func (t *Table) Close() error {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	return t.closeFiles()
}

// closeFiles releases the cache, the log file and the lock.
func (t *Table) closeFiles() error {
	if t.cache != nil {
		t.cache.release()
	}
	var err error
	if t.logFile != nil {
		err = t.logFile.Close()
		t.logFile = nil
	}
	t.unlock()
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: closing its log", t.opts.Name)
	}
	return nil
}

// Drop closes the table and deletes its folder. Readers of snapshots taken before fail on
// files they had not opened yet.
func (t *Table) Drop() error {
	if err := t.Close(); err != nil {
		return err
	}
	if err := os.RemoveAll(t.dir); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "dropping table %s: removing %s", t.opts.Name, t.dir)
	}
	return nil
}

// writable is checked by every write under writeMu.
func (t *Table) writable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return errs.Canceled(err)
	}
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return errs.Internalf("table %s used after Close", t.opts.Name)
	}
	if t.broken != nil {
		return errs.Execf("table %s: an earlier write failed (%v); reopen the table to recover its committed state", t.opts.Name, t.broken)
	}
	return nil
}

// writableSince is writable, plus the check that nothing committed since base.
func (t *Table) writableSince(ctx context.Context, base *Snapshot) error {
	if err := t.writable(ctx); err != nil || base == nil {
		return err
	}
	switch st := base.st; {
	case st.t != t:
		return errs.Internalf("table %s: base snapshot of table %s", t.opts.Name, st.t.opts.Name)
	case st.m != t.m || st.logRows != t.cache.rows:
		return errs.Wrap(errs.ErrExecution, ErrConflict, "table %s: concurrent write", t.opts.Name)
	}
	return nil
}

// conform checks batches against schema and returns them rebuilt with schema's fields
// (zero-copy; the caller releases the result) and their total row count.
func (t *Table) conform(schema *arrow.Schema, batches []arrow.RecordBatch) ([]arrow.RecordBatch, int64, error) {
	out := make([]arrow.RecordBatch, 0, len(batches))
	var rows int64
	for _, b := range batches {
		if err := t.checkBatch(schema, b); err != nil {
			releaseAll(out)
			return nil, 0, err
		}
		if b.NumRows() == 0 {
			continue
		}
		out = append(out, arrowBatch(schema, b.Columns(), b.NumRows()))
		rows += b.NumRows()
	}
	return out, rows, nil
}

func (t *Table) checkBatch(schema *arrow.Schema, b arrow.RecordBatch) error {
	if int(b.NumCols()) != schema.NumFields() {
		return errs.Execf("table %s has %d columns but the rows written have %d", t.opts.Name, schema.NumFields(), b.NumCols())
	}
	for i, f := range schema.Fields() {
		col := b.Column(i)
		if !arrow.TypeEqual(col.DataType(), f.Type) {
			return errs.Execf("table %s: column %q is %s but the value written is %s", t.opts.Name, f.Name,
				planner.TypeString(f.Type), planner.TypeString(col.DataType()))
		}
		if !f.Nullable && col.NullN() > 0 {
			return errs.Execf("table %s: column %q is NOT NULL but a row written has NULL there", t.opts.Name, f.Name)
		}
	}
	return nil
}

// repeatValue returns n copies of def's one value (NULLs of type dt when def is nil),
// allocated from mem, by doubling: O(n) copying in O(log n) steps.
func repeatValue(def arrow.Array, dt arrow.DataType, n int, mem memory.Allocator) (arrow.Array, error) {
	if def == nil {
		return array.MakeArrayOfNull(mem, dt, n), nil
	}
	cur := def
	cur.Retain()
	for cur.Len() < n {
		next, err := array.Concatenate([]arrow.Array{cur, cur}, mem)
		cur.Release()
		if err != nil {
			return nil, errs.Internalf("repeating a column default: %v", err)
		}
		cur = next
	}
	if cur.Len() == n {
		return cur, nil
	}
	out := array.NewSlice(cur, 0, int64(n))
	cur.Release()
	return out, nil
}

func (t *Table) path(name string) string { return filepath.Join(t.dir, name) }

// wrapTable prefixes an error of checkSchema with the table's name.
func wrapTable(name string, err error) error { return errs.Wrap(errs.ErrPlan, err, "table %s", name) }
