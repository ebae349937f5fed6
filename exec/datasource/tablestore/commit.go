package tablestore

import (
	"bufio"
	"context"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// testHook, when set (only by this package's tests, before any table is used), is called
// at the named steps of a commit; the crash tests kill the process there.
var testHook func(step string)

func hook(step string) {
	if testHook != nil {
		testHook(step)
	}
}

// plan is the next version of a table, relative to the current one.
type plan struct {
	schema   *arrow.Schema
	defaults [][]byte
	// keep are the current data files the next version keeps, in order.
	keep []*dataFile
	// write are the rows of one new data file, placed after keep (none when empty). The
	// batches stay the caller's.
	write []arrow.RecordBatch
	// logPayload, when set, is an IPC stream of schema: the first record of the new log.
	logPayload []byte
}

// commit switches the table to the version p describes, atomically:
//
//  1. write the new data file (an unused name, O_EXCL) and sync it;
//  2. write the new log (header and first record) and sync it; sync the folder;
//  3. write manifest.tmp and sync it;
//  4. rename it over manifest.json, the commit point; sync the folder;
//  5. publish the new version to snapshots; remove the old log, and the old data files
//     that no snapshot uses (the others when their last snapshot is released).
//
// Before 4, a failure removes what 1-3 wrote and leaves the table as it was. The caller
// holds writeMu.
func (t *Table) commit(ctx context.Context, p plan) (err error) {
	seq := t.nextSeq
	t.nextSeq++
	var created []string // files to remove if the commit fails before its switch
	var logFile *os.File
	var up *cacheUpdate
	switched := false
	defer func() {
		if err == nil || switched {
			return
		}
		if logFile != nil {
			logFile.Close()
		}
		if up != nil {
			up.abort()
		}
		for _, name := range created {
			os.Remove(t.path(name))
		}
	}()

	files := append([]*dataFile(nil), p.keep...)
	if len(p.write) > 0 {
		name := dataFileName(seq, 0)
		created = append(created, name)
		f, err := t.writeDataFile(name, p.schema, p.write)
		if err != nil {
			return err
		}
		files = append(files, f)
	}

	logName := logFileName(seq)
	empty := &logCache{schema: p.schema, mem: t.opts.Mem}
	up = &cacheUpdate{next: empty}
	rec := []byte(nil)
	if p.logPayload != nil {
		bs, err := decodeIPC(p.schema, p.logPayload, t.opts.Mem)
		if err != nil {
			return errs.Internalf("table %s: decoding a log record just encoded: %v", t.opts.Name, err)
		}
		if up, err = empty.appended(bs); err != nil {
			return err
		}
		rec = encodeRecord(p.logPayload)
	}
	up.next.size = int64(logHeaderSize + len(rec))
	created = append(created, logName)
	if logFile, err = t.writeNewLog(logName, rec); err != nil {
		return err
	}
	if err := syncDir(t.dir, t.opts.NoSync); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: syncing folder %s", t.opts.Name, t.dir)
	}
	hook("files-written")
	if err := ctx.Err(); err != nil {
		return errs.Canceled(err)
	}

	m := &manifest{seq: seq, schema: p.schema, defaults: p.defaults, files: files, log: logName}
	data, err := m.marshal()
	if err != nil {
		return err
	}
	created = append(created, manifestTmpName)
	if err := t.writeFileSynced(manifestTmpName, data); err != nil {
		return err
	}
	hook("manifest-tmp-written")
	if err := os.Rename(t.path(manifestTmpName), t.path(manifestName)); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: renaming %s over %s", t.opts.Name, manifestTmpName, manifestName)
	}
	hook("manifest-renamed")
	// Switched: from here on the new version is the table, whatever else fails.
	switched = true
	dirErr := syncDir(t.dir, t.opts.NoSync)
	if dirErr == nil {
		hook("committed")
	}

	old, oldCache, oldLog := t.m, t.cache, t.logFile
	kept := map[string]bool{}
	for _, f := range files {
		kept[f.name] = true
	}
	t.mu.Lock()
	t.m, t.cache = m, up.next
	for _, f := range old.files {
		if !kept[f.name] {
			t.garbage[f.name] = true
		}
	}
	t.mu.Unlock()
	t.logFile = logFile
	oldCache.release() // snapshots hold their own references
	if oldLog != nil {
		oldLog.Close()
		os.Remove(t.path(old.log)) // snapshots never read the log file
	}
	t.collect()
	if dirErr != nil {
		t.broken = dirErr
		return errs.Wrap(errs.ErrExecution, dirErr, "table %s: syncing folder %s after the commit: the commit may not survive a power loss", t.opts.Name, t.dir)
	}
	return nil
}

// writeDataFile writes batches (of schema) as the Parquet file name and syncs it.
func (t *Table) writeDataFile(name string, schema *arrow.Schema, batches []arrow.RecordBatch) (*dataFile, error) {
	path := t.path(name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "table %s: creating data file", t.opts.Name)
	}
	fail := func(err error) (*dataFile, error) {
		f.Close()
		return nil, errs.Wrap(errs.ErrExecution, err, "table %s: writing data file %s", t.opts.Name, path)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	wopts := t.opts.Parquet
	if !wopts.PlainStrings && hasStringChunkWithoutValues(schema, batches, wopts.RowGroupSize) {
		wopts.PlainStrings = true
	}
	if err := datasource.WriteParquet(bw, schema, batches, wopts); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := syncFile(f, t.opts.NoSync); err != nil {
		return fail(err)
	}
	st, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "table %s: writing data file %s", t.opts.Name, path)
	}
	var rows int64
	for _, b := range batches {
		rows += b.NumRows()
	}
	return &dataFile{name: name, rows: rows, ncols: schema.NumFields(), bytes: st.Size()}, nil
}

// hasStringChunkWithoutValues reports whether, in some row group of the file that
// WriteParquet would write, a VARCHAR column (or the elements of an ARRAY<VARCHAR> column)
// has no non-NULL value. The datasource Parquet reader fails on such a column chunk when
// it is dictionary-encoded (its dictionary is empty), so writeDataFile writes that file's
// strings PLAIN. Remove this when the reader handles empty dictionaries.
func hasStringChunkWithoutValues(schema *arrow.Schema, batches []arrow.RecordBatch, rowGroupSize int) bool {
	if rowGroupSize <= 0 {
		rowGroupSize = datasource.DefaultRowGroupSize
	}
	for i, f := range schema.Fields() {
		if !planner.IsString(f.Type) && !(planner.IsArray(f.Type) && planner.IsString(planner.ElemType(f.Type))) {
			continue
		}
		inGroup, found := 0, false
		for _, b := range batches {
			col := b.Column(i)
			for off := 0; off < col.Len(); {
				k := min(col.Len()-off, rowGroupSize-inGroup)
				found = found || hasValue(col, off, off+k)
				off += k
				if inGroup += k; inGroup == rowGroupSize {
					if !found {
						return true
					}
					inGroup, found = 0, false
				}
			}
		}
		if inGroup > 0 && !found {
			return true
		}
	}
	return false
}

// hasValue reports whether rows [from, to) of col hold a non-NULL string (for a list, a
// non-NULL element).
func hasValue(col arrow.Array, from, to int) bool {
	if l, ok := col.(*array.List); ok {
		start, _ := l.ValueOffsets(from)
		_, end := l.ValueOffsets(to - 1)
		col, from, to = l.ListValues(), int(start), int(end)
	}
	for j := from; j < to; j++ {
		if col.IsValid(j) {
			return true
		}
	}
	return false
}

// writeNewLog creates the log file name holding the header and rec (a framed record, or
// nothing), syncs it and returns it open for appends.
func (t *Table) writeNewLog(name string, rec []byte) (*os.File, error) {
	path := t.path(name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "table %s: creating log", t.opts.Name)
	}
	if _, err = f.Write(append(logFileHeader(), rec...)); err == nil {
		err = syncFile(f, t.opts.NoSync)
	}
	if err != nil {
		f.Close()
		return nil, errs.Wrap(errs.ErrExecution, err, "table %s: writing log %s", t.opts.Name, path)
	}
	return f, nil
}

// writeFileSynced writes data to the file name (truncating it) and syncs it.
func (t *Table) writeFileSynced(name string, data []byte) error {
	path := t.path(name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.Write(data)
		if err == nil {
			err = syncFile(f, t.opts.NoSync)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: writing %s", t.opts.Name, path)
	}
	return nil
}

// collect removes the garbage data files that no live snapshot uses. Removal errors are
// ignored: whatever is left is removed by the next Open.
func (t *Table) collect() {
	t.mu.Lock()
	if t.closed || len(t.garbage) == 0 {
		t.mu.Unlock()
		return
	}
	used := map[string]bool{}
	for s := range t.live {
		for _, f := range s.m.files {
			used[f.name] = true
		}
	}
	var rm []string
	for name := range t.garbage {
		if !used[name] {
			rm = append(rm, name)
			delete(t.garbage, name)
		}
	}
	t.mu.Unlock()
	for _, name := range rm {
		os.Remove(t.path(name))
	}
}

// removeGarbage removes, at Open or Create, the files of this package's naming that m does
// not reference (all of them when m is nil), and manifest.tmp.
func (t *Table) removeGarbage(m *manifest) error {
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "table %s: listing %s", t.opts.Name, t.dir)
	}
	keep := map[string]bool{}
	if m != nil {
		keep[m.log] = true
		for _, f := range m.files {
			keep[f.name] = true
		}
	}
	for _, e := range entries {
		if name := e.Name(); !e.IsDir() && isStoreFile(name) && !keep[name] {
			if err := os.Remove(t.path(name)); err != nil {
				return errs.Wrap(errs.ErrExecution, err, "table %s: removing leftover %s", t.opts.Name, name)
			}
		}
	}
	return nil
}

func syncFile(f *os.File, noSync bool) error {
	if noSync {
		return nil
	}
	return f.Sync()
}

// syncDir makes the names in dir durable (created, renamed and removed files).
func syncDir(dir string, noSync bool) error {
	if noSync {
		return nil
	}
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
