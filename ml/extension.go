package ml

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/udf"
)

// The ml extension: what a session opened with dataframe.WithExtensions(ml.Extension())
// gains.
//
//	CREATE [OR REPLACE] MODEL [IF NOT EXISTS] m FROM 'file' [OPTIONS (format 'xgboost'|'mlp',
//	       description '...')]
//	    imports the file as the next version of m (version 1 for a new name). format is
//	    found from the file's content when not given. IF NOT EXISTS does nothing when m has
//	    a version; OR REPLACE drops every version first. The file is loaded once here, so a
//	    corrupt file or one of the wrong kind is refused before anything is stored.
//	SHOW MODELS [LIKE 'pattern']        every version: name, version, kind, task, features,
//	                                    output, created_at, source
//	DESCRIBE MODEL m[@v]                one version (the newest by default), property by
//	                                    property
//	DROP MODEL [IF EXISTS] m[@v]        one version, or all of them
//	ml_predict('m[@v]', features...)    the prediction of m's newest (or pinned) version:
//	                                    DOUBLE, or a classifier's label (udf.ModelFunction)
//	ml_predict_proba('m[@v]', ...)      a classifier's class probabilities, ARRAY<DOUBLE>
//
// The model name of ml_predict must be a constant string; the version is resolved, and the
// model loaded (once per process, lazily), when the query is bound, and the features are
// checked against the model there.

// Extension returns the ml extension for dataframe.WithExtensions.
func Extension() dataframe.Extension { return extension{} }

type extension struct{}

// registryKey is the session state key of the session's *Registry.
type registryKey struct{}

func (extension) Name() string { return "ml" }

// Setup opens the warehouse's registry for the session and registers ml_predict and
// ml_predict_proba in the session's functions.
func (extension) Setup(s *dataframe.Session) error {
	reg, err := OpenRegistry(s.Warehouse())
	if err != nil {
		return err
	}
	s.SetExtensionState(registryKey{}, reg)
	s.Functions().RegisterScalar(&predictFunc{reg: reg, output: udf.ModelPredict})
	s.Functions().RegisterScalar(&predictFunc{reg: reg, output: udf.ModelProba})
	return nil
}

// SessionRegistry returns the model registry of a session opened with Extension, or nil.
func SessionRegistry(s *dataframe.Session) *Registry {
	r, _ := s.ExtensionState(registryKey{}).(*Registry)
	return r
}

func (extension) Exec(ctx context.Context, s *dataframe.Session, st parser.Statement) (*dataframe.Result, bool, error) {
	reg := SessionRegistry(s)
	if reg == nil {
		return nil, false, nil
	}
	var res *dataframe.Result
	var err error
	switch x := st.(type) {
	case *parser.CreateModel:
		if x.AsSelect != nil {
			res, err = trainStatement(ctx, s, reg, x)
		} else {
			res, err = createModel(reg, x)
		}
	case *parser.EvaluateModel:
		res, err = evaluateStatement(ctx, s, reg, x)
	case *parser.ShowModels:
		res, err = showModels(s, reg, x)
	case *parser.DescribeModel:
		res, err = describeModelStmt(s, reg, x)
	case *parser.DropModel:
		res, err = dropModel(reg, x)
	default:
		return jobStatement(s, st)
	}
	return res, true, err
}

// createTarget checks the name of a CREATE MODEL and lists the model's versions; done is
// the reply when IF NOT EXISTS finds the model (nothing to do).
func createTarget(reg *Registry, x *parser.CreateModel) (name string, existing []int, done *dataframe.Result, err error) {
	name = strings.ToLower(x.Name)
	if err := checkModelName(name); err != nil {
		return "", nil, nil, err
	}
	if existing, err = reg.Versions(name); err != nil {
		return "", nil, nil, err
	}
	if len(existing) > 0 && x.IfNotExists {
		return name, existing, &dataframe.Result{Message: fmt.Sprintf("Model %s exists (versions %s); nothing done", name, joinInts(existing))}, nil
	}
	return name, existing, nil, nil
}

// createOptions are the OPTIONS CREATE MODEL ... FROM accepts.
var createOptions = []string{"description", "format"}

func createModel(reg *Registry, x *parser.CreateModel) (*dataframe.Result, error) {
	if x.OrReplace && x.IfNotExists {
		return nil, errs.Planf("CREATE MODEL: OR REPLACE and IF NOT EXISTS cannot both be given")
	}
	for k := range x.ListOptions {
		return nil, errs.Planf("CREATE MODEL %s: option %q takes a single value, not a list", x.Name, k)
	}
	for k := range x.Options {
		if !slices.Contains(createOptions, k) {
			hint := ""
			if near := udf.Nearest(k, createOptions); near != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", near)
			}
			return nil, errs.Planf("CREATE MODEL %s: unknown option %q%s; options are %s", x.Name, k, hint, strings.Join(createOptions, ", "))
		}
	}
	name, existing, done, err := createTarget(reg, x)
	if done != nil || err != nil {
		return done, err
	}
	data, err := os.ReadFile(x.From)
	if err != nil {
		return nil, errs.Planf("CREATE MODEL %s: cannot read %q: %v", name, x.From, unwrapPathError(err))
	}
	kind := x.Options["format"]
	if kind == "" {
		if kind = DetectKind(data); kind == "" {
			var probe any
			if err := json.Unmarshal(data, &probe); err != nil {
				return nil, errs.Execf("CREATE MODEL %s: %q is not a model file Ember reads (invalid JSON: %v)", name, x.From, err)
			}
			return nil, errs.Planf("CREATE MODEL %s: cannot tell the format of %q; give OPTIONS (format '...'), one of %s",
				name, x.From, strings.Join(KindNames(), ", "))
		}
	}
	// Load before dropping anything: a bad file must not cost the old versions.
	if _, err := reg.kinds.Load(kind, data); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "CREATE MODEL %s from %q", name, x.From)
	}
	if x.OrReplace && len(existing) > 0 {
		if _, err := reg.Drop(name, 0); err != nil {
			return nil, err
		}
	}
	opts := make(map[string]string, len(x.Options))
	for k, v := range x.Options {
		opts[k] = v
	}
	info, err := reg.Create(name, kind, data, ModelInfo{Source: x.From, Options: opts})
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "CREATE MODEL %s from %q", name, x.From)
	}
	return &dataframe.Result{Message: fmt.Sprintf("Created model %s (%s %s over %d features)", info.Ref(), info.Kind, info.Task, info.NumFeatures)}, nil
}

// unwrapPathError drops the path os adds to its errors (the message names it already).
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func dropModel(reg *Registry, x *parser.DropModel) (*dataframe.Result, error) {
	n, err := reg.Drop(x.Model.Name, x.Model.Version)
	if err != nil {
		if x.IfExists && errs.KindOf(err) == errs.ErrPlan {
			return &dataframe.Result{Message: fmt.Sprintf("Model %s does not exist; nothing done", x.Model)}, nil
		}
		return nil, err
	}
	if x.Model.Version > 0 {
		return &dataframe.Result{Message: fmt.Sprintf("Dropped model %s", x.Model)}, nil
	}
	return &dataframe.Result{Message: fmt.Sprintf("Dropped model %s (%d version%s)", x.Model, n, plural(n))}, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// likeRegexp compiles a SQL LIKE pattern (% any run, _ one character, \ escapes) into an
// anchored, case-insensitive regular expression.
func likeRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("(?is)^")
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 == len(rs) {
				return nil, errs.Planf("LIKE pattern %q ends with an escape character", pattern)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

var showModelsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "version", Type: arrow.PrimitiveTypes.Int64},
	{Name: "kind", Type: arrow.BinaryTypes.String},
	{Name: "task", Type: arrow.BinaryTypes.String},
	{Name: "features", Type: arrow.PrimitiveTypes.Int64},
	{Name: "output", Type: arrow.BinaryTypes.String},
	{Name: "created_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	{Name: "source", Type: arrow.BinaryTypes.String},
}, nil)

func showModels(s *dataframe.Session, reg *Registry, x *parser.ShowModels) (*dataframe.Result, error) {
	infos, err := reg.List()
	if err != nil {
		return nil, err
	}
	if x.Like != "" {
		re, err := likeRegexp(x.Like)
		if err != nil {
			return nil, err
		}
		kept := infos[:0]
		for _, i := range infos {
			if re.MatchString(i.Name) {
				kept = append(kept, i)
			}
		}
		infos = kept
	}
	b := array.NewRecordBuilder(s.Allocator(), showModelsSchema)
	defer b.Release()
	for _, i := range infos {
		b.Field(0).(*array.StringBuilder).Append(i.Name)
		b.Field(1).(*array.Int64Builder).Append(int64(i.Version))
		b.Field(2).(*array.StringBuilder).Append(i.Kind)
		b.Field(3).(*array.StringBuilder).Append(i.Task)
		b.Field(4).(*array.Int64Builder).Append(int64(i.NumFeatures))
		b.Field(5).(*array.StringBuilder).Append(i.Output)
		b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(i.CreatedAt.UnixMicro()))
		b.Field(7).(*array.StringBuilder).Append(i.Source)
	}
	return &dataframe.Result{Schema: showModelsSchema, Batches: []arrow.RecordBatch{b.NewRecordBatch()}}, nil
}

var describeSchema = arrow.NewSchema([]arrow.Field{
	{Name: "property", Type: arrow.BinaryTypes.String},
	{Name: "value", Type: arrow.BinaryTypes.String},
}, nil)

func describeModelStmt(s *dataframe.Session, reg *Registry, x *parser.DescribeModel) (*dataframe.Result, error) {
	info, err := reg.Info(x.Model.Name, x.Model.Version)
	if err != nil {
		return nil, err
	}
	versions, err := reg.Versions(info.Name)
	if err != nil {
		return nil, err
	}
	latest := versions[len(versions)-1]
	version := strconv.Itoa(info.Version)
	if info.Version == latest {
		version += " (newest"
	} else {
		version += fmt.Sprintf(" (newest is %d", latest)
	}
	version += fmt.Sprintf("; versions %s)", joinInts(versions))
	features := strconv.Itoa(info.NumFeatures)
	if len(info.FeatureNames) > 0 {
		features += ": " + strings.Join(info.FeatureNames, ", ")
	}
	rows := [][2]string{
		{"name", info.Name},
		{"version", version},
		{"kind", info.Kind},
		{"task", info.Task},
	}
	if len(info.Classes) > 0 {
		rows = append(rows, [2]string{"classes", strings.Join(info.Classes, ", ")})
	}
	call := fmt.Sprintf("ml_predict('%s', ...)", info.Name)
	if info.Version != latest {
		call = fmt.Sprintf("ml_predict('%s', ...)", info.Ref())
	}
	if info.Label != "" {
		rows = append(rows, [2]string{"label", info.Label})
	}
	rows = append(rows,
		[2]string{"features", features},
		[2]string{"input", info.Input()},
		[2]string{"output", info.Output},
		[2]string{"call", call},
	)
	if info.Task == "classification" && info.Kind != "kmeans" {
		rows = append(rows, [2]string{"probabilities", strings.Replace(call, "ml_predict(", "ml_predict_proba(", 1) + " → ARRAY<DOUBLE>"})
	}
	if len(info.Metrics) > 0 {
		m, _ := json.Marshal(info.Metrics)
		rows = append(rows, [2]string{"metrics", string(m)})
	}
	rows = append(rows,
		[2]string{"created_at", info.CreatedAt.Format("2006-01-02 15:04:05.000000") + " UTC"},
		[2]string{"source", info.Source},
	)
	if d := info.Options["description"]; d != "" {
		rows = append(rows, [2]string{"description", d})
	}
	rows = append(rows, [2]string{"size", fmt.Sprintf("%d bytes", info.Size)})
	b := array.NewRecordBuilder(s.Allocator(), describeSchema)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r[0])
		b.Field(1).(*array.StringBuilder).Append(r[1])
	}
	return &dataframe.Result{Schema: describeSchema, Batches: []arrow.RecordBatch{b.NewRecordBatch()}}, nil
}

// predictFunc is ml_predict / ml_predict_proba before binding: it resolves the model its
// constant first argument names and hands the call to that model's udf.ModelFunction.
type predictFunc struct {
	reg    *Registry
	output udf.ModelOutput
}

func (f *predictFunc) Name() string {
	if f.output == udf.ModelProba {
		return "ml_predict_proba"
	}
	return "ml_predict"
}

// Volatility: the newest version of a name may change between queries, never within one.
func (f *predictFunc) Volatility() udf.Volatility { return udf.Stable }

func (f *predictFunc) Doc() string {
	if f.output == udf.ModelProba {
		return "ml_predict_proba('model[@version]', features...): the class probabilities, as ARRAY<DOUBLE> in the order of the classifier's classes, of a model in the registry (SHOW MODELS); the features are numbers or one VECTOR, checked against the model when the query is bound."
	}
	return "ml_predict('model[@version]', features...): the prediction of a model in the registry (SHOW MODELS), its newest version unless one is pinned: a DOUBLE, or a classifier's label; the features are numbers or one VECTOR, checked against the model when the query is bound."
}

// ReturnType is reached only for calls the binder did not bind with BindArgs.
func (f *predictFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	return nil, errs.Planf("%s: the first argument must be a model name as a constant string", f.Name())
}

func (f *predictFunc) Eval(context.Context, memory.Allocator, []arrow.Array, int) (arrow.Array, error) {
	return nil, errs.Internalf("%s called without binding", f.Name())
}

// BindArgs loads the model named by the first argument and returns its function, which
// checks the features.
func (f *predictFunc) BindArgs(types []arrow.DataType, args []udf.ConstArg) (udf.ScalarFunction, error) {
	if len(args) == 0 {
		return nil, errs.Planf("%s takes a model name and its features: %s('model', x, ...)", f.Name(), f.Name())
	}
	ref, ok := args[0].Value.(string)
	if !args[0].Const || !ok {
		return nil, errs.Planf("%s: the first argument must be a model name as a constant string ('model' or 'model@version'), got %s",
			f.Name(), describeArg(types[0], args[0]))
	}
	name, version, err := ParseRef(ref)
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "%s", f.Name())
	}
	m, info, err := f.reg.Model(name, version)
	if err != nil {
		return nil, err
	}
	label := info.Name
	if version > 0 {
		label = info.Ref()
	}
	mf, err := udf.NewModelFunction(f.Name(), label, m, f.output)
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "%s", f.Name())
	}
	return mf.WithLeadingArgs(1).BindArgs(types, args)
}

func describeArg(t arrow.DataType, a udf.ConstArg) string {
	switch {
	case a.Column != "":
		return "column " + a.Column
	case a.Const && a.Value == nil:
		return "NULL"
	}
	return "a value of type " + udf.TypeName(t)
}

// SeedModels registers the model files of fsys (name → path, the kind told from each
// file's content) as version 1 of their names in the registry of s, a session opened with
// Extension: the shell seeds a new warehouse with the sample models this way. A name that
// already has a version is left alone.
func SeedModels(s *dataframe.Session, fsys fs.FS, files map[string]string) error {
	reg := SessionRegistry(s)
	if reg == nil {
		return errs.Planf("SeedModels: the session was not opened with ml.Extension()")
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if vs, err := reg.Versions(name); err != nil || len(vs) > 0 {
			if err != nil {
				return err
			}
			continue
		}
		data, err := fs.ReadFile(fsys, files[name])
		if err != nil {
			return errs.Wrap(errs.ErrExecution, err, "sample model %s", name)
		}
		kind := DetectKind(data)
		if kind == "" {
			return errs.Execf("sample model %s: %s is not a model of a known kind", name, files[name])
		}
		if _, err := reg.Create(name, kind, data, ModelInfo{Source: "sample: " + files[name]}); err != nil {
			return err
		}
	}
	return nil
}
