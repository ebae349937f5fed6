package datasource

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/sql/planner"
)

// lineitemLike is a TPC-H lineitem-shaped schema: keys, decimals, low-cardinality
// strings, dates and a comment.
var lineitemLike = arrow.NewSchema([]arrow.Field{
	{Name: "l_orderkey", Type: planner.Int64},
	{Name: "l_quantity", Type: planner.Decimal(15, 2)},
	{Name: "l_extendedprice", Type: planner.Decimal(15, 2)},
	{Name: "l_returnflag", Type: planner.String},
	{Name: "l_shipdate", Type: planner.Date},
	{Name: "l_comment", Type: planner.String, Nullable: true},
}, nil)

func lineitemBatches(mem memory.Allocator, rows, batch int) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	flags := []string{"A", "N", "R"}
	for start := 0; start < rows; start += batch {
		b := array.NewRecordBuilder(mem, lineitemLike)
		for r := start; r < min(rows, start+batch); r++ {
			b.Field(0).(*array.Int64Builder).Append(int64(r / 4))
			b.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r%50+1) * 100))
			b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r*7919) % 10_000_000))
			b.Field(3).(*array.StringBuilder).Append(flags[r%3])
			b.Field(4).(*array.Date32Builder).Append(arrow.Date32(8000 + r%2500))
			if r%10 == 0 {
				b.Field(5).AppendNull()
			} else {
				b.Field(5).(*array.StringBuilder).Append("carefully final deposits " + strconv.Itoa(r%1000))
			}
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return out
}

func BenchmarkParquetScan(b *testing.B) {
	const rows = 1 << 20
	mem := memory.DefaultAllocator
	batches := lineitemBatches(mem, rows, 1<<16)
	var buf bytes.Buffer
	if err := WriteParquet(&buf, lineitemLike, batches, WriteOptions{DataPageVersion: 1}); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "lineitem.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	src, err := NewParquet("lineitem", path, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, cols := range [][]int{{0, 1, 2, 3, 4, 5}, {2}, {3}} {
		b.Run(fmt.Sprint(cols), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := scanCount(b, src, cols, mem)
				if n != rows {
					b.Fatalf("%d rows", n)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		})
	}
}

func BenchmarkCSVScan(b *testing.B) {
	const rows = 1 << 18
	var buf bytes.Buffer
	buf.WriteString("l_orderkey,l_quantity,l_extendedprice,l_returnflag,l_shipdate,l_comment\n")
	for r := range rows {
		fmt.Fprintf(&buf, "%d,%d.00,%d.%02d,%s,2001-%02d-%02d,\"carefully, final deposits %d\"\n",
			r/4, r%50+1, r%100000, r%100, []string{"A", "N", "R"}[r%3], r%12+1, r%28+1, r%1000)
	}
	path := filepath.Join(b.TempDir(), "lineitem.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	src, err := NewCSV("lineitem", path, map[string]string{"header": "true"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if n := scanCount(b, src, []int{0, 1, 2, 3, 4, 5}, memory.DefaultAllocator); n != rows {
			b.Fatalf("%d rows", n)
		}
	}
}

func scanCount(b *testing.B, src Source, cols []int, mem memory.Allocator) int {
	ctx := context.Background()
	splits, err := src.Splits(ctx)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, sp := range splits {
		r, err := src.Open(ctx, sp, cols, ReadOptions{Mem: mem})
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if rec == nil {
				break
			}
			n += int(rec.NumRows())
			rec.Release()
		}
		r.Close()
	}
	return n
}
