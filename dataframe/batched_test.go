package dataframe

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/udf"
)

// scoreFn is a udf.BatchedFunction: score(v) = 2*v+1, NULL for NULL, at most 64 rows a
// call and 3 calls at once. It counts its calls.
type scoreFn struct{ calls atomic.Int64 }

func (*scoreFn) Name() string { return "score" }
func (*scoreFn) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if len(args) != 1 || args[0].ID() != arrow.INT64 {
		return nil, fmt.Errorf("score takes one BIGINT")
	}
	return arrow.PrimitiveTypes.Int64, nil
}
func (*scoreFn) Volatility() udf.Volatility { return udf.Immutable }
func (*scoreFn) Doc() string                { return "score(v) is 2*v+1" }
func (*scoreFn) Batching() (int, int)       { return 64, 3 }
func (f *scoreFn) Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	f.calls.Add(1)
	if n > 64 {
		return nil, fmt.Errorf("a call of %d rows, preferred 64", n)
	}
	v := args[0].(*array.Int64)
	b := array.NewInt64Builder(mem)
	defer b.Release()
	for i := range n {
		if v.IsNull(i) {
			b.AppendNull()
		} else {
			b.Append(2*v.Value(i) + 1)
		}
	}
	return b.NewArray(), nil
}

// TestBatchedFunctionEndToEnd registers a batched function in a session and calls it from
// the DataFrame API and SQL: the results are the function's, EXPLAIN shows the batched call
// operator and EXPLAIN ANALYZE the calls it made.
func TestBatchedFunctionEndToEnd(t *testing.T) {
	const n = 3000
	for _, parts := range []int{1, 4} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := dfSession(t, parts)
			f := &scoreFn{}
			s.Functions().RegisterScalar(f)
			df := kvDF(t, s, n, 10)
			if err := df.CreateOrReplaceTempView("kv"); err != nil {
				t.Fatal(err)
			}

			rows := collect(t, df.Select(Col("v"), Call("score", Col("v")).As("s")))
			if len(rows) != n {
				t.Fatalf("%d rows, want %d", len(rows), n)
			}
			for _, r := range rows {
				if v, s := r[0].(int64), r[1].(int64); s != 2*v+1 {
					t.Fatalf("score(%d) = %d, want %d", v, s, 2*v+1)
				}
			}
			if f.calls.Load() < (n+63)/64 {
				t.Errorf("%d calls for %d rows of at most 64", f.calls.Load(), n)
			}

			res := execOK(t, s, "SELECT count(*) FROM kv WHERE score(v) > 4001")
			got := res.Batches[0].Column(0).(*array.Int64).Value(0)
			res.Release()
			if want := int64(n - 2001); got != want { // v > 2000
				t.Errorf("count = %d, want %d", got, want)
			}

			plan := explainText(t, s, "EXPLAIN SELECT v, score(v) AS s FROM kv")
			if !regexp.MustCompile(`(?m)^ *BatchedCall: score\(\S*v\) batch=64 concurrency=3 \[`).MatchString(plan) {
				t.Errorf("EXPLAIN:\n%s", plan)
			}

			before := f.calls.Load()
			analyzed := explainText(t, s, "EXPLAIN ANALYZE SELECT score(v) FROM kv")
			m := regexp.MustCompile(`BatchedCall: score\(\S*v\) batch=64 concurrency=3 calls=(\d+) \[[^]]*\] rows=(\d+)`).FindStringSubmatch(analyzed)
			if m == nil {
				t.Fatalf("EXPLAIN ANALYZE:\n%s", analyzed)
			}
			calls, _ := strconv.ParseInt(m[1], 10, 64)
			if calls != f.calls.Load()-before || m[2] != strconv.Itoa(n) {
				t.Errorf("EXPLAIN ANALYZE shows %s calls and %s rows; %d calls made, %d rows:\n%s",
					m[1], m[2], f.calls.Load()-before, n, strings.TrimSpace(analyzed))
			}
		})
	}
}
