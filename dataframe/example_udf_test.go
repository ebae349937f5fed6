package dataframe_test

import (
	"context"
	"fmt"
	"math"

	"github.com/embersql/ember/udf"
)

// A Go function becomes a SQL function in one line with udf.Scalar2: Ember calls it once
// per row over whole Arrow batches, skips rows with a NULL argument, and casts integer
// columns to its float64 parameters.
func ExampleSession_RegisterUDF() {
	ctx := context.Background()
	s := newSession()
	defer s.Close()

	err := s.RegisterUDF(udf.Scalar2("hypot", func(a, b float64) float64 { return math.Hypot(a, b) },
		udf.WithDoc("hypot(a, b): the length of the hypotenuse, √(a² + b²).")))
	if err != nil {
		fmt.Println(err)
		return
	}
	df, err := s.SQL(ctx, `SELECT qty, hypot(qty, 4) AS h FROM (
		SELECT 3 AS qty UNION ALL SELECT 0 UNION ALL SELECT NULL) t ORDER BY qty`)
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, err := df.CollectRows(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r...)
	}
	res, err := s.Exec(ctx, "DESCRIBE FUNCTION hypot")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Release()
	sig, text := res.Batches[0].Column(4), res.Batches[0].Column(5)
	fmt.Println(sig.ValueStr(0))
	fmt.Println(text.ValueStr(0))
	// Output:
	// <nil> <nil>
	// 0 4
	// 3 5
	// hypot(DOUBLE, DOUBLE) -> DOUBLE
	// hypot(a, b): the length of the hypotenuse, √(a² + b²).
}
