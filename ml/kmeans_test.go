package ml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// The fixtures of testdata/ml/training/make_kmeans.py.

type kmeansExpected struct {
	K                   int         `json:"k"`
	Rows                int         `json:"rows"`
	Features            int         `json:"features"`
	Inertia             float64     `json:"inertia"`
	Centers             [][]float64 `json:"centers"`
	StandardizedInertia float64     `json:"standardized_inertia"`
	StandardizedCenters [][]float64 `json:"standardized_centers"`
}

func readKMeansExpected(t *testing.T) map[string]kmeansExpected {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(readFixture(t, "training/kmeans_expected.json"), &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]kmeansExpected{}
	for _, name := range []string{"blobs6", "uneven8"} {
		var e kmeansExpected
		if err := json.Unmarshal(raw[name], &e); err != nil {
			t.Fatal(err)
		}
		out[name] = e
	}
	return out
}

// kmeansData reads kmeans_<name>.csv into a DataFrame of s.
func kmeansData(t *testing.T, s *dataframe.Session, name string) *dataframe.DataFrame {
	t.Helper()
	df, err := s.ReadCSV(filepath.Join(fixtureDir, "training", "kmeans_"+name+".csv"), dataframe.CSVOptions{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// matchCenters returns the largest distance from an expected center to the nearest got
// center, relative to the spread of the expected centers (their largest pairwise distance).
func matchCenters(want, got [][]float64) float64 {
	var worst, spread float64
	for _, w := range want {
		best := math.Inf(1)
		for _, g := range got {
			best = min(best, math.Sqrt(kmSqDist(w, g, nil)))
		}
		worst = max(worst, best)
		for _, v := range want {
			spread = max(spread, math.Sqrt(kmSqDist(w, v, nil)))
		}
	}
	return worst / spread
}

// TestKMeansMatchesSklearn compares the inertia with scikit-learn's best of ten runs.
// blobs6: one k-means|| run (Runs 1) lands within 1% for every seed. uneven8: one run of
// any k-means initializer often ends in a local optimum (so do 4 of scikit-learn's ten
// single runs, 17% to 26% above the best; see single_run_inertias), so the comparison
// with a best of ten is Runs 10, which must land within 1% for every seed; one run is
// checked for consistency only (its ratios are logged). A random start (Runs 10) must land
// within 1% on blobs6.
func TestKMeansMatchesSklearn(t *testing.T) {
	exp := readKMeansExpected(t)
	ctx := context.Background()
	for _, name := range []string{"blobs6", "uneven8"} {
		e := exp[name]
		for _, parts := range []int{1, 3} {
			s := mlSession(t, "", parts)
			ds, err := NewDataset(ctx, kmeansData(t, s, name), DataSpec{})
			if err != nil {
				t.Fatal(err)
			}
			if ds.Rows != int64(e.Rows) || ds.NumFeatures() != e.Features {
				t.Fatalf("%s: %d rows × %d features, want %d × %d", name, ds.Rows, ds.NumFeatures(), e.Rows, e.Features)
			}
			for _, mode := range []string{KMeansParallel, KMeansRandom} {
				for _, runs := range []int{1, 10} {
					for seed := int64(1); seed <= 6; seed++ {
						km := NewKMeans()
						km.K, km.MaxIter, km.Tol, km.Seed, km.InitMode, km.Runs = e.K, 100, 1e-6, seed, mode, runs
						m, err := km.FitDataset(ctx, ds)
						if err != nil {
							t.Fatalf("%s %d partitions %s seed %d: %v", name, parts, mode, seed, err)
						}
						ratio := m.Cost() / e.Inertia
						off := matchCenters(e.Centers, m.Centers())
						t.Logf("%s partitions=%d %s runs=%d seed=%d: inertia/sklearn %.6f after %d iterations, center offset %.2g",
							name, parts, mode, runs, seed, ratio, m.Iterations(), off)
						strict := mode == KMeansParallel && (runs == 10 || name == "blobs6") ||
							mode == KMeansRandom && runs == 10 && name == "blobs6"
						if ratio < 0.99 || strict && ratio > 1.01 {
							t.Errorf("%s partitions=%d %s runs=%d seed=%d: inertia %g, scikit-learn %g (ratio %.4f)",
								name, parts, mode, runs, seed, m.Cost(), e.Inertia, ratio)
						}
						if m.Iterations() < 1 || m.Iterations() >= 100 {
							t.Errorf("%s seed=%d: %d iterations", name, seed, m.Iterations())
						}
						if ratio < 1.001 {
							// The same optimum: the centers agree to the stopping tolerances.
							if off > 0.01 {
								t.Errorf("%s seed=%d: centers off by %g of their spread", name, seed, off)
							}
						}
						cost, err := m.ComputeCost(ctx, ds)
						if err != nil {
							t.Fatal(err)
						}
						if math.Abs(cost-m.Cost()) > 1e-9*cost {
							t.Errorf("%s: ComputeCost %g, training cost %g", name, cost, m.Cost())
						}
					}
				}
			}
			ds.Close()
		}
	}
}

func TestKMeansStandardizeFeatures(t *testing.T) {
	e := readKMeansExpected(t)["blobs6"]
	ctx := context.Background()
	for _, parts := range []int{1, 3} {
		s := mlSession(t, "", parts)
		ds, err := NewDataset(ctx, kmeansData(t, s, "blobs6"), DataSpec{})
		if err != nil {
			t.Fatal(err)
		}
		defer ds.Close()
		o := NewOptions(map[string]string{"num_clusters": "6", "standardize_features": "true",
			"max_iterations": "100", "tol": "1e-6"}, nil)
		tr, err := newKMeansTrainer(o)
		if err != nil {
			t.Fatal(err)
		}
		tm, err := tr.Fit(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		m := tm.(*KMeansModel)
		// Ember divides by the sample standard deviation, scikit-learn's StandardScaler
		// by the population one: Ember's inertia is smaller by (n-1)/n.
		n := float64(e.Rows)
		ratio := m.Cost() * n / (n - 1) / e.StandardizedInertia
		off := matchCenters(e.StandardizedCenters, m.Centers())
		t.Logf("partitions=%d: standardized inertia/sklearn %.6f, center offset %.2g", parts, ratio, off)
		if ratio > 1.01 || ratio < 0.99 {
			t.Errorf("partitions=%d: standardized inertia ratio %.4f", parts, ratio)
		}
		if ratio < 1.001 && off > 0.01 {
			t.Errorf("partitions=%d: centers off by %g of their spread", parts, off)
		}
		if len(m.FeatureScales()) != 5 {
			t.Fatalf("scales %v", m.FeatureScales())
		}
		// The model measures distances in standardized units, in Predict and ComputeCost.
		cost, err := m.ComputeCost(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(cost-m.Cost()) > 1e-9*cost {
			t.Errorf("ComputeCost %g, training cost %g", cost, m.Cost())
		}
		data, err := m.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := LoadKMeans(data)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(back.FeatureScales(), m.FeatureScales()) {
			t.Errorf("scales %v after the round trip, want %v", back.FeatureScales(), m.FeatureScales())
		}
	}
}

// kmeansTestModel fits blobs6 at the given partitions.
func kmeansTestModel(t *testing.T, s *dataframe.Session, seed int64) (*KMeansModel, *dataframe.DataFrame) {
	t.Helper()
	df := kmeansData(t, s, "blobs6")
	km := NewKMeans()
	km.K, km.Seed = 6, seed
	tr, err := km.Fit(context.Background(), df)
	if err != nil {
		t.Fatal(err)
	}
	return tr.(*KMeansModel), df
}

func TestKMeansPredictThroughSQL(t *testing.T) {
	ctx := context.Background()
	for _, parts := range []int{1, 3} {
		s := mlSession(t, "", parts)
		m, df := kmeansTestModel(t, s, 7)
		if err := s.RegisterModel("km_cluster", m); err != nil {
			t.Fatal(err)
		}
		if err := df.CreateOrReplaceTempView("pts"); err != nil {
			t.Fatal(err)
		}
		res, err := s.Exec(ctx, "SELECT x0, x1, x2, x3, x4, km_cluster(x0, x1, x2, x3, x4) AS c FROM pts")
		if err != nil {
			t.Fatal(err)
		}
		var feats []float32
		var sqlIDs []int64
		for _, b := range res.Batches {
			if b.Column(5).DataType().ID() != arrow.INT64 {
				t.Fatalf("cluster id is %s, want BIGINT", b.Column(5).DataType())
			}
			ids := b.Column(5).(*array.Int64)
			for r := 0; r < int(b.NumRows()); r++ {
				for j := 0; j < 5; j++ {
					feats = append(feats, float32(b.Column(j).(*array.Float64).Value(r)))
				}
				sqlIDs = append(sqlIDs, ids.Value(r))
			}
		}
		res.Release()
		rows := len(sqlIDs)
		if rows != 3000 {
			t.Fatalf("%d rows", rows)
		}
		out := make([]float64, rows)
		if err := m.Predict(ctx, feats, rows, out); err != nil {
			t.Fatal(err)
		}
		sizes := make([]int, m.K())
		for r, id := range sqlIDs {
			if float64(id) != out[r] {
				t.Fatalf("row %d: SQL says cluster %d, Predict %g", r, id, out[r])
			}
			sizes[id]++
		}
		for c, n := range sizes {
			if n < 300 {
				t.Errorf("cluster %d has %d rows: %v", c, n, sizes)
			}
		}
		// Transform adds the same ids as "prediction".
		got, err := m.Transform(df).Select("prediction").Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var r int
		for _, b := range got {
			ids := b.Column(0).(*array.Int64)
			for i := 0; i < ids.Len(); i++ {
				if ids.Value(i) != sqlIDs[r] {
					t.Errorf("Transform row %d: %d, SQL %d", r, ids.Value(i), sqlIDs[r])
				}
				r++
			}
			b.Release()
		}
		if r != rows {
			t.Errorf("Transform gave %d rows", r)
		}
		// A NULL feature gives a NULL cluster; probabilities are an error.
		if got := rows1(t, s, "SELECT km_cluster(NULL, 1, 2, 3, 4)"); got != "(null)" {
			t.Errorf("NULL feature: %s", got)
		}
		if _, err := s.Exec(ctx, "SELECT km_cluster_proba(x0, x1, x2, x3, x4) FROM pts"); err == nil ||
			!strings.Contains(err.Error(), "a kmeans model has no class probabilities") {
			t.Errorf("proba: %v", err)
		}
	}
}

// rows1 runs a query of one row and one column and renders the value.
func rows1(t *testing.T, s *dataframe.Session, sql string) string {
	t.Helper()
	got := rows(t, s, sql)
	if len(got) != 1 {
		t.Fatalf("%s: %d rows", sql, len(got))
	}
	return got[0]
}

func TestKMeansJSONRoundTrip(t *testing.T) {
	s := mlSession(t, "", 3)
	m, _ := kmeansTestModel(t, s, 3)
	data, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if DetectKind(data) != "kmeans" {
		t.Fatalf("DetectKind: %q", DetectKind(data))
	}
	back, err := LoadKMeans(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.K() != 6 || back.NumFeatures() != 5 || back.Cost() != m.Cost() || back.Iterations() != m.Iterations() ||
		!slices.Equal(back.FeatureNames(), []string{"x0", "x1", "x2", "x3", "x4"}) ||
		!slices.Equal(back.Classes(), []string{"0", "1", "2", "3", "4", "5"}) || back.Task() != udf.Classification {
		t.Fatalf("round trip: k %d d %d cost %g/%g iterations %d/%d features %v classes %v",
			back.K(), back.NumFeatures(), back.Cost(), m.Cost(), back.Iterations(), m.Iterations(), back.FeatureNames(), back.Classes())
	}
	for c, row := range m.Centers() {
		if !slices.Equal(row, back.Centers()[c]) {
			t.Fatalf("center %d: %v, want %v", c, back.Centers()[c], row)
		}
	}
	gen, err := Load("kmeans", data)
	if err != nil || gen.Kind() != "kmeans" {
		t.Fatalf("ml.Load: %v, %v", gen, err)
	}
	// The minimal file of the format.
	min, err := LoadKMeans([]byte(`{"format": "ember-kmeans", "version": 1, "centers": [[0, 0], [10, 0]]}`))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 3)
	if err := min.Predict(context.Background(), []float32{1, 1, 9, -3, 5, 0}, 3, out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out, []float64{0, 1, 0}) { // a tie goes to the lower index
		t.Errorf("predict %v", out)
	}
	if !math.IsNaN(min.Cost()) || min.FeatureNames() != nil {
		t.Errorf("cost %g, names %v", min.Cost(), min.FeatureNames())
	}

	bad := []struct{ file, want string }{
		{`{`, "invalid JSON"},
		{`{"version": 1, "centers": [[1]]}`, `missing "format"`},
		{`{"format": "ember-mlp", "version": 1}`, `format is "ember-mlp"`},
		{`{"format": "ember-kmeans"}`, `missing "version"`},
		{`{"format": "ember-kmeans", "version": 2}`, "format version 2"},
		{`{"format": "ember-kmeans", "version": 1}`, `no "centers"`},
		{`{"format": "ember-kmeans", "version": 1, "centers": [[]]}`, "centers[0] is empty"},
		{`{"format": "ember-kmeans", "version": 1, "centers": [[1, 2], [3]]}`, "centers[1] has 1 values"},
		{`{"format": "ember-kmeans", "version": 1, "centers": [[1, null]]}`, "expected a number"},
		{`{"format": "ember-kmeans", "version": 1, "centers": [[1, 2]], "feature_names": ["a"]}`, "1 feature_names for 2 features"},
		{`{"format": "ember-kmeans", "version": 1, "centers": [[1, 2]], "feature_scales": [1, 0]}`, "feature_scales[1] is 0"},
		{`{"format": "ember-kmeans", "version": 1, "centers": [[1, 2]], "colour": 3}`, `unknown field "colour"`},
		{`{"format": "ember-kmeans", "version": 1, "centers": [[1, 2]], "iterations": -1}`, "iterations is -1"},
	}
	for _, c := range bad {
		m, err := LoadKMeans([]byte(c.file))
		if m != nil || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.file, err, c.want)
		}
	}
	if err := min.Predict(context.Background(), []float32{1, 2, 3}, 2, make([]float64, 2)); err == nil {
		t.Error("Predict with 3 values for 2 rows of 2 features")
	}
}

func TestKMeansErrors(t *testing.T) {
	ctx := context.Background()
	s := mlSession(t, "", 3)
	for _, q := range []string{
		"CREATE TABLE few (a DOUBLE, b DOUBLE, name VARCHAR(5))",
		"INSERT INTO few VALUES (1, 1, 'p'), (1, 1, 'q'), (2, 2, 'r'), (2, 2, 's'), (3, 3, 't'), (1, 1, 'u'), (3, 3, 'v')",
	} {
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	df, err := s.SQL(ctx, "SELECT a, b FROM few")
	if err != nil {
		t.Fatal(err)
	}
	fit := func(mod func(km *KMeans)) error {
		km := NewKMeans()
		mod(km)
		_, err := km.Fit(ctx, df)
		return err
	}
	cases := []struct {
		mod  func(km *KMeans)
		want string
	}{
		{func(km *KMeans) { km.K = 1 }, "K must be at least 2"},
		{func(km *KMeans) { km.MaxIter = -1 }, "MaxIter must be at least 0"},
		{func(km *KMeans) { km.Tol = math.NaN() }, "Tol must be a finite number"},
		{func(km *KMeans) { km.InitSteps = 0 }, "InitSteps must be at least 1"},
		{func(km *KMeans) { km.InitMode = "kmeans++" }, `InitMode must be "k-means||" or "random"`},
		{func(km *KMeans) { km.K = 8 }, "K is 8 but the training data has only 7 rows"},
		{func(km *KMeans) { km.K = 4 }, "only 3 distinct points for K = 4 clusters"},
		{func(km *KMeans) { km.K, km.InitMode = 4, KMeansRandom }, "only 3 distinct points for K = 4 clusters"},
		{func(km *KMeans) { km.FeaturesCols = []string{"a", "name"} }, `feature column "name" does not exist`},
	}
	for i, c := range cases {
		if err := fit(c.mod); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: got %v, want %q", i, err, c.want)
		}
	}
	// Exactly K distinct points: they are the centers, whatever the seed.
	for seed := int64(1); seed <= 5; seed++ {
		for _, mode := range []string{KMeansParallel, KMeansRandom} {
			km := NewKMeans()
			km.K, km.Seed, km.InitMode = 3, seed, mode
			tr, err := km.Fit(ctx, df)
			if err != nil {
				t.Fatalf("3 distinct points, %s seed %d: %v", mode, seed, err)
			}
			m := tr.(*KMeansModel)
			got := m.Centers()
			slices.SortFunc(got, func(a, b []float64) int { return int(a[0] - b[0]) })
			if fmt.Sprint(got) != "[[1 1] [2 2] [3 3]]" || m.Cost() != 0 {
				t.Errorf("%s seed %d: centers %v cost %g", mode, seed, got, m.Cost())
			}
		}
	}

	opts := []struct {
		vals map[string]string
		want string
	}{
		{map[string]string{}, "needs the option num_clusters"},
		{map[string]string{"num_clusters": "1"}, "option num_clusters must be at least 2"},
		{map[string]string{"num_clusters": "x"}, "option num_clusters must be a whole number"},
		{map[string]string{"num_clusters": "3", "max_iterations": "0"}, "option max_iterations must be at least 1"},
		{map[string]string{"num_clusters": "3", "tol": "-1"}, "option tol must be at least 0"},
		{map[string]string{"num_clusters": "3", "kmeans_init_method": "custom"}, "option kmeans_init_method must be one of kmeans++, random"},
		{map[string]string{"num_clusters": "3", "init_steps": "0"}, "option init_steps must be at least 1"},
		{map[string]string{"num_clusters": "3", "seed": "1.5"}, "option seed must be a whole number"},
		{map[string]string{"num_clusters": "3", "distance_type": "cosine"}, `option distance_type "cosine" is not supported`},
		{map[string]string{"num_clusters": "3", "standardize_features": "maybe"}, "option standardize_features must be TRUE or FALSE"},
	}
	for _, c := range opts {
		_, err := newKMeansTrainer(NewOptions(c.vals, nil))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.vals, err, c.want)
		}
	}
	if _, err := newKMeansTrainer(NewOptions(map[string]string{"num_clusters": "3", "distance_type": "COSINE"}, nil)); !errors.Is(err, errs.ErrNotImplemented) {
		t.Errorf("cosine: %v", err)
	}
	// The trainer: no label, every option read, K above the rows named as num_clusters.
	o := NewOptions(map[string]string{"num_clusters": "8", "max_iterations": "5", "tol": "0.01",
		"kmeans_init_method": "RANDOM", "init_steps": "3", "seed": "-4", "distance_type": "euclidean",
		"standardize_features": "false"}, nil)
	tr, err := trainers["kmeans"](o)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Unused()) != 0 || tr.Needs().Label {
		t.Fatalf("unused %v, needs %+v", o.Unused(), tr.Needs())
	}
	ds, err := NewDataset(ctx, df, DataSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if _, err := tr.Fit(ctx, ds); err == nil || !strings.Contains(err.Error(), "option num_clusters is 8 but the training data has only 7 rows") {
		t.Errorf("K > rows: %v", err)
	}
}

func TestKMeansSourceReadOnceAndProgress(t *testing.T) {
	ctx := context.Background()
	for _, parts := range []int{1, 3} {
		s := mlSession(t, "", parts)
		for _, mode := range []string{KMeansParallel, KMeansRandom} {
			df := kmeansData(t, s, "uneven8")
			before := s.Metrics()
			p := &Progress{}
			km := NewKMeans()
			km.K, km.InitMode, km.Standardization, km.MaxIter, km.Tol = 8, mode, true, 100, 1e-6
			tr, err := km.Fit(WithProgress(ctx, p), df)
			if err != nil {
				t.Fatal(err)
			}
			if d := s.Metrics().SourceScans - before.SourceScans; d != 1 {
				t.Errorf("%s: %d source scans, want 1", mode, d)
			}
			m := tr.(*KMeansModel)
			loss, ok := p.Loss()
			if p.Iteration() != m.Iterations() || !ok || loss < m.Cost() {
				t.Errorf("progress: iteration %d of %d, loss %g (%v), final cost %g", p.Iteration(), m.Iterations(), loss, ok, m.Cost())
			}
			// The same seed and partitioning give the same model.
			again, err := km.Fit(ctx, df)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(again.(*KMeansModel).Centers()) != fmt.Sprint(m.Centers()) {
				t.Errorf("%s: a second fit with the same seed differs", mode)
			}
		}
	}
}

func TestKMeansCancel(t *testing.T) {
	s := mlSession(t, "", 3)
	df := kmeansData(t, s, "uneven8")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	km := NewKMeans()
	km.K = 8
	start := time.Now()
	if _, err := km.Fit(ctx, df); !errors.Is(err, context.Canceled) {
		t.Errorf("Fit: %v", err)
	}
	ds, err := NewDataset(context.Background(), df, DataSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if _, err := km.FitDataset(ctx, ds); !errors.Is(err, context.Canceled) {
		t.Errorf("FitDataset: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
}

// nearestCentersRef is the direct search nearestCenters replaced (kept as the reference
// it must agree with bit for bit, and as the benchmark's baseline): every (row, center)
// distance summed feature by feature, column by column; the lower index on a tie.
func nearestCentersRef(x [][]float64, n int, centers []float64, k int, w []float64, idx []int32, best, dist []float64) {
	d := len(x)
	idx, best, dist = idx[:n], best[:n], dist[:n]
	for c := 0; c < k; c++ {
		out := dist
		if c == 0 {
			out = best
		}
		clear(out)
		cc := centers[c*d : (c+1)*d]
		for j, col := range x {
			col = col[:n]
			cj := cc[j]
			if w == nil {
				for i, v := range col {
					t := v - cj
					out[i] += t * t
				}
			} else {
				wj := w[j]
				for i, v := range col {
					t := v - cj
					out[i] += wj * t * t
				}
			}
		}
		if c == 0 {
			clear(idx)
			continue
		}
		for i, v := range out {
			if v < best[i] {
				best[i], idx[i] = v, int32(c)
			}
		}
	}
}

// kmBlobs is n rows of d features (column-major) around k random centers of the given
// spread, shifted by off (far from the origin when off is large); centers are k points
// near them, row-major.
func kmBlobs(rng *rand.Rand, n, d, k int, spread, off float64) (x [][]float64, centers []float64) {
	means := make([]float64, k*d)
	for i := range means {
		means[i] = off + 10*rng.NormFloat64()
	}
	x = make([][]float64, d)
	for j := range x {
		x[j] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		c := rng.IntN(k)
		for j := range x {
			x[j][i] = means[c*d+j] + spread*rng.NormFloat64()
		}
	}
	centers = make([]float64, k*d)
	for i := range centers {
		centers[i] = means[i] + rng.NormFloat64()
	}
	return x, centers
}

func TestKMeansNearestCentersExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	cases := []struct {
		name        string
		n, d, k     int
		spread, off float64
		weighted    bool
		dupCenters  bool    // centers repeated: ties must go to the lower index
		rowsCenters bool    // centers are rows of x: distances of exactly 0
		midpoints   bool    // rows halfway between two centers: near ties
		scale       float64 // when not 0, multiplies rows and centers
	}{
		{name: "small", n: 37, d: 3, k: 2, spread: 1},
		{name: "blocks", n: 5000, d: 20, k: 8, spread: 3},
		{name: "many centers", n: 3000, d: 7, k: 150, spread: 5},
		{name: "weighted", n: 3000, d: 20, k: 8, spread: 3, weighted: true},
		{name: "far from origin", n: 3000, d: 20, k: 8, spread: 1, off: 1e7},
		{name: "far weighted", n: 3000, d: 5, k: 50, spread: 1e-3, off: 1e9, weighted: true},
		{name: "duplicate centers", n: 3000, d: 4, k: 12, spread: 2, dupCenters: true},
		{name: "centers are rows", n: 3000, d: 6, k: 40, spread: 2, rowsCenters: true},
		{name: "one feature", n: 3000, d: 1, k: 5, spread: 2},
		{name: "midpoints", n: 3000, d: 20, k: 8, spread: 1, midpoints: true},
		{name: "distances overflow", n: 3000, d: 20, k: 8, spread: 1e155},
		{name: "some distances overflow", n: 3000, d: 20, k: 8, spread: 3, scale: 1.5e152},
		{name: "midpoints far weighted", n: 3000, d: 20, k: 30, spread: 1, off: 1e5, weighted: true, midpoints: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x, centers := kmBlobs(rng, tc.n, tc.d, tc.k, tc.spread, tc.off)
			if tc.dupCenters {
				for c := tc.k / 2; c < tc.k; c++ {
					copy(centers[c*tc.d:(c+1)*tc.d], centers[(c-tc.k/2)*tc.d:])
				}
			}
			if tc.rowsCenters {
				for c := 0; c < tc.k; c++ {
					for j := range x {
						centers[c*tc.d+j] = x[j][rng.IntN(tc.n)%tc.n]
					}
				}
				r := rng.IntN(tc.n) // and one row twice
				for j := range x {
					centers[3*tc.d+j], centers[7*tc.d+j] = x[j][r], x[j][r]
				}
			}
			if tc.scale != 0 {
				for j := range x {
					for i := range x[j] {
						x[j][i] *= tc.scale
					}
				}
				for i := range centers {
					centers[i] *= tc.scale
				}
			}
			if tc.midpoints {
				for i := 0; i < tc.n; i += 2 {
					a, b := rng.IntN(tc.k), rng.IntN(tc.k)
					for j := range x {
						x[j][i] = (centers[a*tc.d+j] + centers[b*tc.d+j]) / 2
					}
				}
			}
			var w []float64
			if tc.weighted {
				w = make([]float64, tc.d)
				for j := range w {
					w[j] = math.Exp(4 * rng.NormFloat64())
				}
			}
			wantIdx, wantBest := make([]int32, tc.n), make([]float64, tc.n)
			nearestCentersRef(x, tc.n, centers, tc.k, w, wantIdx, wantBest, make([]float64, tc.n))
			s := kmGetScratch(tc.n)
			defer kmScratchPool.Put(s)
			nearestCenters(x, tc.n, centers, tc.k, w, s)
			bad := 0
			for i := 0; i < tc.n; i++ {
				if s.idx[i] != wantIdx[i] || s.best[i] != wantBest[i] {
					if bad < 5 {
						t.Errorf("row %d: center %d at %g, want %d at %g", i, s.idx[i], s.best[i], wantIdx[i], wantBest[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d rows differ", bad, tc.n)
			}
		})
	}
}

// BenchmarkKMeansNearest times nearestCenters ("gemm") and the direct search it replaced
// ("direct") on 100k rows of 20 features in batches of 8192 rows (the cached frame's batch
// size); ns/term is per (row, center, feature).
func BenchmarkKMeansNearest(b *testing.B) {
	const n, d, batch = 100_000, 20, 8192
	for _, k := range []int{8, 50} {
		for _, weighted := range []bool{false, true} {
			rng := rand.New(rand.NewPCG(1, 2))
			x, centers := kmBlobs(rng, n, d, k, 3, 0)
			var w []float64
			if weighted {
				w = make([]float64, d)
				for j := range w {
					w[j] = 1 / (1 + float64(j))
				}
			}
			for _, impl := range []string{"direct", "gemm"} {
				b.Run(fmt.Sprintf("k=%d/weighted=%v/%s", k, weighted, impl), func(b *testing.B) {
					s := kmGetScratch(batch)
					defer kmScratchPool.Put(s)
					dist := make([]float64, batch)
					cols := make([][]float64, d)
					for b.Loop() {
						for lo := 0; lo < n; lo += batch {
							hi := min(lo+batch, n)
							for j := range cols {
								cols[j] = x[j][lo:hi]
							}
							if impl == "gemm" {
								nearestCenters(cols, hi-lo, centers, k, w, s)
							} else {
								nearestCentersRef(cols, hi-lo, centers, k, w, s.idx, s.best, dist)
							}
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n*k*d), "ns/term")
				})
			}
		}
	}
}
