package dataframe

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

type person struct {
	ID     int64   `ember:"id"`
	Name   string  `ember:"name"`
	City   *string `ember:"city"`
	Age    int64   `ember:"age"`
	Salary float64 `ember:"salary"`
}

func strp(s string) *string { return &s }

var people = []person{
	{1, "Ann", strp("Paris"), 34, 5200},
	{2, "Ben", strp("London"), 28, 4100},
	{3, "Cid", strp("Paris"), 45, 6100},
	{4, "Dee", nil, 39, 3900},
	{5, "Eve", strp("Berlin"), 23, 2800},
	{6, "Fay", strp("Paris"), 31, 4700},
}

// dfSession opens an in-memory session with a checked allocator that must be empty when
// the test ends (after Close, which frees in-memory tables and caches).
func dfSession(t *testing.T, partitions int) *Session {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s, err := NewSession(WithInMemoryCatalog(), WithAllocator(mem), WithPartitions(partitions), WithBatchSize(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		mem.AssertSize(t, 0)
	})
	return s
}

func peopleDF(t *testing.T, s *Session) *DataFrame {
	t.Helper()
	df, err := s.FromStructs(people)
	if err != nil {
		t.Fatal(err)
	}
	return df
}

func collect(t *testing.T, df *DataFrame) []Row {
	t.Helper()
	rows, err := df.CollectRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestTransformations(t *testing.T) {
	for _, parts := range []int{1, 3} {
		s := dfSession(t, parts)
		df := peopleDF(t, s)
		// Paris earners over 30, a derived column, ordered.
		got := collect(t, df.Filter(Col("city").EqualTo("Paris").And(Col("age").Gt(30))).
			WithColumn("monthly", Col("salary").Divide(12)).
			Select("name", "monthly").
			OrderBy(Col("monthly").Desc()))
		want := []Row{{"Cid", 6100.0 / 12}, {"Ann", 5200.0 / 12}, {"Fay", 4700.0 / 12}}
		if len(got) != len(want) {
			t.Fatalf("partitions=%d: %v, want %v", parts, got, want)
		}
		for i := range want {
			if got[i][0] != want[i][0] || math.Abs(got[i][1].(float64)-want[i][1].(float64)) > 1e-9 {
				t.Errorf("partitions=%d row %d: %v, want %v", parts, i, got[i], want[i])
			}
		}
		// Group and aggregate, NULL city included.
		agg := collect(t, df.GroupBy("city").Agg(Count("*").Alias("n"), Max("age").Alias("oldest")).OrderBy(Col("city").AscNullsFirst()))
		wantAgg := []Row{{nil, int64(1), int64(39)}, {"Berlin", int64(1), int64(23)}, {"London", int64(1), int64(28)}, {"Paris", int64(3), int64(45)}}
		if !reflect.DeepEqual(agg, wantAgg) {
			t.Errorf("partitions=%d: group by: %v, want %v", parts, agg, wantAgg)
		}
		// Rename, drop, limit after order, distinct, count.
		r := collect(t, df.WithColumnRenamed("name", "who").Drop("salary", "city").OrderBy("age").Limit(2))
		if !reflect.DeepEqual(r, []Row{{int64(5), "Eve", int64(23)}, {int64(2), "Ben", int64(28)}}) {
			t.Errorf("partitions=%d: rename/drop/limit: %v", parts, r)
		}
		n, err := df.Select("city").Distinct().Count(context.Background())
		if err != nil || n != 4 {
			t.Errorf("partitions=%d: distinct cities %d, %v; want 4", parts, n, err)
		}
		dd, err := df.DropDuplicates("city").Count(context.Background())
		if err != nil || dd != 4 {
			t.Errorf("partitions=%d: DropDuplicates(city) %d, %v; want 4", parts, dd, err)
		}
	}
}

func TestJoinsAndSetOps(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	df := peopleDF(t, s)
	type city struct {
		City    string `ember:"city"`
		Country string `ember:"country"`
	}
	cities, err := s.FromStructs([]city{{"Paris", "FR"}, {"London", "UK"}, {"Rome", "IT"}})
	if err != nil {
		t.Fatal(err)
	}
	p, c := df.Alias("p"), cities.Alias("c")
	// Qualified names reach the sides in the join condition; after the join its columns are
	// read by name.
	inner := collect(t, p.Join(c, Col("p.city").EqualTo(Col("c.city")), "inner").Select("name", "country").OrderBy("name"))
	want := []Row{{"Ann", "FR"}, {"Ben", "UK"}, {"Cid", "FR"}, {"Fay", "FR"}}
	if !reflect.DeepEqual(inner, want) {
		t.Errorf("inner join: %v, want %v", inner, want)
	}
	using := collect(t, df.Join(cities, "city", "left").Select("name", "country").OrderBy("name"))
	if len(using) != 6 || using[3][0] != "Dee" || using[3][1] != nil || using[4][1] != nil {
		t.Errorf("left join USING: %v", using)
	}
	semi := collect(t, df.Join(cities, "city", "semi").Select("name").OrderBy("name"))
	if !reflect.DeepEqual(semi, []Row{{"Ann"}, {"Ben"}, {"Cid"}, {"Fay"}}) {
		t.Errorf("semi join: %v", semi)
	}
	anti := collect(t, df.Join(cities, "city", "anti").Select("name").OrderBy("name"))
	if !reflect.DeepEqual(anti, []Row{{"Dee"}, {"Eve"}}) {
		t.Errorf("anti join: %v", anti)
	}
	if _, err := df.Join(df, "city", "inner").Count(ctx); err == nil || !strings.Contains(err.Error(), "Alias") {
		t.Errorf("self-join without aliases: %v", err)
	}
	if _, err := df.Join(cities, "city", "sideways").Count(ctx); err == nil || !strings.Contains(err.Error(), "unknown join type") {
		t.Errorf("bad join type: %v", err)
	}
	young := df.Filter("age < 32").Select("name")
	paris := df.Filter(Col("city").EqualTo("Paris")).Select("name")
	for _, c := range []struct {
		name string
		df   *DataFrame
		want []Row
	}{
		{"union", young.Union(paris).OrderBy("name"), []Row{{"Ann"}, {"Ben"}, {"Cid"}, {"Eve"}, {"Fay"}, {"Fay"}}},
		{"intersect", young.Intersect(paris), []Row{{"Fay"}}},
		{"except", young.Except(paris).OrderBy("name"), []Row{{"Ben"}, {"Eve"}}},
	} {
		if got := collect(t, c.df); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	byName := collect(t, df.Select("id", "name").Filter("id = 1").UnionByName(df.Select("name", "id").Filter("id = 2")).OrderBy("id"))
	if !reflect.DeepEqual(byName, []Row{{int64(1), "Ann"}, {int64(2), "Ben"}}) {
		t.Errorf("UnionByName: %v", byName)
	}
}

// TestSamePlanAsSQL: a DataFrame pipeline and the SQL a user would write for it get the
// same optimized physical plan. Only the qualifiers in generated names differ (an
// aggregate over the DataFrame's derived table is named avg(__t3.salary), over the view
// avg(people.salary)), so qualifiers are removed before comparing.
func TestSamePlanAsSQL(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	df := peopleDF(t, s)
	if err := df.CreateOrReplaceTempView("people"); err != nil {
		t.Fatal(err)
	}
	pipeline := df.Filter(Col("age").Gt(25)).
		GroupBy("city").Agg(Avg("salary").Alias("avg_salary"), Count("*").Alias("n")).
		Filter(Col("n").Gt(1)).
		OrderBy(Col("avg_salary").Desc())
	sqlDF, err := s.SQL(ctx, "SELECT city, avg(salary) AS avg_salary, count(*) AS n FROM people WHERE age > 25 GROUP BY city HAVING count(*) > 1 ORDER BY avg_salary DESC")
	if err != nil {
		t.Fatal(err)
	}
	a, err := pipeline.Explain(ctx, "physical")
	if err != nil {
		t.Fatal(err)
	}
	b, err := sqlDF.Explain(ctx, "physical")
	if err != nil {
		t.Fatal(err)
	}
	unqualified := regexp.MustCompile(`\b\w+\.(\w)`)
	if unqualified.ReplaceAllString(a, "$1") != unqualified.ReplaceAllString(b, "$1") {
		t.Errorf("DataFrame plan:\n%s\nSQL plan:\n%s", a, b)
	}
	if !strings.Contains(a, "HashAggregate(partial)") || !strings.Contains(a, "Filter: (count(*) > 1)") {
		t.Errorf("unexpected plan:\n%s", a)
	}
	ra, rb := collect(t, pipeline), collect(t, sqlDF)
	if !reflect.DeepEqual(ra, rb) || len(ra) != 1 || ra[0][0] != "Paris" {
		t.Errorf("rows differ: %v against %v", ra, rb)
	}
}

// TestIterativeCacheReadsSourceOnce: a few rounds of gradient descent over a cached
// DataFrame read the Parquet file once (to build the cache); every round reads the cache.
func TestIterativeCacheReadsSourceOnce(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	type point struct {
		X float64 `ember:"x"`
		Y float64 `ember:"y"`
	}
	var pts []point
	for i := 0; i < 50; i++ {
		x := float64(i) / 10
		pts = append(pts, point{x, 3*x + 0.5*math.Sin(float64(i))}) // y ≈ 3x
	}
	src, err := s.FromStructs(pts)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "points")
	if err := src.Write().Parquet(ctx, dir); err != nil {
		t.Fatal(err)
	}
	data, err := s.ReadParquet(dir)
	if err != nil {
		t.Fatal(err)
	}
	data.Cache()
	before := s.Metrics()
	w := 0.0
	const rounds = 8
	for r := 0; r < rounds; r++ {
		// d/dw of mean((w x - y)^2) = mean(2 x (w x - y)).
		g, err := data.Agg(Avg(Col("x").Multiply(2).Multiply(Col("x").Multiply(w).Minus(Col("y")))).Alias("g")).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w -= 0.05 * g[0].(float64)
	}
	after := s.Metrics()
	if d := after.SourceScans - before.SourceScans; d != 1 {
		t.Errorf("the source was scanned %d times in %d rounds, want once", d, rounds)
	}
	if d := after.SourceRowsRead - before.SourceRowsRead; d != int64(len(pts)) {
		t.Errorf("%d source rows read, want %d", d, len(pts))
	}
	if d := after.CacheScans - before.CacheScans; d != rounds {
		t.Errorf("%d cache scans, want %d", d, rounds)
	}
	if math.Abs(w-3) > 0.2 {
		t.Errorf("fitted w = %g, want about 3", w)
	}
	data.Unpersist()
	if _, ok := data.StorageLevel(); ok {
		t.Error("still persisted after Unpersist")
	}
	if n, err := data.Count(ctx); err != nil || n != int64(len(pts)) {
		t.Errorf("count after Unpersist: %d, %v", n, err)
	}
}

// TestCacheLostSplitRebuilt: a cached split that is lost is rebuilt from lineage, at every
// storage level, and the results stay the same.
func TestCacheLostSplitRebuilt(t *testing.T) {
	for _, level := range []StorageLevel{MemoryOnly, MemoryAndDisk, DiskOnly} {
		t.Run(level.String(), func(t *testing.T) {
			s := dfSession(t, 3)
			ctx := context.Background()
			df := peopleDF(t, s).Filter("age > 25").Persist(level)
			first := collect(t, df.OrderBy("id"))
			e := df.cache.Load()
			if e == nil || !e.built {
				t.Fatal("not cached after an action")
			}
			if level == DiskOnly {
				if _, err := os.Stat(e.splits[0].path); err != nil {
					t.Fatalf("no split file: %v", err)
				}
			}
			e.dropSplit(0)
			again := collect(t, df.OrderBy("id"))
			if !reflect.DeepEqual(first, again) {
				t.Errorf("after a lost split: %v, want %v", again, first)
			}
			if e.builds != 2 {
				t.Errorf("cache built %d times, want 2", e.builds)
			}
			if n, err := df.Count(ctx); err != nil || n != 5 {
				t.Errorf("count %d, %v", n, err)
			}
			dir := e.dir
			df.Unpersist()
			if dir != "" {
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("cache folder %s left after Unpersist", dir)
				}
			}
		})
	}
}

// TestAccumulatorExactWithRetries: a partition function adds each partition's rows to an
// accumulator and fails its first attempt on every partition; the retried tasks count once.
func TestAccumulatorExactWithRetries(t *testing.T) {
	s := dfSession(t, 3)
	ctx := context.Background()
	rowsSeen, err := s.Accumulator("rows", CounterAccumulator)
	if err != nil {
		t.Fatal(err)
	}
	ages, err := s.Accumulator("ages", SumAccumulator)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accumulator("ROWS", SumAccumulator); err == nil {
		t.Error("a second accumulator named rows was created")
	}
	err = s.RegisterPartitionFunc("count_rows", func(pc *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		for {
			b, err := in.Next()
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			if err := rowsSeen.Add(pc, float64(b.NumRows())); err != nil {
				return err
			}
			a := b.Column(int(b.Schema().FieldIndices("age")[0])).(*array.Int64)
			for i := 0; i < a.Len(); i++ {
				if err := ages.Add(pc, float64(a.Value(i))); err != nil {
					return err
				}
			}
		}
		if pc.Attempt == 0 {
			return exec.Retryable(errors.New("simulated lost executor"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := peopleDF(t, s).ForeachPartition(ctx, "count_rows"); err != nil {
		t.Fatal(err)
	}
	if got := rowsSeen.Count(); got != int64(len(people)) {
		t.Errorf("rows accumulator %d, want %d", got, len(people))
	}
	sum := 0.0
	for _, p := range people {
		sum += float64(p.Age)
	}
	if got := ages.Value(); got != sum {
		t.Errorf("ages accumulator %g, want %g", got, sum)
	}
}

// TestMapBatchesWithBroadcast: a batch function reads a broadcast lookup table on every
// partition to add a column.
func TestMapBatchesWithBroadcast(t *testing.T) {
	s := dfSession(t, 2)
	countries := s.Broadcast(map[string]string{"Paris": "FR", "London": "UK", "Berlin": "DE"})
	out := arrow.NewSchema([]arrow.Field{{Name: "name", Type: arrow.BinaryTypes.String}, {Name: "country", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	err := s.RegisterBatchFunc("add_country", func(pc *udf.PartitionContext, in arrow.RecordBatch) (arrow.RecordBatch, error) {
		m, err := BroadcastValue[map[string]string](countries)
		if err != nil {
			return nil, err
		}
		names := in.Column(0).(*array.String)
		cities := in.Column(1).(*array.String)
		bld := array.NewStringBuilder(pc.Mem)
		defer bld.Release()
		for i := 0; i < int(in.NumRows()); i++ {
			if c, ok := m[cities.Value(i)]; ok && cities.IsValid(i) {
				bld.Append(c)
			} else {
				bld.AppendNull()
			}
		}
		col := bld.NewArray()
		defer col.Release()
		return array.NewRecordBatch(out, []arrow.Array{names, col}, in.NumRows()), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, peopleDF(t, s).Select("name", "city").MapBatches("add_country", out).OrderBy("name"))
	want := []Row{{"Ann", "FR"}, {"Ben", "UK"}, {"Cid", "FR"}, {"Dee", nil}, {"Eve", "DE"}, {"Fay", "FR"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	countries.Destroy()
	if _, err := peopleDF(t, s).Select("name", "city").MapBatches("add_country", out).Count(context.Background()); err == nil {
		t.Error("reading a destroyed broadcast variable did not fail")
	}
}

func TestMisuse(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	df := peopleDF(t, s)
	cases := []struct {
		name string
		run  func() error
		kind error
		want string
	}{
		{"unknown column", func() error { _, err := df.Select("nmae").Count(ctx); return err }, errs.ErrPlan, `"nmae"`},
		{"unknown column in WithColumnRenamed", func() error { _, err := df.WithColumnRenamed("agee", "x").Count(ctx); return err }, errs.ErrPlan, `did you mean "age"`},
		{"type mismatch", func() error {
			_, err := df.Select(Col("name").Cast("DATE").Plus(Lit(true).Cast("BOOLEAN"))).Count(ctx)
			return err
		}, errs.ErrPlan, ""},
		{"unknown partition function", func() error {
			_, err := df.MapPartitions("no_such_fn", arrow.NewSchema(nil, nil)).Count(ctx)
			return err
		}, errs.ErrPlan, "no_such_fn"},
		{"bad literal kept", func() error { _, err := df.Filter(Col("age").Gt(math.NaN())).Count(ctx); return err }, nil, "NaN"},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if c.kind != nil && !errors.Is(err, c.kind) {
			t.Errorf("%s: %v is not a %v", c.name, err, c.kind)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q does not mention %q", c.name, err, c.want)
		}
	}
	// A closed session refuses actions.
	s2, err := NewSession(WithInMemoryCatalog())
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s2.FromStructs(people)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if _, err := d2.Count(ctx); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("action on a closed session: %v", err)
	}
}

func TestWriteAndRead(t *testing.T) {
	s := dfSession(t, 2)
	ctx := context.Background()
	df := peopleDF(t, s).Select("id", "name", "city")
	dir := t.TempDir()
	for _, f := range []struct {
		name  string
		write func(string) error
		read  func(string) (*DataFrame, error)
	}{
		{"parquet", func(p string) error { return df.Write().Parquet(ctx, p) }, s.ReadParquet},
		{"csv", func(p string) error { return df.Write().CSV(ctx, p) }, func(p string) (*DataFrame, error) { return s.ReadCSV(p, CSVOptions{Header: true}) }},
		{"json", func(p string) error { return df.Write().JSON(ctx, p) }, s.ReadJSON},
	} {
		p := filepath.Join(dir, f.name)
		if err := f.write(p); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if err := f.write(p); err == nil {
			t.Errorf("%s: writing over an existing path did not fail", f.name)
		}
		back, err := f.read(p)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		got := collect(t, back.Select("id", "name", "city").OrderBy("id"))
		want := collect(t, df.OrderBy("id"))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read back %v, want %v", f.name, got, want)
		}
	}
	p := filepath.Join(dir, "parquet")
	if err := df.Write().Mode("append").Parquet(ctx, p); err != nil {
		t.Fatal(err)
	}
	back, err := s.ReadParquet(p)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := back.Count(ctx); err != nil || n != 12 {
		t.Errorf("after append: %d rows, %v", n, err)
	}
	if err := df.Write().Mode("overwrite").Parquet(ctx, p); err != nil {
		t.Fatal(err)
	}
	back, err = s.ReadParquet(p)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := back.Count(ctx); err != nil || n != 6 {
		t.Errorf("after overwrite: %d rows, %v", n, err)
	}
	// A managed table.
	if err := df.Write().SaveAsTable(ctx, "people_copy"); err != nil {
		t.Fatal(err)
	}
	if err := df.Write().Mode("append").SaveAsTable(ctx, "people_copy"); err != nil {
		t.Fatal(err)
	}
	tab, err := s.Table("people_copy")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tab.Count(ctx); err != nil || n != 12 {
		t.Errorf("table after append: %d rows, %v", n, err)
	}
}

func TestIntrospection(t *testing.T) {
	s := dfSession(t, 1)
	df := peopleDF(t, s)
	cols, err := df.Columns()
	if err != nil || !reflect.DeepEqual(cols, []string{"id", "name", "city", "age", "salary"}) {
		t.Errorf("columns %v, %v", cols, err)
	}
	dt, err := df.DTypes()
	if err != nil || dt[0] != [2]string{"id", "BIGINT"} || dt[2][1] != "VARCHAR" {
		t.Errorf("dtypes %v, %v", dt, err)
	}
	ps, err := df.PrintSchema()
	if err != nil || !strings.HasPrefix(ps, "root\n |-- id: long (nullable = false)") || !strings.Contains(ps, "city: string (nullable = true)") {
		t.Errorf("printSchema:\n%s%v", ps, err)
	}
	out, err := df.Select("name").OrderBy("name").Limit(2).ShowString(context.Background(), 0)
	if err != nil || !strings.Contains(out, "Ann") || !strings.Contains(out, "Ben") || strings.Contains(out, "Cid") {
		t.Errorf("show:\n%s%v", out, err)
	}
	desc := collect(t, df.Describe("age"))
	if len(desc) != 5 || desc[0][0] != "count" || desc[0][1] != "6" || desc[3][1] != "23" || desc[4][1] != "45" {
		t.Errorf("describe: %v", desc)
	}
	sum := collect(t, df.Summary())
	if len(sum) != 8 || sum[5][0] != "50%" {
		t.Errorf("summary: %v", sum)
	}
}
