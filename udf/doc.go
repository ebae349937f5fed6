// Package udf owns Ember's function interfaces (scalar, aggregate, table), the function registry
// with per-session child registries, and the built-in function families.
//
// Place in the import table (DESIGN.md): udf is imported by sql/planner, the binder, exec and
// everything above; it must not import sql/*, exec, dataframe or ml.
//
// Functions compute over whole Arrow arrays; nothing here evaluates a row at a time through
// interface{}. Aggregates are grouped accumulators (GroupAccumulator) that the hash
// aggregate drives with dense group indexes, in a partial and a final phase.
//
// MapPartitions functions (partition.go) are PartitionFuncs registered by name
// (Registry.RegisterPartitionFunc): each reads one partition's batches (BatchReader) and
// writes batches of a declared schema (BatchWriter), with commit hooks (OnSuccess) that run
// once per task however often it was retried.
//
// Go functions as SQL functions (generic.go): Scalar1, Scalar2 and Scalar3 (and Scalar1E ...
// Scalar3E for functions returning an error) turn a plain Go function over int64, int32,
// float64, float32, bool and string (BIGINT, INT, DOUBLE, FLOAT, BOOLEAN, VARCHAR) into a
// vectorized ScalarFunction: NULL arguments give NULL without a call, arguments are read
// from the Arrow buffers in place, and the binder casts compatible arguments (an INT column
// to a float64 parameter). Options: WithDoc, WithVolatility. A session registers one with
// dataframe's Session.RegisterUDF:
//
//	s.RegisterUDF(udf.Scalar2("hypot2", func(a, b float64) float64 { return a*a + b*b },
//		udf.WithDoc("hypot2(a, b) is a² + b².")))
//
// Write a ScalarFunction by hand (as the built-ins do) for variadic or polymorphic
// functions, and a BatchedFunction (batched.go) for slow or remote ones.
//
// Feature vectors (vector.go, array.go): VECTOR(n) is a FixedSizeList<float32>[n] with a
// non-nullable element (VectorType, VectorDim); VectorMatrix views a vector column as one
// row-major float32 matrix without copying, the layout Model (model.go) takes. vector(x, ...)
// assembles numbers and vectors into one vector.
//
// Models (model.go, model_func.go): a Model predicts from row-major float32 features;
// NewModelFunction makes it a BatchedFunction (ModelFunction) taking the features as numbers
// or one VECTOR(n) and returning the prediction (DOUBLE, or a classifier's label: BIGINT when
// every label is an integer, else VARCHAR) or the class probabilities (ARRAY<DOUBLE>).
// dataframe's Session.RegisterModel registers both forms; package ml's ml_predict reaches
// models in the registry. A function that must see its call's constant arguments or column
// names at bind time (ml_predict's model name; the feature-order check) implements
// ConstArgBinder: the binder calls BindArgs and uses the function it returns.
//
// Registry.Functions and Registry.Lookup (list.go) list registrations with their kind and
// origin, for SHOW FUNCTIONS and DESCRIBE FUNCTION; functions with a fixed signature
// implement Signed.
//
// Table functions (table.go): a TableFunction is called in FROM with constant arguments
// (SELECT * FROM range(10) AS r(n), ... JOIN generate_series(1, 9, 2) g ON ...). Bind checks
// the arguments (Go values as planner.Literal holds them) and returns a FunctionTable: a
// schema and Parts() independent parts, each read by Read on its own goroutine and scan
// split, so a table function scans in parallel. Read hands batches to emit, which takes
// ownership of each. Built-ins (table_series.go): range (stop excluded, column id, as
// Spark's spark.range) and generate_series (stop included, as DuckDB), cut into up to 64
// parts of at least 65536 rows. Registry.RegisterTable, Table and TableNames hold them
// apart from scalar and aggregate functions; Functions and Lookup list them with kind
// "table".
//
// How to add a table function:
//  1. write a type implementing TableFunction whose Bind validates count and types with
//     errs.Planf naming the function and the argument, and a FunctionTable whose Read
//     builds each batch with arrow-go builders or filled buffers (no per-row interface{}),
//     returns emit's error at once and releases batches it did not emit; implement
//     CountedTable when the row count is known, and Signed for DESCRIBE FUNCTION;
//  2. a built-in gets one RegisterTable line in registerTableFunctions (table_series.go)
//     or its own family file; a session's own goes through dataframe's
//     Session.RegisterTableFunction;
//  3. add .slt cases under testdata/slt/functions/ (table_functions.slt).
//
// How to add a built-in function:
//  1. write its struct in the family file (aggregate.go, string.go, math.go, datetime.go);
//  2. add one registration line in that family's register function (listed in builtins.go);
//  3. add .slt cases under testdata/slt/functions/.
package udf
