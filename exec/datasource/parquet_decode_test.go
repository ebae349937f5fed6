package datasource

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// decodeRow is a row of the file TestParquetDecodePaths writes: every fast path of the
// page decoders (decimals over INT32 and INT64, plain and dictionary-encoded; strings from
// dictionaries with empty values and values around the 16-byte copy chunk; optional
// columns whose pages have no NULL, some NULLs or only NULLs) next to its counterpart.
type decodeRow struct {
	ID      int64   `parquet:"id"`
	D32     *int32  `parquet:"d32,decimal(2:9),optional"`
	D32Dict *int32  `parquet:"d32_dict,decimal(2:9),optional,dict"`
	D64     *int64  `parquet:"d64,decimal(2:18),optional"`
	D64Dict *int64  `parquet:"d64_dict,decimal(2:18),optional,dict"`
	D64Req  int64   `parquet:"d64_req,decimal(3:15)"`
	SDict   *string `parquet:"s_dict,optional,dict"`
	SReq    string  `parquet:"s_req,dict"`
	SPlain  *string `parquet:"s_plain,optional"`
	Sparse  *int32  `parquet:"sparse,optional"` // NULL in a few rows only
	AllNull *int64  `parquet:"all_null,optional,dict"`
	I8      *int8   `parquet:"i8,optional"`
}

// decodeStrings are dictionary values of the lengths that matter to gatherStrings: empty,
// shorter than, equal to, and longer than one or several 16-byte chunks, and multi-byte
// UTF-8.
var decodeStrings = []string{"", "A", "TRUCK", "DELIVER IN PERSON", "0123456789abcdef",
	"0123456789abcdef0", strings.Repeat("long value ", 7), "héllo, wörld"}

func decodeRows(n int) []decodeRow {
	rows := make([]decodeRow, n)
	ptr := func(v int64) *int64 { return &v }
	for i := range rows {
		r := &rows[i]
		r.ID = int64(i)
		sign := int64(1 - 2*(i%2)) // alternating signs: the high word must sign-extend
		if i%5 != 0 {
			v32 := int32(sign * int64(i*997%999_999_999))
			r.D32 = &v32
			d := int32(sign * int64(i%7*12345))
			r.D32Dict = &d
		}
		if i%7 != 3 {
			r.D64 = ptr(sign * int64(i) * 1_000_000_007)
			r.D64Dict = ptr(sign * int64(i%9) * 100_000_000_000)
		}
		switch i % 11 {
		case 0:
			r.D64 = ptr(math.MinInt64)
		case 1:
			r.D64 = ptr(math.MaxInt64)
		}
		r.D64Req = sign * int64(i) * 31
		if i%4 != 2 {
			s := decodeStrings[i%len(decodeStrings)]
			r.SDict = &s
			p := fmt.Sprintf("plain-%d", i%17)
			if i%17 == 0 {
				p = ""
			}
			r.SPlain = &p
		}
		r.SReq = decodeStrings[(i/3)%len(decodeStrings)]
		if i < 1500 || i%400 != 123 {
			s := int32(i)
			r.Sparse = &s
		}
		if i%3 != 0 {
			v := int8(i % 256)
			r.I8 = &v
		}
	}
	return rows
}

// wantDecodeRow renders r as scan does.
func wantDecodeRow(r decodeRow) []string {
	dec := func(v int64, scale int32) string { return decimal128.FromI64(v).ToString(scale) }
	out := []string{strconv.FormatInt(r.ID, 10)}
	opt := func(ok bool, s func() string) {
		if !ok {
			out = append(out, "NULL")
			return
		}
		out = append(out, s())
	}
	opt(r.D32 != nil, func() string { return dec(int64(*r.D32), 2) })
	opt(r.D32Dict != nil, func() string { return dec(int64(*r.D32Dict), 2) })
	opt(r.D64 != nil, func() string { return dec(*r.D64, 2) })
	opt(r.D64Dict != nil, func() string { return dec(*r.D64Dict, 2) })
	out = append(out, dec(r.D64Req, 3))
	opt(r.SDict != nil, func() string { return *r.SDict })
	out = append(out, r.SReq)
	opt(r.SPlain != nil, func() string { return *r.SPlain })
	opt(r.Sparse != nil, func() string { return strconv.Itoa(int(*r.Sparse)) })
	opt(r.AllNull != nil, func() string { return strconv.FormatInt(*r.AllNull, 10) })
	opt(r.I8 != nil, func() string { return strconv.Itoa(int(*r.I8)) })
	return out
}

func TestParquetDecodePaths(t *testing.T) {
	rows := decodeRows(3000)
	path := writeRows(t, "decode.parquet", rows, decodeFileOptions...)
	want := make([][]string, len(rows))
	for i, r := range rows {
		want[i] = wantDecodeRow(r)
	}
	mem := checkedMem(t)
	src, err := NewParquet("decode", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := allColumns(src.ArrowSchema())
	for _, bs := range []int{1, 7, 100, 2000} {
		t.Run(fmt.Sprintf("batch=%d", bs), func(t *testing.T) {
			got, _ := scan(t, src, all, bs, mem)
			equalRows(t, got, want)
			// One column at a time: each decoder on its own page boundaries.
			for _, c := range all {
				got, _ := scan(t, src, []int{c}, bs, mem)
				equalRows(t, got, project(want, []int{c}))
			}
		})
	}
	// Null counts agree with the validity bitmaps, and a batch without NULLs has none.
	ctx := context.Background()
	splits, err := src.Splits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range splits {
		r, err := src.Open(ctx, sp, all, ReadOptions{BatchSize: 333, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		for {
			b, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			for c, col := range b.Columns() {
				nulls := 0
				for i := range col.Len() {
					if col.IsNull(i) {
						nulls++
					}
				}
				if nulls != col.NullN() {
					t.Errorf("column %d: NullN %d, %d NULL rows", c, col.NullN(), nulls)
				}
				if nulls == 0 && col.NullBitmapBytes() != nil {
					t.Errorf("column %d: a validity bitmap without NULLs", c)
				}
			}
			b.Release()
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCountValid(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 16, 17, 100} {
		for _, nullAt := range []int{-1, 0, 3, 8, n - 1} {
			defs := make([]byte, n)
			for i := range defs {
				defs[i] = 2
			}
			want := n
			if nullAt >= 0 && nullAt < n {
				defs[nullAt] = 1
				want--
			}
			if got := countValid(defs, 2); got != want {
				t.Errorf("n=%d null at %d: %d, want %d", n, nullAt, got, want)
			}
			if got := countValid(defs, 1); got != n-want {
				t.Errorf("n=%d null at %d, counting level 1: %d, want %d", n, nullAt, got, n-want)
			}
		}
	}
}

func TestCheckIndexes(t *testing.T) {
	tests := []struct {
		idx  []int32
		n    int
		fail string
	}{
		{nil, 0, ""},
		{[]int32{0, 1, 2, 2, 0}, 3, ""},
		{[]int32{0, 3}, 3, "index 3 out of range [0,3)"},
		{[]int32{1, -1}, 3, "index -1 out of range [0,3)"},
		{[]int32{0}, 0, "index 0 out of range [0,0)"},
	}
	for _, tt := range tests {
		err := checkIndexes("f.parquet", "c", tt.idx, tt.n)
		if tt.fail == "" {
			if err != nil {
				t.Errorf("%v < %d: %v", tt.idx, tt.n, err)
			}
			continue
		}
		wantErr(t, err, tt.fail, "f.parquet", `"c"`)
	}
}
