package ml

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
)

// housesSession opens a session with a table houses(rooms, area, price, side) where
// price = 3·rooms + 0.5·area − 2 + noise.
func housesSession(t *testing.T, partitions int) *dataframe.Session {
	t.Helper()
	s := mlSession(t, "", partitions)
	var b strings.Builder
	b.WriteString("INSERT INTO houses VALUES ")
	for i := 0; i < 200; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		rooms := float64(1 + i%5)
		area := float64(20 + (i*37)%90)
		noise := float64((i*7919)%11-5) / 10
		fmt.Fprintf(&b, "(%g, %g, %g, '%s')", rooms, area, 3*rooms+0.5*area-2+noise, []string{"n", "s"}[i%2])
	}
	exec(t, s, "CREATE TABLE houses (rooms INT, area DOUBLE, price DOUBLE, side VARCHAR(1))")
	exec(t, s, b.String())
	return s
}

func exec(t *testing.T, s *dataframe.Session, sql string) string {
	t.Helper()
	res, err := s.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	res.Release()
	return res.Message
}

// oneRow runs a query returning one row and gives its cells by column name.
func oneRow(t *testing.T, s *dataframe.Session, sql string) map[string]string {
	t.Helper()
	res, err := s.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer res.Release()
	if len(res.Batches) != 1 || res.Batches[0].NumRows() != 1 {
		t.Fatalf("%s: want one row, got %d batches", sql, len(res.Batches))
	}
	out := map[string]string{}
	for j, f := range res.Schema.Fields() {
		out[f.Name] = res.Batches[0].Column(j).ValueStr(0)
	}
	return out
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

func TestCreateModelAsSelectTrainsEvaluatesAndServes(t *testing.T) {
	for _, parts := range []int{1, 3} {
		s := housesSession(t, parts)
		msg := exec(t, s, "CREATE MODEL price_m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price'], l2_reg = 0) AS SELECT rooms, area, price FROM houses")
		if msg != "Created model price_m@1 (linear_reg regression over 2 features, 200 rows)" {
			t.Errorf("message %q", msg)
		}
		desc := strings.Join(rows(t, s, "DESCRIBE MODEL price_m"), "\n")
		for _, want := range []string{"r2_score", "label|price", "SELECT rooms, area, price FROM houses"} {
			if !strings.Contains(strings.ToLower(desc), strings.ToLower(want)) {
				t.Errorf("DESCRIBE MODEL lacks %q:\n%s", want, desc)
			}
		}
		ev := oneRow(t, s, "EVALUATE MODEL price_m")
		if r2 := num(t, ev["r2_score"]); r2 < 0.99 || r2 > 1 {
			t.Errorf("r2 %v", ev)
		}
		if mae := num(t, ev["mean_absolute_error"]); mae <= 0 || mae > 0.5 {
			t.Errorf("mae %v", ev)
		}
		sub := oneRow(t, s, "EVALUATE MODEL price_m@1 ON (SELECT area, rooms, price FROM houses WHERE rooms = 1)")
		if sub["r2_score"] == ev["r2_score"] {
			t.Errorf("ON evaluated the training data: %v", sub)
		}
		pred := oneRow(t, s, "SELECT ml_predict('price_m', 3, 50.0) AS p")
		if p := num(t, pred["p"]); p < 31.5 || p > 32.5 { // 3·3 + 0.5·50 − 2 = 32
			t.Errorf("prediction %v", p)
		}
	}
}

func TestTrainingErrorsLeaveTheRegistryAlone(t *testing.T) {
	s := housesSession(t, 2)
	exec(t, s, "CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT rooms, price FROM houses")
	cases := []struct{ sql, want string }{
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['cost']) AS SELECT rooms, price FROM houses", `label column "cost" does not exist`},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT rooms, side, price FROM houses", `feature column "side" is VARCHAR`},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT rooms, price FROM houses WHERE rooms > 9", "no rows"},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT CASE WHEN rooms = 2 THEN NULL ELSE rooms END AS r, price FROM houses", `feature column "r" has 40 NULL values`},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price'], l2_regg = 1) AS SELECT rooms, price FROM houses", `unknown option "l2_regg" for model_type linear_reg (did you mean "l2_reg"?)`},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_regression', input_label_cols = ['price']) AS SELECT rooms, price FROM houses", `unknown model_type "linear_regression"`},
		{"CREATE MODEL m OPTIONS (input_label_cols = ['price']) AS SELECT rooms, price FROM houses", "needs OPTIONS (model_type = '...')"},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price'], l2_reg = -1) AS SELECT rooms, price FROM houses", "l2_reg"},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT rooms, price FROM nowhere", "nowhere"},
		{"CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['price', 'rooms']) AS SELECT rooms, area, price FROM houses", "takes one label"},
		{"EVALUATE MODEL m ON (SELECT rooms FROM houses)", `no label column "price"`},
		{"EVALUATE MODEL m ON (SELECT area, price FROM houses)", `no column "rooms"`},
		{"EVALUATE MODEL nope", "nope"},
	}
	for _, c := range cases {
		_, err := s.Exec(context.Background(), c.sql)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %q", c.sql, err, c.want)
		}
	}
	if got := rows(t, s, "SHOW MODELS"); len(got) != 1 {
		t.Errorf("the failed trainings changed the registry: %v", got)
	}
}

// blockingTrainer trains until its context is cancelled, reporting iterations.
type blockingTrainer struct{ started chan struct{} }

func (blockingTrainer) Needs() DataNeeds { return DataNeeds{Label: true} }

func (b blockingTrainer) Fit(ctx context.Context, ds *Dataset) (TrainedModel, error) {
	close(b.started)
	for i := 1; ; i++ {
		ReportProgress(ctx, i, 1/float64(i))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func TestAsyncTrainingJobs(t *testing.T) {
	s := housesSession(t, 2)
	ctx := context.Background()
	res, err := s.Exec(ctx, "CREATE MODEL a OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT rooms, area, price FROM houses ASYNC")
	if err != nil {
		t.Fatal(err)
	}
	id := res.Batches[0].Column(0).ValueStr(0)
	res.Release()
	job, err := DefaultJobs().Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if st := oneRow(t, s, "SHOW JOB "+id); st["state"] != "SUCCEEDED" || !strings.Contains(st["message"], "Created model a@1") {
		t.Errorf("SHOW JOB %s: %v", id, st)
	}
	// Bad input fails at once, not in the job.
	if _, err := s.Exec(ctx, "CREATE MODEL a OPTIONS (model_type = 'linear_reg', input_label_cols = ['nope']) AS SELECT rooms, price FROM houses ASYNC"); err == nil {
		t.Error("an ASYNC training with a missing label column started")
	}

	// A cancelled job stores nothing.
	b := blockingTrainer{started: make(chan struct{})}
	trainers["test_blocking"] = func(*Options) (Trainer, error) { return b, nil }
	defer delete(trainers, "test_blocking")
	res, err = s.Exec(ctx, "CREATE MODEL a OPTIONS (model_type = 'test_blocking', input_label_cols = ['price']) AS SELECT rooms, price FROM houses ASYNC")
	if err != nil {
		t.Fatal(err)
	}
	id = res.Batches[0].Column(0).ValueStr(0)
	res.Release()
	<-b.started
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := oneRow(t, s, "SHOW JOB "+id)
		if st["state"] != "RUNNING" {
			t.Fatalf("job %s: %v", id, st)
		}
		// Queries run beside the training.
		if n := oneRow(t, s, "SELECT count(*) AS n FROM houses WHERE rooms > 2"); n["n"] != "120" {
			t.Errorf("a query beside the job: %v", n)
		}
		if num(t, st["iteration"]) >= 3 && st["loss"] != "(null)" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress: %v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if msg := exec(t, s, "CANCEL JOB "+id); !strings.Contains(msg, "Cancelled job "+id) {
		t.Errorf("CANCEL JOB: %q", msg)
	}
	if st := oneRow(t, s, "SHOW JOB "+id); st["state"] != "CANCELLED" {
		t.Errorf("after CANCEL JOB: %v", st)
	}
	if vs, _ := SessionRegistry(s).Versions("a"); len(vs) != 1 {
		t.Errorf("the cancelled job changed model a: versions %v", vs)
	}
	if _, err := s.Exec(ctx, "CANCEL JOB "+id); err == nil || !strings.Contains(err.Error(), "already finished") {
		t.Errorf("cancelling twice: %v", err)
	}
	if got := rows(t, s, "SHOW JOBS"); len(got) < 2 {
		t.Errorf("SHOW JOBS: %v", got)
	}
}

func TestSessionTrain(t *testing.T) {
	s := housesSession(t, 2)
	ctx := context.Background()
	data, err := s.SQL(ctx, "SELECT rooms, area, price FROM houses")
	if err != nil {
		t.Fatal(err)
	}
	job, err := s.Train(ctx, dataframe.TrainRequest{Model: "g", Data: data, Options: map[string]any{
		"model_type": "linear_reg", "input_label_cols": []string{"price"}, "l2_reg": 0.0, "fit_intercept": true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	m, info, err := SessionRegistry(s).Model("g", 0)
	if err != nil {
		t.Fatal(err)
	}
	lr, ok := m.(*LinearRegressionModel)
	if !ok || info.Metrics["r2_score"] < 0.99 {
		t.Fatalf("model %T metrics %v", m, info.Metrics)
	}
	if c := lr.Coefficients(); c[0] < 2.9 || c[0] > 3.1 || c[1] < 0.49 || c[1] > 0.51 {
		t.Errorf("coefficients %v", c)
	}
	_, err = s.Train(ctx, dataframe.TrainRequest{Model: "g", Data: data, Options: map[string]any{"model_type": "linear_reg", "input_label_cols": []string{"price"}, "bad": struct{}{}}})
	if err == nil || !errors.Is(err, errs.ErrPlan) {
		t.Errorf("a bad option value: %v", err)
	}
}

func TestKMeansInSQL(t *testing.T) {
	for _, std := range []string{"FALSE", "TRUE"} {
		s := housesSession(t, 3)
		exec(t, s, "CREATE MODEL seg OPTIONS (model_type = 'kmeans', num_clusters = 3, standardize_features = "+std+") AS SELECT rooms, area FROM houses")
		ev := oneRow(t, s, "EVALUATE MODEL seg")
		m, info, err := SessionRegistry(s).Model("seg", 0)
		if err != nil {
			t.Fatal(err)
		}
		km := m.(*KMeansModel)
		if got, want := num(t, ev["inertia"]), km.Cost(); math.Abs(got-want) > 1e-6*want {
			t.Errorf("standardize=%s: EVALUATE's inertia %v, the model's training cost %v", std, got, want)
		}
		if msd := num(t, ev["mean_squared_distance"]); math.Abs(msd*200-num(t, ev["inertia"])) > 1e-6*msd*200 {
			t.Errorf("mean_squared_distance %v", ev)
		}
		if db := num(t, ev["davies_bouldin_index"]); !(db > 0) {
			t.Errorf("davies_bouldin_index %v", ev)
		}
		if info.Metrics["inertia"] != num(t, ev["inertia"]) {
			t.Errorf("stored metrics %v, EVALUATE %v", info.Metrics, ev)
		}
		got := rows(t, s, "SELECT ml_predict('seg', rooms, area) AS c, count(*) FROM houses GROUP BY c ORDER BY c")
		if len(got) != 3 || !strings.HasPrefix(got[0], "0|") {
			t.Errorf("clusters %v", got)
		}
		if _, err := s.Exec(context.Background(), "CREATE MODEL seg2 OPTIONS (model_type = 'kmeans', num_clusters = 3, input_label_cols = ['area']) AS SELECT rooms, area FROM houses"); err == nil || !strings.Contains(err.Error(), "kmeans has no label") {
			t.Errorf("kmeans with a label: %v", err)
		}
	}
}

func TestSaveModelAndImportIt(t *testing.T) {
	s := housesSession(t, 2)
	ctx := context.Background()
	data, err := s.SQL(ctx, "SELECT rooms, area, price FROM houses")
	if err != nil {
		t.Fatal(err)
	}
	lr := NewLinearRegression()
	lr.LabelCol = "price"
	fitted, err := lr.Fit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/price.json"
	if err := SaveModel(path, fitted.(*LinearRegressionModel)); err != nil {
		t.Fatal(err)
	}
	back, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Kind() != "linear_reg" || back.NumFeatures() != 2 {
		t.Errorf("loaded %s with %d features", back.Kind(), back.NumFeatures())
	}
	exec(t, s, "CREATE MODEL imported FROM '"+path+"'")
	got := oneRow(t, s, "SELECT ml_predict('imported', 3, 50.0) AS p")
	if p := num(t, got["p"]); p < 31.5 || p > 32.5 {
		t.Errorf("prediction %v", p)
	}
	if err := SaveModel(t.TempDir()+"/no/such/dir/m.json", fitted.(*LinearRegressionModel)); err == nil {
		t.Error("saving into a missing folder worked")
	}
}

func TestFailedJobsAndOrReplaceKeepTheRegistry(t *testing.T) {
	s := housesSession(t, 2)
	ctx := context.Background()
	exec(t, s, "CREATE MODEL keep OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT rooms, price FROM houses")
	exec(t, s, "CREATE MODEL keep OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT area, price FROM houses")
	// The NULLs are found when the job reads the data: the job fails, nothing is stored.
	res, err := s.Exec(ctx, "CREATE OR REPLACE MODEL keep OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT nullif(rooms, 2) AS rooms, price FROM houses ASYNC")
	if err != nil {
		t.Fatal(err)
	}
	id := res.Batches[0].Column(0).ValueStr(0)
	res.Release()
	job, err := DefaultJobs().Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(ctx); err == nil || !strings.Contains(err.Error(), `feature column "rooms" has 40 NULL values`) {
		t.Errorf("the job's error: %v", err)
	}
	if st := oneRow(t, s, "SHOW JOB "+id); st["state"] != "FAILED" || !strings.Contains(st["message"], "NULL") {
		t.Errorf("SHOW JOB: %v", st)
	}
	if vs, _ := SessionRegistry(s).Versions("keep"); len(vs) != 2 {
		t.Errorf("a failed OR REPLACE changed the versions: %v", vs)
	}
	// A successful OR REPLACE replaces them with version 1.
	exec(t, s, "CREATE OR REPLACE MODEL keep OPTIONS (model_type = 'linear_reg', input_label_cols = ['price']) AS SELECT rooms, area, price FROM houses")
	if vs, _ := SessionRegistry(s).Versions("keep"); len(vs) != 1 || vs[0] != 1 {
		t.Errorf("after OR REPLACE: versions %v", vs)
	}
	if _, info, _ := SessionRegistry(s).Model("keep", 0); info.NumFeatures != 2 {
		t.Errorf("after OR REPLACE: %d features", info.NumFeatures)
	}
}
