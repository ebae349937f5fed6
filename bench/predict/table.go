package predict

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BatchRows is the rows per batch of the table and per model call of ModelAlone (the
// engine's model functions also call the model with udf.DefaultModelBatchRows = 8192).
const BatchRows = 8192

// Schema is the table's schema: f0..f9, FLOAT (float32), not nullable.
func Schema() *arrow.Schema {
	fields := make([]arrow.Field, NumFeatures)
	for j := range fields {
		fields[j] = arrow.Field{Name: fmt.Sprintf("f%d", j), Type: arrow.PrimitiveTypes.Float32}
	}
	return arrow.NewSchema(fields, nil)
}

// MakeTable returns rows rows of the benchmark's table in batches of BatchRows (the last
// one shorter), allocated from mem. Values are standard normal float32 drawn from a PCG
// generator seeded with (seed, batch index), so the rows depend on rows and seed only; the
// batches are filled on GOMAXPROCS goroutines. The caller owns the batches and releases
// each (ReleaseAll). Memory: rows × NumFeatures × 4 bytes.
func MakeTable(mem memory.Allocator, rows int, seed uint64) ([]arrow.RecordBatch, error) {
	if rows < 0 {
		return nil, fmt.Errorf("negative row count %d", rows)
	}
	schema := Schema()
	batches := make([]arrow.RecordBatch, (rows+BatchRows-1)/BatchRows)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				n := min(BatchRows, rows-i*BatchRows)
				batches[i] = makeBatch(mem, schema, n, rand.New(rand.NewPCG(seed, uint64(i))))
			}
		}()
	}
	for i := range batches {
		next <- i
	}
	close(next)
	wg.Wait()
	return batches, nil
}

// makeBatch fills one batch of n rows, column after column, straight into Arrow buffers
// (no builder: the columns have no nulls). The batch owns the buffers.
func makeBatch(mem memory.Allocator, schema *arrow.Schema, n int, r *rand.Rand) arrow.RecordBatch {
	cols := make([]arrow.Array, NumFeatures)
	for j := range cols {
		buf := memory.NewResizableBuffer(mem)
		buf.Resize(n * arrow.Float32SizeBytes)
		vals := arrow.Float32Traits.CastFromBytes(buf.Bytes())[:n]
		for i := range vals {
			vals[i] = float32(r.NormFloat64())
		}
		data := array.NewData(arrow.PrimitiveTypes.Float32, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
		buf.Release() // data holds it
		cols[j] = array.MakeFromData(data)
		data.Release() // the array holds it
	}
	b := array.NewRecordBatch(schema, cols, int64(n))
	for _, c := range cols {
		c.Release() // the batch holds them
	}
	return b
}

// ReleaseAll releases every batch.
func ReleaseAll(batches []arrow.RecordBatch) {
	for _, b := range batches {
		b.Release()
	}
}

// RowMajor copies the table's features into one row-major matrix (rows × NumFeatures), the
// layout udf.Model.Predict takes. Memory: the table's size again.
func RowMajor(batches []arrow.RecordBatch) []float32 {
	var rows int
	for _, b := range batches {
		rows += int(b.NumRows())
	}
	out := make([]float32, rows*NumFeatures)
	base := 0
	for _, b := range batches {
		n := int(b.NumRows())
		for j := 0; j < NumFeatures; j++ {
			vals := b.Column(j).(*array.Float32).Float32Values()
			for i, v := range vals[:n] {
				out[(base+i)*NumFeatures+j] = v
			}
		}
		base += n
	}
	return out
}
