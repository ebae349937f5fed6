package ml

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// LoadFunc builds a model of one kind from the bytes its file holds. It returns a clear
// error (never a panic) for any input, however malformed.
type LoadFunc func(data []byte) (udf.Model, error)

// builtinKinds are the model kinds of this package, one registration line each. A static
// table rather than init() calls, so that every Kinds starts from the same known set.
var builtinKinds = []struct {
	name string
	load LoadFunc
}{
	{"xgboost", loader(LoadXGBoost)},
	{"mlp", loader(LoadMLP)},
	{"logistic_reg", loader(LoadLogisticRegression)},
	{"linear_reg", loader(LoadLinearRegression)},
	{"kmeans", loader(LoadKMeans)},
	{"pipeline", loader(LoadPipelineModel)},
}

// loader adapts a typed loader to LoadFunc, so that a failed load returns a nil interface
// rather than an interface holding a nil pointer.
func loader[M udf.Model](load func([]byte) (M, error)) LoadFunc {
	return func(data []byte) (udf.Model, error) {
		m, err := load(data)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
}

// Kinds maps model kind names to their loaders. Names are case-insensitive and stored in
// lower case. A Kinds is safe for concurrent use.
type Kinds struct {
	mu    sync.RWMutex
	kinds map[string]LoadFunc
}

// NewKinds returns a Kinds holding the built-in kinds ("xgboost", "mlp"). Tests and
// sessions that register kinds of their own use one of these to stay hermetic.
func NewKinds() *Kinds {
	k := &Kinds{kinds: make(map[string]LoadFunc, len(builtinKinds))}
	for _, b := range builtinKinds {
		k.kinds[b.name] = b.load
	}
	return k
}

// Register adds a kind. It returns a plan error when name is empty, load is nil or the kind
// is already registered.
func (k *Kinds) Register(name string, load LoadFunc) error {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		return errs.Planf("model kind name is empty")
	}
	if load == nil {
		return errs.Planf("model kind %q: nil loader", key)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, dup := k.kinds[key]; dup {
		return errs.Planf("model kind %q is already registered", key)
	}
	k.kinds[key] = load
	return nil
}

// Load builds a model of the named kind from data. An unknown kind is a plan error that
// names the nearest known kind; a malformed file is whatever error the kind's loader
// returns.
func (k *Kinds) Load(kind string, data []byte) (udf.Model, error) {
	key := strings.ToLower(strings.TrimSpace(kind))
	k.mu.RLock()
	load, ok := k.kinds[key]
	k.mu.RUnlock()
	if !ok {
		names := k.Names()
		if near := udf.Nearest(key, names); near != "" {
			return nil, errs.Planf("unknown model kind %q (did you mean %q?)", kind, near)
		}
		return nil, errs.Planf("unknown model kind %q (known kinds: %s)", kind, strings.Join(names, ", "))
	}
	return load(data)
}

// Names returns the registered kind names, sorted.
func (k *Kinds) Names() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]string, 0, len(k.kinds))
	for n := range k.kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// defaultKinds is the process-wide set behind RegisterKind and Load: the built-in kinds
// plus whatever a program registers explicitly (nothing registers from init()).
var defaultKinds = NewKinds()

// RegisterKind adds a kind to the process-wide set used by Load. See Kinds.Register for
// the errors.
func RegisterKind(name string, load func(data []byte) (udf.Model, error)) error {
	return defaultKinds.Register(name, load)
}

// Load builds a model of the named kind ("xgboost", "mlp", or one added with RegisterKind)
// from the bytes of its file. See Kinds.Load for the errors.
func Load(kind string, data []byte) (udf.Model, error) {
	return defaultKinds.Load(kind, data)
}

// KindNames returns the kinds Load knows, sorted.
func KindNames() []string { return defaultKinds.Names() }

// DetectKind tells a built-in kind's file by its content: "xgboost" for XGBoost's JSON
// model (a top-level "learner" object), and kind K for Ember's own formats, whose
// top-level "format" is "ember-K" ("ember-mlp", "ember-logistic_reg", ...) for a built-in
// kind K; "" when the data is none of these (or not JSON). It reads the top-level keys
// only and never fails.
func DetectKind(data []byte) string {
	var probe struct {
		Format  *string          `json:"format"`
		Learner *json.RawMessage `json:"learner"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return ""
	}
	switch {
	case probe.Learner != nil:
		return "xgboost"
	case probe.Format != nil && strings.HasPrefix(*probe.Format, "ember-"):
		kind := strings.TrimPrefix(*probe.Format, "ember-")
		for _, b := range builtinKinds {
			if b.name == kind {
				return kind
			}
		}
	}
	return ""
}

// LoadFile reads a model file of a built-in kind, telling the kind from its content
// (DetectKind). Errors name the file.
func LoadFile(path string) (udf.Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model file")
	}
	kind := DetectKind(data)
	if kind == "" {
		return nil, errs.Execf("model file %s: not a model of a known kind (%s)", path, strings.Join(KindNames(), ", "))
	}
	m, err := Load(kind, data)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model file %s", path)
	}
	return m, nil
}
