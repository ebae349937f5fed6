package ml

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// XGBoost is a gradient-boosted tree ensemble imported from XGBoost's own JSON model
// format, the file Booster.save_model("m.json") writes (XGBoost 1.0 and later). It
// predicts exactly as XGBoost's CPU predictor does: margins start at the base score (in
// margin space) and gather each tree's leaf value in float32, tree by tree in file order;
// then the objective's transform (sigmoid, softmax) runs in float32. A missing value (NaN)
// follows the node's default direction; otherwise a row goes left when value < threshold.
//
// Supported: the gbtree booster with numeric splits and scalar leaves, objectives
// binary:logistic, reg:squarederror (and its old name reg:linear), multi:softprob and
// multi:softmax. Every tree in the file is used, as Booster.predict does (the sklearn
// wrapper's best_iteration attribute is ignored). An XGBoost is immutable and safe for
// concurrent use.
type XGBoost struct {
	objective    string
	numFeature   int
	groups       int // outputs per row: 1, or the class count of multi:* objectives
	featureNames []string
	classes      []string
	baseMargin   []float32 // per group, already in margin space

	// The trees, flattened into arrays shared by all trees; node indexes are absolute.
	// Each tree's nodes are renumbered breadth-first so that a node's right child is
	// always left+1.
	nodes     []xgbNode
	leafValue []float32 // per node: the leaf value (0 for internal nodes)
	roots     []int32   // root node of each tree, in file order
	depth     []int32   // depth of each tree: the longest root-to-leaf path, in edges
	treeGroup []int32   // output group (class) of each tree: XGBoost's tree_info
}

// xgbNode is one tree node in 16 bytes. Traversal reads all of a node's fields together,
// so the nodes are one array of small structs (four to a cache line); only the leaf
// values, read once per tree, are a separate array.
//
// Traversal is branch-free and runs exactly depth steps per tree (step): next = left,
// plus one unless value < threshold, or missing when the value is NaN. Trees over real
// data make the branches of a naive walk unpredictable, so the comparison is done with
// integer arithmetic on order-preserving keys (floatKey); and four rows walk a tree
// together (walk4), so that their independent chains of loads overlap. A leaf is a fixed
// point of the step (threshold key MinInt32, so the step always adds one, and left =
// itself-1; missing = itself): a row that reaches a leaf early stays there. The price is
// that a row always takes depth steps, even to a shallow leaf of an unbalanced tree.
type xgbNode struct {
	feature int32 // split feature (0 for leaves)
	thrKey  int32 // floatKey of the split condition (MinInt32 for leaves)
	left    int32 // left child; the right child is left+1
	missing int32 // child taken by a missing (NaN) value: left or left+1
}

// floatKey maps a non-NaN float32 to an int32 with the same order: a < b exactly when
// floatKey(a) < floatKey(b), -0 and +0 being one key as they are one value. The IEEE bits
// of a positive float already sort; a negative float's magnitude bits are flipped so that
// larger magnitudes sort lower.
func floatKey(bits uint32) int32 {
	b := int32(bits)
	if b == math.MinInt32 { // -0 is 0
		b = 0
	}
	return b ^ (b >> 31 & math.MaxInt32)
}

// XGBoost's JSON, as far as prediction needs it. Pointers and nil slices tell absent
// fields from empty ones.
type xgbDoc struct {
	Version json.RawMessage `json:"version"` // [major, minor, patch]; read after format
	Learner *xgbLearner     `json:"learner"`
	Format  *string         `json:"format"` // only to recognise an ember-mlp file given here
}

type xgbLearner struct {
	FeatureNames    []string `json:"feature_names"`
	GradientBooster *struct {
		Name  string     `json:"name"`
		Model *xgbGBTree `json:"model"`
	} `json:"gradient_booster"`
	LearnerModelParam *struct {
		BaseScore  *string `json:"base_score"`
		NumClass   *string `json:"num_class"`
		NumFeature *string `json:"num_feature"`
		NumTarget  *string `json:"num_target"`
	} `json:"learner_model_param"`
	Objective *struct {
		Name string `json:"name"`
	} `json:"objective"`
}

type xgbGBTree struct {
	Param *struct {
		NumTrees *string `json:"num_trees"`
	} `json:"gbtree_model_param"`
	Trees    []xgbTree `json:"trees"`
	TreeInfo []jsonInt `json:"tree_info"`
}

type xgbTree struct {
	Param *struct {
		NumNodes       *string `json:"num_nodes"`
		SizeLeafVector *string `json:"size_leaf_vector"`
	} `json:"tree_param"`
	Left            []jsonInt   `json:"left_children"`
	Right           []jsonInt   `json:"right_children"`
	SplitIndices    []jsonInt   `json:"split_indices"`
	SplitConditions []jsonFloat `json:"split_conditions"`
	DefaultLeft     []jsonFlag  `json:"default_left"`
	SplitType       []jsonInt   `json:"split_type"`
}

// xgbObjectives are the supported objectives. The classifiers among them (binary:*,
// multi:*) get Classes; the others are regressions.
var xgbObjectives = map[string]bool{
	"binary:logistic":  true,
	"multi:softprob":   true,
	"multi:softmax":    true,
	"reg:squarederror": true,
	"reg:linear":       true, // the pre-1.0 name of reg:squarederror
}

// xgbMaxClasses bounds num_class, which sizes allocations before any tree is read.
const xgbMaxClasses = 1 << 16

func xgbErr(format string, args ...any) error {
	return errs.Execf("xgboost model: "+format, args...)
}

func xgbUnsupported(format string, args ...any) error {
	return errs.NotImplementedf("xgboost model: "+format, args...)
}

// LoadXGBoost reads a model in XGBoost's JSON format. Errors: an execution error naming
// what is wrong for malformed or inconsistent files (bad JSON, missing fields, arrays of
// different lengths, child indexes out of range, cycles, features beyond num_feature), and
// a not-implemented error for valid models Ember cannot evaluate (gblinear and dart
// boosters, categorical splits, vector leaves, other objectives). It never panics.
func LoadXGBoost(data []byte) (*XGBoost, error) {
	var doc xgbDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		hint := ""
		if len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] != '{' {
			hint = " (only the JSON format of save_model is read, not UBJSON or the old binary format)"
		}
		return nil, errs.Wrap(errs.ErrExecution, err, "xgboost model: invalid JSON%s", hint)
	}
	if doc.Format != nil && doc.Learner == nil {
		return nil, xgbErr("file is in format %q, not XGBoost's JSON (load it as its own kind)", *doc.Format)
	}
	if doc.Learner == nil {
		return nil, xgbErr(`missing "learner" object: not an XGBoost JSON model`)
	}
	if doc.Version != nil {
		var v []jsonInt
		if err := json.Unmarshal(doc.Version, &v); err != nil {
			return nil, errs.Wrap(errs.ErrExecution, err, `xgboost model: "version" is not a list of integers`)
		}
		if len(v) > 0 && v[0] < 1 {
			return nil, xgbUnsupported("written by XGBoost %d.x; version 1.0 or later is needed", v[0])
		}
	}
	l := doc.Learner
	if l.Objective == nil || l.Objective.Name == "" {
		return nil, xgbErr(`missing "learner.objective.name"`)
	}
	if l.LearnerModelParam == nil {
		return nil, xgbErr(`missing "learner.learner_model_param"`)
	}
	if l.GradientBooster == nil {
		return nil, xgbErr(`missing "learner.gradient_booster"`)
	}
	switch l.GradientBooster.Name {
	case "gbtree":
	case "gblinear", "dart":
		return nil, xgbUnsupported("booster %q is not supported (only gbtree)", l.GradientBooster.Name)
	case "":
		return nil, xgbErr(`missing "learner.gradient_booster.name"`)
	default:
		return nil, xgbUnsupported("unknown booster %q (only gbtree is supported)", l.GradientBooster.Name)
	}
	m := &XGBoost{objective: l.Objective.Name}
	if _, ok := xgbObjectives[m.objective]; !ok {
		return nil, xgbUnsupported("objective %q is not supported (supported: binary:logistic, "+
			"multi:softmax, multi:softprob, reg:squarederror)", m.objective)
	}

	p := l.LearnerModelParam
	var err error
	if m.numFeature, err = xgbParamInt("num_feature", p.NumFeature, true); err != nil {
		return nil, err
	}
	if m.numFeature < 1 {
		return nil, xgbErr("num_feature is %d, want at least 1", m.numFeature)
	}
	numClass, err := xgbParamInt("num_class", p.NumClass, false)
	if err != nil {
		return nil, err
	}
	if numTarget, err := xgbParamInt("num_target", p.NumTarget, false); err != nil {
		return nil, err
	} else if numTarget > 1 {
		return nil, xgbUnsupported("multi-target models (num_target %d) are not supported", numTarget)
	}
	m.groups = 1
	if strings.HasPrefix(m.objective, "multi:") {
		if numClass < 2 {
			return nil, xgbErr("objective %s needs num_class ≥ 2, got %d", m.objective, numClass)
		}
		if numClass > xgbMaxClasses {
			return nil, xgbUnsupported("num_class %d is above Ember's limit of %d", numClass, xgbMaxClasses)
		}
		m.groups = numClass
		m.classes = make([]string, numClass)
		for i := range m.classes {
			m.classes[i] = strconv.Itoa(i)
		}
	} else if numClass > 1 {
		return nil, xgbErr("num_class is %d but objective %s has one output", numClass, m.objective)
	}
	if m.objective == "binary:logistic" {
		m.classes = []string{"0", "1"}
	}
	if len(l.FeatureNames) > 0 {
		if len(l.FeatureNames) != m.numFeature {
			return nil, xgbErr("%d feature_names for num_feature %d", len(l.FeatureNames), m.numFeature)
		}
		m.featureNames = append([]string(nil), l.FeatureNames...)
	}
	if m.baseMargin, err = m.parseBaseScore(p.BaseScore); err != nil {
		return nil, err
	}

	gb := l.GradientBooster.Model
	if gb == nil {
		return nil, xgbErr(`missing "learner.gradient_booster.model"`)
	}
	if gb.Trees == nil {
		return nil, xgbErr(`missing "trees" in the gbtree model`)
	}
	if gb.TreeInfo == nil {
		return nil, xgbErr(`missing "tree_info" in the gbtree model`)
	}
	if len(gb.TreeInfo) != len(gb.Trees) {
		return nil, xgbErr("tree_info has %d entries for %d trees", len(gb.TreeInfo), len(gb.Trees))
	}
	if gb.Param != nil && gb.Param.NumTrees != nil {
		n, err := xgbParamInt("num_trees", gb.Param.NumTrees, true)
		if err != nil {
			return nil, err
		}
		if n != len(gb.Trees) {
			return nil, xgbErr("num_trees is %d but the model holds %d trees", n, len(gb.Trees))
		}
	}
	m.roots = make([]int32, len(gb.Trees))
	m.depth = make([]int32, len(gb.Trees))
	m.treeGroup = make([]int32, len(gb.Trees))
	var seen []bool // scratch of flatten, reused across trees
	for t := range gb.Trees {
		g := gb.TreeInfo[t]
		if g < 0 || int64(g) >= int64(m.groups) {
			return nil, xgbErr("tree_info[%d] is %d, want a class in [0, %d)", t, g, m.groups)
		}
		m.treeGroup[t] = int32(g)
		if len(m.nodes) >= math.MaxInt32/2 {
			return nil, xgbUnsupported("more than %d tree nodes", math.MaxInt32/2)
		}
		m.roots[t] = int32(len(m.nodes))
		if seen, err = m.flattenTree(t, &gb.Trees[t], seen); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// xgbParamInt parses one of XGBoost's string-valued integer parameters.
func xgbParamInt(name string, s *string, required bool) (int, error) {
	if s == nil {
		if required {
			return 0, xgbErr("missing parameter %q", name)
		}
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(*s))
	if err != nil || n < 0 {
		return 0, xgbErr("parameter %q is %q, want a non-negative integer", name, *s)
	}
	return n, nil
}

// parseBaseScore reads learner_model_param.base_score: a number ("5E-1") up to XGBoost
// 3.0, a list ("[5E-1]", or one value per class for multi-class models) from 3.1. The
// file holds it in output space; it is turned into a margin as XGBoost's ProbToMargin
// does: the logit for binary:logistic (in float32, as -logf(1/p - 1)), unchanged for the
// others.
func (m *XGBoost) parseBaseScore(s *string) ([]float32, error) {
	if s == nil {
		return nil, xgbErr(`missing parameter "base_score"`)
	}
	text := strings.TrimSpace(*s)
	list := strings.HasPrefix(text, "[")
	if list {
		if !strings.HasSuffix(text, "]") {
			return nil, xgbErr("base_score %q is not a number or a list of numbers", *s)
		}
		text = text[1 : len(text)-1]
	}
	parts := strings.Split(text, ",")
	vals := make([]float32, 0, len(parts))
	for _, part := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, xgbErr("base_score %q is not a number or a list of numbers", *s)
		}
		vals = append(vals, float32(v))
	}
	out := make([]float32, m.groups)
	switch len(vals) {
	case 1:
		for i := range out {
			out[i] = vals[0]
		}
	case m.groups:
		copy(out, vals)
	default:
		return nil, xgbErr("base_score has %d values for %d outputs", len(vals), m.groups)
	}
	if m.objective == "binary:logistic" {
		for i, p := range out {
			if !(p > 0 && p < 1) {
				return nil, xgbErr("base_score %v of binary:logistic is not a probability in (0, 1)", p)
			}
			out[i] = -logf(1/p - 1)
		}
	}
	return out, nil
}

// flattenTree checks tree t, appends its nodes to m.nodes and m.leafValue in breadth-first
// order, children side by side, and sets m.depth[t]. Only the nodes reachable from the
// root are read (XGBoost may keep deleted nodes in the arrays); each must be reached
// exactly once, which rules out cycles and shared subtrees. seen is scratch, returned for
// reuse. Cost: O(num_nodes).
func (m *XGBoost) flattenTree(t int, tr *xgbTree, seen []bool) ([]bool, error) {
	if tr.Param == nil {
		return seen, xgbErr("tree %d: missing tree_param", t)
	}
	n, err := xgbParamInt("num_nodes", tr.Param.NumNodes, true)
	if err != nil {
		return seen, errs.Wrap(errs.ErrExecution, err, "tree %d", t)
	}
	if n < 1 {
		return seen, xgbErr("tree %d: num_nodes is 0", t)
	}
	if leafSize, err := xgbParamInt("size_leaf_vector", tr.Param.SizeLeafVector, false); err != nil {
		return seen, errs.Wrap(errs.ErrExecution, err, "tree %d", t)
	} else if leafSize > 1 {
		return seen, xgbUnsupported("tree %d: vector leaves (size_leaf_vector %d) are not supported", t, leafSize)
	}
	for _, a := range []struct {
		name string
		n    int
		nil  bool
	}{
		{"left_children", len(tr.Left), tr.Left == nil},
		{"right_children", len(tr.Right), tr.Right == nil},
		{"split_indices", len(tr.SplitIndices), tr.SplitIndices == nil},
		{"split_conditions", len(tr.SplitConditions), tr.SplitConditions == nil},
		{"default_left", len(tr.DefaultLeft), tr.DefaultLeft == nil},
	} {
		if a.nil {
			return seen, xgbErr("tree %d: missing %q", t, a.name)
		}
		if a.n != n {
			return seen, xgbErr("tree %d: %s has %d entries, num_nodes is %d", t, a.name, a.n, n)
		}
	}
	if tr.SplitType != nil && len(tr.SplitType) != n {
		return seen, xgbErr("tree %d: split_type has %d entries, num_nodes is %d", t, len(tr.SplitType), n)
	}
	if cap(seen) < n {
		seen = make([]bool, n)
	}
	seen = seen[:n]
	clear(seen)

	base := len(m.nodes)
	// queue[k] is the file index of the node that gets index base+k, at depth level[k].
	queue := make([]int32, 1, n)
	level := make([]int32, 1, n)
	seen[0] = true
	m.nodes = append(m.nodes, xgbNode{})
	m.leafValue = append(m.leafValue, 0)
	for k := 0; k < len(queue); k++ {
		i := queue[k]
		self := int32(base + k)
		m.depth[t] = max(m.depth[t], level[k])
		l, r := tr.Left[i], tr.Right[i]
		if l == -1 {
			if r != -1 {
				return seen, xgbErr("tree %d: node %d has right child %d but no left child", t, i, r)
			}
			m.nodes[self] = xgbNode{thrKey: math.MinInt32, left: self - 1, missing: self}
			m.leafValue[self] = float32(tr.SplitConditions[i])
			continue
		}
		for _, c := range []jsonInt{l, r} {
			if c < 0 || int64(c) >= int64(n) {
				return seen, xgbErr("tree %d: node %d has child %d, out of range [0, %d)", t, i, c, n)
			}
			if seen[c] {
				return seen, xgbErr("tree %d: node %d is reached twice (a cycle or a shared child)", t, c)
			}
			seen[c] = true
		}
		f := tr.SplitIndices[i]
		if f < 0 || int64(f) >= int64(m.numFeature) {
			return seen, xgbErr("tree %d: node %d splits on feature %d, but num_feature is %d", t, i, f, m.numFeature)
		}
		if tr.SplitType != nil && tr.SplitType[i] != 0 {
			return seen, xgbUnsupported("tree %d: node %d is a categorical split, which is not supported", t, i)
		}
		thr := float32(tr.SplitConditions[i])
		if math.IsNaN(float64(thr)) {
			return seen, xgbErr("tree %d: node %d has a NaN split condition", t, i)
		}
		left := int32(base + len(queue))
		queue = append(queue, int32(l), int32(r))
		level = append(level, level[k]+1, level[k]+1)
		m.nodes = append(m.nodes, xgbNode{}, xgbNode{})
		m.leafValue = append(m.leafValue, 0, 0)
		missing := left + 1
		if tr.DefaultLeft[i] {
			missing = left
		}
		m.nodes[self] = xgbNode{feature: int32(f), thrKey: floatKey(math.Float32bits(thr)), left: left, missing: missing}
	}
	return seen, nil
}

// Kind returns "xgboost".
func (m *XGBoost) Kind() string { return "xgboost" }

// NumFeatures is learner_model_param.num_feature.
func (m *XGBoost) NumFeatures() int { return m.numFeature }

// FeatureNames are the file's feature_names, or nil when it has none.
func (m *XGBoost) FeatureNames() []string { return m.featureNames }

// Task is Classification for binary:logistic and multi:*, Regression otherwise.
func (m *XGBoost) Task() udf.ModelTask {
	if m.classes != nil {
		return udf.Classification
	}
	return udf.Regression
}

// Classes are "0", "1", ... (XGBoost's labels are class indexes), nil for regression.
func (m *XGBoost) Classes() []string { return m.classes }

// Objective is the model's objective, e.g. "binary:logistic".
func (m *XGBoost) Objective() string { return m.objective }

// NumTrees is the number of trees (for multi-class models, all classes together).
func (m *XGBoost) NumTrees() int { return len(m.roots) }

// xgbBlock is the number of rows whose margins are computed together: each tree is walked
// for all rows of a block before the next tree, so that a tree's nodes stay in cache (as
// XGBoost's own predictor does, with the same block size).
const xgbBlock = 64

// margins computes the raw margins of rows rows into acc (rows × groups, row-major), which
// it overwrites. Per row and group the sum is float32, base margin first and then the trees
// in file order, which is XGBoost's order. Cost: O(rows × Σ tree depths), with no branch
// that depends on the data.
func (m *XGBoost) margins(features []float32, rows int, acc []float32) {
	nf, g := m.numFeature, m.groups
	for r := 0; r < rows; r++ {
		copy(acc[r*g:(r+1)*g], m.baseMargin)
	}
	nodes, leaf := m.nodes, m.leafValue
	for t, root := range m.roots {
		grp, depth := int(m.treeGroup[t]), m.depth[t]
		r := 0
		// Four rows at a time: four independent chains of dependent loads that the CPU
		// overlaps, where one row's walk would wait on each load in turn.
		for ; r+4 <= rows; r += 4 {
			i0, i1, i2, i3 := walk4(nodes, features[r*nf:(r+4)*nf], nf, root, depth)
			acc[r*g+grp] += leaf[i0]
			acc[(r+1)*g+grp] += leaf[i1]
			acc[(r+2)*g+grp] += leaf[i2]
			acc[(r+3)*g+grp] += leaf[i3]
		}
		for ; r < rows; r++ {
			i := walk(nodes, features[r*nf:r*nf+nf], root, depth)
			acc[r*g+grp] += leaf[i]
		}
	}
}

// walk takes row from root down depth levels and returns the leaf it reaches.
func walk(nodes []xgbNode, row []float32, i, depth int32) int32 {
	for range depth {
		i = step(&nodes[i], row)
	}
	return i
}

// walk4 is walk for the four rows of rows4 (4 × nf values) at once.
func walk4(nodes []xgbNode, rows4 []float32, nf int, root, depth int32) (i0, i1, i2, i3 int32) {
	r0, r1, r2, r3 := rows4[:nf], rows4[nf:2*nf], rows4[2*nf:3*nf], rows4[3*nf:4*nf]
	i0, i1, i2, i3 = root, root, root, root
	for range depth {
		i0 = step(&nodes[i0], r0)
		i1 = step(&nodes[i1], r1)
		i2 = step(&nodes[i2], r2)
		i3 = step(&nodes[i3], r3)
	}
	return
}

// step returns the child of nd that row goes to.
func step(nd *xgbNode, row []float32) int32 {
	bits := math.Float32bits(row[nd.feature])
	// right is 1 when !(x < threshold): the sign of key - thrKey, computed in int64 so
	// that it cannot overflow.
	right := int32(uint64(int64(floatKey(bits))-int64(nd.thrKey))>>63) ^ 1
	// nan is all ones for a NaN (magnitude bits above +Inf's), else 0.
	nan := int32((int64(0x7f800000) - int64(bits&0x7fffffff)) >> 63)
	return (nd.left+right)&^nan | nd.missing&nan
}

// each runs fn over the rows in blocks of xgbBlock with the block's margins, checking ctx
// between blocks.
func (m *XGBoost) each(ctx context.Context, features []float32, rows int, fn func(r0, n int, acc []float32)) error {
	acc := make([]float32, xgbBlock*m.groups)
	for r0 := 0; r0 < rows; r0 += xgbBlock {
		if r0%cancelEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		n := min(xgbBlock, rows-r0)
		m.margins(features[r0*m.numFeature:(r0+n)*m.numFeature], n, acc)
		fn(r0, n, acc)
	}
	return nil
}

// Predict writes per row: the value (regression); for binary:logistic the class index 1
// when the probability is > 0.5, else 0 (XGBClassifier.predict); for multi:softprob the
// index of the largest probability, for multi:softmax of the largest margin (the first one
// on ties, as XGBoost). features holds rows × NumFeatures values, out rows values.
func (m *XGBoost) Predict(ctx context.Context, features []float32, rows int, out []float64) error {
	if err := checkPredictArgs("xgboost", features, rows, m.numFeature, out, 1); err != nil {
		return err
	}
	g := m.groups
	var prob []float32
	if m.objective == "multi:softprob" {
		prob = make([]float32, g)
	}
	return m.each(ctx, features, rows, func(r0, n int, acc []float32) {
		for r := 0; r < n; r++ {
			a := acc[r*g : (r+1)*g]
			switch m.objective {
			case "binary:logistic":
				out[r0+r] = 0
				if sigmoid32(a[0]) > 0.5 {
					out[r0+r] = 1
				}
			case "multi:softprob":
				copy(prob, a)
				softmax32(prob)
				out[r0+r] = float64(argmax32(prob))
			case "multi:softmax":
				out[r0+r] = float64(argmax32(a))
			default:
				out[r0+r] = float64(a[0])
			}
		}
	})
}

// PredictProba writes rows × len(Classes()) probabilities: [1-p, p] for binary:logistic
// (1-p computed in float32, as XGBClassifier.predict_proba), the softmax of the class
// margins for multi:*. Regression models return an execution error.
func (m *XGBoost) PredictProba(ctx context.Context, features []float32, rows int, out []float64) error {
	if m.classes == nil {
		return errs.Execf("xgboost model: objective %s is a regression; it has no class probabilities", m.objective)
	}
	w := len(m.classes)
	if err := checkPredictArgs("xgboost", features, rows, m.numFeature, out, w); err != nil {
		return err
	}
	g := m.groups
	return m.each(ctx, features, rows, func(r0, n int, acc []float32) {
		for r := 0; r < n; r++ {
			a := acc[r*g : (r+1)*g]
			o := out[(r0+r)*w : (r0+r+1)*w]
			if m.objective == "binary:logistic" {
				p := sigmoid32(a[0])
				o[0], o[1] = float64(1-p), float64(p)
				continue
			}
			softmax32(a)
			for k, v := range a {
				o[k] = float64(v)
			}
		}
	})
}

// sigmoid32 is XGBoost's common::Sigmoid: 1 / (1 + expf(min(-x, 88.7))) in float32.
func sigmoid32(x float32) float32 {
	return 1 / (expf(min(-x, 88.7)) + 1)
}

// softmax32 is XGBoost's common::Softmax, in place: float32 exponentials of x - max,
// summed in float64, each divided by the sum rounded to float32.
func softmax32(x []float32) {
	wmax := x[0]
	for _, v := range x[1:] {
		wmax = max(v, wmax)
	}
	var wsum float64
	for i, v := range x {
		x[i] = expf(v - wmax)
		wsum += float64(x[i])
	}
	s := float32(wsum)
	for i := range x {
		x[i] /= s
	}
}

// argmax32 returns the index of the first largest value.
func argmax32(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
