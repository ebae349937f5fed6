package udf

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// The built-in table functions: integer series.
//
//	range([start, ]stop[, step])            id BIGINT NOT NULL: start, start+step, ... while
//	                                        < stop (> stop for a negative step), as Spark's
//	                                        spark.range (DuckDB's range, with Spark's column)
//	generate_series([start, ]stop[, step])  generate_series BIGINT NOT NULL: the same up to
//	                                        stop inclusive, as DuckDB and PostgreSQL
//
// start defaults to 0 and step to 1; step 0 is a plan error; a range that runs away from
// stop is empty. Values never overflow: the row count is computed in unsigned arithmetic
// first, and a series of more than 2^63-1 rows is a plan error.
//
// Parts: the rows are cut into contiguous runs of at least seriesRowsPerPart rows, at most
// seriesMaxParts of them (min(ceil(rows / 65536), 64), at least 1), so range(1000000) is
// read by 16 tasks in parallel and a small range by one.

const (
	seriesRowsPerPart = 1 << 16
	seriesMaxParts    = 64
	// seriesBatchSize is the batch size when Read is given none.
	seriesBatchSize = 8192
)

func registerTableFunctions(r *Registry) {
	r.RegisterTable(&seriesFunction{name: "range", column: "id"})
	r.RegisterTable(&seriesFunction{name: "generate_series", column: "generate_series", inclusive: true})
}

// seriesFunction is range (exclusive stop) or generate_series (inclusive stop).
type seriesFunction struct {
	name, column string
	inclusive    bool
}

func (f *seriesFunction) Name() string           { return f.name }
func (f *seriesFunction) Volatility() Volatility { return Immutable }

func (f *seriesFunction) Doc() string {
	bound, like := "excluding stop, as Spark's spark.range", "range(3) is 0, 1, 2"
	if f.inclusive {
		bound, like = "including stop, as DuckDB and PostgreSQL", "generate_series(1, 3) is 1, 2, 3"
	}
	return fmt.Sprintf("%s([start, ]stop[, step]): a table of one BIGINT column %s holding start, start + step, ... up to stop, %s (%s). start defaults to 0 and step to 1; a negative step counts down; step 0 is an error. Read in parallel, in up to %d parts.",
		f.name, f.column, bound, like, seriesMaxParts)
}

// Signature implements Signed.
func (f *seriesFunction) Signature() string {
	return fmt.Sprintf("%s([start BIGINT, ]stop BIGINT[, step BIGINT]) -> TABLE(%s BIGINT NOT NULL)", f.name, f.column)
}

// Bind implements TableFunction: one to three BIGINT arguments, none NULL, step not 0.
func (f *seriesFunction) Bind(_ context.Context, args []any) (FunctionTable, error) {
	var names []string
	switch len(args) {
	case 1:
		names = []string{"stop"}
	case 2:
		names = []string{"start", "stop"}
	case 3:
		names = []string{"start", "stop", "step"}
	default:
		return nil, errs.Planf("%s takes 1 to 3 arguments ([start, ]stop[, step]), got %d", f.name, len(args))
	}
	vals := make([]int64, len(args))
	for i, a := range args {
		v, ok := a.(int64)
		switch {
		case a == nil:
			return nil, errs.Planf("%s: argument %d (%s) must not be NULL", f.name, i+1, names[i])
		case !ok:
			return nil, errs.Planf("%s: argument %d (%s) must be an integer, got %s", f.name, i+1, names[i], ValueTypeName(a))
		}
		vals[i] = v
	}
	start, stop, step := int64(0), vals[0], int64(1)
	if len(vals) > 1 {
		start, stop = vals[0], vals[1]
	}
	if len(vals) > 2 {
		step = vals[2]
	}
	if step == 0 {
		return nil, errs.Planf("%s: argument 3 (step) must not be 0", f.name)
	}
	rows, ok := seriesRows(start, stop, step, f.inclusive)
	if !ok {
		return nil, errs.Planf("%s(%d, %d, %d) has more than %d rows", f.name, start, stop, step, int64(math.MaxInt64))
	}
	parts := int(min((rows+seriesRowsPerPart-1)/seriesRowsPerPart, seriesMaxParts))
	schema := arrow.NewSchema([]arrow.Field{{Name: f.column, Type: arrow.PrimitiveTypes.Int64}}, nil)
	return &seriesTable{schema: schema, start: start, step: step, rows: rows, parts: max(parts, 1)}, nil
}

// seriesRows counts the values of a series; ok is false past math.MaxInt64 rows. Unsigned
// differences cannot overflow: |stop - start| < 2^64.
func seriesRows(start, stop, step int64, inclusive bool) (rows int64, ok bool) {
	var diff, s uint64
	if step > 0 {
		if start > stop || start == stop && !inclusive {
			return 0, true
		}
		diff, s = uint64(stop)-uint64(start), uint64(step)
	} else {
		if start < stop || start == stop && !inclusive {
			return 0, true
		}
		diff, s = uint64(start)-uint64(stop), -uint64(step)
	}
	q := diff / s
	switch {
	case inclusive:
		if q >= math.MaxInt64 {
			return 0, false
		}
		q++
	case diff%s != 0:
		q++ // s >= 2 here, so q <= 2^63
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// seriesTable is a bound series: rows values start + k*step, k = 0..rows-1, cut into parts
// contiguous runs of nearly equal size (the first rows%parts runs have one row more).
type seriesTable struct {
	schema      *arrow.Schema
	start, step int64
	rows        int64
	parts       int
}

func (t *seriesTable) Schema() *arrow.Schema { return t.schema }
func (t *seriesTable) Parts() int            { return t.parts }

// NumRows implements CountedTable.
func (t *seriesTable) NumRows() int64 { return t.rows }

// Read implements FunctionTable: part's run of values in batches of batchSize rows, each
// column one Int64 buffer filled in place (no builder, no boxing).
func (t *seriesTable) Read(ctx context.Context, part int, mem memory.Allocator, batchSize int, emit func(arrow.RecordBatch) error) error {
	if part < 0 || part >= t.parts {
		return errs.Internalf("series part %d out of range [0,%d)", part, t.parts)
	}
	if batchSize <= 0 {
		batchSize = seriesBatchSize
	}
	base, rem := t.rows/int64(t.parts), t.rows%int64(t.parts)
	p := int64(part)
	first, count := p*base+min(p, rem), base
	if p < rem {
		count++
	}
	step := uint64(t.step)
	// Wrapping unsigned arithmetic gives the exact value of every row in the series.
	next := uint64(t.start) + uint64(first)*step
	for off := int64(0); off < count; off += int64(batchSize) {
		if err := ctx.Err(); err != nil {
			return errs.Canceled(err)
		}
		n := int(min(int64(batchSize), count-off))
		buf := memory.NewResizableBuffer(mem)
		buf.Resize(n * arrow.Int64SizeBytes)
		vals := arrow.Int64Traits.CastFromBytes(buf.Bytes())
		for i := range vals {
			vals[i] = int64(next)
			next += step
		}
		data := array.NewData(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
		buf.Release()
		col := array.NewInt64Data(data)
		data.Release()
		b := array.NewRecordBatch(t.schema, []arrow.Array{col}, int64(n))
		col.Release()
		if err := emit(b); err != nil { // emit owns b now
			return err
		}
	}
	return nil
}
