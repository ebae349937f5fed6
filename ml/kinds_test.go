package ml

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

func TestLoadByKind(t *testing.T) {
	for _, tc := range []struct {
		kind, file string
		want       string // Kind() of the model
	}{
		{"xgboost", "xgb_multi.json", "xgboost"},
		{"XGBoost", "xgb_binary.json", "xgboost"},
		{"mlp", "mlp_multi.json", "mlp"},
		{" MLP ", "mlp_regression.json", "mlp"},
	} {
		m, err := Load(tc.kind, readFixture(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		if m.Kind() != tc.want {
			t.Fatalf("%s: got kind %s", tc.kind, m.Kind())
		}
	}
	var builtin []string
	for _, b := range builtinKinds {
		builtin = append(builtin, b.name)
	}
	sort.Strings(builtin)
	if got := strings.Join(KindNames(), ","); got != strings.Join(builtin, ",") || !strings.Contains(got, "mlp") || !strings.Contains(got, "xgboost") {
		t.Fatalf("kind names %s", got)
	}
}

func TestLoadErrors(t *testing.T) {
	data := readFixture(t, "xgb_binary.json")
	m, err := Load("xgbost", data)
	if m != nil || !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `did you mean "xgboost"`) {
		t.Fatalf("typo: %v, %v", m, err)
	}
	if _, err := Load("onnx", data); !errors.Is(err, errs.ErrPlan) ||
		!strings.Contains(err.Error(), `unknown model kind "onnx" (known kinds: `+strings.Join(KindNames(), ", ")+`)`) {
		t.Fatalf("unknown: %v", err)
	}
	// A failed load gives a nil interface, not an interface holding a nil pointer.
	if m, err := Load("mlp", data); m != nil || err == nil {
		t.Fatalf("xgboost file as mlp: %v, %v", m, err)
	}
	if err := RegisterKind("xgboost", func([]byte) (udf.Model, error) { return nil, nil }); !errors.Is(err, errs.ErrPlan) {
		t.Fatalf("duplicate in the process-wide table: %v", err)
	}
}

func TestKindsRegister(t *testing.T) {
	k := NewKinds()
	called := false
	fake := func(data []byte) (udf.Model, error) {
		called = true
		return LoadMLP(data)
	}
	for _, tc := range []struct {
		name string
		load LoadFunc
		msg  string
	}{
		{"", fake, "name is empty"},
		{"custom", nil, "nil loader"},
		{"MLP", fake, `"mlp" is already registered`},
	} {
		if err := k.Register(tc.name, tc.load); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.msg) {
			t.Fatalf("register %q: %v", tc.name, err)
		}
	}
	if err := k.Register("Custom", fake); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Load("custom", readFixture(t, "mlp_binary.json")); err != nil || !called {
		t.Fatalf("custom kind: %v (called %v)", err, called)
	}
	// The process-wide table is untouched by a Kinds of one's own.
	if _, err := Load("custom", nil); !errors.Is(err, errs.ErrPlan) {
		t.Fatalf("custom kind leaked: %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	for file, kind := range map[string]string{"xgb_multi.json": "xgboost", "mlp_multi.json": "mlp"} {
		m, err := LoadFile("../testdata/ml/" + file)
		if err != nil || m.Kind() != kind {
			t.Errorf("%s: %v, %v", file, m, err)
		}
	}
	if _, err := LoadFile("../testdata/ml/xgb_binary_data.csv"); err == nil || !strings.Contains(err.Error(), "not a model of a known kind") {
		t.Errorf("a CSV file: %v", err)
	}
	if _, err := LoadFile("../testdata/ml/xgb_dart.json"); err == nil || !strings.Contains(err.Error(), "xgb_dart.json") {
		t.Errorf("an unsupported booster: %v", err)
	}
}
