package ml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// The transformers' tests: statistics and outputs against scikit-learn (fixtures of
// testdata/ml/training/make_transformers.py) where it has an equivalent, hand-checked
// values elsewhere, every comparison at 1 and 3 partitions over a checked allocator.

const trainingDir = "../testdata/ml/training"

// transformerFixture is transformers.json.
type transformerFixture struct {
	Rows     int `json:"rows"`
	Standard struct {
		Mean, Std []float64
		Output    [][]float64
	} `json:"standard"`
	StandardNoMean struct {
		Std    []float64
		Output [][]float64
	} `json:"standard_nomean"`
	MinMax       minMaxFixture `json:"minmax"`
	MinMaxM1To2  minMaxFixture `json:"minmax_m1_2"`
	ImputeMean   imputeFixture `json:"imputer_mean"`
	ImputeMedian imputeFixture `json:"imputer_median"`
	ImputeMode   imputeFixture `json:"imputer_most_frequent"`
}

type minMaxFixture struct {
	Min, Max []float64
	Output   [][]float64
}

type imputeFixture struct {
	Statistics []float64
	Output     [][]float64
}

func readTransformerFixture(t *testing.T) transformerFixture {
	t.Helper()
	var fx transformerFixture
	if err := json.Unmarshal(readFixture(t, "training/transformers.json"), &fx); err != nil {
		t.Fatal(err)
	}
	if fx.Rows == 0 || len(fx.Standard.Output) != fx.Rows {
		t.Fatalf("transformers.json: %d rows, %d outputs", fx.Rows, len(fx.Standard.Output))
	}
	return fx
}

// forPartitions runs f in a fresh session at 1 and 3 partitions.
func forPartitions(t *testing.T, f func(t *testing.T, s *dataframe.Session, parts int)) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			f(t, mlSession(t, "", parts), parts)
		})
	}
}

// trainingData reads transformers_data.csv.
func trainingData(t *testing.T, s *dataframe.Session, parts int) *dataframe.DataFrame {
	t.Helper()
	df, err := s.ReadCSV(filepath.Join(trainingDir, "transformers_data.csv"), dataframe.CSVOptions{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	return spread(df, parts)
}

// spread deals df's rows into parts partitions (a small table is one split), so that
// the statistics are merged across partitions.
func spread(df *dataframe.DataFrame, parts int) *dataframe.DataFrame {
	if parts == 1 {
		return df
	}
	return df.Repartition(parts)
}

// floatCols collects columns of df as float64 (NaN for NULL), one slice per name.
func floatCols(t *testing.T, df *dataframe.DataFrame, names ...string) [][]float64 {
	t.Helper()
	all, err := df.Columns()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := df.CollectRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(names))
	for k, n := range names {
		i := slices.IndexFunc(all, func(c string) bool { return strings.EqualFold(c, n) })
		if i < 0 {
			t.Fatalf("no column %q in %v", n, all)
		}
		for _, r := range rows {
			out[k] = append(out[k], rowFloat(r[i]))
		}
	}
	return out
}

// relErr is |got - want| / max(1, |want|), 0 for two NaNs.
func relErr(got, want float64) float64 {
	if math.IsNaN(got) && math.IsNaN(want) {
		return 0
	}
	return math.Abs(got-want) / math.Max(1, math.Abs(want))
}

func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range got {
		if e := relErr(got[i], want[i]); e > tol || math.IsNaN(e) {
			t.Fatalf("%s[%d] = %v, want %v (relative error %g)", what, i, got[i], want[i], e)
		} else {
			worst = max(worst, e)
		}
	}
	t.Logf("%s: max relative error %.3g", what, worst)
}

// byKey reorders fixture rows to the order of the collected key column (rows may come
// back in any partition order): want[i] is the fixture row whose key equals keys[i].
func byKey(t *testing.T, keys, fixtureKeys []float64, fixture [][]float64) [][]float64 {
	t.Helper()
	pos := make(map[float64]int, len(fixtureKeys))
	for i, k := range fixtureKeys {
		pos[k] = i
	}
	out := make([][]float64, len(keys))
	for i, k := range keys {
		j, ok := pos[k]
		if !ok {
			t.Fatalf("key %v is not a fixture row", k)
		}
		out[i] = fixture[j]
	}
	return out
}

// column returns column j of row-major rows.
func fixtureColumn(rows [][]float64, j int) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = r[j]
	}
	return out
}

// scans returns the source scans df's session has made so far.
func scans(s *dataframe.Session) int64 { return s.Metrics().SourceScans }

// fixtureX1 reads the fixture's x1 column in file order (the row key).
func fixtureX1(t *testing.T) []float64 {
	t.Helper()
	_, recs := readCSV(t, "training/transformers_data.csv")
	keys := make([]float64, len(recs))
	for i, r := range recs {
		if _, err := fmt.Sscan(r[0], &keys[i]); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestStandardScalerMatchesSklearn(t *testing.T) {
	fx := readTransformerFixture(t)
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := trainingData(t, s, parts)
		keys := fixtureX1(t)
		for _, withMean := range []bool{true, false} {
			e := NewStandardScaler([]string{"x1", "x2"}, []string{"s1", "s2"})
			e.WithMean = withMean
			before := scans(s)
			tr, err := e.Fit(ctx, df)
			if err != nil {
				t.Fatal(err)
			}
			if got := scans(s) - before; got != 1 {
				t.Errorf("Fit made %d source scans, want 1", got)
			}
			m := tr.(*StandardScalerModel)
			wantStd, wantOut := fx.Standard.Std, fx.Standard.Output
			if !withMean {
				wantStd, wantOut = fx.StandardNoMean.Std, fx.StandardNoMean.Output
			}
			closeTo(t, "mean", m.Mean, fx.Standard.Mean, 1e-13)
			closeTo(t, "std", m.Std, wantStd, 1e-13)

			before = scans(s)
			out := m.Transform(df)
			if got := scans(s) - before; got != 0 {
				t.Errorf("Transform scanned %d times; it must stay lazy", got)
			}
			cols, err := out.Columns()
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"x1", "x2", "m1", "m2", "cat", "s1", "s2"}; !slices.Equal(cols, want) {
				t.Errorf("columns %v, want %v", cols, want)
			}
			got := floatCols(t, out, "x1", "x2", "s1", "s2")
			want := byKey(t, got[0], keys, wantOut)
			for j := range 2 {
				closeTo(t, fmt.Sprintf("withMean=%v output %d", withMean, j), got[2+j], fixtureColumn(want, j), 1e-12)
				// The SQL computes exactly the model's arithmetic (literals round-trip).
				for r, x := range got[j] {
					if w := (x - m.shift(j)) * m.scale(j); got[2+j][r] != w {
						t.Fatalf("row %d: %v, want exactly %v", r, got[2+j][r], w)
					}
				}
			}
		}
	})
}

func TestMinMaxScalerMatchesSklearn(t *testing.T) {
	fx := readTransformerFixture(t)
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := trainingData(t, s, parts)
		keys := fixtureX1(t)
		for _, c := range []struct {
			e  MinMaxScaler
			fx minMaxFixture
		}{
			{*NewMinMaxScaler([]string{"x1", "x2"}, []string{"s1", "s2"}), fx.MinMax},
			{MinMaxScaler{InputCols: []string{"x1", "x2"}, OutputCols: []string{"s1", "s2"}}, fx.MinMax}, // zero Min, Max: [0, 1]
			{MinMaxScaler{InputCols: []string{"x1", "x2"}, OutputCols: []string{"s1", "s2"}, Min: -1, Max: 2}, fx.MinMaxM1To2},
		} {
			before := scans(s)
			tr, err := c.e.Fit(ctx, df)
			if err != nil {
				t.Fatal(err)
			}
			if got := scans(s) - before; got != 1 {
				t.Errorf("Fit made %d source scans, want 1", got)
			}
			m := tr.(*MinMaxScalerModel)
			if !slices.Equal(m.OriginalMin, c.fx.Min) || !slices.Equal(m.OriginalMax, c.fx.Max) {
				t.Errorf("min %v max %v, want %v %v", m.OriginalMin, m.OriginalMax, c.fx.Min, c.fx.Max)
			}
			got := floatCols(t, m.Transform(df), "x1", "s1", "s2")
			want := byKey(t, got[0], keys, c.fx.Output)
			for j := range 2 {
				closeTo(t, fmt.Sprintf("[%g, %g] output %d", m.Min, m.Max, j), got[1+j], fixtureColumn(want, j), 1e-14)
			}
		}
	})
}

func TestImputerMatchesSklearn(t *testing.T) {
	fx := readTransformerFixture(t)
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := trainingData(t, s, parts)
		keys := fixtureX1(t)
		for _, c := range []struct {
			strategy string
			fx       imputeFixture
		}{{"mean", fx.ImputeMean}, {"median", fx.ImputeMedian}, {"mode", fx.ImputeMode}} {
			e := NewImputer([]string{"m1", "m2"}, []string{"i1", "i2"})
			e.Strategy = c.strategy
			before := scans(s)
			tr, err := e.Fit(ctx, df)
			if err != nil {
				t.Fatalf("%s: %v", c.strategy, err)
			}
			if got := scans(s) - before; got != 1 {
				t.Errorf("%s: Fit made %d source scans, want 1", c.strategy, got)
			}
			m := tr.(*ImputerModel)
			closeTo(t, c.strategy+" surrogates", m.Surrogates, c.fx.Statistics, 1e-14)
			got := floatCols(t, m.Transform(df), "x1", "i1", "i2")
			want := byKey(t, got[0], keys, c.fx.Output)
			for j := range 2 {
				closeTo(t, fmt.Sprintf("%s output %d", c.strategy, j), got[1+j], fixtureColumn(want, j), 1e-14)
			}
		}
	})
}

// numbers is a small test table: x DOUBLE with a NULL and a NaN, k BIGINT, c constant.
type numRow struct {
	ID int64    `ember:"id"`
	X  *float64 `ember:"x"`
	K  int64    `ember:"k"`
	C  float64  `ember:"c"`
}

func fp(v float64) *float64 { return &v }

func numbers(t *testing.T, s *dataframe.Session, parts int, rows []numRow) *dataframe.DataFrame {
	t.Helper()
	df, err := s.FromStructs(rows)
	if err != nil {
		t.Fatal(err)
	}
	return spread(df, parts)
}

// wantErr checks that err is of kind and its text contains every part.
func wantErr(t *testing.T, err, kind error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("error %q is not a %v", err, kind)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not say %q", err, p)
		}
	}
}

func TestStandardScalerEdgeCases(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := numbers(t, s, parts, []numRow{{1, fp(1), 2, 7}, {2, fp(2), 4, 7}, {3, fp(4), 9, 7}})
		// A constant column's std is 0: its output is 0 (Spark); k's std is exact.
		tr, err := StandardScaler{InputCols: []string{"c", "k"}, OutputCols: []string{"c", "ks"}, WithMean: true, WithStd: true}.Fit(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		m := tr.(*StandardScalerModel)
		if m.Std[0] != 0 || m.Mean[0] != 7 || m.Mean[1] != 5 || math.Abs(m.Std[1]-math.Sqrt(13)) > 1e-15 {
			t.Errorf("mean %v std %v, want [7 5] [0 √13]", m.Mean, m.Std)
		}
		out := m.Transform(df)
		cols, _ := out.Columns()
		// c is replaced in place (its output names its input); ks is appended.
		if want := []string{"id", "x", "k", "c", "ks"}; !slices.Equal(cols, want) {
			t.Errorf("columns %v, want %v", cols, want)
		}
		got := floatCols(t, out.OrderBy("id"), "c", "ks")
		for i, k := range []float64{2, 4, 9} {
			if got[0][i] != 0 || got[1][i] != (k-5)*(1/math.Sqrt(13)) {
				t.Errorf("row %d: c %v ks %v", i, got[0][i], got[1][i])
			}
		}
		// One row: std 0 (Spark), not NaN.
		one := numbers(t, s, parts, []numRow{{1, fp(3), 3, 3}})
		tr, err = NewStandardScaler([]string{"x"}, []string{"xs"}).Fit(ctx, one)
		if err != nil {
			t.Fatal(err)
		}
		if m := tr.(*StandardScalerModel); m.Std[0] != 0 {
			t.Errorf("one row: std %v, want 0", m.Std[0])
		}

		withNull := numbers(t, s, parts, []numRow{{1, fp(1), 1, 1}, {2, nil, 1, 1}})
		withNaN := numbers(t, s, parts, []numRow{{1, fp(1), 1, 1}, {2, fp(math.NaN()), 1, 1}})
		for _, c := range []struct {
			e     StandardScaler
			df    *dataframe.DataFrame
			parts []string
		}{
			{*NewStandardScaler([]string{"x"}, []string{"xs"}), withNull, []string{`column "x" has 1 NULL`, "Imputer"}},
			{*NewStandardScaler([]string{"x"}, []string{"xs"}), withNaN, []string{`column "x" has NaN`}},
			{StandardScaler{InputCols: []string{"x"}, OutputCols: []string{"xs"}}, df, []string{"both false", "NewStandardScaler"}},
			{*NewStandardScaler([]string{"x", "k"}, []string{"xs"}), df, []string{"1 OutputCols for 2 InputCols"}},
			{*NewStandardScaler([]string{"nope"}, []string{"xs"}), df, []string{`input column "nope" does not exist`}},
			{*NewStandardScaler(nil, nil), df, []string{"InputCols is empty"}},
		} {
			_, err := c.e.Fit(ctx, c.df)
			wantErr(t, err, errs.ErrPlan, c.parts...)
		}
		strs, err := s.FromStructs([]struct {
			S string `ember:"s"`
		}{{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = NewStandardScaler([]string{"s"}, []string{"o"}).Fit(ctx, strs)
		wantErr(t, err, errs.ErrPlan, `input column "s" is VARCHAR, not a number`)

		// Output clashes: another existing column, or the same output twice.
		err = m.Transform(df).Err()
		if err != nil {
			t.Fatal(err)
		}
		bad := *m
		bad.OutputCols = []string{"c", "x"}
		wantErr(t, bad.Transform(df).Err(), errs.ErrPlan, `output column "x" already exists`)
		bad.OutputCols = []string{"o", "O"}
		wantErr(t, bad.Transform(df).Err(), errs.ErrPlan, `output column "O" is given twice`)
		bad = *m
		bad.Std = []float64{1}
		wantErr(t, bad.Transform(df).Err(), errs.ErrPlan, "1 stds for 2 columns")
	})
}

func TestMinMaxScalerEdgeCases(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := numbers(t, s, parts, []numRow{{1, fp(1), 2, 7}, {2, nil, 4, 7}, {3, fp(4), 10, 7}})
		tr, err := MinMaxScaler{InputCols: []string{"c", "k"}, OutputCols: []string{"cs", "ks"}, Min: -2, Max: 4}.Fit(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		m := tr.(*MinMaxScalerModel)
		got := floatCols(t, m.Transform(df).OrderBy("id"), "cs", "ks")
		// Constant column: (Max + Min) / 2 = 1; k: (k - 2) / 8 * 6 - 2.
		if !slices.Equal(got[0], []float64{1, 1, 1}) || !slices.Equal(got[1], []float64{-2, -0.5, 4}) {
			t.Errorf("got %v", got)
		}
		// NULL in Transform stays NULL; Fit refuses it.
		_, err = NewMinMaxScaler([]string{"x"}, []string{"xs"}).Fit(ctx, df)
		wantErr(t, err, errs.ErrPlan, `column "x" has 1 NULL`)
		m2 := &MinMaxScalerModel{InputCols: []string{"x"}, OutputCols: []string{"xs"}, Min: 0, Max: 1, OriginalMin: []float64{1}, OriginalMax: []float64{1}}
		if got := floatCols(t, m2.Transform(df).OrderBy("id"), "xs")[0]; got[0] != 0.5 || !math.IsNaN(got[1]) || got[2] != 0.5 {
			t.Errorf("constant model over NULL: %v, want [0.5 NULL 0.5]", got)
		}
		_, err = MinMaxScaler{InputCols: []string{"k"}, OutputCols: []string{"ks"}, Min: 1, Max: 1}.Fit(ctx, df)
		wantErr(t, err, errs.ErrPlan, "Min (1) must be less than Max (1)")
	})
}

// labelRow is a row of the StringIndexer tests.
type labelRow struct {
	ID  int64   `ember:"id"`
	Cat *string `ember:"cat"`
	N   int64   `ember:"n"`
}

func sp(s string) *string { return &s }

func labels(t *testing.T, s *dataframe.Session, parts int, vals ...*string) *dataframe.DataFrame {
	t.Helper()
	rows := make([]labelRow, len(vals))
	for i, v := range vals {
		rows[i] = labelRow{ID: int64(i), Cat: v, N: int64(i % 3)}
	}
	df, err := s.FromStructs(rows)
	if err != nil {
		t.Fatal(err)
	}
	return spread(df, parts)
}

func TestStringIndexer(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		// Counts: b 3, a 3, d 2, c 1, and a NULL (left out of the labels).
		train := labels(t, s, parts, sp("b"), sp("a"), sp("d"), sp("a"), sp("c"), sp("b"), nil, sp("d"), sp("a"), sp("b"))
		for order, want := range map[string][]string{
			"":              {"a", "b", "d", "c"}, // frequencyDesc, ties alphabetical
			"frequencyDesc": {"a", "b", "d", "c"},
			"frequencyasc":  {"c", "d", "a", "b"},
			"alphabetAsc":   {"a", "b", "c", "d"},
			"alphabetDesc":  {"d", "c", "b", "a"},
		} {
			before := scans(s)
			tr, err := StringIndexer{InputCol: "cat", OutputCol: "idx", StringOrderType: order}.Fit(ctx, train)
			if err != nil {
				t.Fatal(err)
			}
			if got := scans(s) - before; got != 1 {
				t.Errorf("Fit made %d source scans, want 1", got)
			}
			m := tr.(*StringIndexerModel)
			if !slices.Equal(m.Labels, want) || m.HandleInvalid != "error" {
				t.Errorf("order %q: labels %v handleInvalid %q, want %v error", order, m.Labels, m.HandleInvalid, want)
			}
		}
		tr, err := NewStringIndexer("cat", "idx").Fit(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		m := tr.(*StringIndexerModel)
		// Seen labels only: indexes as the labels say.
		seen := labels(t, s, parts, sp("c"), sp("a"), sp("d"), sp("b"))
		if got := floatCols(t, m.Transform(seen).OrderBy("id"), "idx")[0]; !slices.Equal(got, []float64{3, 0, 2, 1}) {
			t.Errorf("indexes %v, want [3 0 2 1]", got)
		}
		// Unseen labels and NULL, with each HandleInvalid.
		test := labels(t, s, parts, sp("b"), sp("zz'z"), nil, sp("c"))
		_, err = m.Transform(labels(t, s, parts, sp("b"), sp("zz'z"), sp("c"))).CollectRows(ctx)
		wantErr(t, err, errs.ErrExecution, `unseen label "zz'z" in column "cat"`, `"keep" gives them index 4`)
		_, err = m.Transform(labels(t, s, parts, sp("a"), nil)).CollectRows(ctx)
		wantErr(t, err, errs.ErrExecution, `NULL in column "cat"`)

		keep := *m
		keep.HandleInvalid = "keep"
		if got := floatCols(t, keep.Transform(test).OrderBy("id"), "idx")[0]; !slices.Equal(got, []float64{1, 4, 4, 3}) {
			t.Errorf("keep: %v, want [1 4 4 3]", got)
		}
		skip := *m
		skip.HandleInvalid = "skip"
		got := floatCols(t, skip.Transform(test).OrderBy("id"), "id", "idx")
		if !slices.Equal(got[0], []float64{0, 3}) || !slices.Equal(got[1], []float64{1, 3}) {
			t.Errorf("skip: ids %v indexes %v, want [0 3] [1 3]", got[0], got[1])
		}

		// A number column is indexed by its text; replacing the input in place.
		tr, err = StringIndexer{InputCol: "n", OutputCol: "n", StringOrderType: "alphabetDesc"}.Fit(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		nm := tr.(*StringIndexerModel)
		if !slices.Equal(nm.Labels, []string{"2", "1", "0"}) {
			t.Errorf("number labels %v", nm.Labels)
		}
		out := nm.Transform(train)
		if cols, _ := out.Columns(); !slices.Equal(cols, []string{"id", "cat", "n"}) {
			t.Errorf("columns %v", cols)
		}
		if got := floatCols(t, out.OrderBy("id"), "n")[0][:4]; !slices.Equal(got, []float64{2, 1, 0, 2}) {
			t.Errorf("number indexes %v", got)
		}

		_, err = StringIndexer{InputCol: "cat", OutputCol: "i", StringOrderType: "random"}.Fit(ctx, train)
		wantErr(t, err, errs.ErrPlan, "StringOrderType must be one of", `"random"`)
		_, err = StringIndexer{InputCol: "cat", OutputCol: "i", HandleInvalid: "drop"}.Fit(ctx, train)
		wantErr(t, err, errs.ErrPlan, "HandleInvalid must be one of error, skip, keep")
		_, err = NewStringIndexer("cat", "id").Fit(ctx, labels(t, s, parts, nil))
		wantErr(t, err, errs.ErrPlan, `column "cat" has no values`)
	})
}

func TestOneHotEncoder(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := numbers(t, s, parts, []numRow{{1, fp(0), 2, 1}, {2, fp(1), 0, 0}, {3, fp(2), 1, 0}, {4, fp(1), 2, 1}})
		before := scans(s)
		tr, err := NewOneHotEncoder([]string{"x", "k"}, []string{"xv", "kv"}).Fit(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		if got := scans(s) - before; got != 1 {
			t.Errorf("Fit made %d source scans, want 1", got)
		}
		m := tr.(*OneHotEncoderModel)
		if !slices.Equal(m.CategorySizes, []int{3, 3}) {
			t.Errorf("sizes %v", m.CategorySizes)
		}
		vecs := func(df *dataframe.DataFrame, col string) string {
			t.Helper()
			rows, err := df.OrderBy("id").Select(col).CollectRows(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var b []string
			for _, r := range rows {
				b = append(b, fmt.Sprint(r[0]))
			}
			return strings.Join(b, " ")
		}
		out := m.Transform(df)
		if sc, err := out.Schema(); err != nil || !udf.IsVector(sc.Field(5).Type) || udf.VectorDims(sc.Field(5).Type) != 2 {
			t.Errorf("schema %v %v: want xv a VECTOR(2)", sc, err)
		}
		// DropLast: category 2 is all zeros.
		if got, want := vecs(out, "xv"), "[1 0] [0 1] [0 0] [0 1]"; got != want {
			t.Errorf("dropLast: %s, want %s", got, want)
		}
		full := *m
		full.DropLast = false
		if got, want := vecs(full.Transform(df), "kv"), "[0 0 1] [1 0 0] [0 1 0] [0 0 1]"; got != want {
			t.Errorf("no dropLast: %s, want %s", got, want)
		}
		// Invalid values at Transform: an error naming the value, or with keep an extra slot.
		test := numbers(t, s, parts, []numRow{{1, fp(1), 0, 0}, {2, fp(5), 0, 0}, {3, nil, 0, 0}, {4, fp(0.5), 0, 0}})
		_, err = m.Transform(numbers(t, s, parts, []numRow{{1, fp(1), 0, 0}, {2, fp(5), 0, 0}})).CollectRows(ctx)
		wantErr(t, err, errs.ErrExecution, `value 5 in column "x" is not a category index 0 .. 2`)
		_, err = m.Transform(numbers(t, s, parts, []numRow{{1, fp(0.5), 0, 0}})).CollectRows(ctx)
		wantErr(t, err, errs.ErrExecution, `value 0.5 in column "x" is not a category index`)
		_, err = m.Transform(numbers(t, s, parts, []numRow{{1, nil, 0, 0}})).CollectRows(ctx)
		wantErr(t, err, errs.ErrExecution, `NULL in column "x"`)
		keep := full
		keep.HandleInvalid = "keep"
		if got, want := vecs(keep.Transform(test), "xv"), "[0 1 0 0] [0 0 0 1] [0 0 0 1] [0 0 0 1]"; got != want {
			t.Errorf("keep: %s, want %s", got, want)
		}
		keep.DropLast = true
		if got, want := vecs(keep.Transform(test), "xv"), "[0 1 0] [0 0 0] [0 0 0] [0 0 0]"; got != want {
			t.Errorf("keep, dropLast: %s, want %s", got, want)
		}
		// Fit refuses what is not a category index.
		for _, c := range []struct {
			rows []numRow
			part string
		}{
			{[]numRow{{1, fp(-1), 0, 0}}, "negative value -1"},
			{[]numRow{{1, fp(1.5), 0, 0}}, "1 fractional values"},
			{[]numRow{{1, nil, 0, 0}, {2, fp(1), 0, 0}}, "1 NULL values"},
			{[]numRow{{1, fp(math.NaN()), 0, 0}}, "NaN or infinite"},
			{[]numRow{{1, fp(0), 0, 0}}, "a single category, which DropLast drops"},
		} {
			_, err := NewOneHotEncoder([]string{"x"}, []string{"v"}).Fit(ctx, numbers(t, s, parts, c.rows))
			wantErr(t, err, errs.ErrPlan, c.part)
		}
	})
}

func TestVectorAssembler(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := numbers(t, s, parts, []numRow{{1, fp(0.5), 2, 1}, {2, nil, 0, 0}})
		oh := &OneHotEncoderModel{InputCols: []string{"k"}, OutputCols: []string{"kv"}, DropLast: false, HandleInvalid: "error", CategorySizes: []int{3}}
		out := VectorAssembler{InputCols: []string{"x", "kv", "c"}, OutputCol: "features"}.Transform(oh.Transform(df))
		rows, err := out.OrderBy("id").Select("features").CollectRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rows[0][0], rows[1][0]); got != "[0.5 0 0 1 1] <nil>" {
			t.Errorf("vectors %s, want [0.5 0 0 1 1] <nil> (a NULL input makes a NULL vector)", got)
		}
		wantErr(t, VectorAssembler{InputCols: []string{"x"}, OutputCol: "k"}.Transform(df).Err(), errs.ErrPlan, `output column "k" already exists`)
		wantErr(t, VectorAssembler{OutputCol: "v"}.Transform(df).Err(), errs.ErrPlan, "InputCols is empty")
	})
}

func TestImputerMissingValues(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		// x: 1, NULL, NaN, 3, -1, 3.
		df := numbers(t, s, parts, []numRow{{1, fp(1), 1, 0}, {2, nil, 2, 0}, {3, fp(math.NaN()), 2, 0}, {4, fp(3), 4, 0}, {5, fp(-1), 4, 0}, {6, fp(3), 1, 0}})
		for _, c := range []struct {
			strategy string
			mv       float64
			want     float64
			out      []float64
		}{
			// NULL and NaN missing: values 1, 3, -1, 3.
			{"mean", math.NaN(), 1.5, []float64{1, 1.5, 1.5, 3, -1, 3}},
			{"median", math.NaN(), 2, []float64{1, 2, 2, 3, -1, 3}},
			{"mode", math.NaN(), 3, []float64{1, 3, 3, 3, -1, 3}},
			// MissingValue -1: NULL, NaN (left out of Fit, as Spark) and -1 missing; a NaN
			// stays NaN in Transform, as in Spark.
			{"mean", -1, 7.0 / 3, []float64{1, 7.0 / 3, math.NaN(), 3, 7.0 / 3, 3}},
			{"median", -1, 3, []float64{1, 3, math.NaN(), 3, 3, 3}},
		} {
			e := Imputer{InputCols: []string{"x"}, OutputCols: []string{"x"}, Strategy: c.strategy, MissingValue: c.mv}
			tr, err := e.Fit(ctx, df)
			if err != nil {
				t.Fatal(err)
			}
			m := tr.(*ImputerModel)
			if relErr(m.Surrogates[0], c.want) > 1e-15 {
				t.Errorf("%s mv=%v: surrogate %v, want %v", c.strategy, c.mv, m.Surrogates[0], c.want)
			}
			got := floatCols(t, m.Transform(df).OrderBy("id"), "x")[0]
			for i := range got {
				if relErr(got[i], c.out[i]) > 1e-15 {
					t.Errorf("%s mv=%v: output %v, want %v", c.strategy, c.mv, got, c.out)
					break
				}
			}
		}
		// Mode ties: the smallest value; over two columns (one GROUPING SETS query).
		tr, err := Imputer{InputCols: []string{"k", "c"}, OutputCols: []string{"ki", "ci"}, Strategy: "mode", MissingValue: math.NaN()}.Fit(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.(*ImputerModel).Surrogates; !slices.Equal(got, []float64{1, 0}) {
			t.Errorf("mode surrogates %v, want [1 0] (k: 1, 2 and 4 twice each)", got)
		}
		_, err = NewImputer([]string{"x"}, []string{"y"}).Fit(ctx, numbers(t, s, parts, []numRow{{1, nil, 0, 0}, {2, fp(math.NaN()), 0, 0}}))
		wantErr(t, err, errs.ErrPlan, `column "x" has no value that is not missing`)
		_, err = Imputer{InputCols: []string{"x"}, OutputCols: []string{"y"}, Strategy: "max"}.Fit(ctx, df)
		wantErr(t, err, errs.ErrPlan, "Strategy must be one of mean, median, mode")
	})
}

// TestTransformerJSON round-trips every model through MarshalJSON/UnmarshalJSON and checks
// that broken JSON gives clear errors.
func TestTransformerJSON(t *testing.T) {
	models := []json.Marshaler{
		&StandardScalerModel{InputCols: []string{"a"}, OutputCols: []string{"b"}, WithMean: true, WithStd: true, Mean: []float64{0.1}, Std: []float64{3}},
		&MinMaxScalerModel{InputCols: []string{"a"}, OutputCols: []string{"b"}, Min: -1, Max: 1, OriginalMin: []float64{2}, OriginalMax: []float64{5}},
		&StringIndexerModel{InputCol: "a", OutputCol: "b", HandleInvalid: "keep", Labels: []string{"x", "y"}},
		&OneHotEncoderModel{InputCols: []string{"a"}, OutputCols: []string{"b"}, DropLast: true, HandleInvalid: "error", CategorySizes: []int{4}},
		&ImputerModel{InputCols: []string{"a"}, OutputCols: []string{"b"}, Strategy: "median", MissingValue: math.NaN(), Surrogates: []float64{1.25}},
		&ImputerModel{InputCols: []string{"a"}, OutputCols: []string{"b"}, Strategy: "mean", MissingValue: -999, Surrogates: []float64{1.25}},
		&VectorAssembler{InputCols: []string{"a", "b"}, OutputCol: "v"},
	}
	for _, m := range models {
		data, err := m.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back := newLike(m)
		if err := back.(json.Unmarshaler).UnmarshalJSON(data); err != nil {
			t.Fatalf("%T: %v\n%s", m, err, data)
		}
		again, err := back.MarshalJSON()
		if err != nil || string(again) != string(data) {
			t.Errorf("%T: round trip gave %s, want %s (%v)", m, again, data, err)
		}
	}
	if got := string(must(models[4].MarshalJSON())); !strings.Contains(got, `"missing_value":"NaN"`) {
		t.Errorf("NaN missing value written as %s", got)
	}
	for _, c := range []struct {
		m     json.Unmarshaler
		data  string
		parts []string
	}{
		{&StandardScalerModel{}, `{"input_cols":["a"],"output_cols":["b"],"with_mean":true,"with_std":true,"mean":[1],"std":[1],"extra":1}`, []string{`unknown field "extra"`}},
		{&StandardScalerModel{}, `{"input_cols":["a"],"output_cols":["b"],"with_mean":true,"mean":[1],"std":[1]}`, []string{`missing "with_mean" or "with_std"`}},
		{&StandardScalerModel{}, `{"input_cols":["a"],"output_cols":["b"],"with_mean":true,"with_std":true,"mean":[1,2],"std":[1]}`, []string{"2 means and 1 stds for 1 columns"}},
		{&StandardScalerModel{}, `{"input_cols":["a"],"output_cols":["b"],"with_mean":true,"with_std":true,"mean":[null],"std":[1]}`, []string{"expected a number"}},
		{&MinMaxScalerModel{}, `{"input_cols":["a"],"output_cols":["b"],"min":1,"max":0,"original_min":[0],"original_max":[1]}`, []string{"Min (1) must be less than Max (0)"}},
		{&StringIndexerModel{}, `{"input_col":"a","output_col":"b","handle_invalid":"error","labels":["x","x"]}`, []string{`label "x" is listed twice`}},
		{&OneHotEncoderModel{}, `{"input_cols":["a"],"output_cols":["b"],"drop_last":true,"handle_invalid":"error","category_sizes":[0]}`, []string{"category size 0"}},
		{&ImputerModel{}, `{"input_cols":["a"],"output_cols":["b"],"strategy":"mean","missing_value":"Infinity","surrogates":[1]}`, []string{"MissingValue must be a number or NaN"}},
		{&VectorAssembler{}, `{"input_cols":[],"output_col":"v"}`, []string{"InputCols is empty"}},
		{&VectorAssembler{}, `[1]`, []string{"vector_assembler"}},
	} {
		err := c.m.UnmarshalJSON([]byte(c.data))
		wantErr(t, err, errs.ErrExecution, c.parts...)
	}
}

func newLike(m json.Marshaler) json.Marshaler {
	switch m.(type) {
	case *StandardScalerModel:
		return &StandardScalerModel{}
	case *MinMaxScalerModel:
		return &MinMaxScalerModel{}
	case *StringIndexerModel:
		return &StringIndexerModel{}
	case *OneHotEncoderModel:
		return &OneHotEncoderModel{}
	case *ImputerModel:
		return &ImputerModel{}
	}
	return &VectorAssembler{}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
