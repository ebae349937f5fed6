package ml

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// The model registry: models stored in the warehouse as name@version, each version an
// immutable folder
//
//	<warehouse>/_models/<name>/v<version>/meta.json    ModelInfo
//	<warehouse>/_models/<name>/v<version>/model.json   the model file's bytes, as imported
//
// A version is written whole in a hidden scratch folder (files fsynced) and appears by one
// rename onto v<version>; the rename fails when another writer took that number first, and
// the writer then tries the next one, so concurrent CREATE MODELs of one name (from any
// process) get distinct versions and a reader never sees half a version. DROP renames the
// folder away before removing it. Versions are numbered from 1; the newest (highest)
// serves a name without @version.
//
// Models are loaded lazily, on the first query that calls one, and shared: the loaded
// model of a version is cached process-wide under the version's folder and creation time,
// so every session and query of the process uses one copy, and a version dropped and
// created again is loaded afresh. A registry over an in-memory catalog keeps its versions
// in memory (nothing touches the disk).

// modelsDir is the registry's folder under the warehouse.
const modelsDir = "_models"

// metaFormat is the version of meta.json's layout.
const metaFormat = 1

// ModelInfo is the metadata of one model version (meta.json).
type ModelInfo struct {
	Format  int    `json:"format"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	// Kind is the model kind ("xgboost", "mlp").
	Kind string `json:"kind"`
	// Task is "regression" or "classification".
	Task    string   `json:"task"`
	Classes []string `json:"classes,omitempty"`
	// NumFeatures and FeatureNames are the model's input (FeatureNames may be empty).
	NumFeatures  int      `json:"num_features"`
	FeatureNames []string `json:"feature_names,omitempty"`
	// TrainingQuery is the query a model trained in Ember learned from (EVALUATE MODEL
	// without ON evaluates on it); "" for an imported model.
	TrainingQuery string `json:"training_query,omitempty"`
	// Label is the label column a trained model learned (EVALUATE MODEL reads it).
	Label string `json:"label,omitempty"`
	// Output is the SQL type of ml_predict's result (DOUBLE, BIGINT or VARCHAR).
	Output string `json:"output"`
	// Metrics are the model's evaluation metrics (training records them; imported models
	// have none unless OPTIONS give them).
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// CreatedAt is when the version was registered (UTC).
	CreatedAt time.Time `json:"created_at"`
	// Source is where the model came from: the imported file's path as given, or the
	// training statement.
	Source string `json:"source"`
	// Options are the OPTIONS of CREATE MODEL, as written.
	Options map[string]string `json:"options,omitempty"`
	// Size is the model file's size in bytes.
	Size int64 `json:"size"`
}

// Ref is the model's name@version.
func (i ModelInfo) Ref() string { return i.Name + "@" + strconv.Itoa(i.Version) }

// Input describes the arguments ml_predict takes for the model.
func (i ModelInfo) Input() string {
	return fmt.Sprintf("%d numbers or one VECTOR(%d)", i.NumFeatures, i.NumFeatures)
}

// Registry is a warehouse's model registry. Its methods are safe for concurrent use, from
// any number of sessions and processes sharing the warehouse.
type Registry struct {
	// dir is <warehouse>/_models, "" for an in-memory registry.
	dir   string
	kinds *Kinds
	mu    sync.Mutex
	mem   map[string]map[int]*memVersion // in-memory registries only
}

type memVersion struct {
	info ModelInfo
	data []byte
}

// OpenRegistry returns the registry of the warehouse folder; "" gives an empty in-memory
// registry (for sessions over an in-memory catalog). Nothing is read until used.
func OpenRegistry(warehouse string) (*Registry, error) {
	r := &Registry{kinds: defaultKinds}
	if warehouse == "" {
		r.mem = map[string]map[int]*memVersion{}
		return r, nil
	}
	abs, err := filepath.Abs(filepath.Join(warehouse, modelsDir))
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model registry")
	}
	r.dir = abs
	return r, nil
}

// ParseRef reads "name" or "name@version" (version ≥ 1; 0 means the newest).
func ParseRef(s string) (name string, version int, err error) {
	name, v, pinned := strings.Cut(strings.TrimSpace(s), "@")
	name = strings.ToLower(name)
	if err := checkModelName(name); err != nil {
		return "", 0, err
	}
	if !pinned {
		return name, 0, nil
	}
	version, convErr := strconv.Atoi(v)
	if convErr != nil || version < 1 {
		return "", 0, errs.Planf("model %q: the version after @ must be a number from 1, got %q", s, v)
	}
	return name, version, nil
}

// checkModelName accepts identifiers: [a-z_][a-z0-9_]*.
func checkModelName(name string) error {
	ok := name != ""
	for i, c := range name {
		switch {
		case c == '_' || (c >= 'a' && c <= 'z'):
		case c >= '0' && c <= '9' && i > 0:
		default:
			ok = false
		}
	}
	if !ok {
		return errs.Planf("%q is not a model name: use letters, digits and _, not starting with a digit", name)
	}
	return nil
}

// Create loads data as a model of kind (checking the file), and stores it as the next
// version of name with info's Metrics, Source and Options. It returns the stored info.
// A file the kind cannot read is refused and nothing is stored.
func (r *Registry) Create(name, kind string, data []byte, info ModelInfo) (ModelInfo, error) {
	name = strings.ToLower(name)
	if err := checkModelName(name); err != nil {
		return ModelInfo{}, err
	}
	m, err := r.kinds.Load(kind, data)
	if err != nil {
		return ModelInfo{}, err
	}
	info = describeModel(m, info)
	info.Format, info.Name, info.Kind = metaFormat, name, m.Kind()
	info.Size = int64(len(data))
	info.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	if r.dir == "" {
		r.mu.Lock()
		defer r.mu.Unlock()
		vs := r.mem[name]
		if vs == nil {
			vs = map[int]*memVersion{}
			r.mem[name] = vs
		}
		info.Version = 1
		for v := range vs {
			info.Version = max(info.Version, v+1)
		}
		vs[info.Version] = &memVersion{info: info, data: append([]byte(nil), data...)}
		return info, nil
	}
	return r.createOnDisk(name, data, info)
}

// describeModel fills what the model itself says into info.
func describeModel(m udf.Model, info ModelInfo) ModelInfo {
	info.Task = m.Task().String()
	info.Classes = m.Classes()
	info.NumFeatures = m.NumFeatures()
	info.FeatureNames = m.FeatureNames()
	if f, err := udf.NewModelFunction("ml_predict", info.Name, m, udf.ModelPredict); err == nil {
		if t, err := f.ReturnType(repeatType(arrow.PrimitiveTypes.Float32, m.NumFeatures())); err == nil {
			info.Output = udf.TypeName(t)
		}
	}
	return info
}

func repeatType(t arrow.DataType, n int) []arrow.DataType {
	out := make([]arrow.DataType, n)
	for i := range out {
		out[i] = t
	}
	return out
}

func (r *Registry) createOnDisk(name string, data []byte, info ModelInfo) (ModelInfo, error) {
	nameDir := filepath.Join(r.dir, name)
	for attempt := 0; attempt < 100; attempt++ {
		// inside the loop: a DROP of the last version removes the (then empty) folder
		if err := os.MkdirAll(nameDir, 0o755); err != nil {
			return ModelInfo{}, errs.Wrap(errs.ErrExecution, err, "model registry")
		}
		versions, err := r.diskVersions(name)
		if err != nil {
			return ModelInfo{}, err
		}
		info.Version = 1
		if len(versions) > 0 {
			info.Version = versions[len(versions)-1] + 1
		}
		tmp := filepath.Join(nameDir, ".new-"+randomSuffix())
		if err := writeVersion(tmp, data, info); err != nil {
			_ = os.RemoveAll(tmp)
			if errors.Is(err, fs.ErrNotExist) {
				continue // the name's folder was removed meanwhile
			}
			return ModelInfo{}, err
		}
		err = os.Rename(tmp, filepath.Join(nameDir, "v"+strconv.Itoa(info.Version)))
		if err == nil {
			syncDir(nameDir)
			return info, nil
		}
		_ = os.RemoveAll(tmp)
		if !errors.Is(err, fs.ErrExist) && !isNotEmpty(err) {
			return ModelInfo{}, errs.Wrap(errs.ErrExecution, err, "model registry: storing %s", info.Ref())
		}
		// another writer took this version: try the next one
	}
	return ModelInfo{}, errs.Execf("model registry: could not claim a version of %s", name)
}

// isNotEmpty reports whether a rename failed because the target folder exists and is not
// empty (ENOTEMPTY, which os does not map to fs.ErrExist).
func isNotEmpty(err error) bool {
	var le *os.LinkError
	return errors.As(err, &le) && strings.Contains(le.Err.Error(), "not empty")
}

// writeVersion writes a version's two files into dir, fsynced.
func writeVersion(dir string, data []byte, info ModelInfo) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "model registry")
	}
	meta, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return errs.Wrap(errs.ErrInternal, err, "model registry")
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"model.json", data}, {"meta.json", append(meta, '\n')}} {
		if err := writeSynced(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	syncDir(dir)
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "model registry")
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return errs.Wrap(errs.ErrExecution, err, "model registry: writing %s", filepath.Base(path))
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return errs.Wrap(errs.ErrExecution, err, "model registry: writing %s", filepath.Base(path))
	}
	return errs.Wrap(errs.ErrExecution, f.Close(), "model registry")
}

// syncDir makes a rename in dir durable (best effort: some systems cannot sync folders).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// diskVersions lists the stored versions of name, ascending.
func (r *Registry) diskVersions(name string) ([]int, error) {
	ents, err := os.ReadDir(filepath.Join(r.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model registry")
	}
	var out []int
	for _, e := range ents {
		if v, ok := strings.CutPrefix(e.Name(), "v"); ok && e.IsDir() {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				out = append(out, n)
			}
		}
	}
	sort.Ints(out)
	return out, nil
}

// names lists the registry's model names, sorted.
func (r *Registry) names() ([]string, error) {
	if r.dir == "" {
		r.mu.Lock()
		defer r.mu.Unlock()
		out := make([]string, 0, len(r.mem))
		for n, vs := range r.mem {
			if len(vs) > 0 {
				out = append(out, n)
			}
		}
		sort.Strings(out)
		return out, nil
	}
	ents, err := os.ReadDir(r.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model registry")
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && checkModelName(e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// versions lists the stored versions of name, ascending.
func (r *Registry) versions(name string) ([]int, error) {
	if r.dir != "" {
		return r.diskVersions(name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int, 0, len(r.mem[name]))
	for v := range r.mem[name] {
		out = append(out, v)
	}
	sort.Ints(out)
	return out, nil
}

// List returns every version of every model, by name then version.
func (r *Registry) List() ([]ModelInfo, error) {
	names, err := r.names()
	if err != nil {
		return nil, err
	}
	var out []ModelInfo
	for _, n := range names {
		vs, err := r.versions(n)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			info, err := r.readInfo(n, v)
			if err != nil {
				return nil, err
			}
			out = append(out, info)
		}
	}
	return out, nil
}

// Versions returns the stored versions of name, ascending (none when it does not exist).
func (r *Registry) Versions(name string) ([]int, error) { return r.versions(strings.ToLower(name)) }

// resolve turns name and version (0: the newest) into a stored version, or a plan error
// naming what is missing (with the nearest model name).
func (r *Registry) resolve(name string, version int) (int, error) {
	name = strings.ToLower(name)
	vs, err := r.versions(name)
	if err != nil {
		return 0, err
	}
	if len(vs) == 0 {
		names, _ := r.names()
		if slices.Contains(names, name) {
			// The folder exists but holds no complete version: one is being written.
			return 0, errs.Planf("model %q has no version yet (one is being written; a training job shows in SHOW JOBS)", name)
		}
		if near := udf.Nearest(name, names); near != "" {
			return 0, errs.Planf("unknown model %q (did you mean %q?)", name, near)
		}
		return 0, errs.Planf("unknown model %q", name)
	}
	if version == 0 {
		return vs[len(vs)-1], nil
	}
	i := sort.SearchInts(vs, version)
	if i == len(vs) || vs[i] != version {
		return 0, errs.Planf("model %s has no version %d (versions: %s)", name, version, joinInts(vs))
	}
	return version, nil
}

func joinInts(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

// Info returns the metadata of name@version (version 0: the newest).
func (r *Registry) Info(name string, version int) (ModelInfo, error) {
	v, err := r.resolve(name, version)
	if err != nil {
		return ModelInfo{}, err
	}
	return r.readInfo(strings.ToLower(name), v)
}

func (r *Registry) versionDir(name string, version int) string {
	return filepath.Join(r.dir, name, "v"+strconv.Itoa(version))
}

func (r *Registry) readInfo(name string, version int) (ModelInfo, error) {
	if r.dir == "" {
		r.mu.Lock()
		defer r.mu.Unlock()
		if mv := r.mem[name][version]; mv != nil {
			return mv.info, nil
		}
		return ModelInfo{}, errs.Planf("model %s@%d was dropped", name, version)
	}
	path := filepath.Join(r.versionDir(name, version), "meta.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ModelInfo{}, errs.Planf("model %s@%d was dropped", name, version)
	}
	if err != nil {
		return ModelInfo{}, errs.Wrap(errs.ErrExecution, err, "model registry")
	}
	var info ModelInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return ModelInfo{}, errs.Execf("model %s@%d: %s is corrupt: %v", name, version, filepath.Join(modelsDir, name, "v"+strconv.Itoa(version), "meta.json"), err)
	}
	if info.Format != metaFormat || info.Name != name || info.Version != version {
		return ModelInfo{}, errs.Execf("model %s@%d: meta.json describes %s (format %d)", name, version, info.Ref(), info.Format)
	}
	return info, nil
}

// loadedModels caches loaded models process-wide, keyed by a version's identity (folder or
// in-memory registry, name, version, creation time): a version is immutable, so a cached
// model stays right until the version is dropped.
var loadedModels sync.Map // string → *loadedModel

type loadedModel struct {
	once sync.Once
	m    udf.Model
	err  error
}

func (r *Registry) cacheKey(info ModelInfo) string {
	where := r.dir
	if where == "" {
		where = fmt.Sprintf("mem:%p", r)
	}
	return where + "\x00" + info.Ref() + "\x00" + info.CreatedAt.Format(time.RFC3339Nano)
}

// Model returns name@version (version 0: the newest) loaded, and its metadata. The first
// call for a version reads and loads its file; later calls, from any session of the
// process, share the loaded model. A file that fails to load is an error naming the
// version (and the next call tries again).
func (r *Registry) Model(name string, version int) (udf.Model, ModelInfo, error) {
	info, err := r.Info(name, version)
	if err != nil {
		return nil, ModelInfo{}, err
	}
	key := r.cacheKey(info)
	v, _ := loadedModels.LoadOrStore(key, &loadedModel{})
	lm := v.(*loadedModel)
	lm.once.Do(func() { lm.m, lm.err = r.load(info) })
	if lm.err != nil {
		loadedModels.CompareAndDelete(key, lm)
		return nil, ModelInfo{}, lm.err
	}
	return lm.m, info, nil
}

func (r *Registry) load(info ModelInfo) (udf.Model, error) {
	var data []byte
	if r.dir == "" {
		r.mu.Lock()
		mv := r.mem[info.Name][info.Version]
		r.mu.Unlock()
		if mv == nil {
			return nil, errs.Planf("model %s was dropped", info.Ref())
		}
		data = mv.data
	} else {
		var err error
		if data, err = os.ReadFile(filepath.Join(r.versionDir(info.Name, info.Version), "model.json")); err != nil {
			return nil, errs.Wrap(errs.ErrExecution, err, "model %s", info.Ref())
		}
	}
	m, err := r.kinds.Load(info.Kind, data)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "model %s", info.Ref())
	}
	if m.NumFeatures() != info.NumFeatures || m.Task().String() != info.Task {
		return nil, errs.Execf("model %s: the file holds a %s model of %d features, its metadata says %s of %d",
			info.Ref(), m.Task(), m.NumFeatures(), info.Task, info.NumFeatures)
	}
	return m, nil
}

// Drop removes name@version, or every version of name when version is 0. It returns the
// number of versions dropped; an unknown model or version is a plan error.
func (r *Registry) Drop(name string, version int) (int, error) {
	name = strings.ToLower(name)
	if version > 0 {
		if _, err := r.resolve(name, version); err != nil {
			return 0, err
		}
	}
	vs, err := r.versions(name)
	if err != nil {
		return 0, err
	}
	if len(vs) == 0 {
		_, err := r.resolve(name, 0)
		return 0, err
	}
	if version > 0 {
		vs = []int{version}
	}
	for _, v := range vs {
		if info, err := r.readInfo(name, v); err == nil {
			loadedModels.Delete(r.cacheKey(info))
		}
		if err := r.dropVersion(name, v); err != nil {
			return 0, err
		}
	}
	if r.dir != "" {
		_ = os.Remove(filepath.Join(r.dir, name)) // only when empty
	}
	return len(vs), nil
}

func (r *Registry) dropVersion(name string, v int) error {
	if r.dir == "" {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.mem[name], v)
		if len(r.mem[name]) == 0 {
			delete(r.mem, name)
		}
		return nil
	}
	dir := r.versionDir(name, v)
	gone := filepath.Join(r.dir, name, ".drop-"+randomSuffix())
	if err := os.Rename(dir, gone); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // dropped by someone else meanwhile
		}
		return errs.Wrap(errs.ErrExecution, err, "model registry: dropping %s@%d", name, v)
	}
	syncDir(filepath.Join(r.dir, name))
	return errs.Wrap(errs.ErrExecution, os.RemoveAll(gone), "model registry: dropping %s@%d", name, v)
}
