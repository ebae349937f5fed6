package ml

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Pipelines, after Spark ML's (pipeline.go): a Pipeline is a list of stages fitted in turn
// to a DataFrame; the fitted PipelineModel transforms a DataFrame through every stage,
// saves to one JSON file (SavePipeline, LoadPipeline), and, when its stages allow, is a
// udf.Model of kind "pipeline" that SQL calls with ml_predict.
//
// The ember-pipeline format, version 1:
//
//	{"format": "ember-pipeline", "version": 1,
//	 "stages": [
//	   {"type": "standard_scaler", ...the model's own JSON fields},   // StandardScalerModel
//	   {"type": "min_max_scaler", ...}, {"type": "string_indexer", ...},
//	   {"type": "one_hot_encoder", ...}, {"type": "imputer", ...},
//	   {"type": "vector_assembler", ...},
//	   {"type": "model", "kind": "<kind>", "model": <the model's own JSON>}]}
//
// A "model" stage is any udf.Model: saved with its Kind() and MarshalJSON (or the file
// a ModelStage was loaded from), loaded back with the kind's loader (kinds.go). A stage
// type this Ember does not know is an error naming it.

// PipelineStage is a stage of a Pipeline: an Estimator (fitted when the pipeline is), a
// Transformer (used as is), or a udf.Model that is neither (an imported model; it becomes
// a ModelStage).
type PipelineStage any

// Pipeline is a sequence of stages (Spark ML's Pipeline), itself an Estimator.
type Pipeline struct {
	Stages []PipelineStage
}

// PipelineModel is a fitted Pipeline: Transform runs its stages in order. A nested
// PipelineModel counts as its stages.
//
// PipelineModel is also a udf.Model (kind "pipeline") when every stage but the last is a
// StandardScalerModel, MinMaxScalerModel, ImputerModel or VectorAssembler over number
// columns, and the last is a udf.Model (a trained model or a ModelStage): Predict and
// PredictProba apply the stages to each row (in float64, from the float32 features) and
// call the last model; the features (FeatureNames) are the pipeline's input columns, in
// the order the stages first read them; Task and Classes are the last model's. The last
// model reads the columns its FeatureNames name (stage outputs, or input columns no stage
// changed); a model without feature names reads the VectorAssembler right before it. In
// the row path a NULL feature arrives as NaN, so an Imputer fills NaN (and a NULL) whatever
// its MissingValue. The other stages (StringIndexer, OneHotEncoder, other Transformers)
// need Transform: such a pipeline's NumFeatures is 0 and Predict fails, saying why.
// Stages must not change once the model is in use; a PipelineModel is then safe for
// concurrent use.
type PipelineModel struct {
	Stages []Transformer
}

// ModelStage is a udf.Model as a pipeline stage, for models that are not Transformers
// themselves (imported "mlp" or "xgboost" models). Transform adds the column "prediction"
// (and "probability", a classifier's class probabilities) over the columns the model's
// FeatureNames name, or, inside a PipelineModel, over the VectorAssembler right before it
// when the model has no feature names.
type ModelStage struct {
	Model udf.Model
	// JSON is the model's file, written as the stage's "model" when the pipeline is saved;
	// nil means the model's own MarshalJSON, which it must then have.
	JSON []byte
}

// Transform adds the model's predictions over its FeatureNames columns.
func (st ModelStage) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	return st.transform(df, nil)
}

// transform adds the predictions over cols, or the model's FeatureNames when cols is nil.
func (st ModelStage) transform(df *dataframe.DataFrame, cols []string) *dataframe.DataFrame {
	if st.Model == nil {
		return df.WithError(errs.Planf("ModelStage: nil Model"))
	}
	if cols == nil {
		cols = st.Model.FeatureNames()
	}
	if len(cols) == 0 {
		return df.WithError(errs.Planf("ModelStage: the %s model has no feature names, so Transform does not know its columns (put a VectorAssembler right before it in a pipeline)", st.Model.Kind()))
	}
	return modelTransform(df, st.Model, cols, "prediction", "probability")
}

// Fit fits the pipeline; the Transformer is a *PipelineModel (see FitPipeline).
func (p Pipeline) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	return p.FitPipeline(ctx, df)
}

// FitPipeline fits the stages in order, as Spark does: an Estimator is fitted to the
// DataFrame as the stages before it left it, and every fitted stage before the last
// Estimator transforms the DataFrame for the next (lazily: each Fit reads the source
// through the transformations before it, so cache df first if reading it is costly).
// Stages after the last Estimator are taken as they are. Errors name the stage.
func (p Pipeline) FitPipeline(ctx context.Context, df *dataframe.DataFrame) (*PipelineModel, error) {
	if err := df.Err(); err != nil {
		return nil, err
	}
	last := -1
	for i, st := range p.Stages {
		switch st.(type) {
		case Estimator:
			last = i
		case Transformer, udf.Model:
		default:
			return nil, errs.Planf("pipeline stage %d is a %T: want an Estimator, a Transformer or a udf.Model", i, st)
		}
	}
	pm := &PipelineModel{}
	cur := df
	for i, st := range p.Stages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var t Transformer
		switch s := st.(type) {
		case Estimator:
			fitted, err := s.Fit(ctx, cur)
			if err != nil {
				return nil, errs.Wrap(errs.ErrExecution, err, "pipeline stage %d (%s)", i, stageName(st))
			}
			if fitted == nil {
				return nil, errs.Internalf("pipeline stage %d (%s): Fit returned no Transformer", i, stageName(st))
			}
			t = fitted
		case Transformer:
			t = s
		case udf.Model:
			t = &ModelStage{Model: s}
		}
		if i < last {
			cur = transformStage(cur, pm.Stages, t)
			if err := cur.Err(); err != nil {
				return nil, errs.Wrap(errs.ErrPlan, err, "pipeline stage %d (%s)", i, stageName(st))
			}
		}
		pm.Stages = append(pm.Stages, t)
	}
	return pm, nil
}

// flatStages returns the stages with nested PipelineModels replaced by their stages.
func flatStages(stages []Transformer) []Transformer {
	var out []Transformer
	for _, t := range stages {
		if pm, ok := t.(*PipelineModel); ok && pm != nil {
			out = append(out, flatStages(pm.Stages)...)
		} else {
			out = append(out, t)
		}
	}
	return out
}

// asModelStage returns t as a ModelStage when it is one.
func asModelStage(t Transformer) (ModelStage, bool) {
	switch s := t.(type) {
	case ModelStage:
		return s, true
	case *ModelStage:
		if s != nil {
			return *s, true
		}
	}
	return ModelStage{}, false
}

// asAssembler returns t as a VectorAssembler when it is one.
func asAssembler(t Transformer) (VectorAssembler, bool) {
	switch s := t.(type) {
	case VectorAssembler:
		return s, true
	case *VectorAssembler:
		if s != nil {
			return *s, true
		}
	}
	return VectorAssembler{}, false
}

// transformStage applies t to df, given the stages before it: a ModelStage whose model
// has no feature names reads the VectorAssembler right before it.
func transformStage(df *dataframe.DataFrame, before []Transformer, t Transformer) *dataframe.DataFrame {
	if t == nil {
		return df.WithError(errs.Planf("nil pipeline stage"))
	}
	if ms, ok := asModelStage(t); ok && ms.Model != nil && ms.Model.FeatureNames() == nil {
		flat := flatStages(before)
		if len(flat) > 0 {
			if va, ok := asAssembler(flat[len(flat)-1]); ok {
				return ms.transform(df, []string{va.OutputCol})
			}
		}
	}
	return t.Transform(df)
}

// Transform runs every stage in order.
func (m *PipelineModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	stages := flatStages(m.Stages)
	for i, t := range stages {
		df = transformStage(df, stages[:i], t)
	}
	return df
}

// stageName names a stage in messages: its file type, or its Go type.
func stageName(st any) string {
	switch st.(type) {
	case *StandardScalerModel, StandardScaler, *StandardScaler:
		return "StandardScaler"
	case *MinMaxScalerModel, MinMaxScaler, *MinMaxScaler:
		return "MinMaxScaler"
	case *StringIndexerModel, StringIndexer, *StringIndexer:
		return "StringIndexer"
	case *OneHotEncoderModel, OneHotEncoder, *OneHotEncoder:
		return "OneHotEncoder"
	case *ImputerModel, Imputer, *Imputer:
		return "Imputer"
	case VectorAssembler, *VectorAssembler:
		return "VectorAssembler"
	}
	if ms, ok := st.(Transformer); ok {
		if s, ok := asModelStage(ms); ok && s.Model != nil {
			return s.Model.Kind() + " model"
		}
	}
	if m, ok := st.(udf.Model); ok {
		return m.Kind() + " model"
	}
	return fmt.Sprintf("%T", st)
}

// ---------------------------------------------------------------------------------------
// Saving and loading.

// Stage types in the ember-pipeline format.
const (
	stageStandardScaler  = "standard_scaler"
	stageMinMaxScaler    = "min_max_scaler"
	stageStringIndexer   = "string_indexer"
	stageOneHotEncoder   = "one_hot_encoder"
	stageImputer         = "imputer"
	stageVectorAssembler = "vector_assembler"
	stageModel           = "model"
)

var stageTypes = []string{stageImputer, stageMinMaxScaler, stageModel, stageOneHotEncoder,
	stageStandardScaler, stageStringIndexer, stageVectorAssembler}

// typedJSON returns the object {"type": typ, ...fields of obj}.
func typedJSON(typ string, obj []byte) (json.RawMessage, error) {
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return nil, errs.Internalf("pipeline stage %s: its JSON is not an object", typ)
	}
	inner := bytes.TrimSpace(obj[1 : len(obj)-1])
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	t, _ := json.Marshal(typ)
	b.Write(t)
	if len(inner) > 0 {
		b.WriteByte(',')
		b.Write(inner)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// stageJSON encodes one (flat) stage.
func stageJSON(i int, t Transformer) (json.RawMessage, error) {
	var typ string
	var m json.Marshaler
	switch s := t.(type) {
	case *StandardScalerModel:
		typ, m = stageStandardScaler, s
	case *MinMaxScalerModel:
		typ, m = stageMinMaxScaler, s
	case *StringIndexerModel:
		typ, m = stageStringIndexer, s
	case *OneHotEncoderModel:
		typ, m = stageOneHotEncoder, s
	case *ImputerModel:
		typ, m = stageImputer, s
	case VectorAssembler:
		typ, m = stageVectorAssembler, s
	case *VectorAssembler:
		typ, m = stageVectorAssembler, s
	}
	if typ != "" {
		obj, err := m.MarshalJSON()
		if err != nil {
			return nil, errs.Wrap(errs.ErrPlan, err, "pipeline stage %d", i)
		}
		return typedJSON(typ, obj)
	}
	var model udf.Model
	var data []byte
	if ms, ok := asModelStage(t); ok {
		model, data = ms.Model, ms.JSON
	} else if um, ok := t.(udf.Model); ok {
		model = um
	}
	if model == nil {
		return nil, errs.Planf("pipeline stage %d (%T) cannot be saved: it is none of the transformers of package ml nor a model", i, t)
	}
	if data == nil {
		tm, ok := model.(json.Marshaler)
		if !ok {
			return nil, errs.Planf("pipeline stage %d: the %s model cannot be saved: it has no MarshalJSON (give the ModelStage the model's file as JSON)", i, model.Kind())
		}
		var err error
		if data, err = tm.MarshalJSON(); err != nil {
			return nil, errs.Wrap(errs.ErrExecution, err, "pipeline stage %d: %s model", i, model.Kind())
		}
	}
	if !json.Valid(data) {
		return nil, errs.Planf("pipeline stage %d: the %s model's JSON is not valid JSON", i, model.Kind())
	}
	return json.Marshal(struct {
		Type  string          `json:"type"`
		Kind  string          `json:"kind"`
		Model json.RawMessage `json:"model"`
	}{stageModel, model.Kind(), data})
}

// MarshalJSON writes the pipeline in the ember-pipeline format (nested PipelineModels
// flattened into their stages). A stage that is none of this package's transformers nor a
// udf.Model with JSON is an error.
func (m *PipelineModel) MarshalJSON() ([]byte, error) {
	stages := flatStages(m.Stages)
	doc := struct {
		Format  string            `json:"format"`
		Version int               `json:"version"`
		Stages  []json.RawMessage `json:"stages"`
	}{Format: "ember-pipeline", Version: 1, Stages: make([]json.RawMessage, len(stages))}
	for i, t := range stages {
		if t == nil {
			return nil, errs.Planf("pipeline stage %d is nil", i)
		}
		raw, err := stageJSON(i, t)
		if err != nil {
			return nil, err
		}
		doc.Stages[i] = raw
	}
	return json.Marshal(doc)
}

// SavePipeline writes m to path in the ember-pipeline format, through a temporary file in
// the same folder renamed over path, so that a reader never sees half a file.
func SavePipeline(path string, m *PipelineModel) error {
	if m == nil {
		return errs.Planf("SavePipeline: nil pipeline")
	}
	return saveJSON("SavePipeline", path, m)
}

// SaveModel writes a trained model (or a PipelineModel) to path in its kind's JSON
// format, through a temporary file renamed into place; LoadFile reads it back, and CREATE
// MODEL m FROM 'path' registers it (Spark ML's model.save / Model.load).
func SaveModel(path string, m TrainedModel) error {
	if m == nil {
		return errs.Planf("SaveModel: nil model")
	}
	return saveJSON("SaveModel", path, m)
}

// saveJSON writes m's JSON to path atomically (temp file, sync, rename).
func saveJSON(what, path string, m interface{ MarshalJSON() ([]byte, error) }) error {
	data, err := m.MarshalJSON()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return errs.Wrap(errs.ErrExecution, err, "%s", what)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return errs.Wrap(errs.ErrExecution, werr, "%s %s", what, path)
	}
	return nil
}

// LoadPipeline reads a pipeline file SavePipeline wrote; its model stages are loaded with
// the process-wide kinds (Load).
func LoadPipeline(path string) (*PipelineModel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "LoadPipeline")
	}
	m, err := ParsePipeline(data, nil)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "pipeline file %s", path)
	}
	return m, nil
}

// processKinds returns the process-wide kinds (defaultKinds). It is set by init rather
// than naming defaultKinds in ParsePipeline: builtinKinds names LoadPipelineModel, which
// loads a pipeline's models through the process-wide kinds, and defaultKinds is built from
// builtinKinds, so a direct reference would be an initialization cycle. (This init
// registers nothing.)
var processKinds func() *Kinds

func init() { processKinds = func() *Kinds { return defaultKinds } }

// pipelineErr is an error of a pipeline file.
func pipelineErr(format string, args ...any) error {
	return errs.Execf("pipeline: "+format, args...)
}

// ParsePipeline reads a pipeline in the ember-pipeline format from data, loading its model
// stages with kinds (nil: the process-wide kinds). A model that is a Transformer is a
// stage as is; another becomes a ModelStage keeping its JSON. Errors (never a panic): an
// execution error naming the stage and what is wrong (an unknown stage type, a model kind
// the kinds do not know, a stage's own errors); not-implemented for a later version.
func ParsePipeline(data []byte, kinds *Kinds) (*PipelineModel, error) {
	if kinds == nil {
		kinds = processKinds()
	}
	var probe struct {
		Format  *string         `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "pipeline: invalid JSON")
	}
	switch {
	case probe.Format == nil:
		return nil, pipelineErr(`missing "format": not an ember-pipeline file`)
	case *probe.Format != "ember-pipeline":
		return nil, pipelineErr(`format is %q, want "ember-pipeline"`, *probe.Format)
	case probe.Version == nil:
		return nil, pipelineErr(`missing "version"`)
	}
	var version int
	if err := json.Unmarshal(probe.Version, &version); err != nil {
		return nil, pipelineErr(`"version" is %.20s, want an integer`, probe.Version)
	}
	if version != 1 {
		return nil, errs.NotImplementedf("pipeline: format version %d (this Ember reads version 1)", version)
	}
	var doc struct {
		Format  string            `json:"format"`
		Version int               `json:"version"`
		Stages  []json.RawMessage `json:"stages"`
	}
	if err := decodeStrict("pipeline", data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Stages) == 0 {
		return nil, pipelineErr(`no "stages"`)
	}
	m := &PipelineModel{Stages: make([]Transformer, len(doc.Stages))}
	for i, raw := range doc.Stages {
		t, err := parseStage(raw, kinds)
		if err != nil {
			return nil, errs.Wrap(errs.ErrExecution, err, "pipeline stage %d", i)
		}
		m.Stages[i] = t
	}
	return m, nil
}

// parseStage reads one stage object.
func parseStage(raw json.RawMessage, kinds *Kinds) (Transformer, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, errs.Execf("a stage must be a JSON object")
	}
	var typ string
	if t, ok := fields["type"]; !ok || json.Unmarshal(t, &typ) != nil || typ == "" {
		return nil, errs.Execf(`a stage needs a "type" (one of %s)`, strings.Join(stageTypes, ", "))
	}
	delete(fields, "type")
	if typ == stageModel {
		var kind string
		if k, ok := fields["kind"]; !ok || json.Unmarshal(k, &kind) != nil || kind == "" {
			return nil, errs.Execf(`a model stage needs a "kind"`)
		}
		model, ok := fields["model"]
		if !ok {
			return nil, errs.Execf(`a model stage needs a "model"`)
		}
		for k := range fields {
			if k != "kind" && k != "model" {
				return nil, errs.Execf("a model stage has the unknown field %q", k)
			}
		}
		// The model's own bytes, detached from the pipeline file's buffer.
		data := append([]byte(nil), model...)
		um, err := kinds.Load(kind, data)
		if err != nil {
			return nil, err
		}
		if t, ok := um.(Transformer); ok {
			return t, nil
		}
		return &ModelStage{Model: um, JSON: data}, nil
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "stage %s", typ)
	}
	switch typ {
	case stageStandardScaler:
		m := &StandardScalerModel{}
		return m, m.UnmarshalJSON(body)
	case stageMinMaxScaler:
		m := &MinMaxScalerModel{}
		return m, m.UnmarshalJSON(body)
	case stageStringIndexer:
		m := &StringIndexerModel{}
		return m, m.UnmarshalJSON(body)
	case stageOneHotEncoder:
		m := &OneHotEncoderModel{}
		return m, m.UnmarshalJSON(body)
	case stageImputer:
		m := &ImputerModel{}
		return m, m.UnmarshalJSON(body)
	case stageVectorAssembler:
		m := &VectorAssembler{}
		return m, m.UnmarshalJSON(body)
	}
	return nil, errs.Execf("stage type %q is not one this Ember knows (%s)", typ, strings.Join(stageTypes, ", "))
}

// LoadPipelineModel reads an ember-pipeline file as a udf.Model (kind "pipeline", for the
// kinds table, CREATE MODEL and LoadFile). A pipeline that cannot act as a model (a stage
// that needs Transform, such as a StringIndexer over strings) is an error saying so.
func LoadPipelineModel(data []byte) (*PipelineModel, error) {
	m, err := ParsePipeline(data, nil)
	if err != nil {
		return nil, err
	}
	if _, err := m.program(); err != nil {
		return nil, errs.Execf("pipeline: cannot be used as a model (SQL, ml_predict): %s; load it with LoadPipeline and call Transform from Go",
			errMessage(err))
	}
	return m, nil
}

// errMessage returns an error's message without its kind.
func errMessage(err error) string {
	if e, ok := err.(*errs.Error); ok && e.Cause == nil {
		return e.Msg
	}
	return err.Error()
}

// ---------------------------------------------------------------------------------------
// The pipeline as a udf.Model.

// rowOpKind is an operation of the row program.
type rowOpKind int

const (
	opAffine rowOpKind = iota // out = (in - a) * b (StandardScaler)
	opMinMax                  // out = (in - a) / b * c + d; b = 0: out = c (MinMaxScaler)
	opImpute                  // out = a when in is NaN or equals b, else in (Imputer)
)

type rowOp struct {
	kind       rowOpKind
	in, out    int
	a, b, c, d float64
}

// rowProgram is the pipeline compiled for Predict: slots of float64 per row (the inputs
// and every stage output), the ops in order, and the slots the model reads.
type rowProgram struct {
	inputs     []string // the pipeline's input columns
	inputSlots []int
	nslots     int
	ops        []rowOp
	feats      []int
	model      udf.Model
}

// stageModelOf returns the udf.Model a last stage is, or nil.
func stageModelOf(t Transformer) udf.Model {
	if ms, ok := asModelStage(t); ok {
		return ms.Model
	}
	if m, ok := t.(udf.Model); ok {
		return m
	}
	return nil
}

// program compiles the pipeline for the row path; its error says why the pipeline cannot
// be a udf.Model. O(columns); allocates the program each call.
func (m *PipelineModel) program() (*rowProgram, error) {
	stages := flatStages(m.Stages)
	if len(stages) == 0 {
		return nil, errs.Planf("the pipeline has no stages")
	}
	last := stages[len(stages)-1]
	model := stageModelOf(last)
	if model == nil {
		return nil, errs.Planf("its last stage (%s) is not a model", stageName(last))
	}
	p := &rowProgram{model: model}
	env := map[string][]int{}
	newSlot := func() int { p.nslots++; return p.nslots - 1 }
	read := func(name string) []int {
		key := strings.ToLower(name)
		if s, ok := env[key]; ok {
			return s
		}
		s := newSlot()
		p.inputs = append(p.inputs, name)
		p.inputSlots = append(p.inputSlots, s)
		env[key] = []int{s}
		return env[key]
	}
	scalar := func(i int, stage, name string) (int, error) {
		s := read(name)
		if len(s) != 1 {
			return 0, errs.Planf("stage %d (%s) reads %q, a vector of %d values", i, stage, name, len(s))
		}
		return s[0], nil
	}
	for i, t := range stages[:len(stages)-1] {
		name := stageName(t)
		var ins, outs []string
		var op func(j, in, out int) rowOp
		switch s := t.(type) {
		case *StandardScalerModel:
			if err := s.validate(); err != nil {
				return nil, err
			}
			ins, outs = s.InputCols, s.OutputCols
			op = func(j, in, out int) rowOp {
				return rowOp{kind: opAffine, in: in, out: out, a: s.shift(j), b: s.scale(j)}
			}
		case *MinMaxScalerModel:
			if err := s.validate(); err != nil {
				return nil, err
			}
			ins, outs = s.InputCols, s.OutputCols
			op = func(j, in, out int) rowOp {
				rng, scale := s.OriginalMax[j]-s.OriginalMin[j], s.Max-s.Min
				if rng == 0 {
					return rowOp{kind: opMinMax, in: in, out: out, c: 0.5*scale + s.Min}
				}
				return rowOp{kind: opMinMax, in: in, out: out, a: s.OriginalMin[j], b: rng, c: scale, d: s.Min}
			}
		case *ImputerModel:
			if err := s.validate(); err != nil {
				return nil, err
			}
			ins, outs = s.InputCols, s.OutputCols
			op = func(j, in, out int) rowOp {
				return rowOp{kind: opImpute, in: in, out: out, a: s.Surrogates[j], b: s.MissingValue}
			}
		default:
			va, ok := asAssembler(t)
			if !ok {
				return nil, errs.Planf("stage %d (%s) cannot run row by row on numbers (only StandardScaler, MinMaxScaler, Imputer and VectorAssembler stages can, before a final model)", i, name)
			}
			if err := va.validate(); err != nil {
				return nil, err
			}
			var slots []int
			for _, c := range va.InputCols {
				slots = append(slots, read(c)...)
			}
			env[strings.ToLower(va.OutputCol)] = slots
			continue
		}
		outSlots := make([]int, len(ins))
		for j, c := range ins {
			in, err := scalar(i, name, c)
			if err != nil {
				return nil, err
			}
			outSlots[j] = newSlot()
			p.ops = append(p.ops, op(j, in, outSlots[j]))
		}
		// Bound after every input is read: an output may replace its own input.
		for j, c := range outs {
			env[strings.ToLower(c)] = []int{outSlots[j]}
		}
	}
	if names := model.FeatureNames(); names != nil {
		for _, n := range names {
			p.feats = append(p.feats, read(n)...)
		}
	} else {
		va, ok := VectorAssembler{}, len(stages) > 1
		if ok {
			va, ok = asAssembler(stages[len(stages)-2])
		}
		if !ok {
			return nil, errs.Planf("its %s model has no feature names, and no VectorAssembler comes right before it", model.Kind())
		}
		p.feats = env[strings.ToLower(va.OutputCol)]
	}
	if len(p.feats) != model.NumFeatures() {
		return nil, errs.Planf("its %s model takes %d features, but the stages give it %d", model.Kind(), model.NumFeatures(), len(p.feats))
	}
	return p, nil
}

// features runs the program over rows × len(inputs) row-major float32 features and
// returns the model's rows × NumFeatures float32 features. Slots are column-major, so
// each op is one loop over a column. O(rows · slots); two allocations per call.
func (p *rowProgram) features(features []float32, rows int) ([]float32, error) {
	nin := len(p.inputs)
	if rows < 0 || len(features) != rows*nin {
		return nil, errs.Internalf("pipeline model: %d feature values for %d rows of %d features", len(features), rows, nin)
	}
	slots := make([]float64, p.nslots*rows)
	for j, s := range p.inputSlots {
		col := slots[s*rows : (s+1)*rows]
		for r := range col {
			col[r] = float64(features[r*nin+j])
		}
	}
	for _, op := range p.ops {
		in, out := slots[op.in*rows:(op.in+1)*rows], slots[op.out*rows:(op.out+1)*rows]
		switch op.kind {
		case opAffine:
			for r, v := range in {
				out[r] = (v - op.a) * op.b
			}
		case opMinMax:
			if op.b == 0 {
				for r, v := range in {
					if v != v {
						out[r] = v
					} else {
						out[r] = op.c
					}
				}
				continue
			}
			for r, v := range in {
				out[r] = (v-op.a)/op.b*op.c + op.d
			}
		case opImpute:
			for r, v := range in {
				if v != v || v == op.b {
					out[r] = op.a
				} else {
					out[r] = v
				}
			}
		}
	}
	nf := len(p.feats)
	feats := make([]float32, rows*nf)
	for k, s := range p.feats {
		col := slots[s*rows : (s+1)*rows]
		for r, v := range col {
			feats[r*nf+k] = float32(v)
		}
	}
	return feats, nil
}

// Kind is "pipeline".
func (m *PipelineModel) Kind() string { return "pipeline" }

// NumFeatures is the number of the pipeline's input columns (0 when it cannot be a
// model).
func (m *PipelineModel) NumFeatures() int {
	p, err := m.program()
	if err != nil {
		return 0
	}
	return len(p.inputs)
}

// FeatureNames are the pipeline's input columns (nil when it cannot be a model).
func (m *PipelineModel) FeatureNames() []string {
	p, err := m.program()
	if err != nil {
		return nil
	}
	return p.inputs
}

// lastModel is the last stage's model, or nil.
func (m *PipelineModel) lastModel() udf.Model {
	stages := flatStages(m.Stages)
	if len(stages) == 0 {
		return nil
	}
	return stageModelOf(stages[len(stages)-1])
}

// Task is the last model's.
func (m *PipelineModel) Task() udf.ModelTask {
	if lm := m.lastModel(); lm != nil {
		return lm.Task()
	}
	return udf.Regression
}

// Classes are the last model's.
func (m *PipelineModel) Classes() []string {
	if lm := m.lastModel(); lm != nil {
		return lm.Classes()
	}
	return nil
}

// run compiles the program and transforms the features for the last model.
func (m *PipelineModel) run(ctx context.Context, features []float32, rows int) (*rowProgram, []float32, error) {
	if err := checkCtx(ctx); err != nil {
		return nil, nil, err
	}
	p, err := m.program()
	if err != nil {
		return nil, nil, errs.Execf("pipeline: cannot be used as a model: %s", errMessage(err))
	}
	f, err := p.features(features, rows)
	return p, f, err
}

// Predict applies the stages to each row and calls the last model's Predict.
func (m *PipelineModel) Predict(ctx context.Context, features []float32, rows int, out []float64) error {
	p, f, err := m.run(ctx, features, rows)
	if err != nil {
		return err
	}
	return p.model.Predict(ctx, f, rows, out)
}

// PredictProba applies the stages to each row and calls the last model's PredictProba.
func (m *PipelineModel) PredictProba(ctx context.Context, features []float32, rows int, out []float64) error {
	p, f, err := m.run(ctx, features, rows)
	if err != nil {
		return err
	}
	return p.model.PredictProba(ctx, f, rows, out)
}

// The compiler checks that PipelineModel is a TrainedModel and an Estimator's result.
var (
	_ TrainedModel = (*PipelineModel)(nil)
	_ Transformer  = (*PipelineModel)(nil)
	_ Estimator    = Pipeline{}
	_ Transformer  = ModelStage{}
)
