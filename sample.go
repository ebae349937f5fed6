package ember

import "embed"

// Sample holds the sample dataset of testdata/sample: a tiny TPC-H database and the iris
// table. It is compiled into the binaries so that the shell can seed a new warehouse from
// anywhere, not only from a checkout.
//
//go:embed testdata/sample/tpch/*.parquet testdata/sample/iris.parquet
var Sample embed.FS

// SampleTables maps each sample table's name to its file in Sample.
var SampleTables = map[string]string{
	"lineitem": "testdata/sample/tpch/lineitem.parquet",
	"orders":   "testdata/sample/tpch/orders.parquet",
	"customer": "testdata/sample/tpch/customer.parquet",
	"part":     "testdata/sample/tpch/part.parquet",
	"partsupp": "testdata/sample/tpch/partsupp.parquet",
	"supplier": "testdata/sample/tpch/supplier.parquet",
	"nation":   "testdata/sample/tpch/nation.parquet",
	"region":   "testdata/sample/tpch/region.parquet",
	"iris":     "testdata/sample/iris.parquet",
}
