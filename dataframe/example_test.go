package dataframe_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/udf"
)

type sale struct {
	Region string  `ember:"region"`
	Item   string  `ember:"item"`
	Qty    int64   `ember:"qty"`
	Price  float64 `ember:"price"`
}

var sales = []sale{
	{"north", "apple", 3, 0.5},
	{"north", "pear", 2, 0.75},
	{"south", "apple", 10, 0.5},
	{"south", "plum", 1, 2},
	{"east", "pear", 4, 0.75},
}

// newSession opens the in-memory session every example uses.
func newSession() *dataframe.Session {
	s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(2))
	if err != nil {
		panic(err)
	}
	return s
}

// A pipeline over Go structs: filter, a computed column, aggregates per group, a fixed
// order.
func Example_dataFrame() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	df, err := s.FromStructs(sales)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := df.Filter(dataframe.Col("qty").Gt(1)).
		WithColumn("revenue", dataframe.Col("qty").Multiply(dataframe.Col("price"))).
		GroupBy("region").
		Agg(dataframe.Sum("revenue").Alias("revenue"), dataframe.Count("*").Alias("sales")).
		OrderBy("region").
		CollectRows(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r...)
	}
	// Output:
	// east 3 1
	// north 3 2
	// south 5 1
}

// Reading a CSV file whose first line names the columns; the column types are inferred.
func ExampleSession_ReadCSV() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	dir, err := os.MkdirTemp("", "ember-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cities.csv")
	csv := "city,population\nParis,2103000\nLondon,8866000\nBerlin,3645000\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		fmt.Println(err)
		return
	}

	df, err := s.ReadCSV(path, dataframe.CSVOptions{Header: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := df.Count(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, "rows")
	big, err := df.Filter("population > 3000000").OrderBy("city").ShowString(ctx, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(big)
	// Output:
	// 3 rows
	// ┌─────────┬────────────┐
	// │  city   │ population │
	// │ varchar │   bigint   │
	// ├─────────┼────────────┤
	// │ Berlin  │    3645000 │
	// │ London  │    8866000 │
	// └─────────┴────────────┘
	// 2 rows
}

// An inner join on a condition over both inputs' "k" columns, each named through its
// DataFrame (customers.Col("k")), as after the join; columns whose names are unique across
// both sides may also be named plainly.
func ExampleDataFrame_Join() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	type customer struct {
		K    int64  `ember:"k"`
		Name string `ember:"name"`
	}
	type order struct {
		K      int64   `ember:"k"`
		Amount float64 `ember:"amount"`
	}
	customers, err := s.FromStructs([]customer{{1, "Ann"}, {2, "Ben"}, {3, "Cid"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	orders, err := s.FromStructs([]order{{1, 9.5}, {3, 20}, {1, 4}, {4, 7}})
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := customers.
		Join(orders, customers.Col("k").EqualTo(orders.Col("k")), "inner").
		OrderBy("name", "amount").
		Select(customers.Col("k"), dataframe.Col("name"), orders.Col("amount")).
		CollectRows(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r...)
	}
	// Output:
	// 1 Ann 4
	// 1 Ann 9.5
	// 3 Cid 20
}

// A cached DataFrame reads its source once, when the first action builds the cache;
// later actions read the cache.
func ExampleDataFrame_Cache() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	df, err := s.FromStructs(sales)
	if err != nil {
		fmt.Println(err)
		return
	}
	cached := df.Filter("qty > 1").Cache()
	before := s.Metrics()
	n, err := cached.Count(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	top, err := cached.OrderBy(dataframe.Col("qty").Desc()).First(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	after := s.Metrics()
	fmt.Println("rows:", n, "largest:", top[1], top[2])
	fmt.Println("source scans:", after.SourceScans-before.SourceScans)
	fmt.Println("cache scans:", after.CacheScans-before.CacheScans)
	// Output:
	// rows: 4 largest: apple 10
	// source scans: 1
	// cache scans: 2
}

// A batch function (Spark's mapInArrow) that doubles an int64 column into a new schema.
func ExampleDataFrame_MapPartitions() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	out := arrow.NewSchema([]arrow.Field{
		{Name: "item", Type: arrow.BinaryTypes.String},
		{Name: "qty2", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	// in belongs to the engine; the returned batch is handed over to it.
	err := s.RegisterBatchFunc("double_qty", func(pc *udf.PartitionContext, in arrow.RecordBatch) (arrow.RecordBatch, error) {
		qty := in.Column(1).(*array.Int64)
		b := array.NewInt64Builder(pc.Mem)
		defer b.Release()
		for i := 0; i < qty.Len(); i++ {
			b.Append(2 * qty.Value(i))
		}
		doubled := b.NewArray()
		defer doubled.Release()
		return array.NewRecordBatch(out, []arrow.Array{in.Column(0), doubled}, in.NumRows()), nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	df, err := s.FromStructs(sales)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := df.Select("item", "qty").MapBatches("double_qty", out).OrderBy("qty2").CollectRows(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r...)
	}
	// Output:
	// plum 2
	// pear 4
	// apple 6
	// pear 8
	// apple 20
}

// A batch function reads a broadcast lookup table on every partition.
func ExampleSession_Broadcast() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	codes := s.Broadcast(map[string]string{"north": "N", "south": "S"})
	out := arrow.NewSchema([]arrow.Field{
		{Name: "item", Type: arrow.BinaryTypes.String},
		{Name: "code", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	err := s.RegisterBatchFunc("region_code", func(pc *udf.PartitionContext, in arrow.RecordBatch) (arrow.RecordBatch, error) {
		m, err := dataframe.BroadcastValue[map[string]string](codes)
		if err != nil {
			return nil, err
		}
		regions := in.Column(1).(*array.String)
		b := array.NewStringBuilder(pc.Mem)
		defer b.Release()
		for i := 0; i < regions.Len(); i++ {
			if c, ok := m[regions.Value(i)]; ok {
				b.Append(c)
			} else {
				b.AppendNull()
			}
		}
		col := b.NewArray()
		defer col.Release()
		return array.NewRecordBatch(out, []arrow.Array{in.Column(0), col}, in.NumRows()), nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	df, err := s.FromStructs(sales)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := df.Select("item", "region").MapBatches("region_code", out).OrderBy("item", "code").CollectRows(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r...)
	}
	// Output:
	// apple N
	// apple S
	// pear <nil>
	// pear N
	// plum S
}

// An accumulator counts the rows a partition function sees; ForeachPartition runs it on
// every partition and each task's additions are applied once, when the task succeeds.
func ExampleSession_Accumulator() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	seen, err := s.Accumulator("rows_seen", dataframe.CounterAccumulator)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = s.RegisterPartitionFunc("count_rows", func(pc *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		for {
			b, err := in.Next()
			if err != nil || b == nil {
				return err
			}
			if err := seen.Add(pc, float64(b.NumRows())); err != nil {
				return err
			}
		}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	df, err := s.FromStructs(sales)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := df.ForeachPartition(ctx, "count_rows"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rows seen:", seen.Count())
	// Output:
	// rows seen: 5
}
