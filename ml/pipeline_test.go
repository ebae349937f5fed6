package ml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// testLinear is a test-only model kind ("test_linear"): z = B + Σ W[j]·x[j]; a regression
// predicts z, a classifier (Labels set) P(Labels[1]) = 1/(1+e^-z).
type testLinear struct {
	W      []float64 `json:"w"`
	B      float64   `json:"b"`
	Names  []string  `json:"names"`
	Labels []string  `json:"labels"`
	// Seen are the feature means the estimator saw when fitting.
	Seen []float64 `json:"seen"`
}

func (m *testLinear) Kind() string           { return "test_linear" }
func (m *testLinear) NumFeatures() int       { return len(m.W) }
func (m *testLinear) FeatureNames() []string { return m.Names }
func (m *testLinear) Classes() []string      { return m.Labels }
func (m *testLinear) Task() udf.ModelTask {
	if m.Labels != nil {
		return udf.Classification
	}
	return udf.Regression
}

func (m *testLinear) z(features []float32, r int) float64 {
	z := m.B
	for j, w := range m.W {
		z += w * float64(features[r*len(m.W)+j])
	}
	return z
}

func (m *testLinear) Predict(_ context.Context, features []float32, rows int, out []float64) error {
	for r := range rows {
		z := m.z(features, r)
		if m.Labels != nil {
			z = map[bool]float64{false: 0, true: 1}[z > 0]
		}
		out[r] = z
	}
	return nil
}

func (m *testLinear) PredictProba(_ context.Context, features []float32, rows int, out []float64) error {
	if m.Labels == nil {
		return errs.Execf("test_linear: a regression has no probabilities")
	}
	for r := range rows {
		p := 1 / (1 + math.Exp(-m.z(features, r)))
		out[2*r], out[2*r+1] = 1-p, p
	}
	return nil
}

func (m *testLinear) MarshalJSON() ([]byte, error) {
	type plain testLinear
	return json.Marshal((*plain)(m))
}

func (m *testLinear) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	return modelTransform(df, m, m.Names, "prediction", "probability")
}

func loadTestLinear(data []byte) (udf.Model, error) {
	type plain testLinear
	var m plain
	if err := decodeStrict("test_linear", data, &m); err != nil {
		return nil, err
	}
	if len(m.W) == 0 {
		return nil, errs.Execf("test_linear: no weights")
	}
	return (*testLinear)(&m), nil
}

// testLinearEstimator fits a testLinear over Features: W[j] = (-1)^j / (j+1), B = 0.25,
// Seen the features' means on the DataFrame it is given (one query).
type testLinearEstimator struct {
	Features []string
	Labels   []string
}

func (e testLinearEstimator) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	exprs := make([]string, len(e.Features))
	for i, f := range e.Features {
		exprs[i] = "avg(" + sqlIdent(f) + ")"
	}
	row, err := aggregateRow(ctx, df, exprs)
	if err != nil {
		return nil, err
	}
	m := &testLinear{B: 0.25, Names: e.Features, Labels: e.Labels}
	for j := range e.Features {
		m.W = append(m.W, math.Pow(-1, float64(j))/float64(j+1))
		m.Seen = append(m.Seen, rowFloat(row[j]))
	}
	return m, nil
}

// testKinds is a kinds table with test_linear.
func testKinds(t *testing.T) *Kinds {
	t.Helper()
	k := NewKinds()
	if err := k.Register("test_linear", loadTestLinear); err != nil {
		t.Fatal(err)
	}
	return k
}

// countingStage is a Transformer that counts its Transform calls and changes nothing.
type countingStage struct{ n *atomic.Int64 }

func (c countingStage) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	c.n.Add(1)
	return df
}

// float32Data is the transformer fixture with its numbers rounded to float32 (so that SQL's
// model path, which reads float32 features, sees the same values as Transform).
func float32Data(t *testing.T, s *dataframe.Session, parts int) *dataframe.DataFrame {
	t.Helper()
	return trainingData(t, s, parts).SelectExpr(
		"CAST(CAST(x1 AS FLOAT) AS DOUBLE) AS x1", "CAST(CAST(x2 AS FLOAT) AS DOUBLE) AS x2",
		"CAST(CAST(m1 AS FLOAT) AS DOUBLE) AS m1", "CAST(m2 AS DOUBLE) AS m2", "cat")
}

// numericPipeline is Imputer (m1, m2 in place) → StandardScaler (m1, x2) → MinMaxScaler
// (m2) → VectorAssembler → the test model over the scaled columns.
func numericPipeline(labels []string) Pipeline {
	std := NewStandardScaler([]string{"m1", "x2"}, []string{"s1", "s2"})
	std.WithMean = true
	return Pipeline{Stages: []PipelineStage{
		NewImputer([]string{"m1", "m2"}, []string{"m1", "m2"}),
		std,
		NewMinMaxScaler([]string{"m2"}, []string{"mm2"}),
		VectorAssembler{InputCols: []string{"s1", "s2", "mm2"}, OutputCol: "features"},
		testLinearEstimator{Features: []string{"s1", "s2", "mm2"}, Labels: labels},
	}}
}

func TestPipelineFitTransform(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := float32Data(t, s, parts)
		before := scans(s)
		pm, err := numericPipeline(nil).FitPipeline(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		// One query per estimator: Imputer, StandardScaler, MinMaxScaler, the model.
		if got := scans(s) - before; got != 4 {
			t.Errorf("Fit made %d source scans, want 4", got)
		}
		if len(pm.Stages) != 5 {
			t.Fatalf("%d stages", len(pm.Stages))
		}
		imp := pm.Stages[0].(*ImputerModel)
		std := pm.Stages[1].(*StandardScalerModel)
		lin := pm.Stages[4].(*testLinear)
		// The scaler was fitted on the imputed data: its m1 mean is the imputed column's,
		// which is the mean of the values present (the surrogate).
		if relErr(std.Mean[0], imp.Surrogates[0]) > 1e-12 {
			t.Errorf("scaler mean of m1 %v, want the imputed mean %v", std.Mean[0], imp.Surrogates[0])
		}
		// The model was fitted on the scaled data: centered columns, m2 in [0, 1].
		if math.Abs(lin.Seen[0]) > 1e-12 || math.Abs(lin.Seen[1]) > 1e-12 || lin.Seen[2] <= 0 || lin.Seen[2] >= 1 {
			t.Errorf("the model saw means %v; want the scaled columns", lin.Seen)
		}

		// Transform = the stages one after the other.
		out := pm.Transform(df)
		cols, err := out.Columns()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"x1", "x2", "m1", "m2", "cat", "s1", "s2", "mm2", "features", "prediction"}; !slices.Equal(cols, want) {
			t.Errorf("columns %v, want %v", cols, want)
		}
		var step *dataframe.DataFrame = df
		for _, st := range pm.Stages {
			step = st.Transform(step)
		}
		got := floatCols(t, out, "x1", "prediction")
		want := floatCols(t, step, "x1", "prediction")
		wantBy := map[float64]float64{}
		for i, k := range want[0] {
			wantBy[k] = want[1][i]
		}
		for i, k := range got[0] {
			if got[1][i] != wantBy[k] {
				t.Fatalf("row x1=%v: prediction %v, stage by stage %v", k, got[1][i], wantBy[k])
			}
		}

		// As Spark: stages before the last estimator transform the data during Fit, the
		// ones after it are not run.
		var a, b atomic.Int64
		p := Pipeline{Stages: []PipelineStage{countingStage{&a}, NewStandardScaler([]string{"x1"}, []string{"z"}), countingStage{&b}}}
		if _, err := p.FitPipeline(ctx, df); err != nil {
			t.Fatal(err)
		}
		if a.Load() != 1 || b.Load() != 0 {
			t.Errorf("Transform calls during Fit: %d before the estimator, %d after; want 1, 0", a.Load(), b.Load())
		}

		// A nested pipeline fits as its stages and counts as them.
		nested, err := Pipeline{Stages: []PipelineStage{
			Pipeline{Stages: []PipelineStage{NewImputer([]string{"m1"}, []string{"i1"})}},
			NewStandardScaler([]string{"i1"}, []string{"z"}),
		}}.FitPipeline(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		if got := flatStages(nested.Stages); len(got) != 2 {
			t.Errorf("nested pipeline flattens to %d stages", len(got))
		}
		if cols, err := nested.Transform(df).Columns(); err != nil || !slices.Contains(cols, "z") {
			t.Errorf("nested transform: %v %v", cols, err)
		}

		// Errors name the stage.
		_, err = Pipeline{Stages: []PipelineStage{NewImputer([]string{"m1"}, []string{"i1"}), NewStandardScaler([]string{"nope"}, []string{"z"})}}.FitPipeline(ctx, df)
		wantErr(t, err, errs.ErrPlan, "pipeline stage 1 (StandardScaler)", `"nope" does not exist`)
		_, err = Pipeline{Stages: []PipelineStage{42}}.FitPipeline(ctx, df)
		wantErr(t, err, errs.ErrPlan, "pipeline stage 0 is a int")
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = numericPipeline(nil).FitPipeline(canceled, df)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("canceled Fit: %v", err)
		}
	})
}

// sameFrames checks that a and b hold the same rows (matched on key) in every column.
func sameFrames(t *testing.T, a, b *dataframe.DataFrame, key string) {
	t.Helper()
	ca, err := a.Columns()
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ca, cb) {
		t.Fatalf("columns %v and %v", ca, cb)
	}
	ra, err := a.OrderBy(key).CollectRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.OrderBy(key).CollectRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ra) != len(rb) || len(ra) == 0 {
		t.Fatalf("%d and %d rows", len(ra), len(rb))
	}
	for i := range ra {
		if fmt.Sprint(ra[i]) != fmt.Sprint(rb[i]) {
			t.Fatalf("row %d: %v and %v", i, ra[i], rb[i])
		}
	}
}

func TestPipelineSaveLoad(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := float32Data(t, s, parts)
		p := numericPipeline([]string{"no", "yes"})
		// A StringIndexer and a OneHotEncoder too, and a transformer after the model.
		p.Stages = append([]PipelineStage{NewStringIndexer("cat", "ci"), NewOneHotEncoder([]string{"ci"}, []string{"cv"})}, p.Stages...)
		p.Stages = append(p.Stages, VectorAssembler{InputCols: []string{"cv", "x1"}, OutputCol: "more"})
		pm, err := p.FitPipeline(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "p.json")
		if err := SavePipeline(path, pm); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Format  string
			Version int
			Stages  []struct {
				Type, Kind string
			}
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, st := range doc.Stages {
			types = append(types, st.Type+st.Kind)
		}
		if doc.Format != "ember-pipeline" || doc.Version != 1 || strings.Join(types, " ") !=
			"string_indexer one_hot_encoder imputer standard_scaler min_max_scaler vector_assembler modeltest_linear vector_assembler" {
			t.Errorf("file: %s %d %v", doc.Format, doc.Version, types)
		}
		back, err := ParsePipeline(data, testKinds(t))
		if err != nil {
			t.Fatal(err)
		}
		sameFrames(t, pm.Transform(df), back.Transform(df), "x1")
		again, err := back.MarshalJSON()
		if err != nil || string(again) != string(data) {
			t.Errorf("the loaded pipeline saves differently (%v)", err)
		}
		// The process-wide kinds do not know test_linear.
		_, err = LoadPipeline(path)
		wantErr(t, err, errs.ErrPlan, "pipeline stage 6", `unknown model kind "test_linear"`)
		_, err = LoadPipeline(filepath.Join(t.TempDir(), "none.json"))
		wantErr(t, err, errs.ErrExecution, "LoadPipeline")
		if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
			t.Errorf("the folder holds %d files: the temporary file was left behind", len(ents))
		}
	})
}

func TestPipelineFileErrors(t *testing.T) {
	k := testKinds(t)
	lin := `{"type":"model","kind":"test_linear","model":{"w":[1],"b":0,"names":["a"],"labels":null,"seen":null}}`
	for _, c := range []struct {
		data  string
		kind  error
		parts []string
	}{
		{`{"format":"ember-pipeline","version":1,"stages":[` + lin + `]}`, nil, nil},
		{`not json`, errs.ErrExecution, []string{"pipeline: invalid JSON"}},
		{`{"format":"ember-mlp","version":1}`, errs.ErrExecution, []string{`format is "ember-mlp", want "ember-pipeline"`}},
		{`{"format":"ember-pipeline","version":2,"stages":[]}`, errs.ErrNotImplemented, []string{"format version 2"}},
		{`{"format":"ember-pipeline","version":1,"stages":[]}`, errs.ErrExecution, []string{`no "stages"`}},
		{`{"format":"ember-pipeline","version":1,"stages":[{"type":"word2vec","size":3}]}`, errs.ErrExecution, []string{"pipeline stage 0", `stage type "word2vec" is not one this Ember knows`, "standard_scaler"}},
		{`{"format":"ember-pipeline","version":1,"stages":[{"input_cols":["a"]}]}`, errs.ErrExecution, []string{`a stage needs a "type"`}},
		{`{"format":"ember-pipeline","version":1,"stages":[{"type":"vector_assembler","input_cols":["a"],"output_col":"v","extra":1}]}`, errs.ErrExecution, []string{"pipeline stage 0", `unknown field "extra"`}},
		{`{"format":"ember-pipeline","version":1,"stages":[{"type":"model","kind":"nope","model":{}}]}`, errs.ErrPlan, []string{`unknown model kind "nope"`}},
		{`{"format":"ember-pipeline","version":1,"stages":[{"type":"model","kind":"test_linear"}]}`, errs.ErrExecution, []string{`needs a "model"`}},
		{`{"format":"ember-pipeline","version":1,"stages":[{"type":"model","kind":"test_linear","model":{"w":[]}}]}`, errs.ErrExecution, []string{"test_linear: no weights"}},
		{`{"format":"ember-pipeline","version":1,"stages":[` + lin + `],"x":1}`, errs.ErrExecution, []string{`unknown field "x"`}},
	} {
		_, err := ParsePipeline([]byte(c.data), k)
		if c.parts == nil {
			if err != nil {
				t.Errorf("%s: %v", c.data, err)
			}
			continue
		}
		wantErr(t, err, c.kind, c.parts...)
	}
	// A stage that is not saveable.
	var n atomic.Int64
	err := SavePipeline(filepath.Join(t.TempDir(), "p.json"), &PipelineModel{Stages: []Transformer{countingStage{&n}}})
	wantErr(t, err, errs.ErrPlan, "pipeline stage 0 (ml.countingStage) cannot be saved")
}

// TestPipelineAsModelSQL registers a fitted pipeline as a SQL function and compares its
// predictions (the row path, from float32 features) with Transform's.
func TestPipelineAsModelSQL(t *testing.T) {
	forPartitions(t, func(t *testing.T, s *dataframe.Session, parts int) {
		ctx := context.Background()
		df := float32Data(t, s, parts)
		for _, labels := range [][]string{nil, {"no", "yes"}} {
			pm, err := numericPipeline(labels).FitPipeline(ctx, df)
			if err != nil {
				t.Fatal(err)
			}
			if got := pm.FeatureNames(); !slices.Equal(got, []string{"m1", "m2", "x2"}) || pm.NumFeatures() != 3 || pm.Kind() != "pipeline" {
				t.Fatalf("features %v (%d)", got, pm.NumFeatures())
			}
			if !slices.Equal(pm.Classes(), labels) || (pm.Task() == udf.Classification) != (labels != nil) {
				t.Errorf("task %v classes %v", pm.Task(), pm.Classes())
			}
			if err := s.RegisterModel("pipe", pm); err != nil {
				t.Fatal(err)
			}
			if err := df.CreateOrReplaceTempView("pt"); err != nil {
				t.Fatal(err)
			}
			sel := "SELECT x1, pipe(m1, m2, x2) AS p"
			if labels != nil {
				sel += ", pipe_proba(m1, m2, x2) AS pr"
			}
			res, err := s.SQL(ctx, sel+" FROM pt")
			if err != nil {
				t.Fatal(err)
			}
			sqlRows, err := res.CollectRows(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tr := pm.Transform(df)
			if labels != nil {
				tr = tr.SelectExpr("x1", "prediction", "probability")
			} else {
				tr = tr.SelectExpr("x1", "prediction")
			}
			goRows, err := tr.CollectRows(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[float64]string{}
			for _, r := range goRows {
				want[r[0].(float64)] = fmt.Sprint(r[1:]...)
			}
			nulls := 0
			for _, r := range sqlRows {
				if r[1] == nil {
					nulls++
				}
				if got := fmt.Sprint(r[1:]...); got != want[r[0].(float64)] {
					t.Fatalf("labels %v, x1 %v: SQL %s, Transform %s", labels, r[0], got, want[r[0].(float64)])
				}
			}
			if len(sqlRows) != 60 || nulls != 0 {
				t.Errorf("%d rows, %d NULL predictions", len(sqlRows), nulls)
			}
		}
		// A pipeline with a StringIndexer cannot be a model.
		pm, err := Pipeline{Stages: []PipelineStage{NewStringIndexer("cat", "ci"), testLinearEstimator{Features: []string{"x1", "ci"}}}}.FitPipeline(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		if pm.NumFeatures() != 0 {
			t.Errorf("NumFeatures %d", pm.NumFeatures())
		}
		if err := s.RegisterModel("bad", pm); err == nil {
			t.Error("RegisterModel took a pipeline that cannot be a model")
		}
		err = pm.Predict(ctx, []float32{1, 2}, 1, make([]float64, 1))
		wantErr(t, err, errs.ErrExecution, "stage 0 (StringIndexer) cannot run row by row")
		if _, err := pm.Transform(df).CollectRows(ctx); err != nil {
			t.Errorf("Transform of the indexer pipeline: %v", err)
		}
	})
}

// TestPipelineMLPFile saves a pipeline ending in an imported MLP (a model without feature
// names, after a VectorAssembler), registers the file with CREATE MODEL and compares
// ml_predict with Transform and with the MLP on the scaled features.
func TestPipelineMLPFile(t *testing.T) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) { testPipelineMLPFile(t, parts) })
	}
}

func testPipelineMLPFile(t *testing.T, parts int) {
	{
		ctx := context.Background()
		s := mlSession(t, t.TempDir(), parts)
		mlpJSON := readFixture(t, "mlp_regression.json")
		mlp := loadMLP(t, "mlp_regression")
		raw, err := s.ReadCSV(filepath.Join(fixtureDir, "mlp_regression_data.csv"), dataframe.CSVOptions{Header: true})
		if err != nil {
			t.Fatal(err)
		}
		// The values as float32 (the file's text is float32's shortest form), so that the
		// SQL path, which reads float32 features, sees what Transform sees.
		df := spread(raw, parts).SelectExpr("CAST(CAST(f0 AS FLOAT) AS DOUBLE) AS f0", "CAST(CAST(f1 AS FLOAT) AS DOUBLE) AS f1",
			"CAST(CAST(f2 AS FLOAT) AS DOUBLE) AS f2", "CAST(CAST(f3 AS FLOAT) AS DOUBLE) AS f3")
		ins := []string{"f0", "f1", "f2", "f3"}
		outs := []string{"s0", "s1", "s2", "s3"}
		std := NewStandardScaler(ins, outs)
		std.WithMean = true
		va := VectorAssembler{InputCols: outs, OutputCol: "features"}

		// Fitted with the bare model, the stage has no file to save.
		pm, err := Pipeline{Stages: []PipelineStage{std, va, mlp}}.FitPipeline(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		err = SavePipeline(filepath.Join(t.TempDir(), "x.json"), pm)
		wantErr(t, err, errs.ErrPlan, "the mlp model cannot be saved", "give the ModelStage the model's file")

		pm, err = Pipeline{Stages: []PipelineStage{std, va, ModelStage{Model: mlp, JSON: mlpJSON}}}.FitPipeline(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "mlp_pipe.json")
		if err := SavePipeline(path, pm); err != nil {
			t.Fatal(err)
		}
		if m, err := LoadFile(path); err != nil || m.Kind() != "pipeline" || m.NumFeatures() != 4 {
			t.Fatalf("LoadFile: %v", err)
		}
		if err := df.CreateOrReplaceTempView("md"); err != nil {
			t.Fatal(err)
		}
		message(t, s, fmt.Sprintf("CREATE MODEL mp FROM '%s'", path))
		q, err := s.SQL(ctx, "SELECT f0, ml_predict('mp', f0, f1, f2, f3) FROM md ORDER BY f0")
		if err != nil {
			t.Fatal(err)
		}
		sqlRows, err := q.CollectRows(ctx)
		if err != nil {
			t.Fatal(err)
		}

		tr, err := pm.Transform(df).OrderBy("f0").SelectExpr("f0", "s0", "s1", "s2", "s3", "prediction").CollectRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr) != 300 || len(sqlRows) != 300 {
			t.Fatalf("%d and %d rows", len(tr), len(sqlRows))
		}
		feats := make([]float32, 4*len(tr))
		for i, r := range tr {
			for j := range 4 {
				feats[4*i+j] = float32(r[1+j].(float64))
			}
		}
		direct := make([]float64, len(tr))
		if err := mlp.Predict(ctx, feats, len(tr), direct); err != nil {
			t.Fatal(err)
		}
		for i, r := range tr {
			if p := r[5].(float64); p != direct[i] || sqlRows[i][1] != p || sqlRows[i][0] != r[0] {
				t.Fatalf("row %d: Transform %v, MLP %v, SQL %v", i, p, direct[i], sqlRows[i])
			}
		}

		// A pipeline that needs Transform is refused by the kinds table, saying so.
		ix, err := Pipeline{Stages: []PipelineStage{NewStringIndexer("f0", "c"), ModelStage{Model: mlp, JSON: mlpJSON}}}.FitPipeline(ctx, df)
		if err != nil {
			t.Fatal(err)
		}
		bad := filepath.Join(t.TempDir(), "bad.json")
		if err := SavePipeline(bad, ix); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(bad)
		_, err = Load("pipeline", data)
		wantErr(t, err, errs.ErrExecution, "cannot be used as a model", "StringIndexer", "call Transform from Go")
		err = execErr(t, s, fmt.Sprintf("CREATE MODEL bad FROM '%s'", bad))
		wantErr(t, err, nil, "call Transform from Go")
		if _, err := LoadPipeline(bad); err != nil {
			t.Errorf("LoadPipeline: %v", err)
		}
	}
}
