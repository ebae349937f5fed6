package dataframe

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
)

// Spark's CREATE TABLE t USING parquet [PARTITIONED BY (cols)] [LOCATION 'path'] AS SELECT:
// without LOCATION and PARTITIONED BY the table is an ordinary managed table (CTAS). Else
// the query's rows are written as Parquet files under the location (by default
// tables-external/<db>/<name> in the warehouse), one folder level per partition column
// named col=value as Hive and Spark do (NULL is __HIVE_DEFAULT_PARTITION__), and the
// folder is registered as an external table. The partition columns are kept in the files
// too, so any Parquet reader (and Ember's, which reads folders recursively) sees them. The
// files are written under a temporary folder renamed into place at the end, so a crash
// leaves no half table.

const hiveNull = "__HIVE_DEFAULT_PARTITION__"

func (s *Session) createTableUsingAsSelect(ctx context.Context, x *parser.CreateTableUsing) (*Result, error) {
	if x.Format != "parquet" {
		return nil, errs.NotImplementedf("CREATE TABLE ... USING %s AS SELECT: only parquet is written", x.Format)
	}
	db, name := splitQualified(x.Name)
	if x.Location == "" && len(x.PartitionedBy) == 0 {
		ddl := "CREATE TABLE "
		if x.IfNotExists {
			ddl += "IF NOT EXISTS "
		}
		if db != "" {
			ddl += quoteIdent(db) + "."
		}
		stmts, err := parser.Parse(ddl + quoteIdent(name) + " AS " + x.AsSelect.SQL)
		if err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "composing CREATE TABLE AS")
		}
		if x.OrReplace {
			if _, err := s.cat.drop(db, name, false); err != nil {
				return nil, err
			}
		}
		return s.createManaged(ctx, stmts[0].(*parser.Query))
	}
	location := x.Location
	if location == "" {
		if s.cat.dir == "" {
			return nil, errs.Planf("CREATE TABLE %s ... PARTITIONED BY needs a LOCATION when the session has no warehouse", x.Name)
		}
		s.cat.mu.Lock()
		rdb, err := s.cat.resolveDB(db)
		s.cat.mu.Unlock()
		if err != nil {
			return nil, err
		}
		location = filepath.Join(s.cat.dir, "tables-external", strings.ToLower(rdb), strings.ToLower(name))
	}
	if _, err := os.Stat(location); err == nil && !x.OrReplace {
		return nil, errs.Planf("LOCATION %s already exists; CREATE TABLE ... AS SELECT writes a new folder", location)
	}
	p, err := s.binder().BindQuery(x.AsSelect)
	if err != nil {
		return nil, err
	}
	res, err := s.runPlan(ctx, p)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	keys := make([]int, len(x.PartitionedBy))
	for i, c := range x.PartitionedBy {
		keys[i] = -1
		for j, f := range res.Schema.Fields() {
			if strings.EqualFold(f.Name, c) {
				keys[i] = j
			}
		}
		if keys[i] < 0 {
			return nil, errs.Planf("PARTITIONED BY column %q is not a column of the query", c)
		}
	}
	tmp := location + ".tmp-write"
	os.RemoveAll(tmp)
	n, err := s.writePartitioned(tmp, res.Schema, res.Batches, keys)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if x.OrReplace {
		os.RemoveAll(location)
	}
	if err := os.MkdirAll(filepath.Dir(location), 0o755); err != nil {
		return nil, errs.Execf("cannot create %s: %v", filepath.Dir(location), err)
	}
	if err := os.Rename(tmp, location); err != nil {
		os.RemoveAll(tmp)
		return nil, errs.Execf("cannot move the table's files into %s: %v", location, err)
	}
	d := tableDef{Database: db, Name: name, Format: "parquet", Location: location, Options: x.Options}
	if err := s.cat.createTable(d, x.OrReplace, x.IfNotExists); err != nil {
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("table %s created with %d rows in %s", x.Name, n, location), RowsAffected: n}, nil
}

// writePartitioned writes batches under dir: one Parquet file per partition folder (or one
// file when keys is empty). It returns the number of rows written.
func (s *Session) writePartitioned(dir string, schema *arrow.Schema, batches []arrow.RecordBatch, keys []int) (int64, error) {
	parts := map[string][]arrow.RecordBatch{}
	defer func() {
		for _, bs := range parts {
			releaseBatches(bs)
		}
	}()
	var total int64
	for _, b := range batches {
		total += b.NumRows()
		if len(keys) == 0 {
			b.Retain()
			parts[""] = append(parts[""], b)
			continue
		}
		rows := map[string][]int32{}
		var order []string
		for r := 0; r < int(b.NumRows()); r++ {
			segs := make([]string, len(keys))
			for i, k := range keys {
				v := hiveNull
				if col := b.Column(k); col.IsValid(r) {
					v = url.PathEscape(col.ValueStr(r))
				}
				segs[i] = schema.Field(k).Name + "=" + v
			}
			p := filepath.Join(segs...)
			if _, ok := rows[p]; !ok {
				order = append(order, p)
			}
			rows[p] = append(rows[p], int32(r))
		}
		for _, p := range order {
			part, err := exec.TakeRows(s.cfg.mem, b, rows[p])
			if err != nil {
				return 0, err
			}
			parts[p] = append(parts[p], part)
		}
	}
	names := make([]string, 0, len(parts))
	for p := range parts {
		names = append(names, p)
	}
	sort.Strings(names)
	if len(names) == 0 {
		names = []string{""} // an empty result still makes a file, so the schema is known
	}
	for _, p := range names {
		folder := filepath.Join(dir, p)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return 0, errs.Execf("cannot create %s: %v", folder, err)
		}
		f, err := os.Create(filepath.Join(folder, "part-00000.parquet"))
		if err != nil {
			return 0, errs.Execf("cannot write %s: %v", folder, err)
		}
		err = datasource.WriteParquet(f, schema, parts[p], datasource.WriteOptions{})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, errs.Wrap(errs.ErrExecution, err, "writing %s", folder)
		}
	}
	return total, nil
}
