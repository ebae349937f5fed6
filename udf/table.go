package udf

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// TableFunction is a function called in a FROM clause, producing rows rather than a value:
// SELECT * FROM range(10), ... JOIN generate_series(1, 9, 2) AS g ON .... Built-ins live in
// table_series.go; a session registers its own with dataframe's
// Session.RegisterTableFunction (Registry.RegisterTable).
//
// Its arguments are constants, known when the query is planned (no LATERAL: a column
// reference as an argument is a plan error), so Bind fixes the schema once per call site.
type TableFunction interface {
	// Name is the lower-case SQL name.
	Name() string
	// Doc is the one-paragraph description SHOW FUNCTIONS and DESCRIBE FUNCTION print.
	Doc() string
	Volatility() Volatility
	// Bind checks the call's constant arguments and returns the table they describe. args
	// hold the values as planner.Literal holds them: nil (NULL), bool, int64 (every integer
	// type), float64 (FLOAT, DOUBLE), decimal128.Num (scaled by its type's scale), string,
	// arrow.Date32, arrow.Timestamp (microseconds). A wrong count or type is a plan error
	// (errs.Planf) naming the function and the argument, e.g.
	// "range: argument 2 (stop) must be an integer, got DOUBLE".
	Bind(ctx context.Context, args []any) (FunctionTable, error)
}

// FunctionTable is the table one bound call of a TableFunction produces. It is immutable
// and safe for concurrent use: the engine reads its parts in parallel, each part on one
// goroutine, and may read a part more than once (a retried task, a rescan).
type FunctionTable interface {
	// Schema is the table's columns, the same for every part. Use Ember's canonical types
	// (BIGINT, INT, DOUBLE, FLOAT, BOOLEAN, VARCHAR, DECIMAL, DATE, TIMESTAMP, lists of
	// them).
	Schema() *arrow.Schema
	// Parts is the number of independent parts (at least 0); each is one scan split, so a
	// table of several parts is read in parallel across partitions.
	Parts() int
	// Read produces the rows of part (0 <= part < Parts()) in order, as batches of the
	// schema allocated from mem, preferably of batchSize rows (the engine slices bigger
	// ones). emit takes ownership of each batch: Read must not use or release a batch it
	// handed over, and releases a batch it built but did not emit. When emit returns an
	// error (the query was canceled or the consumer stopped early), Read returns that error
	// at once. Read should also return when ctx is done. A panic in Read fails the query
	// with an execution error.
	Read(ctx context.Context, part int, mem memory.Allocator, batchSize int, emit func(arrow.RecordBatch) error) error
}

// CountedTable is implemented by a FunctionTable that knows its number of rows without
// reading them (range does); the optimizer uses it for its estimates (join sides,
// broadcast or shuffle).
type CountedTable interface {
	NumRows() int64
}

// tableInfo shows a TableFunction through Function's methods, for the listings of list.go
// (SHOW FUNCTIONS, DESCRIBE FUNCTION). A table function has no value type: ReturnType
// fails.
type tableInfo struct{ TableFunction }

func (t tableInfo) ReturnType([]arrow.DataType) (arrow.DataType, error) {
	return nil, errs.Planf("%s is a table function: call it in a FROM clause, as in SELECT * FROM %s(...)", t.Name(), t.Name())
}

// Signature is the table function's own signature when it has one, else "".
func (t tableInfo) Signature() string {
	if s, ok := t.TableFunction.(Signed); ok {
		return s.Signature()
	}
	return ""
}

// ValueTypeName names the SQL type of an argument value as Bind receives it, for error
// messages: BIGINT, DOUBLE, VARCHAR, BOOLEAN, DECIMAL, DATE, TIMESTAMP or NULL.
func ValueTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case int64:
		return "BIGINT"
	case float64:
		return "DOUBLE"
	case string:
		return "VARCHAR"
	case bool:
		return "BOOLEAN"
	case decimal128.Num:
		return "DECIMAL"
	case arrow.Date32:
		return "DATE"
	case arrow.Timestamp:
		return "TIMESTAMP"
	}
	return fmt.Sprintf("%T", v)
}
