package train

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/dataframe"
)

// BatchRows is the rows per generated batch (and per PCG stream).
const BatchRows = 8192

// NoiseSD is the standard deviation of the Gaussian noise added to y_lin.
const NoiseSD = 0.5

// Labels: the regression label and the binary label follow the features.
const (
	LinearLabel = "y_lin"
	BinaryLabel = "y_bin"
)

// FeatureNames returns f0 .. f<features-1>.
func FeatureNames(features int) []string {
	out := make([]string, features)
	for j := range out {
		out[j] = fmt.Sprintf("f%d", j)
	}
	return out
}

// Schema is the dataset's schema: features DOUBLE columns f0.., then y_lin DOUBLE and
// y_bin BIGINT (0 or 1), none nullable.
func Schema(features int) *arrow.Schema {
	fields := make([]arrow.Field, 0, features+2)
	for _, n := range FeatureNames(features) {
		fields = append(fields, arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64})
	}
	fields = append(fields, arrow.Field{Name: LinearLabel, Type: arrow.PrimitiveTypes.Float64},
		arrow.Field{Name: BinaryLabel, Type: arrow.PrimitiveTypes.Int64})
	return arrow.NewSchema(fields, nil)
}

// LinearWeights are the weights w and intercept b of y_lin = w·x + b + NoiseSD·ε:
// w_j = ±(1 + j/features), signs alternating, b = 0.5.
func LinearWeights(features int) ([]float64, float64) {
	w := make([]float64, features)
	for j := range w {
		w[j] = 1 + float64(j)/float64(features)
		if j%2 == 1 {
			w[j] = -w[j]
		}
	}
	return w, 0.5
}

// LogisticWeights are the weights w' and intercept b' of P(y_bin = 1 | x) =
// sigmoid(w'·x + b'): w'_j = ±(0.1 + 0.5·j/features), signs alternating, b' = −0.3. At 20
// features the logit's standard deviation is about 1.6, so the classes overlap (the
// maximum-likelihood fit is finite and well conditioned).
func LogisticWeights(features int) ([]float64, float64) {
	w := make([]float64, features)
	for j := range w {
		w[j] = 0.1 + 0.5*float64(j)/float64(features)
		if j%2 == 1 {
			w[j] = -w[j]
		}
	}
	return w, -0.3
}

// MakeBatches returns rows rows of the dataset in batches of BatchRows (the last one
// shorter), allocated from mem. Batch i draws from a PCG generator seeded with (seed, i),
// row by row: the features (standard normal), the noise ε (standard normal), then a
// uniform u, and y_bin = 1 when u < sigmoid(w'·x + b'). So the rows depend on rows,
// features and seed only. The batches are filled on GOMAXPROCS goroutines. The caller owns
// the batches and releases each (ReleaseAll). Memory: rows × (features + 2) × 8 bytes.
func MakeBatches(mem memory.Allocator, rows, features int, seed uint64) ([]arrow.RecordBatch, error) {
	if rows <= 0 || features <= 0 {
		return nil, fmt.Errorf("need a positive number of rows and features, got %d rows and %d features", rows, features)
	}
	schema := Schema(features)
	wl, bl := LinearWeights(features)
	wb, bb := LogisticWeights(features)
	batches := make([]arrow.RecordBatch, (rows+BatchRows-1)/BatchRows)
	var wg sync.WaitGroup
	next := make(chan int)
	for g := 0; g < runtime.GOMAXPROCS(0); g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				n := min(BatchRows, rows-i*BatchRows)
				batches[i] = makeBatch(mem, schema, n, features, rand.New(rand.NewPCG(seed, uint64(i))), wl, bl, wb, bb)
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

// makeBatch fills one batch of n rows straight into Arrow buffers (no builder: no nulls).
// The batch owns the buffers.
func makeBatch(mem memory.Allocator, schema *arrow.Schema, n, d int, r *rand.Rand, wl []float64, bl float64, wb []float64, bb float64) arrow.RecordBatch {
	bufs := make([]*memory.Buffer, d+2)
	for j := range bufs {
		bufs[j] = memory.NewResizableBuffer(mem)
		bufs[j].Resize(n * 8) // float64 and int64 alike
	}
	x := make([][]float64, d)
	for j := range x {
		x[j] = arrow.Float64Traits.CastFromBytes(bufs[j].Bytes())[:n]
	}
	ylin := arrow.Float64Traits.CastFromBytes(bufs[d].Bytes())[:n]
	ybin := arrow.Int64Traits.CastFromBytes(bufs[d+1].Bytes())[:n]
	for i := 0; i < n; i++ {
		lin, logit := bl, bb
		for j := 0; j < d; j++ {
			v := r.NormFloat64()
			x[j][i] = v
			lin += wl[j] * v
			logit += wb[j] * v
		}
		ylin[i] = lin + NoiseSD*r.NormFloat64()
		if r.Float64() < 1/(1+math.Exp(-logit)) {
			ybin[i] = 1
		} else {
			ybin[i] = 0
		}
	}
	cols := make([]arrow.Array, d+2)
	for j := range cols {
		data := array.NewData(schema.Field(j).Type, n, []*memory.Buffer{nil, bufs[j]}, nil, 0, 0)
		bufs[j].Release() // data holds it
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

// Data is a generated dataset on disk.
type Data struct {
	Rows, Features int
	Seed           uint64
	// Dir holds the files: parquet/ (one file, written by Ember), data.f64 and meta.json.
	Dir string
	// Parquet is the Parquet folder (Session.ReadParquet reads it).
	Parquet string
	// Raw is the raw file: rows × (features + 2) little-endian float64, row-major (the
	// features, then y_lin, then y_bin), which numpy reads with np.fromfile(path, "<f8").
	Raw string
	// Reused is true when MakeData found the files already made.
	Reused bool
}

// meta is meta.json, the sidecar written last: its presence with the same numbers means
// the files are complete and are this dataset.
type meta struct {
	Format   int    `json:"format"`
	Rows     int    `json:"rows"`
	Features int    `json:"features"`
	Seed     uint64 `json:"seed"`
}

// metaFormat changes when the generator changes, so old files are made again.
const metaFormat = 1

// MakeData makes the dataset of rows × features (seed) under dir, in the folder
// r<rows>-f<features>-s<seed>: the Parquet folder (Session.FromRecords(...).Write().Parquet
// on one partition, so the file's rows are in generation order), the raw float64 file and
// meta.json last. When meta.json is there with the same numbers and the files have their
// sizes, it reuses them and writes nothing. Progress goes to log (may be nil). Peak memory
// while writing: about twice the data (the batches and the Parquet writer's pages).
func MakeData(ctx context.Context, dir string, rows, features int, seed uint64, log io.Writer) (*Data, error) {
	if log == nil {
		log = io.Discard
	}
	if rows <= 0 || features <= 0 {
		return nil, fmt.Errorf("need a positive number of rows and features, got %d rows and %d features", rows, features)
	}
	sub := filepath.Join(dir, fmt.Sprintf("r%d-f%d-s%d", rows, features, seed))
	d := &Data{Rows: rows, Features: features, Seed: seed, Dir: sub,
		Parquet: filepath.Join(sub, "parquet"), Raw: filepath.Join(sub, "data.f64")}
	want := meta{Format: metaFormat, Rows: rows, Features: features, Seed: seed}
	if d.complete(want) {
		d.Reused = true
		return d, nil
	}
	// Whatever is there is incomplete or stale: start over.
	if err := os.RemoveAll(sub); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "generating %d rows × %d features (seed %d) into %s\n", rows, features, seed, sub)
	batches, err := MakeBatches(memory.DefaultAllocator, rows, features, seed)
	if err != nil {
		return nil, err
	}
	defer ReleaseAll(batches)
	if err := writeRaw(d.Raw, batches, features); err != nil {
		return nil, err
	}
	if err := writeParquet(ctx, d.Parquet, batches, features); err != nil {
		return nil, err
	}
	js, err := json.Marshal(want)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(sub, "meta.json"), append(js, '\n'), 0o644); err != nil {
		return nil, err
	}
	return d, nil
}

// complete reports whether d's folder holds finished files of the dataset want.
func (d *Data) complete(want meta) bool {
	js, err := os.ReadFile(filepath.Join(d.Dir, "meta.json"))
	if err != nil {
		return false
	}
	var got meta
	if json.Unmarshal(js, &got) != nil || got != want {
		return false
	}
	st, err := os.Stat(d.Raw)
	if err != nil || st.Size() != int64(d.Rows)*int64(d.Features+2)*8 {
		return false
	}
	entries, err := os.ReadDir(d.Parquet)
	return err == nil && len(entries) == 1
}

// writeRaw writes the batches row-major as little-endian float64 (y_bin as 0.0 or 1.0).
func writeRaw(path string, batches []arrow.RecordBatch, d int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := make([]byte, BatchRows*(d+2)*8)
	cols := make([][]float64, d+1)
	for _, b := range batches {
		n := int(b.NumRows())
		for j := range cols {
			cols[j] = b.Column(j).(*array.Float64).Float64Values()
		}
		ybin := b.Column(d + 1).(*array.Int64).Int64Values()
		out := buf[:n*(d+2)*8]
		for i := 0; i < n; i++ {
			row := out[i*(d+2)*8:]
			for j, c := range cols {
				binary.LittleEndian.PutUint64(row[j*8:], math.Float64bits(c[i]))
			}
			binary.LittleEndian.PutUint64(row[(d+1)*8:], math.Float64bits(float64(ybin[i])))
		}
		if _, err := f.Write(out); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// writeParquet writes the batches as one Parquet file in the folder path, through a
// one-partition session so that the file keeps the batches' order.
func writeParquet(ctx context.Context, path string, batches []arrow.RecordBatch, d int) error {
	s, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(1))
	if err != nil {
		return err
	}
	defer s.Close()
	df, err := s.FromRecords(Schema(d), batches...) // the session retains the batches until closed
	if err != nil {
		return err
	}
	return df.Write().Mode("overwrite").Parquet(ctx, path)
}
