// Package tablestore is the storage engine of Ember's managed tables (CREATE TABLE,
// INSERT, UPDATE, DELETE, TRUNCATE, ALTER TABLE ADD COLUMN): one folder per table in the
// warehouse, holding Parquet data files, an append-only row log and a manifest that names
// them. It owns the on-disk format, the commit protocol, crash recovery, and Snapshot, the
// datasource.Source through which queries read a table.
//
// Place in the import table (DESIGN.md): tablestore is part of exec, under
// exec/datasource. It imports exec/datasource (Source, NewParquet, WriteParquet),
// sql/planner (canonical types) and internal/errs; the catalog (dataframe) imports it,
// nothing in exec does.
//
// # On-disk layout (format version 1)
//
// A table folder holds:
//
//   - manifest.json: the committed version of the table (below). Only this file says what
//     the table is; every other file is data or garbage.
//   - data-SSSSSSSS-N.parquet: an immutable data file, written by datasource.WriteParquet
//     with the table's columns as of its writing (S is the commit's sequence number, at
//     least 8 digits; N its index within the commit, 0 today).
//   - log-SSSSSSSS.elog: the row log of the version committed at sequence S.
//   - manifest.tmp: a manifest being written; garbage unless renamed.
//   - lock: an empty file an open Table holds an exclusive flock on (unix).
//
// Files of these name patterns that manifest.json does not list are garbage, removed at
// the next Open (and by the process that made them once no snapshot uses them). Other
// files in the folder are left alone.
//
// manifest.json is a JSON object:
//
//	{
//	  "format": "ember-table",      // always
//	  "version": 1,                 // format version; readers refuse a larger one
//	  "sequence": 7,                // increases with every commit that writes a manifest
//	  "columns": [                  // the schema, in order
//	    {"name": "id", "type": "BIGINT", "nullable": false},
//	    {"name": "n", "type": "INT", "nullable": true, "default": "<base64>"}
//	  ],
//	  "files": [                    // the data files, in row order
//	    {"name": "data-00000005-0.parquet", "rows": 122880, "columns": 1, "bytes": 81234}
//	  ],
//	  "log": "log-00000007.elog"    // the row log; its rows come after the files'
//	}
//
// Types are spelled BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, VARCHAR, DATE,
// TIMESTAMP (microseconds, no time zone), DECIMAL(p,s) (p <= 38), ARRAY<T> (T one of the
// former) and VECTOR(n): Ember's canonical types, the ones that round-trip through
// WriteParquet and the Parquet reader (VECTOR(n) is stored as a list of floats and turned
// back into a vector when read). A data file's "columns" is how many of the table's
// leading columns it holds: columns added later read as their "default" there, an Arrow
// IPC stream of one batch of one row and one column (named after the column, nullable,
// of its type), or NULL when the default is absent. "rows" and "columns" are checked
// against the file's footer when it is first read. Data files use Options.Parquet,
// except that a file with a row group where a VARCHAR column (or ARRAY<VARCHAR>'s
// elements) has no non-NULL value is written with PLAIN strings: a workaround for the
// Parquet reader (hasStringChunkWithoutValues).
//
// A log file is a 16-byte header, "EMBERLOG" then the format version as a uint32 and four
// zero bytes (little endian), followed by records. A record is one committed Append (or
// the first rows of a new version, see below):
//
//	offset 0   "EREC"
//	offset 4   payload length L, uint32 little endian (at most 1 GiB)
//	offset 8   CRC-32C (Castagnoli) of bytes 4..8 followed by the payload, uint32 LE
//	offset 12  payload: an Arrow IPC stream (schema message equal to the table's schema,
//	           record batches, end-of-stream marker), no compression
//
// The log's content is the longest prefix of complete records whose checksums match: the
// checksum is the record's commit marker. Open cuts anything after that prefix off (a
// torn tail left by a crash during an append), so appends always follow valid records.
//
// Versioning: a change that an older reader would misread bumps the manifest "version"
// (or the log header's version), and readers refuse versions newer than theirs with an
// error that says so. Adding a manifest field that old readers may ignore does not.
//
// # Commit protocol and invariants
//
// Writers of a table run one at a time (a mutex in the Table); snapshots never wait for
// them. Statements that read the table and write it back (UPDATE, DELETE, ALTER) pass the
// snapshot they read to OverwriteSince or Replace, which fail with ErrConflict when another
// write committed in between. There are two kinds of commit:
//
//   - A log append (Append below the compaction thresholds): write the record after the
//     log's committed end, fsync the log. The fsync's return is the commit; the manifest
//     is not touched. If the write fails the log is cut back; if the fsync fails the
//     table refuses further writes until reopened (the record may or may not be durable).
//   - A manifest switch (every other write): write each new data file under an unused
//     name (O_EXCL) and fsync it; write the new version's log (header, and a first record
//     when the version starts with rows there) and fsync it; fsync the folder; write
//     manifest.tmp and fsync it; rename it over manifest.json (the commit point); fsync
//     the folder. Then the new version is published to snapshots, the old log is removed,
//     and the old data files are removed once no live snapshot lists them. A failure
//     before the rename removes what the commit wrote.
//
// Invariants: manifest.json always describes a complete version whose files are all
// durable; every manifest switch starts a fresh log, so a log holds rows of one schema
// only; data files never change once written; sequence numbers never repeat within a
// process, and a restarted process removes the files of commits that did not switch, so
// file names never collide; a snapshot's data files stay on disk while it lives; the rows
// of a table are its files' rows in manifest order, then the log's, which keeps insertion
// order.
//
// Which writes switch the manifest: Append when the log would reach Options.CompactRows
// rows or pass Options.CompactBytes (the log's rows and the new rows become one data file,
// so thousands of single-row appends make neither thousands of files nor a rewrite of the
// table); Overwrite, OverwriteSince, Replace and Truncate (the new rows go to the new log when small, to
// one data file otherwise); AddColumn (data files keep their columns, the log's rows are
// copied into the new log with the default); Compact (the log becomes a data file).
//
// The table keeps the log's rows decoded in memory (Options.Mem), merged into batches of
// up to 8192 rows as they arrive, so reading the log costs no I/O or decoding; snapshots
// retain the batches they see.
//
// # How to add an operation
//
//  1. Write the method on Table in table.go: take writeMu, call writable (writableSince
//     when it writes what it computed from a snapshot), check the input
//     (conform for rows, checkSchema for schemas), describe the next version as a plan
//     (schema, defaults, the files kept, the rows of a new data file, the first record of
//     the new log) and call commit. An operation that only adds rows to the log goes
//     through appendLog instead.
//  2. If it needs a new manifest field, add it to manifestJSON with omitempty and a default
//     meaning "as before", or bump manifestVersion if old readers would misread the table;
//     update this comment.
//  3. Test it in table_test.go (result, reopen, files left: expectFiles) and add it to the
//     crash test's operations (crash_test.go) at the steps of commit.
package tablestore
