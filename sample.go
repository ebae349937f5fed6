package ember

import "embed"

// Sample holds the sample dataset of testdata/sample: a tiny TPC-H database, the iris
// table and a model that tells iris species (iris_species, made by make_iris_model.py). It
// is compiled into the binaries so that the shell can seed a new warehouse from anywhere,
// not only from a checkout.
//
//go:embed testdata/sample/tpch/*.parquet testdata/sample/iris.parquet testdata/sample/iris_species.json
var Sample embed.FS

// SampleModels maps each sample model's name to its file in Sample.
var SampleModels = map[string]string{
	"iris_species": "testdata/sample/iris_species.json",
}

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
