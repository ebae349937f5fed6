package datasource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// allTypesSchema has one column of every Ember type, and the decimal widths that take
// each Parquet physical type (INT32, INT64, FIXED_LEN_BYTE_ARRAY of 9 and 16 bytes).
var allTypesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "b", Type: planner.Boolean, Nullable: true},
	{Name: "i8", Type: planner.Int8, Nullable: true},
	{Name: "i16", Type: planner.Int16, Nullable: true},
	{Name: "i32", Type: planner.Int32, Nullable: true},
	{Name: "i64", Type: planner.Int64, Nullable: true},
	{Name: "f32", Type: planner.Float32, Nullable: true},
	{Name: "f64", Type: planner.Float64, Nullable: true},
	{Name: "d5", Type: planner.Decimal(5, 2), Nullable: true},
	{Name: "d15", Type: planner.Decimal(15, 3), Nullable: true},
	{Name: "d20", Type: planner.Decimal(20, 0), Nullable: true},
	{Name: "d38", Type: planner.Decimal(38, 10), Nullable: true},
	{Name: "s", Type: planner.String, Nullable: true},
	{Name: "dt", Type: planner.Date, Nullable: true},
	{Name: "ts", Type: planner.Timestamp, Nullable: true},
	{Name: "req", Type: planner.Int64},
	{Name: "rs", Type: planner.String},
}, nil)

// genBatch builds n rows of allTypesSchema from row number start: column j of row r is
// NULL when (r+j) % 7 == 0 (nullable columns only); the values are simple functions of r.
func genBatch(mem memory.Allocator, start, n int) arrow.RecordBatch {
	bld := array.NewRecordBuilder(mem, allTypesSchema)
	defer bld.Release()
	words := []string{"apple", "banana", "", "cherry", "dürüm", "elderberry"}
	for r := start; r < start+n; r++ {
		for j, f := range allTypesSchema.Fields() {
			fb := bld.Field(j)
			if f.Nullable && (r+j)%7 == 0 {
				fb.AppendNull()
				continue
			}
			neg := 1 - 2*(r%2) // alternate signs
			switch b := fb.(type) {
			case *array.BooleanBuilder:
				b.Append(r%3 == 0)
			case *array.Int8Builder:
				b.Append(int8(r % 256))
			case *array.Int16Builder:
				b.Append(int16(r * 131 * neg))
			case *array.Int32Builder:
				b.Append(int32(r * 100003 * neg))
			case *array.Int64Builder:
				b.Append(int64(r) * 1e12 * int64(neg))
			case *array.Float32Builder:
				b.Append(float32(r) / 8 * float32(neg))
			case *array.Float64Builder:
				b.Append(float64(r) * 1.25e-3 * float64(neg))
			case *array.Decimal128Builder:
				p := f.Type.(*arrow.Decimal128Type).Precision
				v := decimal128.FromI64(int64(r*7919) % 99999 * int64(neg))
				if p >= 20 { // exercise the high 64 bits
					v = v.Mul(decimal128.FromI64(1e15)).Add(decimal128.FromI64(int64(r)))
				}
				b.Append(v)
			case *array.StringBuilder:
				if r%5 == 4 {
					b.Append("unique-" + strconv.Itoa(r))
				} else {
					b.Append(words[r%len(words)])
				}
			case *array.Date32Builder:
				b.Append(arrow.Date32((r - 500) * 37))
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(int64(r-500) * 3_600_000_123))
			}
		}
	}
	return bld.NewRecordBatch()
}

func writeParquetFile(t *testing.T, path string, schema *arrow.Schema, batches []arrow.RecordBatch, opts WriteOptions) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteParquet(&buf, schema, batches, opts); err != nil {
		t.Fatalf("WriteParquet: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParquetRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		opts      WriteOptions
		sizes     []int // rows per written batch
		dict      bool  // the string column chunks are dictionary-encoded
		manyPages bool  // the first column chunk has more than one data page
	}{
		{"defaults", WriteOptions{}, []int{300}, true, false},
		{"plain v1 zstd", WriteOptions{PlainStrings: true, DataPageVersion: 1, Compression: "zstd"}, []int{120, 1, 179}, false, false},
		{"tiny row groups uncompressed", WriteOptions{Compression: "none", RowGroupSize: 7}, []int{50, 50}, true, false},
		{"small pages gzip v1", WriteOptions{Compression: "gzip", DataPageVersion: 1, RowGroupSize: 1000, PageSize: 512, PlainStrings: true}, []int{2500}, false, true},
		{"small pages dictionary v2", WriteOptions{RowGroupSize: 333, PageSize: 256}, []int{1000}, true, true},
	}
	projections := [][]int{
		allColumns(allTypesSchema),
		{11, 1, 10, 14}, // s, i8, d38, req: a subset in another order
		{3, 3},          // a column twice
		{},              // rows only
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			var batches []arrow.RecordBatch
			var want [][]string
			total := 0
			for _, n := range tc.sizes {
				b := genBatch(mem, total, n)
				defer b.Release()
				batches = append(batches, b)
				want = append(want, batchRows(b)...)
				total += n
			}
			path := filepath.Join(t.TempDir(), "t.parquet")
			writeParquetFile(t, path, allTypesSchema, batches, tc.opts)
			dict, pages := inspectChunk(t, path, 11)
			if dict != tc.dict || (pages > 1) != tc.manyPages {
				t.Fatalf("string column: dictionary %v, %d data pages; the test wants %v, many pages %v", dict, pages, tc.dict, tc.manyPages)
			}
			src, err := NewParquet("t", path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !src.ArrowSchema().Equal(allTypesSchema) {
				t.Fatalf("schema:\n%s\nwant:\n%s", src.ArrowSchema(), allTypesSchema)
			}
			splits, err := src.Splits(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			rg := tc.opts.RowGroupSize
			if rg == 0 {
				rg = DefaultRowGroupSize
			}
			if wantSplits := (total + rg - 1) / rg; len(splits) != wantSplits {
				t.Fatalf("%d splits, want %d row groups", len(splits), wantSplits)
			}
			if got := splits[0].String(); got != "t.parquet rg 0" {
				t.Fatalf("split name %q", got)
			}
			for _, cols := range projections {
				for _, bs := range []int{1, 5, 64, 8192} {
					got, _ := scan(t, src, cols, bs, mem)
					if len(cols) == 0 {
						if len(got) != total {
							t.Fatalf("columns %v batch %d: %d rows, want %d", cols, bs, len(got), total)
						}
						continue
					}
					equalRows(t, got, project(want, cols))
				}
			}
		})
	}
}

// inspectChunk reports whether column col of the first row group of a file has a
// dictionary page, and how many data pages it has.
func inspectChunk(t *testing.T, path string, col int) (dict bool, pages int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	cc := pf.RowGroups()[0].ColumnChunks()[col]
	dict = pf.Metadata().RowGroups[0].Columns[col].MetaData.DictionaryPageOffset != 0
	pp := cc.Pages()
	defer pp.Close()
	for {
		p, err := pp.ReadPage()
		if err != nil {
			break
		}
		if p.Dictionary() != nil != dict {
			t.Fatalf("page dictionary %v, chunk dictionary %v", p.Dictionary() != nil, dict)
		}
		pages++
		parquet.Release(p)
	}
	return dict, pages
}

// TestParquetValues checks decoded values against literals, including extremes.
func TestParquetValues(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i8", Type: planner.Int8, Nullable: true},
		{Name: "i64", Type: planner.Int64, Nullable: true},
		{Name: "d5", Type: planner.Decimal(5, 2), Nullable: true},
		{Name: "d38", Type: planner.Decimal(38, 10), Nullable: true},
		{Name: "s", Type: planner.String, Nullable: true},
		{Name: "dt", Type: planner.Date, Nullable: true},
		{Name: "ts", Type: planner.Timestamp, Nullable: true},
	}, nil)
	// BIGINT extremes are JSON strings: Arrow's FromJSON reads JSON numbers as float64.
	b := recordFromJSON(t, mem, schema, `[
		{"i8": -128, "i64": "-9223372036854775808", "d5": "-999.99", "d38": "-9999999999999999999999999999.9999999999", "s": "", "dt": "1969-12-31", "ts": "1969-12-31T23:59:59.999999"},
		{"i8": 127, "i64": "9223372036854775807", "d5": "999.99", "d38": "1234567890123456789012345678.0123456789", "s": "héllo, wörld", "dt": "2024-02-29", "ts": "2024-02-29T12:34:56.000001"},
		{"i8": null, "i64": null, "d5": null, "d38": null, "s": null, "dt": null, "ts": null}
	]`)
	defer b.Release()
	path := filepath.Join(t.TempDir(), "v.parquet")
	writeParquetFile(t, path, schema, []arrow.RecordBatch{b}, WriteOptions{})
	src, err := NewParquet("v", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := scan(t, src, allColumns(schema), 10, mem)
	equalRows(t, got, [][]string{
		{"-128", "-9223372036854775808", "-999.99", "-9999999999999999999999999999.9999999999", "", "1969-12-31", "1969-12-31 23:59:59.999999"},
		{"127", "9223372036854775807", "999.99", "1234567890123456789012345678.0123456789", "héllo, wörld", "2024-02-29", "2024-02-29 12:34:56.000001"},
		{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
	})
}

// TestParquetGoWriter reads files written by parquet-go's own row writer, with dictionary
// encoding on every column, version 1 pages (as DuckDB writes them) and the logical types
// WriteParquet does not produce: unsigned integers, millisecond and nanosecond timestamps,
// INT96, BYTE_ARRAY decimals.
func TestParquetGoWriter(t *testing.T) {
	type row struct {
		ID    int64            `parquet:"id,dict"`
		Name  string           `parquet:"name,dict"`
		Note  *string          `parquet:"note,optional,dict"`
		Small int32            `parquet:"small,decimal(2:5),dict"`
		Price int64            `parquet:"price,decimal(2:12),dict"`
		Day   int32            `parquet:"day,date,dict"`
		TsMs  int64            `parquet:"ts_ms,timestamp(millisecond),dict"`
		TsNs  int64            `parquet:"ts_ns,timestamp(nanosecond)"`
		U8    uint8            `parquet:"u8,uint(8)"`
		U16   uint16           `parquet:"u16,uint(16)"`
		U32   uint32           `parquet:"u32,uint(32)"`
		U64   uint64           `parquet:"u64,uint(64)"`
		Old   deprecated.Int96 `parquet:"old"`
		Flag  *bool            `parquet:"flag,optional"`
		F32   float32          `parquet:"f32,dict"`
	}
	note := "a note"
	yes := true
	// 2009-03-01 00:01:00.5 UTC is Julian day 2454892, 60.5 s into the day.
	int96 := deprecated.Int96{uint32(60_500_000_000 & 0xFFFFFFFF), uint32(60_500_000_000 >> 32), 2454892}
	rows := make([]row, 0, 3000)
	for i := range 3000 {
		r := row{ID: int64(i % 10), Name: fmt.Sprintf("name-%d", i%13), Small: int32(i%100 - 50), Price: int64(i) * 12345,
			Day: int32(i - 1000), TsMs: int64(i) * 1001, TsNs: int64(i)*1_000_001_999 - 5_000_000_000, U8: uint8(i), U16: uint16(i * 31),
			U32: uint32(math.MaxUint32 - i), U64: math.MaxUint64 - uint64(i), Old: int96, F32: float32(i % 4)}
		if i%3 == 0 {
			r.Note = &note
		}
		if i%4 == 0 {
			r.Flag = &yes
		}
		rows = append(rows, r)
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf, parquet.DataPageVersion(1), parquet.PageBufferSize(2048),
		parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(1100))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pg.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	mem := checkedMem(t)
	src, err := NewParquet("pg", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []arrow.DataType{planner.Int64, planner.String, planner.String, planner.Decimal(5, 2),
		planner.Decimal(12, 2), planner.Date, planner.Timestamp, planner.Timestamp, planner.Int16, planner.Int32,
		planner.Int64, planner.Decimal(20, 0), planner.Timestamp, planner.Boolean, planner.Float32}
	for i, f := range src.ArrowSchema().Fields() {
		if !arrow.TypeEqual(f.Type, wantTypes[i]) {
			t.Fatalf("column %s is %s, want %s", f.Name, f.Type, wantTypes[i])
		}
	}
	splits, _ := src.Splits(context.Background())
	if len(splits) != 3 {
		t.Fatalf("%d splits, want 3 row groups of at most 1100 rows", len(splits))
	}
	got, _ := scan(t, src, allColumns(src.ArrowSchema()), 500, mem)
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i, r := range rows {
		noteWant := "NULL"
		if r.Note != nil {
			noteWant = *r.Note
		}
		flagWant := "NULL"
		if r.Flag != nil {
			flagWant = "true"
		}
		want := []string{
			strconv.FormatInt(r.ID, 10), r.Name, noteWant,
			decimal128.FromI64(int64(r.Small)).ToString(2), decimal128.FromI64(r.Price).ToString(2),
			time.Unix(int64(r.Day)*86400, 0).UTC().Format("2006-01-02"),
			tsString(r.TsMs * 1000), tsString(floorDiv(r.TsNs, 1000)),
			strconv.Itoa(int(r.U8)), strconv.Itoa(int(r.U16)), strconv.FormatUint(uint64(r.U32), 10),
			strconv.FormatUint(r.U64, 10), "2009-03-01 00:01:00.5", flagWant, strconv.FormatFloat(float64(r.F32), 'g', -1, 32),
		}
		equalRows(t, got[i:i+1], [][]string{want})
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// TestParquetByteArrayDecimal writes DECIMAL over BYTE_ARRAY (big-endian two's complement
// of varying length) with parquet-go's column writer and reads it back.
func TestParquetByteArrayDecimal(t *testing.T) {
	root := orderedGroup{{Node: parquet.Optional(parquet.Decimal(3, 30, parquet.ByteArrayType)), name: "d"}}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, parquet.NewSchema("s", root))
	values := []parquet.Value{
		parquet.ByteArrayValue([]byte{0x01}).Level(0, 1, 0),                  // 0.001
		parquet.ByteArrayValue([]byte{0xFF}).Level(0, 1, 0),                  // -0.001
		parquet.NullValue().Level(0, 0, 0),                                   // NULL
		parquet.ByteArrayValue([]byte{0x30, 0x39}).Level(0, 1, 0),            // 12.345
		parquet.ByteArrayValue([]byte{0xCF, 0xC7}).Level(0, 1, 0),            // -12.345
		parquet.ByteArrayValue(bytes.Repeat([]byte{0x7F}, 1)).Level(0, 1, 0), // 0.127
		// 10^29 + 1 = 0x01_431E0FAE_6D7217CA_A0000001 (13 bytes): 100000000000000000000000000.001
		parquet.ByteArrayValue([]byte{0x01, 0x43, 0x1E, 0x0F, 0xAE, 0x6D, 0x72, 0x17, 0xCA, 0xA0, 0x00, 0x00, 0x01}).Level(0, 1, 0),
		parquet.ByteArrayValue([]byte{}).Level(0, 1, 0), // an empty array is 0
	}
	if _, err := w.ColumnWriters()[0].WriteRowValues(values); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bad.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	mem := checkedMem(t)
	src, err := NewParquet("d", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := scan(t, src, []int{0}, 3, mem)
	equalRows(t, got, [][]string{{"0.001"}, {"-0.001"}, {"NULL"}, {"12.345"}, {"-12.345"}, {"0.127"},
		{"100000000000000000000000000.001"}, {"0.000"}})
}

// TestParquetExternal reads files written by other Parquet implementations (see
// parquet-go module's testdata, read in place by externalDir). Values are those documented for apache/parquet-testing.
func TestParquetExternal(t *testing.T) {
	alltypes := [][]string{ // id, bool_col, tinyint_col, bigint_col, float_col, double_col, date_string_col, string_col, timestamp_col
		{"4", "true", "0", "0", "0", "0", "03/01/09", "0", "2009-03-01 00:00:00"},
		{"5", "false", "1", "10", "1.1", "10.1", "03/01/09", "1", "2009-03-01 00:01:00"},
		{"6", "true", "0", "0", "0", "0", "04/01/09", "0", "2009-04-01 00:00:00"},
		{"7", "false", "1", "10", "1.1", "10.1", "04/01/09", "1", "2009-04-01 00:01:00"},
		{"2", "true", "0", "0", "0", "0", "02/01/09", "0", "2009-02-01 00:00:00"},
		{"3", "false", "1", "10", "1.1", "10.1", "02/01/09", "1", "2009-02-01 00:01:00"},
		{"0", "true", "0", "0", "0", "0", "01/01/09", "0", "2009-01-01 00:00:00"},
		{"1", "false", "1", "10", "1.1", "10.1", "01/01/09", "1", "2009-01-01 00:01:00"},
	}
	alltypesCols := []int{0, 1, 2, 5, 6, 7, 8, 9, 10}
	decimals := func(scale int) [][]string {
		var rows [][]string
		for i := 1; i <= 24; i++ {
			rows = append(rows, []string{decimal128.FromI64(int64(i) * 100).ToString(int32(scale))})
		}
		return rows
	}
	tests := []struct {
		file string
		cols []int
		want [][]string
	}{
		{"alltypes_plain.parquet", alltypesCols, alltypes},
		{"alltypes_dictionary.parquet", alltypesCols, alltypes[6:]},
		{"alltypes_plain.snappy.parquet", alltypesCols, [][]string{
			{"6", "true", "0", "0", "0", "0", "04/01/09", "0", "2009-04-01 00:00:00"},
			{"7", "false", "1", "10", "1.1", "10.1", "04/01/09", "1", "2009-04-01 00:01:00"},
		}},
		{"int32_decimal.parquet", []int{0}, decimals(2)},
		{"int64_decimal.parquet", []int{0}, decimals(2)},
		{"fixed_length_decimal.parquet", []int{0}, decimals(2)},
		{"fixed_length_decimal_legacy.parquet", []int{0}, decimals(2)},
		{"byte_array_decimal.parquet", []int{0}, decimals(2)},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			mem := checkedMem(t)
			src, err := NewParquet("x", filepath.Join(externalDir(t), tc.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, bs := range []int{1, 3, 1024} {
				got, _ := scan(t, src, tc.cols, bs, mem)
				equalRows(t, got, tc.want)
			}
		})
	}
}

// TestParquetAgainstRowReader compares the columnar decoder with parquet-go's own
// row-oriented reader on files using encodings WriteParquet does not (DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, RLE booleans).
func TestParquetAgainstRowReader(t *testing.T) {
	for _, file := range []string{"delta_binary_packed.parquet", "delta_length_byte_array.parquet",
		"rle_boolean_encoding.parquet", "alltypes_plain.parquet", "single_nan.parquet"} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(externalDir(t), file)
			want := rowReaderRows(t, path)
			mem := checkedMem(t)
			src, err := NewParquet("x", path, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := scan(t, src, allColumns(src.ArrowSchema()), 37, mem)
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("%d rows, row reader has %d", len(got), len(want))
			}
			for i := range got {
				for j := range got[i] {
					if got[i][j] != want[i][j] {
						t.Fatalf("row %d column %d: %q, row reader %q", i, j, got[i][j], want[i][j])
					}
				}
			}
		})
	}
}

// rowReaderRows reads a flat file with parquet-go's row API, rendering values the way
// Arrow's ValueStr renders the types they map to (INT96 and strings aside, which the
// files used here render the same way).
func rowReaderRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	fields := pf.Schema().Fields()
	r := parquet.NewReader(pf)
	defer r.Close()
	var out [][]string
	buf := make([]parquet.Row, 64)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			cells := make([]string, len(fields))
			for _, v := range row {
				c := v.Column()
				switch {
				case v.IsNull():
					cells[c] = "NULL"
				case v.Kind() == parquet.Int96:
					x := v.Int96()
					us := (int64(x[2])-julianUnixEpoch)*microsPerDay + int64(uint64(x[1])<<32|uint64(x[0]))/1000
					cells[c] = tsString(us)
				case v.Kind() == parquet.Float:
					cells[c] = strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
				case v.Kind() == parquet.Double:
					cells[c] = strconv.FormatFloat(v.Double(), 'g', -1, 64)
				case v.Kind() == parquet.Boolean:
					cells[c] = strconv.FormatBool(v.Boolean())
				case v.Kind() == parquet.Int32:
					cells[c] = strconv.FormatInt(int64(v.Int32()), 10)
				case v.Kind() == parquet.Int64:
					cells[c] = strconv.FormatInt(v.Int64(), 10)
				default:
					cells[c] = string(v.ByteArray())
				}
			}
			out = append(out, cells)
		}
		if err != nil {
			break
		}
	}
	return out
}

func TestParquetDirectory(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	b1 := genBatch(mem, 0, 10)
	defer b1.Release()
	b2 := genBatch(mem, 10, 25)
	defer b2.Release()
	// Hive-style partition folders are read as plain folders; hidden and _ files skipped.
	writeParquetFile(t, filepath.Join(dir, "k=2", "part-0.parquet"), allTypesSchema, []arrow.RecordBatch{b2}, WriteOptions{RowGroupSize: 20})
	writeParquetFile(t, filepath.Join(dir, "k=1", "part-0.parquet"), allTypesSchema, []arrow.RecordBatch{b1}, WriteOptions{})
	writeFile(t, dir, "_SUCCESS", "")
	writeFile(t, dir, ".part-0.parquet.crc", "junk")
	writeFile(t, dir, "README.txt", "not parquet")
	src, err := NewParquet("dir", dir, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	splits, _ := src.Splits(context.Background())
	var names []string
	for _, s := range splits {
		names = append(names, s.String())
	}
	if fmt.Sprint(names) != "[k=1/part-0.parquet rg 0 k=2/part-0.parquet rg 0 k=2/part-0.parquet rg 1]" {
		t.Fatalf("splits %v", names)
	}
	if fs := splits[2].(*FileSplit); fs.Rows != 5 || fs.RowGroup != 1 {
		t.Fatalf("split %+v", fs)
	}
	got, _ := scan(t, src, []int{4, 11}, 8, mem)
	want := project(append(batchRows(b1), batchRows(b2)...), []int{4, 11})
	equalRows(t, got, want)
}

func TestParquetErrors(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	b := genBatch(mem, 0, 3)
	defer b.Release()
	writeParquetFile(t, filepath.Join(dir, "mixed", "a.parquet"), allTypesSchema, []arrow.RecordBatch{b}, WriteOptions{})
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: planner.Int64}}, nil)
	ob := recordFromJSON(t, mem, other, `[{"x": 1}]`)
	defer ob.Release()
	writeParquetFile(t, filepath.Join(dir, "mixed", "b.parquet"), other, []arrow.RecordBatch{ob}, WriteOptions{})
	renamed := arrow.NewSchema(append(append([]arrow.Field(nil), allTypesSchema.Fields()[:15]...),
		arrow.Field{Name: "renamed", Type: planner.String}), nil)
	rb := array.NewRecordBatch(renamed, b.Columns(), b.NumRows())
	defer rb.Release()
	writeParquetFile(t, filepath.Join(dir, "renamed", "a.parquet"), allTypesSchema, []arrow.RecordBatch{b}, WriteOptions{})
	writeParquetFile(t, filepath.Join(dir, "renamed", "b.parquet"), renamed, []arrow.RecordBatch{rb}, WriteOptions{})
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "garbage.parquet", "this is not a parquet file at all")

	tests := []struct {
		name  string
		path  string
		opts  map[string]string
		kind  error
		frags []string
	}{
		{"missing", filepath.Join(dir, "nope.parquet"), nil, errs.ErrExecution, []string{"no such file or directory: " + filepath.Join(dir, "nope.parquet")}},
		{"empty dir", filepath.Join(dir, "empty"), nil, errs.ErrExecution, []string{"no parquet files in directory"}},
		{"column count", filepath.Join(dir, "mixed"), nil, errs.ErrExecution, []string{"b.parquet has 1 columns", "a.parquet has 16"}},
		{"column name", filepath.Join(dir, "renamed"), nil, errs.ErrExecution, []string{"b.parquet column 16 is renamed VARCHAR", "rs VARCHAR"}},
		{"not parquet", filepath.Join(dir, "garbage.parquet"), nil, errs.ErrExecution, []string{"garbage.parquet"}},
		{"nested", filepath.Join(externalDir(t), "nested_lists.snappy.parquet"), nil, errs.ErrNotImplemented, []string{"nested_lists.snappy.parquet", `column "a"`, "nested"}},
		{"null type", filepath.Join(externalDir(t), "null_columns.parquet"), nil, errs.ErrNotImplemented, []string{"null_columns.parquet", `column "value"`}},
		{"option", filepath.Join(dir, "mixed", "a.parquet"), map[string]string{"mergeSchema": "true"}, errs.ErrPlan, []string{`unknown parquet option "mergeSchema"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewParquet("t", tc.path, tc.opts)
			wantErr(t, err, tc.frags...)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v is not %v", err, tc.kind)
			}
		})
	}
}

// TestParquetOpenChecks covers Open's argument checks and a file changed under a source.
func TestParquetOpenChecks(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	b := genBatch(mem, 0, 20)
	defer b.Release()
	path := filepath.Join(dir, "a.parquet")
	writeParquetFile(t, path, allTypesSchema, []arrow.RecordBatch{b}, WriteOptions{RowGroupSize: 10})
	src, err := NewParquet("t", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	splits, _ := src.Splits(ctx)
	if _, err := src.Open(ctx, splits[0], []int{16}, ReadOptions{}); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("ordinal out of range: %v", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := src.Open(canceled, splits[0], []int{0}, ReadOptions{}); !errors.Is(err, errs.ErrCanceled) {
		t.Fatalf("canceled: %v", err)
	}
	// Rewrite the file with one row group: the second split no longer exists.
	writeParquetFile(t, path, allTypesSchema, []arrow.RecordBatch{b}, WriteOptions{})
	_, err = src.Open(ctx, splits[1], []int{0}, ReadOptions{Mem: mem})
	wantErr(t, err, "changed after the table was created", "row group 1")
}

func TestWriteParquetErrors(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "u", Type: arrow.PrimitiveTypes.Uint8}}, nil)
	err := WriteParquet(&bytes.Buffer{}, schema, nil, WriteOptions{})
	wantErr(t, err, `column "u"`, "TINYINT UNSIGNED")
	if !errors.Is(err, errs.ErrNotImplemented) {
		t.Fatalf("kind: %v", err)
	}
	err = WriteParquet(&bytes.Buffer{}, allTypesSchema, nil, WriteOptions{Compression: "lzma"})
	wantErr(t, err, `unknown parquet compression "lzma"`)
	// A NULL in a non-nullable column.
	strict := arrow.NewSchema([]arrow.Field{{Name: "x", Type: planner.Int64}}, nil)
	loose := arrow.NewSchema([]arrow.Field{{Name: "x", Type: planner.Int64, Nullable: true}}, nil)
	b := recordFromJSON(t, mem, loose, `[{"x": 1}, {"x": null}]`)
	defer b.Release()
	err = WriteParquet(&bytes.Buffer{}, strict, []arrow.RecordBatch{b}, WriteOptions{})
	wantErr(t, err, `column "x"`, "NULL in a non-nullable column")
}

// TestParquetDictionaryFallback reads a column chunk whose first pages are
// dictionary-encoded and whose later pages are PLAIN, as writers produce when the
// dictionary outgrows its limit.
func TestParquetDictionaryFallback(t *testing.T) {
	root := orderedGroup{
		{Node: parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary)), name: "s"},
		{Node: parquet.Encoded(parquet.Leaf(parquet.Int64Type), &parquet.RLEDictionary), name: "n"},
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, parquet.NewSchema("s", root), parquet.DictionaryMaxBytes(200), parquet.PageBufferSize(100))
	var want [][]string
	for chunk := range 40 {
		var ss, ns []parquet.Value
		for i := range 10 {
			r := chunk*10 + i
			if r%6 == 0 {
				ss = append(ss, parquet.NullValue().Level(0, 0, 0))
				want = append(want, []string{"NULL", strconv.Itoa(r % 3)})
			} else {
				s := fmt.Sprintf("value-%d", r)
				ss = append(ss, parquet.ByteArrayValue([]byte(s)).Level(0, 1, 0))
				want = append(want, []string{s, strconv.Itoa(r % 3)})
			}
			ns = append(ns, parquet.Int64Value(int64(r%3)).Level(0, 0, 1))
		}
		if _, err := w.ColumnWriters()[0].WriteRowValues(ss); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ColumnWriters()[1].WriteRowValues(ns); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fallback.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The test is only meaningful if the chunk really mixes both kinds of pages.
	f, _ := os.Open(path)
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	pp := pf.RowGroups()[0].ColumnChunks()[0].Pages()
	kinds := map[bool]int{}
	for {
		p, err := pp.ReadPage()
		if err != nil {
			break
		}
		kinds[p.Dictionary() != nil]++
	}
	pp.Close()
	if kinds[true] == 0 || kinds[false] == 0 {
		t.Fatalf("pages with a dictionary: %d, without: %d; want both", kinds[true], kinds[false])
	}

	mem := checkedMem(t)
	src, err := NewParquet("f", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bs := range []int{1, 7, 1000} {
		got, _ := scan(t, src, []int{0, 1}, bs, mem)
		equalRows(t, got, want)
	}
}

// TestParquetNoRows reads a file with no row groups: the schema, no splits.
func TestParquetNoRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.parquet")
	writeParquetFile(t, path, allTypesSchema, nil, WriteOptions{})
	src, err := NewParquet("e", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !src.ArrowSchema().Equal(allTypesSchema) {
		t.Fatalf("schema %s", src.ArrowSchema())
	}
	if splits, err := src.Splits(context.Background()); err != nil || len(splits) != 0 {
		t.Fatalf("splits %v, %v", splits, err)
	}
}

// TestParquetConcurrentSplits scans every split of one source at once, as the scheduler
// does, and checks that together they return every row once.
func TestParquetConcurrentSplits(t *testing.T) {
	mem := checkedMem(t)
	b := genBatch(mem, 0, 1000)
	defer b.Release()
	path := filepath.Join(t.TempDir(), "c.parquet")
	writeParquetFile(t, path, allTypesSchema, []arrow.RecordBatch{b}, WriteOptions{RowGroupSize: 100, PageSize: 1024})
	src, err := NewParquet("c", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	splits, _ := src.Splits(ctx)
	results := make([][][]string, len(splits))
	errc := make(chan error, len(splits))
	for i, sp := range splits {
		go func() {
			r, err := src.Open(ctx, sp, allColumns(allTypesSchema), ReadOptions{BatchSize: 33, Mem: mem})
			if err != nil {
				errc <- err
				return
			}
			defer r.Close()
			for {
				rec, err := r.Next()
				if err != nil || rec == nil {
					errc <- err
					return
				}
				results[i] = append(results[i], batchRows(rec)...)
				rec.Release()
			}
		}()
	}
	for range splits {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	var got [][]string
	for _, r := range results {
		got = append(got, r...)
	}
	equalRows(t, got, batchRows(b))
}

// externalDir is the folder of Parquet files written by other implementations (Impala,
// parquet-mr, parquet-cpp; Apache's parquet-testing collection) that ships in the testdata of
// the parquet-go module Ember depends on. They are read in place from the module cache,
// never copied into this repository.
func externalDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/parquet-go/parquet-go").Output()
	if err != nil {
		t.Fatalf("locating the parquet-go module: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "testdata")
	if _, err := os.Stat(filepath.Join(dir, "alltypes_plain.parquet")); err != nil {
		t.Fatalf("parquet-go's test files are missing: %v", err)
	}
	return dir
}
