package tablestore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// On-disk names (see doc.go for the whole layout).
const (
	manifestName    = "manifest.json"
	manifestTmpName = "manifest.tmp"
	lockName        = "lock"

	manifestFormat  = "ember-table"
	manifestVersion = 1
)

var (
	dataNameRE = regexp.MustCompile(`^data-[0-9]{8,}-[0-9]+\.parquet$`)
	logNameRE  = regexp.MustCompile(`^log-[0-9]{8,}\.elog$`)
)

func dataFileName(seq int64, i int) string { return fmt.Sprintf("data-%08d-%d.parquet", seq, i) }
func logFileName(seq int64) string         { return fmt.Sprintf("log-%08d.elog", seq) }

// isStoreFile reports whether base is a name this package writes into a table folder
// (and so may remove as garbage when the manifest does not reference it).
func isStoreFile(base string) bool {
	return base == manifestTmpName || dataNameRE.MatchString(base) || logNameRE.MatchString(base)
}

// manifest is one committed version of a table. It is immutable once published: writers
// build a new one, snapshots share the one they started with.
type manifest struct {
	seq      int64
	schema   *arrow.Schema
	defaults [][]byte // per column: the default as an Arrow IPC stream of one row, nil for NULL
	files    []*dataFile
	log      string // base name of the log file
}

// fileRows is the number of rows in the data files (the log is counted apart).
func (m *manifest) fileRows() int64 {
	var n int64
	for _, f := range m.files {
		n += f.rows
	}
	return n
}

// manifestJSON is the JSON form of manifest.json, version 1.
type manifestJSON struct {
	Format   string       `json:"format"`
	Version  int          `json:"version"`
	Sequence int64        `json:"sequence"`
	Columns  []columnJSON `json:"columns"`
	Files    []fileJSON   `json:"files"`
	Log      string       `json:"log"`
}

type columnJSON struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	Default  []byte `json:"default,omitempty"` // base64 in JSON
}

type fileJSON struct {
	Name    string `json:"name"`
	Rows    int64  `json:"rows"`
	Columns int    `json:"columns"`
	Bytes   int64  `json:"bytes"`
}

func (m *manifest) marshal() ([]byte, error) {
	mj := manifestJSON{Format: manifestFormat, Version: manifestVersion, Sequence: m.seq, Log: m.log,
		Files: make([]fileJSON, len(m.files))}
	for i, f := range m.schema.Fields() {
		typ, err := encodeType(f.Type)
		if err != nil {
			return nil, err
		}
		mj.Columns = append(mj.Columns, columnJSON{Name: f.Name, Type: typ, Nullable: f.Nullable, Default: m.defaults[i]})
	}
	for i, f := range m.files {
		mj.Files[i] = fileJSON{Name: f.name, Rows: f.rows, Columns: f.ncols, Bytes: f.bytes}
	}
	b, err := json.MarshalIndent(mj, "", "  ")
	if err != nil {
		return nil, errs.Internalf("encoding manifest: %v", err)
	}
	return append(b, '\n'), nil
}

// parseManifest decodes and validates manifest.json (path is for errors only).
func parseManifest(path string, data []byte) (*manifest, error) {
	bad := func(format string, args ...any) error {
		return errs.Execf("corrupt table manifest %s: %s", path, fmt.Sprintf(format, args...))
	}
	var mj manifestJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&mj); err != nil {
		return nil, bad("%v", err)
	}
	switch {
	case mj.Format != manifestFormat:
		return nil, bad("format is %q, want %q", mj.Format, manifestFormat)
	case mj.Version > manifestVersion:
		return nil, errs.Execf("table manifest %s has version %d: it was written by a newer Ember (this one reads up to version %d)",
			path, mj.Version, manifestVersion)
	case mj.Version < 1:
		return nil, bad("version %d", mj.Version)
	case mj.Sequence < 1:
		return nil, bad("sequence %d", mj.Sequence)
	case len(mj.Columns) == 0:
		return nil, bad("no columns")
	case !logNameRE.MatchString(mj.Log):
		return nil, bad("log file name %q", mj.Log)
	}
	m := &manifest{seq: mj.Sequence, log: mj.Log, defaults: make([][]byte, len(mj.Columns))}
	fields := make([]arrow.Field, len(mj.Columns))
	for i, c := range mj.Columns {
		t, err := decodeType(c.Type)
		if err != nil {
			return nil, bad("column %q: %v", c.Name, err)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: c.Nullable}
		if c.Default != nil {
			// Decoded once to validate it (on the Go heap: it is dropped at once); readers
			// decode it again with their own allocator.
			d, err := decodeDefault(fields[i], c.Default, memory.NewGoAllocator())
			if err != nil {
				return nil, bad("column %q: default: %v", c.Name, err)
			}
			d.Release()
			m.defaults[i] = c.Default
		}
	}
	m.schema = arrow.NewSchema(fields, nil)
	if err := checkSchema(m.schema); err != nil {
		return nil, bad("%v", err)
	}
	seen := map[string]bool{}
	for _, f := range mj.Files {
		switch {
		case !dataNameRE.MatchString(f.Name) || seen[f.Name]:
			return nil, bad("data file name %q", f.Name)
		case f.Rows < 0 || f.Bytes < 0:
			return nil, bad("data file %s: negative size", f.Name)
		case f.Columns < 1 || f.Columns > len(fields):
			return nil, bad("data file %s has %d columns, the table %d", f.Name, f.Columns, len(fields))
		}
		seen[f.Name] = true
		m.files = append(m.files, &dataFile{name: f.Name, rows: f.Rows, ncols: f.Columns, bytes: f.Bytes})
	}
	return m, nil
}

// checkSchema checks that every column has a name, unique regardless of case, and a type
// a table can store.
func checkSchema(s *arrow.Schema) error {
	if s == nil || s.NumFields() == 0 {
		return errs.Planf("a table needs at least one column")
	}
	seen := map[string]bool{}
	for _, f := range s.Fields() {
		if f.Name == "" {
			return errs.Planf("a table column needs a name")
		}
		if seen[strings.ToLower(f.Name)] {
			return errs.Planf("duplicate column name %q", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		if _, err := encodeType(f.Type); err != nil {
			return errs.NotImplementedf("column %q: %v", f.Name, err)
		}
	}
	return nil
}

// encodeType spells a storable type for the manifest. Only Ember's canonical types round
// trip through Parquet, so only they are storable (see doc.go).
func encodeType(t arrow.DataType) (string, error) {
	if elem := planner.ElemType(t); elem != nil {
		if planner.IsVector(t) {
			n := t.(*arrow.FixedSizeListType).Len()
			if !arrow.TypeEqual(t, planner.VectorOf(n)) {
				return "", fmt.Errorf("type %s cannot be stored in a table", planner.TypeString(t))
			}
			return fmt.Sprintf("VECTOR(%d)", n), nil
		}
		es, err := encodeType(elem)
		if err != nil || planner.IsNested(elem) || !arrow.TypeEqual(t, planner.ArrayOf(elem)) {
			return "", fmt.Errorf("type %s cannot be stored in a table", planner.TypeString(t))
		}
		return "ARRAY<" + es + ">", nil
	}
	for name, ct := range flatTypes {
		if arrow.TypeEqual(t, ct) {
			return name, nil
		}
	}
	if d, ok := t.(*arrow.Decimal128Type); ok && d.Precision >= 1 && d.Precision <= planner.MaxDecimalPrecision &&
		d.Scale >= 0 && d.Scale <= d.Precision {
		return fmt.Sprintf("DECIMAL(%d,%d)", d.Precision, d.Scale), nil
	}
	return "", fmt.Errorf("type %s cannot be stored in a table", planner.TypeString(t))
}

var flatTypes = map[string]arrow.DataType{
	"BOOLEAN": planner.Boolean, "TINYINT": planner.Int8, "SMALLINT": planner.Int16, "INT": planner.Int32,
	"BIGINT": planner.Int64, "FLOAT": planner.Float32, "DOUBLE": planner.Float64, "VARCHAR": planner.String,
	"DATE": planner.Date, "TIMESTAMP": planner.Timestamp,
}

// decodeType is the inverse of encodeType.
func decodeType(s string) (arrow.DataType, error) {
	if t, ok := flatTypes[s]; ok {
		return t, nil
	}
	if inner, ok := strings.CutPrefix(s, "ARRAY<"); ok && strings.HasSuffix(inner, ">") {
		elem, err := decodeType(inner[:len(inner)-1])
		if err != nil || planner.IsNested(elem) {
			return nil, fmt.Errorf("unknown type %q", s)
		}
		return planner.ArrayOf(elem), nil
	}
	if inner, ok := strings.CutPrefix(s, "VECTOR("); ok && strings.HasSuffix(inner, ")") {
		n, err := strconv.ParseInt(inner[:len(inner)-1], 10, 32)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("unknown type %q", s)
		}
		return planner.VectorOf(int32(n)), nil
	}
	if inner, ok := strings.CutPrefix(s, "DECIMAL("); ok && strings.HasSuffix(inner, ")") {
		ps, ss, ok := strings.Cut(inner[:len(inner)-1], ",")
		p, err1 := strconv.ParseInt(ps, 10, 32)
		sc, err2 := strconv.ParseInt(ss, 10, 32)
		if ok && err1 == nil && err2 == nil && p >= 1 && p <= planner.MaxDecimalPrecision && sc >= 0 && sc <= p {
			return &arrow.Decimal128Type{Precision: int32(p), Scale: int32(sc)}, nil
		}
	}
	return nil, fmt.Errorf("unknown type %q", s)
}

// encodeDefault serializes a one-row array as an Arrow IPC stream of one column named
// after the field.
func encodeDefault(f arrow.Field, def arrow.Array, mem memory.Allocator) ([]byte, error) {
	schema := arrow.NewSchema([]arrow.Field{{Name: f.Name, Type: f.Type, Nullable: true}}, nil)
	b := arrowBatch(schema, []arrow.Array{def}, 1)
	defer b.Release()
	return encodeIPC(schema, []arrow.RecordBatch{b}, mem)
}

// decodeDefault reads what encodeDefault wrote: a one-row array of f's type, allocated from
// mem and owned by the caller.
func decodeDefault(f arrow.Field, data []byte, mem memory.Allocator) (arrow.Array, error) {
	schema := arrow.NewSchema([]arrow.Field{{Name: f.Name, Type: f.Type, Nullable: true}}, nil)
	batches, err := decodeIPC(schema, data, mem)
	if err != nil {
		return nil, err
	}
	defer releaseAll(batches)
	if len(batches) != 1 || batches[0].NumRows() != 1 {
		return nil, fmt.Errorf("want one row")
	}
	d := batches[0].Column(0)
	d.Retain()
	return d, nil
}

// decodeIPC reads an Arrow IPC stream whose schema must equal schema (names, types,
// nullability); the batches are allocated from mem and owned by the caller.
func decodeIPC(schema *arrow.Schema, data []byte, mem memory.Allocator) (out []arrow.RecordBatch, err error) {
	r, err := ipc.NewReader(bytes.NewReader(data), ipc.WithAllocator(mem), ipc.WithSchema(schema))
	if err != nil {
		return nil, err
	}
	defer r.Release()
	defer func() {
		if p := recover(); p != nil {
			releaseAll(out)
			out, err = nil, fmt.Errorf("cannot decode: %v", p)
		}
	}()
	for r.Next() {
		b := r.RecordBatch()
		b.Retain()
		out = append(out, b)
	}
	if err := r.Err(); err != nil {
		releaseAll(out)
		return nil, err
	}
	return out, nil
}

// encodeIPC writes batches (of schema) as one Arrow IPC stream.
func encodeIPC(schema *arrow.Schema, batches []arrow.RecordBatch, mem memory.Allocator) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	for _, b := range batches {
		if err := w.Write(b); err != nil {
			w.Close()
			return nil, errs.Internalf("encoding rows as arrow ipc: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, errs.Internalf("encoding rows as arrow ipc: %v", err)
	}
	return buf.Bytes(), nil
}
