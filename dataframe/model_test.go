package dataframe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// linModel is a udf.Model for tests: a regression w·x + b over named features, or, with
// classes, a classifier whose class is the index of the largest feature (probabilities
// proportional to the features). It records the rows of every call.
type linModel struct {
	w       []float64
	b       float64
	names   []string
	classes []string
}

func (m *linModel) Kind() string           { return "test" }
func (m *linModel) NumFeatures() int       { return len(m.w) }
func (m *linModel) FeatureNames() []string { return m.names }
func (m *linModel) Classes() []string      { return m.classes }
func (m *linModel) Task() udf.ModelTask {
	if m.classes != nil {
		return udf.Classification
	}
	return udf.Regression
}

func (m *linModel) Predict(_ context.Context, x []float32, rows int, out []float64) error {
	k := len(m.w)
	for i := range rows {
		row := x[i*k : (i+1)*k]
		if m.classes != nil {
			best := 0
			for j, v := range row {
				if math.IsNaN(float64(v)) {
					best = -1
					break
				}
				if v > row[best] {
					best = j
				}
			}
			if best < 0 {
				out[i] = math.NaN()
			} else {
				out[i] = float64(best)
			}
			continue
		}
		s := m.b
		for j, v := range row {
			s += m.w[j] * float64(v)
		}
		out[i] = s
	}
	return nil
}

func (m *linModel) PredictProba(_ context.Context, x []float32, rows int, out []float64) error {
	if m.classes == nil {
		return errs.Planf("not a classifier")
	}
	k := len(m.w)
	for i := range rows {
		var sum float64
		for _, v := range x[i*k : (i+1)*k] {
			sum += float64(v)
		}
		for j, v := range x[i*k : (i+1)*k] {
			out[i*k+j] = float64(v) / sum
		}
	}
	return nil
}

// TestRegisterModel registers a regressor and a classifier as SQL functions and calls
// them over a table with numbers and vectors: the values are the model's, a classifier's
// label is the class, _proba gives the probabilities, NULL features follow the rules of
// udf.ModelFunction, and EXPLAIN ANALYZE shows the batched call with its rows and calls.
func TestRegisterModel(t *testing.T) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			s := dfSession(t, parts)
			reg := &linModel{w: []float64{2, -1}, b: 0.5, names: []string{"k", "v"}}
			cls := &linModel{w: []float64{0, 0, 0}, classes: []string{"10", "20", "30"}}
			named := &linModel{w: []float64{0, 0}, classes: []string{"cat", "dog"}}
			for name, m := range map[string]udf.Model{"lin": reg, "cls": cls, "pet": named} {
				if err := s.RegisterModel(name, m); err != nil {
					t.Fatal(err)
				}
			}
			if err := kvDF(t, s, 500, 7).CreateOrReplaceTempView("kv"); err != nil {
				t.Fatal(err)
			}

			res := execOK(t, s, "SELECT k, v, lin(k, v), lin(vector(k, v)) FROM kv ORDER BY v")
			n := 0
			for _, b := range res.Batches {
				k, v := b.Column(0).(*array.Int64), b.Column(1).(*array.Int64)
				p1, p2 := b.Column(2).(*array.Float64), b.Column(3).(*array.Float64)
				for i := range int(b.NumRows()) {
					want := 2*float64(k.Value(i)) - float64(v.Value(i)) + 0.5
					if p1.Value(i) != want || p2.Value(i) != want {
						t.Fatalf("lin(%d, %d) = %v and %v, want %v", k.Value(i), v.Value(i), p1.Value(i), p2.Value(i), want)
					}
					n++
				}
			}
			res.Release()
			if n != 500 {
				t.Fatalf("%d rows", n)
			}

			rows := sqlRows(t, s, `SELECT cls(1, 5, 2), cls(vector(9, 1, 1)), cls_proba(1, 1, 2), cls(1, NULL, 2),
				lin(NULL, 1), pet(0.1, 0.9), pet_proba(CAST(NULL AS VECTOR(2)))`)
			if want := "20|10|[0.25 0.25 0.5]|NULL|NULL|dog|NULL"; len(rows) != 1 || rows[0] != want {
				t.Errorf("got %q, want %q", rows, want)
			}

			plan := explainText(t, s, "EXPLAIN ANALYZE SELECT lin(k, v) FROM kv")
			m := regexp.MustCompile(`BatchedCall: lin\(.*\) batch=8192 concurrency=1 calls=(\d+) \[[^]]*\] rows=(\d+)`).FindStringSubmatch(plan)
			if m == nil {
				t.Fatalf("EXPLAIN ANALYZE:\n%s", plan)
			}
			if calls, _ := strconv.Atoi(m[1]); calls < 1 || calls > parts || m[2] != "500" {
				t.Errorf("calls=%s rows=%s, want 1..%d calls over 500 rows:\n%s", m[1], m[2], parts, plan)
			}
		})
	}
}

// TestRegisterModelBindErrors: calls that do not match the model fail at bind time with
// messages that say what the model takes.
func TestRegisterModelBindErrors(t *testing.T) {
	s := dfSession(t, 1)
	if err := s.RegisterModel("lin", &linModel{w: []float64{1, 1}, names: []string{"k", "v"}}); err != nil {
		t.Fatal(err)
	}
	if err := kvDF(t, s, 10, 1).CreateOrReplaceTempView("kv"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ sql, want string }{
		{"SELECT lin(k) FROM kv", "lin: model lin takes 2 features (k, v) (as 2 numbers or one VECTOR(2)), got 1 argument"},
		{"SELECT lin(vector(k, v, k)) FROM kv", "lin: model lin takes 2 features, got a VECTOR(3)"},
		{"SELECT lin(k, 'x') FROM kv", "lin: feature 2 (v) of model lin must be a number, got VARCHAR"},
		{"SELECT lin(v, k) FROM kv", "lin: the columns (v, k) are model lin's features in another order; the model expects (k, v)"},
		{"SELECT lin_proba(k, v) FROM kv", `unknown function "lin_proba"`},
	} {
		_, err := s.Exec(context.Background(), c.sql)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, errs.ErrPlan) {
			t.Errorf("%s: got %v, want a plan error containing %q", c.sql, err, c.want)
		}
	}
	// Other columns, and the features' columns under other names, are not checked.
	execOK(t, s, "SELECT lin(v, v), lin(a, b) FROM (SELECT v AS a, k AS b, v FROM kv) t").Release()
	if err := s.RegisterModel("sum", &linModel{w: []float64{1}}); err == nil {
		t.Error("RegisterModel over the aggregate sum succeeded")
	}
	if err := s.RegisterModel("x", nil); err == nil {
		t.Error("RegisterModel of a nil model succeeded")
	}
}
