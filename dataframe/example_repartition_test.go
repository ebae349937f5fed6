package dataframe_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/udf"
)

// Repartition by a column puts all the rows of each region in one of three partitions, so
// a partition function sees whole regions; Coalesce(1) then merges the partitions into one
// without a shuffle.
func ExampleDataFrame_Repartition() {
	ctx := context.Background()
	s := newSession() // two partitions
	defer s.Close()

	// partition_regions writes one row per region its partition holds, and one "" row for
	// the partition itself (so that a partition with no rows still shows).
	out := arrow.NewSchema([]arrow.Field{{Name: "region", Type: arrow.BinaryTypes.String}}, nil)
	err := s.RegisterPartitionFunc("partition_regions", func(pc *udf.PartitionContext, in udf.BatchReader, w udf.BatchWriter) error {
		seen := map[string]bool{"": true}
		for {
			b, err := in.Next() // owned by the reader
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			regions := b.Column(0).(*array.String)
			for i := 0; i < regions.Len(); i++ {
				seen[regions.Value(i)] = true
			}
		}
		bld := array.NewStringBuilder(pc.Mem)
		defer bld.Release()
		for r := range seen {
			bld.Append(r)
		}
		col := bld.NewArray()
		defer col.Release()
		b := array.NewRecordBatch(out, []arrow.Array{col}, int64(col.Len()))
		defer b.Release() // Write keeps its own reference
		return w.Write(b)
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
	show := func(title string, d *dataframe.DataFrame) {
		// How many partitions hold each region ("" counts the partitions).
		rows, err := d.Select("region").MapPartitions("partition_regions", out).
			GroupBy("region").Agg(dataframe.Count("*").Alias("partitions")).OrderBy("region").CollectRows(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(title)
		for _, r := range rows {
			fmt.Printf("  %q in %d\n", r[0], r[1])
		}
	}
	byRegion := df.Repartition(3, "region")
	show("Repartition(3, region):", byRegion)
	show("then Coalesce(1):", byRegion.Coalesce(1))
	// Output:
	// Repartition(3, region):
	//   "" in 3
	//   "east" in 1
	//   "north" in 1
	//   "south" in 1
	// then Coalesce(1):
	//   "" in 1
	//   "east" in 1
	//   "north" in 1
	//   "south" in 1
}
