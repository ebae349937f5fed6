package datasource

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/internal/format"
)

// WriteJSON writes batches, which must all have the given schema, to w as JSON Lines: one
// object per row, the columns as keys in schema order, "\n" after each object. It does
// not release the batches.
//
// Values are internal/format's JSON (the shell's jsonl mode, so one function serves both):
// numbers for numeric columns (DECIMAL with its exact digits; NaN and infinities as the
// strings "NaN", "Infinity", "-Infinity", as Spark writes them), true/false, null for NULL
// (the key is kept), arrays for ARRAY and VECTOR, objects for structs and maps, strings
// for the rest: DATE as yyyy-mm-dd, TIMESTAMP as yyyy-mm-dd hh:mm:ss[.ffffff], binary as
// the shell shows it. NewJSON reads the output back with BIGINT, DOUBLE, BOOLEAN, VARCHAR
// and ARRAY<T> columns inferred; NewJSONWithSchema reads DATE, TIMESTAMP, DECIMAL and
// FLOAT columns exactly too. Duplicate column names (ignoring case) are refused (ErrPlan):
// a reader would keep only the first key.
func WriteJSON(w io.Writer, schema *arrow.Schema, batches []arrow.RecordBatch) error {
	if err := checkWritableNames("json", schema); err != nil {
		return err
	}
	for bi, b := range batches {
		if err := checkBatchSchema(schema, b); err != nil {
			return errs.Wrap(errs.ErrExecution, err, "writing json batch %d", bi)
		}
	}
	if err := format.Write(w, format.JSONL, schema, batches, format.Options{}); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "writing json")
	}
	return nil
}
