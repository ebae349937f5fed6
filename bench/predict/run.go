package predict

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/udf"
)

// Form is how the query passes the features to predict.
type Form string

const (
	// Columns passes the ten columns: predict(f0, ..., f9). The model function lays
	// them out row-major (one copy per call).
	Columns Form = "columns"
	// Vector passes one VECTOR(10): predict(vector(f0, ..., f9)). vector() builds the
	// row-major matrix, which the model function reads in place.
	Vector Form = "vector"
)

// Forms are the query forms, in the order the benchmark runs them.
var Forms = []Form{Columns, Vector}

// ParseForm returns the form named s.
func ParseForm(s string) (Form, error) {
	for _, f := range Forms {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown query form %q (known: columns, vector)", s)
}

// Query is the benchmark's query in form f over view t with the model registered as
// predict: `SELECT sum(predict(f0, ..., f9)) FROM t`.
func Query(f Form) string {
	cols := make([]string, NumFeatures)
	for j := range cols {
		cols[j] = fmt.Sprintf("f%d", j)
	}
	args := strings.Join(cols, ", ")
	if f == Vector {
		args = "vector(" + args + ")"
	}
	return "SELECT sum(predict(" + args + ")) FROM t"
}

// OpenSession opens a session with an in-memory catalog and partitions partitions over
// mem, registers batches as view t (Session.FromRecords: the session retains the batches
// and deals them round-robin into partitions splits; the caller keeps its references) and
// m as the SQL function predict (Session.RegisterModel). The caller closes the session.
func OpenSession(mem memory.Allocator, batches []arrow.RecordBatch, partitions int, m udf.Model) (*dataframe.Session, error) {
	s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(partitions),
		dataframe.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	df, err := s.FromRecords(Schema(), batches...)
	if err == nil {
		err = df.CreateOrReplaceTempView("t")
	}
	if err == nil {
		err = s.RegisterModel("predict", m)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// RunQuery runs query, which returns one number (the sum), and returns it with the time
// the query took (parsing, planning, running and collecting the one row).
func RunQuery(ctx context.Context, s *dataframe.Session, query string) (float64, time.Duration, error) {
	start := time.Now()
	res, err := s.Exec(ctx, query)
	took := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	defer res.Release()
	v, err := singleNumber(res)
	return v, took, err
}

// singleNumber reads a result of one row and one numeric column (sum of a BIGINT is a
// DECIMAL in Ember, as in MySQL; sum of a DOUBLE a DOUBLE). NULL is an error.
func singleNumber(res *dataframe.Result) (float64, error) {
	if res.NumRows() != 1 || res.Schema == nil || res.Schema.NumFields() != 1 {
		return 0, fmt.Errorf("want one row of one column, got %d rows of %v", res.NumRows(), res.Schema)
	}
	for _, b := range res.Batches {
		if b.NumRows() == 0 {
			continue
		}
		col := b.Column(0)
		if col.IsNull(0) {
			return 0, fmt.Errorf("the sum is NULL")
		}
		switch c := col.(type) {
		case *array.Int64:
			return float64(c.Value(0)), nil
		case *array.Float64:
			return c.Value(0), nil
		case *array.Decimal128:
			return c.Value(0).ToFloat64(c.DataType().(*arrow.Decimal128Type).Scale), nil
		default:
			return 0, fmt.Errorf("the sum is %s, not a number this benchmark reads", col.DataType())
		}
	}
	return 0, fmt.Errorf("no row")
}

// Explain returns the lines of EXPLAIN ANALYZE query (which runs the query once more).
func Explain(ctx context.Context, s *dataframe.Session, query string) ([]string, error) {
	res, err := s.Exec(ctx, "EXPLAIN ANALYZE "+query)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	var lines []string
	for _, b := range res.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			lines = append(lines, b.Column(0).ValueStr(i))
		}
	}
	return lines, nil
}

// ModelAlone calls m.Predict over features (row-major, rows × NumFeatures) in calls of
// BatchRows rows and returns the sum of the predictions and the wall time the calls took.
// With goroutines = 1 the calls run on the calling goroutine: the per-core ceiling of the
// query, which adds scanning, the row-major copy, the batched call operator and the
// aggregate. With more, goroutine g makes calls g, g+goroutines, ... (as the table's
// batches are dealt over partitions): what the machine gives the model alone on that many
// goroutines. NaN predictions are left out of the sum, as the query's NULLs are.
func ModelAlone(ctx context.Context, m udf.Model, features []float32, goroutines int) (float64, time.Duration, error) {
	k := m.NumFeatures()
	rows := len(features) / k
	calls := (rows + BatchRows - 1) / BatchRows
	goroutines = max(1, min(goroutines, calls))
	sums := make([]float64, goroutines)
	errs := make([]error, goroutines)
	work := func(g int) {
		out := make([]float64, BatchRows)
		for c := g; c < calls; c += goroutines {
			lo := c * BatchRows
			n := min(BatchRows, rows-lo)
			if err := m.Predict(ctx, features[lo*k:(lo+n)*k], n, out[:n]); err != nil {
				errs[g] = err
				return
			}
			for _, v := range out[:n] {
				if !math.IsNaN(v) {
					sums[g] += v
				}
			}
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for g := 1; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(g)
		}()
	}
	work(0)
	wg.Wait()
	took := time.Since(start)
	var sum float64
	for g := range sums {
		if errs[g] != nil {
			return 0, 0, errs[g]
		}
		sum += sums[g]
	}
	return sum, took, nil
}
