package datasource

import (
	"encoding/binary"
	"io"
	"math"
	"reflect"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// DefaultRowGroupSize is the number of rows per row group WriteParquet writes by default
// (DuckDB's default).
const DefaultRowGroupSize = 122880

// writeChunk is how many values WriteParquet hands parquet-go at a time. parquet-go cuts
// a page when its buffer has passed the page size at the end of a call, so a chunk is
// also at most PageSize/64 values when PageSize is set, to keep pages near that size.
const writeChunk = 1024

// WriteOptions configure WriteParquet.
type WriteOptions struct {
	// RowGroupSize is the number of rows per row group; DefaultRowGroupSize when <= 0.
	RowGroupSize int
	// Compression is "snappy" (the default when empty), "zstd", "gzip" or "none".
	Compression string
	// PlainStrings writes STRING columns PLAIN-encoded instead of dictionary-encoded.
	PlainStrings bool
	// DataPageVersion is 1 or 2 (the default when 0). DuckDB and Spark write version 1.
	DataPageVersion int
	// PageSize is the target size of a data page in bytes before compression; parquet-go's
	// default (256 KiB) when <= 0.
	PageSize int
}

// WriteParquet writes batches, which must all have the given schema, as one Parquet file
// to w, cutting row groups every opts.RowGroupSize rows. It does not release the batches.
//
// Type mapping: BOOLEAN; TINYINT and SMALLINT as INT32 with INT(8|16); INT as INT32;
// BIGINT as INT64; FLOAT; DOUBLE; STRING as BYTE_ARRAY (STRING), dictionary-encoded
// unless opts.PlainStrings; DATE as INT32 (DATE); TIMESTAMP as INT64 TIMESTAMP(MICROS,
// not UTC-adjusted) (millisecond and nanosecond Arrow timestamps keep their unit, second
// ones are written as millis); DECIMAL(p,s) as INT32 when p <= 9, INT64 when p <= 18, else
// FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold p digits; ARRAY<T> as a 3-level LIST
// of OPTIONAL T; VECTOR(n) as a LIST of REQUIRED FLOAT. Nullable fields are OPTIONAL
// columns, others REQUIRED (a NULL in one is an error).
func WriteParquet(w io.Writer, schema *arrow.Schema, batches []arrow.RecordBatch, opts WriteOptions) (err error) {
	if opts.RowGroupSize <= 0 {
		opts.RowGroupSize = DefaultRowGroupSize
	}
	codec, err := parquetCodec(opts.Compression)
	if err != nil {
		return err
	}
	switch opts.DataPageVersion {
	case 0:
		opts.DataPageVersion = 2
	case 1, 2:
	default:
		return errs.Planf("parquet data page version must be 1 or 2, got %d", opts.DataPageVersion)
	}
	cols := make([]writeColumn, schema.NumFields())
	root := make(orderedGroup, schema.NumFields())
	for i, f := range schema.Fields() {
		node, wc, err := parquetNode(f, opts)
		if err != nil {
			return err
		}
		wc.index = i
		cols[i] = wc
		root[i] = orderedField{Node: node, name: f.Name}
	}
	defer func() {
		if r := recover(); r != nil { // parquet-go panics on some misconfigurations
			err = errs.Internalf("writing parquet: %v", r)
		}
	}()
	wopts := []parquet.WriterOption{parquet.NewSchema("schema", root), parquet.Compression(codec),
		parquet.DataPageVersion(opts.DataPageVersion), parquet.CreatedBy("ember", "", "")}
	if opts.PageSize > 0 {
		wopts = append(wopts, parquet.PageBufferSize(opts.PageSize))
	}
	pw := parquet.NewWriter(w, wopts...)
	chunk := writeChunk
	if opts.PageSize > 0 {
		chunk = min(chunk, max(1, opts.PageSize/64))
	}
	inGroup := 0
	var vals []parquet.Value
	var scratch []byte
	for bi, b := range batches {
		if err := checkBatchSchema(schema, b); err != nil {
			return errs.Wrap(errs.ErrExecution, err, "writing parquet batch %d", bi)
		}
		nrows := int(b.NumRows())
		for off := 0; off < nrows; {
			k := min(nrows-off, opts.RowGroupSize-inGroup)
			writers := pw.ColumnWriters()
			for i := range cols {
				for c := 0; c < k; c += chunk {
					m := min(chunk, k-c)
					vals, scratch, err = cols[i].values(vals[:0], scratch[:0], b.Column(i), off+c, m)
					if err != nil {
						return err
					}
					if _, err := writers[i].WriteRowValues(vals); err != nil {
						return errs.Wrap(errs.ErrExecution, err, "writing parquet column %q", schema.Field(i).Name)
					}
				}
			}
			off += k
			if inGroup += k; inGroup == opts.RowGroupSize {
				if err := pw.Flush(); err != nil {
					return errs.Wrap(errs.ErrExecution, err, "writing parquet row group")
				}
				inGroup = 0
			}
		}
	}
	if err := pw.Close(); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "writing parquet")
	}
	return nil
}

func checkBatchSchema(schema *arrow.Schema, b arrow.RecordBatch) error {
	if int(b.NumCols()) != schema.NumFields() {
		return errs.Internalf("batch has %d columns, schema has %d", b.NumCols(), schema.NumFields())
	}
	for i, f := range schema.Fields() {
		if !arrow.TypeEqual(b.Column(i).DataType(), f.Type) {
			return errs.Internalf("column %q is %s in a batch, %s in the schema", f.Name, b.Column(i).DataType(), f.Type)
		}
	}
	return nil
}

func parquetCodec(name string) (compress.Codec, error) {
	switch strings.ToLower(name) {
	case "", "snappy":
		return &parquet.Snappy, nil
	case "zstd":
		return &parquet.Zstd, nil
	case "gzip":
		return &parquet.Gzip, nil
	case "none", "uncompressed":
		return &parquet.Uncompressed, nil
	}
	return nil, errs.Planf("unknown parquet compression %q (known: snappy, zstd, gzip, none)", name)
}

// writeColumn turns the values of one Arrow column into parquet-go values.
type writeColumn struct {
	name     string
	index    int  // leaf column index
	optional bool // OPTIONAL: definition level 1 for values, 0 for NULLs
	kind     writeKind
	mul      int64 // timestamps: multiplier to the written unit
	width    int   // FIXED_LEN_BYTE_ARRAY decimals: bytes per value
	// For an ARRAY or VECTOR column, written as a 3-level LIST: kind, mul and width are
	// the element's; elemOptional says whether elements may be NULL.
	list, elemOptional bool
}

type writeKind uint8

const (
	writeBool writeKind = iota
	writeInt8
	writeInt16
	writeInt32
	writeInt64
	writeFloat32
	writeFloat64
	writeString
	writeDate
	writeTimestamp
	writeDecimal32
	writeDecimal64
	writeDecimalFixed
)

// parquetNode maps an Arrow field to a Parquet node and its value writer. An ARRAY<T> is a
// LIST of OPTIONAL T, a VECTOR(n) a LIST of REQUIRED FLOAT (read back as ARRAY<FLOAT>).
func parquetNode(f arrow.Field, opts WriteOptions) (parquet.Node, writeColumn, error) {
	if elem := planner.ElemType(f.Type); elem != nil {
		elemNullable := !planner.IsVector(f.Type)
		node, wc, err := parquetNode(arrow.Field{Name: f.Name, Type: elem, Nullable: elemNullable}, opts)
		if err != nil || wc.list {
			return nil, wc, errs.NotImplementedf("writing column %q of type %s to parquet is not supported",
				f.Name, planner.TypeString(f.Type))
		}
		wc.list, wc.elemOptional, wc.optional = true, elemNullable, f.Nullable
		node = parquet.List(node)
		if f.Nullable {
			node = parquet.Optional(node)
		} else {
			node = parquet.Required(node)
		}
		return node, wc, nil
	}
	wc := writeColumn{name: f.Name, optional: f.Nullable, mul: 1}
	var node parquet.Node
	switch t := f.Type.(type) {
	case *arrow.BooleanType:
		node, wc.kind = parquet.Leaf(parquet.BooleanType), writeBool
	case *arrow.Int8Type:
		node, wc.kind = parquet.Int(8), writeInt8
	case *arrow.Int16Type:
		node, wc.kind = parquet.Int(16), writeInt16
	case *arrow.Int32Type:
		node, wc.kind = parquet.Leaf(parquet.Int32Type), writeInt32
	case *arrow.Int64Type:
		node, wc.kind = parquet.Leaf(parquet.Int64Type), writeInt64
	case *arrow.Float32Type:
		node, wc.kind = parquet.Leaf(parquet.FloatType), writeFloat32
	case *arrow.Float64Type:
		node, wc.kind = parquet.Leaf(parquet.DoubleType), writeFloat64
	case *arrow.StringType:
		node, wc.kind = parquet.String(), writeString
		if !opts.PlainStrings {
			node = parquet.Encoded(node, &parquet.RLEDictionary)
		}
	case *arrow.Date32Type:
		node, wc.kind = parquet.Date(), writeDate
	case *arrow.TimestampType:
		wc.kind = writeTimestamp
		switch t.Unit {
		case arrow.Second:
			node, wc.mul = parquet.TimestampAdjusted(parquet.Millisecond, false), 1000
		case arrow.Millisecond:
			node = parquet.TimestampAdjusted(parquet.Millisecond, false)
		case arrow.Microsecond:
			node = parquet.TimestampAdjusted(parquet.Microsecond, false)
		case arrow.Nanosecond:
			node = parquet.TimestampAdjusted(parquet.Nanosecond, false)
		}
	case *arrow.Decimal128Type:
		p, s := int(t.Precision), int(t.Scale)
		switch {
		case p <= 9:
			node, wc.kind = parquet.Decimal(s, p, parquet.Int32Type), writeDecimal32
		case p <= 18:
			node, wc.kind = parquet.Decimal(s, p, parquet.Int64Type), writeDecimal64
		default:
			wc.width = decimalBytes(p)
			node, wc.kind = parquet.Decimal(s, p, parquet.FixedLenByteArrayType(wc.width)), writeDecimalFixed
		}
	}
	if node == nil {
		return nil, wc, errs.NotImplementedf("writing column %q of type %s to parquet is not supported",
			f.Name, planner.TypeString(f.Type))
	}
	if f.Nullable {
		node = parquet.Optional(node)
	} else {
		node = parquet.Required(node)
	}
	return node, wc, nil
}

// decimalBytes is the fewest bytes of two's complement that hold every p-digit integer.
func decimalBytes(p int) int {
	return int(math.Ceil((float64(p)*math.Log2(10) + 1) / 8))
}

// values appends the parquet values of rows [off, off+n) of arr to vals. Byte values
// point into arr's buffers or into scratch (returned, to be reused), which must stay
// unchanged until parquet-go has copied them.
func (wc *writeColumn) values(vals []parquet.Value, scratch []byte, arr arrow.Array, off, n int) ([]parquet.Value, []byte, error) {
	if wc.list {
		return wc.listValues(vals, scratch, arr, off, n)
	}
	def := 0
	if wc.optional {
		def = 1
	}
	for i := off; i < off+n; i++ {
		if arr.IsNull(i) {
			if !wc.optional {
				return nil, nil, errs.Execf("writing parquet column %q: NULL in a non-nullable column", wc.name)
			}
			vals = append(vals, parquet.NullValue().Level(0, 0, wc.index))
			continue
		}
		var v parquet.Value
		v, scratch = wc.value(arr, i, scratch)
		vals = append(vals, v.Level(0, def, wc.index))
	}
	return vals, scratch, nil
}

// listValues is values for an ARRAY or VECTOR column: per row, one entry for a NULL (level
// 0) or empty (level 1 when the list is OPTIONAL, else 0) list, else one per element,
// repetition level 0 for the first and 1 for the others.
func (wc *writeColumn) listValues(vals []parquet.Value, scratch []byte, arr arrow.Array, off, n int) ([]parquet.Value, []byte, error) {
	defList := 0
	if wc.optional {
		defList = 1
	}
	defElem := defList + 1
	maxDef := defElem
	if wc.elemOptional {
		maxDef++
	}
	offs, child, _ := udf.ListOffsets(arr)
	for i := off; i < off+n; i++ {
		switch {
		case arr.IsNull(i):
			if !wc.optional {
				return nil, nil, errs.Execf("writing parquet column %q: NULL in a non-nullable column", wc.name)
			}
			vals = append(vals, parquet.NullValue().Level(0, 0, wc.index))
			continue
		case offs[i] == offs[i+1]:
			vals = append(vals, parquet.NullValue().Level(0, defList, wc.index))
			continue
		}
		for j := int(offs[i]); j < int(offs[i+1]); j++ {
			rep := 1
			if j == int(offs[i]) {
				rep = 0
			}
			if child.IsNull(j) {
				if !wc.elemOptional {
					return nil, nil, errs.Execf("writing parquet column %q: NULL element in a list of non-nullable elements", wc.name)
				}
				vals = append(vals, parquet.NullValue().Level(rep, defElem, wc.index))
				continue
			}
			var v parquet.Value
			v, scratch = wc.value(child, j, scratch)
			vals = append(vals, v.Level(rep, maxDef, wc.index))
		}
	}
	return vals, scratch, nil
}

// value converts the non-NULL value i of arr (of the column's leaf type). A
// FIXED_LEN_BYTE_ARRAY decimal is written into scratch, which is returned grown; earlier
// values keep pointing at their bytes.
func (wc *writeColumn) value(arr arrow.Array, i int, scratch []byte) (parquet.Value, []byte) {
	switch wc.kind {
	case writeBool:
		return parquet.BooleanValue(arr.(*array.Boolean).Value(i)), scratch
	case writeInt8:
		return parquet.Int32Value(int32(arr.(*array.Int8).Value(i))), scratch
	case writeInt16:
		return parquet.Int32Value(int32(arr.(*array.Int16).Value(i))), scratch
	case writeInt32:
		return parquet.Int32Value(arr.(*array.Int32).Value(i)), scratch
	case writeInt64:
		return parquet.Int64Value(arr.(*array.Int64).Value(i)), scratch
	case writeFloat32:
		return parquet.FloatValue(arr.(*array.Float32).Value(i)), scratch
	case writeFloat64:
		return parquet.DoubleValue(arr.(*array.Float64).Value(i)), scratch
	case writeString:
		s := arr.(*array.String).Value(i)
		return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s))), scratch
	case writeDate:
		return parquet.Int32Value(int32(arr.(*array.Date32).Value(i))), scratch
	case writeTimestamp:
		return parquet.Int64Value(int64(arr.(*array.Timestamp).Value(i)) * wc.mul), scratch
	case writeDecimal32:
		return parquet.Int32Value(int32(arr.(*array.Decimal128).Value(i).LowBits())), scratch
	case writeDecimal64:
		return parquet.Int64Value(int64(arr.(*array.Decimal128).Value(i).LowBits())), scratch
	}
	// writeDecimalFixed
	d := arr.(*array.Decimal128).Value(i)
	var be [16]byte
	binary.BigEndian.PutUint64(be[:8], uint64(d.HighBits()))
	binary.BigEndian.PutUint64(be[8:], d.LowBits())
	start := len(scratch)
	scratch = append(scratch, be[16-wc.width:]...)
	return parquet.FixedLenByteArrayValue(scratch[start:len(scratch):len(scratch)]), scratch
}

// orderedGroup is a Parquet group node whose fields keep the order given (parquet.Group
// sorts them by name).
type orderedGroup []orderedField

type orderedField struct {
	parquet.Node
	name string
}

func (f orderedField) Name() string { return f.name }

// Value is only used by parquet-go's reflection-based row writer, which WriteParquet does
// not use.
func (f orderedField) Value(reflect.Value) reflect.Value { return reflect.Value{} }

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }
func (g orderedGroup) Fields() []parquet.Field {
	fields := make([]parquet.Field, len(g))
	for i := range g {
		fields[i] = g[i]
	}
	return fields
}

func (g orderedGroup) String() string {
	var b strings.Builder
	b.WriteString("group {")
	for i, f := range g {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(" " + f.name + " " + f.Node.String())
	}
	b.WriteString(" }")
	return b.String()
}
