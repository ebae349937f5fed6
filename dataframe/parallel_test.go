package dataframe_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/format"
)

// TestParallelScanMatchesSinglePartition runs queries over a Parquet file of several
// million rows in 12 row groups with two partitions (both cores) and with one, and checks
// that the plan really has several partitions and that the answers are equal.
func TestParallelScanMatchesSinglePartition(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a multi-million-row file")
	}
	const rows, perBatch = 3_000_000, 100_000
	path := filepath.Join(t.TempDir(), "big.parquet")
	writeBig(t, path, rows, perBatch)

	queries := []string{
		"SELECT g, count(*), sum(k), min(k), max(k), count(DISTINCT k % 1000) FROM big GROUP BY g ORDER BY g",
		"SELECT count(*), sum(CAST(v AS DECIMAL(18,4))), avg(k) FROM big WHERE k % 3 = 0", // float sums depend on order; decimals do not
		"SELECT a.g, count(*) FROM big a JOIN (SELECT g, max(k) AS m FROM big GROUP BY g) b ON a.g = b.g AND a.k = b.m GROUP BY a.g ORDER BY a.g",
		"SELECT k, v FROM big ORDER BY v DESC, k LIMIT 5",
	}
	var answers [2][]string
	for i, parts := range []int{2, 1} {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(parts), dataframe.WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		run(t, s, "CREATE TABLE big USING parquet LOCATION '"+path+"'")
		plan := run(t, s, "EXPLAIN "+queries[0])
		if parts == 2 && !strings.Contains(plan, "Scan: big [k, g] splits=12 [any(2)]") {
			t.Fatalf("with 2 partitions the scan should run as 2 partitions over 12 row groups:\n%s", plan)
		}
		for _, q := range queries {
			answers[i] = append(answers[i], run(t, s, q))
		}
		mem.AssertSize(t, 0)
	}
	for i := range queries {
		if answers[0][i] != answers[1][i] {
			t.Errorf("%s\ntwo partitions:\n%s\none partition:\n%s", queries[i], answers[0][i], answers[1][i])
		}
		if len(answers[0][i]) < 10 {
			t.Errorf("%s: suspiciously small answer %q", queries[i], answers[0][i])
		}
	}
}

// run executes sql and renders its result as CSV.
func run(t *testing.T, s *dataframe.Session, sql string) string {
	t.Helper()
	r, err := s.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer r.Release()
	if r.Schema == nil {
		return r.Message
	}
	var b strings.Builder
	if err := format.Write(&b, format.CSV, r.Schema, r.Batches, format.Options{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// writeBig writes rows (k BIGINT = 0..rows-1, g BIGINT = k % 97, v DOUBLE = (k*7919) % 100003 / 7)
// in row groups of 250,000 rows.
func writeBig(t *testing.T, path string, rows, perBatch int) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "g", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	var batches []arrow.RecordBatch
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	for start := 0; start < rows; start += perBatch {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for k := start; k < start+perBatch; k++ {
			b.Field(0).(*array.Int64Builder).Append(int64(k))
			b.Field(1).(*array.Int64Builder).Append(int64(k % 97))
			b.Field(2).(*array.Float64Builder).Append(float64((k*7919)%100003) / 7)
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := datasource.WriteParquet(f, schema, batches, datasource.WriteOptions{RowGroupSize: 250_000}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
