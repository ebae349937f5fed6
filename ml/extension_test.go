package ml

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
)

// mlSession opens a session with the ml extension on warehouse ("" for an in-memory
// catalog) and a checked allocator that must be empty when the test ends.
func mlSession(t *testing.T, warehouse string, partitions int) *dataframe.Session {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	opts := []dataframe.Option{dataframe.WithAllocator(mem), dataframe.WithPartitions(partitions),
		dataframe.WithBatchSize(100), dataframe.WithExtensions(Extension())}
	if warehouse == "" {
		opts = append(opts, dataframe.WithInMemoryCatalog())
	} else {
		opts = append(opts, dataframe.WithWarehouse(warehouse))
	}
	s, err := dataframe.NewSession(opts...)
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

// rows runs a statement and renders its rows as "a|b" lines.
func rows(t *testing.T, s *dataframe.Session, sql string) []string {
	t.Helper()
	res, err := s.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer res.Release()
	var out []string
	for _, b := range res.Batches {
		for i := range int(b.NumRows()) {
			cells := make([]string, b.NumCols())
			for j := range cells {
				cells[j] = b.Column(j).ValueStr(i)
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
	return out
}

func message(t *testing.T, s *dataframe.Session, sql string) string {
	t.Helper()
	res, err := s.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	res.Release()
	return res.Message
}

func execErr(t *testing.T, s *dataframe.Session, sql string) error {
	t.Helper()
	res, err := s.Exec(context.Background(), sql)
	if err == nil {
		res.Release()
		t.Fatalf("%s: no error", sql)
	}
	return err
}

// TestPredictSQLMatchesLibraries imports the fixture models with CREATE MODEL and checks
// ml_predict and ml_predict_proba over the fixture rows (read as a CSV table, missing
// values as NULLs) against the libraries' own predictions, row by row, within 1e-6.
func TestPredictSQLMatchesLibraries(t *testing.T) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := mlSession(t, t.TempDir(), parts)
			for _, c := range []struct {
				fixture string
				feats   int
				// proba is the prediction column compared with ml_predict_proba's element
				// (1-based), "" when only ml_predict is compared; predCol with ml_predict.
				proba   string
				elem    int
				predCol string
				labels  []float64 // the label of each class index, for classifiers
			}{
				{fixture: "xgb_binary", feats: 6, proba: "p1", elem: 2, predCol: "pred", labels: []float64{0, 1}},
				{fixture: "xgb_regression", feats: 5, predCol: "pred"},
				{fixture: "xgb_multi", feats: 6, proba: "p2", elem: 3, predCol: "pred", labels: []float64{0, 1, 2}},
				{fixture: "mlp_multi", feats: 5, proba: "p0", elem: 1, predCol: "pred", labels: []float64{3, 5, 7}},
				{fixture: "mlp_regression", feats: 4, predCol: "pred"},
			} {
				dir := filepath.Join("..", "testdata", "ml")
				message(t, s, fmt.Sprintf("CREATE MODEL %s FROM '%s'", c.fixture, filepath.Join(dir, c.fixture+".json")))
				message(t, s, fmt.Sprintf("CREATE OR REPLACE TABLE %s_d USING csv OPTIONS (header 'true') LOCATION '%s'",
					c.fixture, filepath.Join(dir, c.fixture+"_data.csv")))
				feats := make([]string, c.feats)
				for i := range feats {
					feats[i] = fmt.Sprintf("CAST(f%d AS DOUBLE)", i)
				}
				list := strings.Join(feats, ", ")
				sel := fmt.Sprintf("ml_predict('%s', %s)", c.fixture, list)
				if c.proba != "" {
					// numbers, not vector(...): a NULL number is a missing feature, while
					// vector() of a NULL is a NULL vector
					sel += fmt.Sprintf(", ml_predict_proba('%s', %s)[%d]", c.fixture, list, c.elem)
				}
				got := rows(t, s, fmt.Sprintf("SELECT %s FROM %s_d", sel, c.fixture))
				preds := readPred(t, c.fixture)
				pred := column(t, preds, c.predCol)
				var proba []float64
				if c.proba != "" {
					proba = column(t, preds, c.proba)
				}
				if len(got) != len(pred) {
					t.Fatalf("%s: %d rows, want %d", c.fixture, len(got), len(pred))
				}
				for i, r := range got {
					cells := strings.Split(r, "|")
					v, err := strconv.ParseFloat(cells[0], 64)
					if err != nil {
						t.Fatalf("%s row %d: %q", c.fixture, i, r)
					}
					want := pred[i]
					if c.labels != nil {
						want = c.labels[int(pred[i])]
					}
					if math.Abs(v-want) > 1e-6*math.Max(1, math.Abs(want)) {
						t.Fatalf("%s row %d: ml_predict = %v, library %v", c.fixture, i, v, want)
					}
					if proba != nil {
						p, err := strconv.ParseFloat(cells[1], 64)
						if err != nil || math.Abs(p-proba[i]) > 1e-6 {
							t.Fatalf("%s row %d: ml_predict_proba = %q, library %v", c.fixture, i, cells[1], proba[i])
						}
					}
				}
			}
			// Labels that are not integers come back as text; a network given a missing
			// feature predicts NULL.
			message(t, s, "CREATE MODEL pets FROM '../testdata/ml/mlp_binary.json'")
			got := rows(t, s, "SELECT DISTINCT ml_predict('pets', f0, f1, f2, f3, f4, f5) AS l FROM "+
				"(SELECT CAST(f0 AS DOUBLE) f0, CAST(f1 AS DOUBLE) f1, CAST(f2 AS DOUBLE) f2, CAST(f3 AS DOUBLE) f3, "+
				"CAST(f4 AS DOUBLE) f4, CAST(f5 AS DOUBLE) f5 FROM xgb_binary_d) t ORDER BY l")
			if strings.Join(got, ",") != "(null),neg,pos" {
				t.Errorf("labels of mlp_binary: %v", got)
			}
		})
	}
}

// TestModelStatements covers the registry through SQL: versions, SHOW, DESCRIBE, pinning,
// DROP, persistence across sessions, and the errors.
func TestModelStatements(t *testing.T) {
	wh := t.TempDir()
	s := mlSession(t, wh, 2)
	const bin = "../testdata/ml/xgb_binary.json"
	if m := message(t, s, "CREATE MODEL churn FROM '"+bin+"' OPTIONS (format 'xgboost', description 'first')"); m != "Created model churn@1 (xgboost classification over 6 features)" {
		t.Errorf("CREATE: %q", m)
	}
	if m := message(t, s, "CREATE MODEL churn FROM '../testdata/ml/mlp_binary.json'"); m != "Created model churn@2 (mlp classification over 6 features)" {
		t.Errorf("second CREATE: %q", m)
	}
	if m := message(t, s, "CREATE MODEL IF NOT EXISTS churn FROM '"+bin+"'"); !strings.Contains(m, "exists") {
		t.Errorf("IF NOT EXISTS: %q", m)
	}
	message(t, s, "CREATE MODEL reg FROM '../testdata/ml/xgb_regression.json'")

	got := rows(t, s, "SHOW MODELS")
	if len(got) != 3 || !strings.HasPrefix(got[0], "churn|1|xgboost|classification|6|BIGINT|") ||
		!strings.HasPrefix(got[1], "churn|2|mlp|classification|6|VARCHAR|") || !strings.HasPrefix(got[2], "reg|1|xgboost|regression|5|DOUBLE|") ||
		!strings.HasSuffix(got[0], "|"+bin) {
		t.Errorf("SHOW MODELS:\n%s", strings.Join(got, "\n"))
	}
	if got := rows(t, s, "SHOW MODELS LIKE 'r%'"); len(got) != 1 || !strings.HasPrefix(got[0], "reg|") {
		t.Errorf("SHOW MODELS LIKE: %v", got)
	}
	desc := strings.Join(rows(t, s, "DESCRIBE MODEL churn@1"), "\n")
	for _, want := range []string{"version|1 (newest is 2; versions 1, 2)", "kind|xgboost", "classes|0, 1",
		"features|6: ", "input|6 numbers or one VECTOR(6)", "output|BIGINT", "call|ml_predict('churn@1', ...)",
		"description|first", "source|" + bin} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIBE MODEL churn@1 lacks %q:\n%s", want, desc)
		}
	}
	if desc := strings.Join(rows(t, s, "DESCRIBE MODEL churn"), "\n"); !strings.Contains(desc, "version|2 (newest; versions 1, 2)") {
		t.Errorf("DESCRIBE MODEL churn:\n%s", desc)
	}

	// The newest version serves unless one is pinned: version 2 gives text labels.
	one := "SELECT ml_predict('%s', 0.5, 1.5, -0.5, 0.1, 0.2, 0.3)"
	if got := rows(t, s, fmt.Sprintf(one, "churn")); got[0] != "neg" && got[0] != "pos" {
		t.Errorf("newest version: %v", got)
	}
	if got := rows(t, s, fmt.Sprintf(one, "churn@1")); got[0] != "0" && got[0] != "1" {
		t.Errorf("pinned version 1: %v", got)
	}

	// A second session on the warehouse sees the models, and shares loaded models.
	s2 := mlSession(t, wh, 1)
	if got := rows(t, s2, "SHOW MODELS"); len(got) != 3 {
		t.Errorf("second session: %v", got)
	}
	r1, r2 := SessionRegistry(s), SessionRegistry(s2)
	m1, _, err1 := r1.Model("churn", 1)
	m2, _, err2 := r2.Model("churn", 1)
	if err1 != nil || err2 != nil || m1 != m2 {
		t.Errorf("sessions do not share the loaded model: %p %p %v %v", m1, m2, err1, err2)
	}

	if m := message(t, s, "DROP MODEL churn@1"); m != "Dropped model churn@1" {
		t.Errorf("DROP churn@1: %q", m)
	}
	err := execErr(t, s, fmt.Sprintf(one, "churn@1"))
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "model churn has no version 1 (versions: 2)") {
		t.Errorf("a dropped version: %v", err)
	}
	if m := message(t, s, "CREATE MODEL churn FROM '"+bin+"'"); !strings.Contains(m, "churn@3") {
		t.Errorf("versions are not reused: %q", m)
	}
	if m := message(t, s, "DROP MODEL churn"); m != "Dropped model churn (2 versions)" {
		t.Errorf("DROP churn: %q", m)
	}
	if m := message(t, s, "DROP MODEL IF EXISTS churn"); !strings.Contains(m, "does not exist") {
		t.Errorf("DROP IF EXISTS: %q", m)
	}
	if got := rows(t, s2, "SHOW MODELS"); len(got) != 1 {
		t.Errorf("after DROP: %v", got)
	}
	message(t, s, "CREATE OR REPLACE MODEL reg FROM '../testdata/ml/mlp_regression.json'")
	if got := rows(t, s, "SHOW MODELS"); len(got) != 1 || !strings.HasPrefix(got[0], "reg|1|mlp|regression|4|DOUBLE|") {
		t.Errorf("after OR REPLACE: %v", got)
	}
}

// TestModelErrors: bad files, wrong kinds and calls that do not match the model fail with
// clear errors, at CREATE or when the query is bound, and store nothing.
func TestModelErrors(t *testing.T) {
	s := mlSession(t, t.TempDir(), 1)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`{"learner": {"gradient_booster": {"name": "gbtree", "model": {"trees": [{"left_children": [1]`), 0o644); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(dir, "other.json")
	if err := os.WriteFile(unknown, []byte(`{"weights": [1, 2]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	message(t, s, "CREATE MODEL churn FROM '../testdata/ml/xgb_binary.json'")
	message(t, s, "CREATE TABLE t (a DOUBLE, b VARCHAR(10))")
	for _, c := range []struct {
		sql, want string
		kind      error
	}{
		{"CREATE MODEL m FROM '" + corrupt + "'", "invalid JSON", errs.ErrExecution},
		{"CREATE MODEL m FROM '" + unknown + "'", "cannot tell the format", errs.ErrPlan},
		{"CREATE MODEL m FROM '../testdata/ml/mlp_binary.json' OPTIONS (format 'xgboost')", `not XGBoost's JSON`, errs.ErrExecution},
		{"CREATE MODEL m FROM '../testdata/ml/xgb_binary.json' OPTIONS (format 'mlp')", `file is an XGBoost model, not ember-mlp`, errs.ErrExecution},
		{"CREATE MODEL m FROM '../testdata/ml/xgb_binary.json' OPTIONS (format 'xgbost')", `unknown model kind "xgbost" (did you mean "xgboost"?)`, errs.ErrPlan},
		{"CREATE MODEL m FROM '../testdata/ml/xgb_dart.json'", "dart", errs.ErrNotImplemented},
		{"CREATE MODEL m FROM 'no/such/file.json'", `cannot read "no/such/file.json": no such file or directory`, errs.ErrPlan},
		{"CREATE MODEL m FROM '../testdata/ml/xgb_binary.json' OPTIONS (fromat 'xgboost')", `unknown option "fromat" (did you mean "format"?)`, errs.ErrPlan},
		{"CREATE MODEL m OPTIONS (model_type 'linear_reg') AS SELECT a FROM t", `label column "label" does not exist`, errs.ErrPlan},
		{"SELECT ml_predict('chrun', 1, 2, 3, 4, 5, 6)", `unknown model "chrun" (did you mean "churn"?)`, errs.ErrPlan},
		{"SELECT ml_predict('churn', 1, 2, 3)", "ml_predict: model churn takes 6 features", errs.ErrPlan},
		{"SELECT ml_predict('churn', vector(1, 2))", "ml_predict: model churn takes 6 features, got a VECTOR(2)", errs.ErrPlan},
		{"SELECT ml_predict('churn', a, b, a, a, a, a) FROM t", "feature 2", errs.ErrPlan},
		{"SELECT ml_predict(b, a, a, a, a, a, a) FROM t", "the first argument must be a model name as a constant string ('model' or 'model@version'), got column b", errs.ErrPlan},
		{"SELECT ml_predict('churn@0', 1, 2, 3, 4, 5, 6)", "the version after @ must be a number from 1", errs.ErrPlan},
		{"SELECT ml_predict_proba('reg', 1)", `unknown model "reg"`, errs.ErrPlan},
		{"DESCRIBE MODEL churn@7", "model churn has no version 7 (versions: 1)", errs.ErrPlan},
		{"DROP MODEL nothing", `unknown model "nothing"`, errs.ErrPlan},
	} {
		err := execErr(t, s, c.sql)
		if !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.kind) {
			t.Errorf("%s:\n got %v\nwant %v containing %q", c.sql, err, c.kind, c.want)
		}
	}
	if got := rows(t, s, "SHOW MODELS"); len(got) != 1 {
		t.Errorf("failed CREATEs stored models: %v", got)
	}
	// A regressor has no probabilities.
	message(t, s, "CREATE MODEL reg FROM '../testdata/ml/xgb_regression.json'")
	err := execErr(t, s, "SELECT ml_predict_proba('reg', 1, 2, 3, 4, 5)")
	if !strings.Contains(err.Error(), "only classifiers have class probabilities") {
		t.Errorf("proba of a regressor: %v", err)
	}
	// A model file damaged after CREATE (and before any query loaded it) fails when a
	// query loads it, naming the version.
	message(t, s, "CREATE MODEL reg2 FROM '../testdata/ml/xgb_regression.json'")
	reg := SessionRegistry(s)
	info, err := reg.Info("reg2", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(reg.versionDir("reg2", info.Version), "model.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = execErr(t, s, "SELECT ml_predict('reg2', 1, 2, 3, 4, 5)")
	if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), "model reg2@1") {
		t.Errorf("damaged model file: %v", err)
	}
}

// TestConcurrentCreate: CREATE MODELs of one name from several registries (as from several
// processes) at once get distinct versions, each complete.
func TestConcurrentCreate(t *testing.T) {
	wh := t.TempDir()
	data, err := os.ReadFile("../testdata/ml/xgb_regression.json")
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	var wg sync.WaitGroup
	versions := make([]int, n)
	errsOut := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := OpenRegistry(wh)
			if err != nil {
				errsOut[i] = err
				return
			}
			info, err := r.Create("m", "xgboost", data, ModelInfo{Source: "test"})
			versions[i], errsOut[i] = info.Version, err
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for i := range n {
		if errsOut[i] != nil {
			t.Fatal(errsOut[i])
		}
		seen[versions[i]] = true
	}
	if len(seen) != n {
		t.Errorf("versions %v are not distinct", versions)
	}
	r, _ := OpenRegistry(wh)
	list, err := r.List()
	if err != nil || len(list) != n {
		t.Fatalf("List: %d models, %v", len(list), err)
	}
	for _, info := range list {
		if _, _, err := r.Model("m", info.Version); err != nil {
			t.Errorf("version %d: %v", info.Version, err)
		}
	}
}

// TestInMemoryRegistry: a session over an in-memory catalog keeps its models in memory.
func TestInMemoryRegistry(t *testing.T) {
	s := mlSession(t, "", 1)
	message(t, s, "CREATE MODEL m FROM '../testdata/ml/xgb_regression.json'")
	if got := rows(t, s, "SELECT ml_predict('m', vector(1, 2, 3, 4, 5)) IS NOT NULL"); got[0] != "true" {
		t.Errorf("predict: %v", got)
	}
	if SessionRegistry(s).dir != "" {
		t.Error("in-memory session has a registry on disk")
	}
	other := mlSession(t, "", 1)
	if got := rows(t, other, "SHOW MODELS"); len(got) != 0 {
		t.Errorf("another in-memory session sees %v", got)
	}
}
