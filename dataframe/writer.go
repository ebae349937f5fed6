package dataframe

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
)

// DataFrameWriter writes a DataFrame's rows out (Spark's df.write): to files with
// Parquet, CSV or JSON, or to a managed table with SaveAsTable.
type DataFrameWriter struct {
	df   *DataFrame
	mode string
	err  error
}

// Write returns a writer of the DataFrame (mode "errorifexists" until Mode says otherwise).
func (d *DataFrame) Write() *DataFrameWriter { return &DataFrameWriter{df: d, mode: "errorifexists"} }

// Mode sets what happens when the target exists: "errorifexists" (or "error", the
// default), "overwrite" (replace it), "append" (add a file, or rows) or "ignore" (write
// nothing).
func (w *DataFrameWriter) Mode(mode string) *DataFrameWriter {
	m := strings.ToLower(mode)
	switch m {
	case "error", "errorifexists", "overwrite", "append", "ignore":
		w.mode = m
		if m == "error" {
			w.mode = "errorifexists"
		}
	default:
		w.err = errs.Planf("unknown save mode %q (use errorifexists, overwrite, append or ignore)", mode)
	}
	return w
}

// Parquet writes the rows to a folder at path as Parquet: one file, part-NNNNN.parquet
// (append adds the next number), written aside and renamed into place.
func (w *DataFrameWriter) Parquet(ctx context.Context, path string) error {
	return w.files(ctx, path, "parquet", func(out io.Writer, s *arrow.Schema, b []arrow.RecordBatch) error {
		return datasource.WriteParquet(out, s, b, datasource.WriteOptions{})
	})
}

// CSV writes the rows to a folder at path as one CSV file with a header line.
func (w *DataFrameWriter) CSV(ctx context.Context, path string) error {
	return w.files(ctx, path, "csv", func(out io.Writer, s *arrow.Schema, b []arrow.RecordBatch) error {
		return datasource.WriteCSV(out, s, b, datasource.CSVWriteOptions{Header: true})
	})
}

// JSON writes the rows to a folder at path as one JSON Lines file.
func (w *DataFrameWriter) JSON(ctx context.Context, path string) error {
	return w.files(ctx, path, "json", func(out io.Writer, s *arrow.Schema, b []arrow.RecordBatch) error {
		return datasource.WriteJSON(out, s, b)
	})
}

// files runs the query and writes its rows to a new file in the folder at path.
func (w *DataFrameWriter) files(ctx context.Context, path, ext string, write func(io.Writer, *arrow.Schema, []arrow.RecordBatch) error) error {
	if w.err != nil {
		return w.err
	}
	if path == "" {
		return errs.Planf("Write needs a path")
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	switch {
	case exists && w.mode == "errorifexists":
		return errs.Planf("%s already exists (use Mode(\"overwrite\") or Mode(\"append\"))", path)
	case exists && w.mode == "ignore":
		return nil
	}
	res, err := w.df.run(ctx)
	if err != nil {
		return err
	}
	defer res.Release()
	parent := filepath.Dir(filepath.Clean(path))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return errs.Execf("cannot create %s: %v", parent, err)
	}
	// The new file is written in a scratch folder beside path, then moved in.
	tmp, err := os.MkdirTemp(parent, ".ember-write-")
	if err != nil {
		return errs.Execf("cannot write beside %s: %v", path, err)
	}
	defer os.RemoveAll(tmp)
	n := 0
	if exists && w.mode == "append" {
		entries, err := os.ReadDir(path)
		if err != nil {
			return errs.Execf("cannot append to %s: %v", path, err)
		}
		n = len(entries)
	}
	name := fmt.Sprintf("part-%05d.%s", n, ext)
	f, err := os.Create(filepath.Join(tmp, name))
	if err != nil {
		return errs.Execf("%v", err)
	}
	if err := write(f, res.Schema, res.Batches); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return errs.Execf("%v", err)
	}
	if err := f.Close(); err != nil {
		return errs.Execf("%v", err)
	}
	if exists && w.mode == "append" {
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(path, name)); err != nil {
			return errs.Execf("cannot append to %s: %v", path, err)
		}
		return nil
	}
	if exists { // overwrite: move the old folder away, the new one in, then drop the old
		old := tmp + ".old"
		if err := os.Rename(path, old); err != nil {
			return errs.Execf("cannot replace %s: %v", path, err)
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errs.Execf("cannot write %s: %v", path, err)
	}
	return nil
}

// SaveAsTable writes the rows to a managed table of the session's catalog: created from
// the rows (errorifexists, or ignore when absent), rows added (append), or replaced
// (overwrite).
func (w *DataFrameWriter) SaveAsTable(ctx context.Context, name string) error {
	if w.err != nil {
		return w.err
	}
	if err := w.df.Err(); err != nil {
		return err
	}
	if name == "" {
		return errs.Planf("SaveAsTable needs a table name")
	}
	t, v, err := w.df.s.cat.LookupTable("", name)
	if err != nil {
		return err
	}
	exists := t != nil || v != nil
	q := quoteIdent(name)
	var sql string
	switch {
	case exists && w.mode == "errorifexists":
		return errs.Planf("table %q already exists (use Mode(\"overwrite\") or Mode(\"append\"))", name)
	case exists && w.mode == "ignore":
		return nil
	case exists && w.mode == "append":
		sql = "INSERT INTO " + q + " SELECT * FROM " + w.df.from()
	case exists && w.mode == "overwrite":
		sql = "INSERT OVERWRITE TABLE " + q + " SELECT * FROM " + w.df.from()
	default:
		sql = "CREATE TABLE " + q + " AS SELECT * FROM " + w.df.from()
	}
	res, err := w.df.s.Exec(ctx, sql)
	if err != nil {
		return err
	}
	res.Release()
	return nil
}
