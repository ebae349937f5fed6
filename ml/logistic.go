package ml

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Logistic regression: the estimator (Spark ML's LogisticRegression, with scikit-learn's
// numbers), the trainer behind CREATE MODEL ... OPTIONS (model_type 'logistic_reg'), and
// the fitted model, model kind "logistic_reg".

// LogisticRegression fits a binomial (two classes) or multinomial (three or more) logistic
// regression, minimizing Spark ML's objective
//
//	(1/n)·Σ_i loss_i + RegParam·(1−ElasticNetParam)/2·‖β‖² + RegParam·ElasticNetParam·‖β‖₁
//
// where loss_i is the log loss of row i (the softmax's for multinomial: one coefficient
// vector and intercept per class, all vectors penalized), and intercepts are never
// penalized. With Standardization, β are the coefficients of the standardized features
// x_j/σ_j (σ_j the sample standard deviation, n−1 denominator), so the penalty treats
// every feature alike; without, β are the coefficients of the features themselves. Either
// way the model's coefficients are those of the original features, and a feature with
// σ_j = 0 (a constant) gets coefficient 0 (as Spark). scikit-learn's LogisticRegression
// minimizes the same objective with RegParam = 1/(n·C) and ElasticNetParam = l1_ratio (0
// for penalty 'l2').
//
// The optimizer works in the standardized space whatever Standardization says (Spark's
// approach: features of very different scales then do not slow it down; without
// Standardization the penalty is reweighted to stay the same), scaling on the fly: the data
// is neither copied nor centred. Smooth objectives (ElasticNetParam or RegParam 0) are
// minimized by gonum's L-BFGS (minimizeLBFGS, lbfgs.go), an L1 term by OWL-QN (owlqn.go). Every
// evaluation of the objective and its gradient is one tree aggregation over the Dataset;
// one more pass first computes the standard deviations and class counts. The optimizer
// stops per convergence (owlqn.go): MaxIter, Tol. Multinomial intercepts are centred to sum
// 0 at the end, and without regularization (RegParam 0) the coefficients of each feature
// too (Spark's choice among the equivalent solutions); during the fit, multinomial
// gradients are kept off the directions in which the loss is flat (logisticFit.project).
type LogisticRegression struct {
	// LabelCol is the label column (a class: number, string or boolean).
	LabelCol string
	// FeaturesCols are the feature columns; nil means every other column.
	FeaturesCols []string
	// RegParam is the regularization strength λ ≥ 0.
	RegParam float64
	// ElasticNetParam α in [0, 1] mixes L1 (α) and L2 (1−α) penalties.
	ElasticNetParam float64
	// MaxIter bounds the optimizer's iterations (≥ 0).
	MaxIter int
	// Tol is the convergence tolerance (≥ 0; see convergence in owlqn.go).
	Tol float64
	// FitIntercept fits intercepts (otherwise they are 0).
	FitIntercept bool
	// Standardization applies the penalty to the standardized features' coefficients.
	Standardization bool
}

// NewLogisticRegression returns an estimator with Spark ML's defaults: LabelCol "label",
// all other columns as features, no regularization, MaxIter 100, Tol 1e-6, FitIntercept
// and Standardization true.
func NewLogisticRegression() *LogisticRegression {
	return &LogisticRegression{LabelCol: "label", MaxIter: 100, Tol: 1e-6, FitIntercept: true, Standardization: true}
}

// Fit reads LabelCol and FeaturesCols of df into a Dataset (checked, cached; the source is
// read once), fits it and drops the cache. The Transformer is a *LogisticRegressionModel.
func (lr *LogisticRegression) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	if err := lr.check(); err != nil {
		return nil, err
	}
	ds, err := NewDataset(ctx, df, DataSpec{Label: lr.LabelCol, Features: lr.FeaturesCols, Classify: true})
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	return lr.FitDataset(ctx, ds)
}

// check validates the parameters.
func (lr *LogisticRegression) check() error {
	switch {
	case !(lr.RegParam >= 0) || math.IsInf(lr.RegParam, 0):
		return errs.Planf("logistic regression: RegParam must be a finite number ≥ 0, got %g", lr.RegParam)
	case !(lr.ElasticNetParam >= 0 && lr.ElasticNetParam <= 1):
		return errs.Planf("logistic regression: ElasticNetParam must be in [0, 1], got %g", lr.ElasticNetParam)
	case lr.MaxIter < 0:
		return errs.Planf("logistic regression: MaxIter must be ≥ 0, got %d", lr.MaxIter)
	case !(lr.Tol >= 0) || math.IsInf(lr.Tol, 0):
		return errs.Planf("logistic regression: Tol must be a finite number ≥ 0, got %g", lr.Tol)
	}
	return nil
}

// FitDataset fits a classifier's Dataset (ds.Classes are the classes). It returns
// ctx.Err() (wrapped, errors.Is context.Canceled) soon after ctx is done.
func (lr *LogisticRegression) FitDataset(ctx context.Context, ds *Dataset) (*LogisticRegressionModel, error) {
	if err := lr.check(); err != nil {
		return nil, err
	}
	if ds.Label == "" || len(ds.Classes) < 2 {
		return nil, errs.Planf("logistic regression needs a class label with at least two classes (a Dataset made with DataSpec.Classify)")
	}
	f, err := newLogisticFit(ctx, lr, ds)
	if err != nil {
		return nil, err
	}
	defer f.agg.Close()
	theta := f.initial()
	conv := &convergence{ctx: ctx, tol: lr.Tol, maxIter: lr.MaxIter}
	minimize := func() error { return minimizeLBFGS(theta, f.evaluate, conv) }
	if floats.Max(f.l1) > 0 {
		minimize = func() error { return minimizeOWLQN(theta, f.l1, f.evaluate, conv) }
	}
	if err := minimize(); err != nil {
		return nil, logisticErr(err)
	}
	m, err := f.model(theta)
	if err != nil {
		return nil, err
	}
	m.summary = &LogisticRegressionSummary{iterations: conv.iterations(), history: conv.history}
	return m, nil
}

// logisticErr wraps an optimizer error: a canceled context as a cancellation, an error of
// Ember's as is.
func logisticErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if errs.KindOf(err) == nil {
			return errs.Canceled(err)
		}
		return err
	}
	if errs.KindOf(err) != nil {
		return err
	}
	return errs.Wrap(errs.ErrExecution, err, "logistic regression")
}

// logisticFit is one fit's state. The parameter vector θ is nb coefficient vectors of d
// (class k's at [k·d, (k+1)·d)), in the standardized space (β_j = w_j·σ_j), then nb
// intercepts when FitIntercept; nb is 1 for two classes (the coefficients of classes[1]
// against classes[0]), else the number of classes.
type logisticFit struct {
	ctx       context.Context
	lr        *LogisticRegression
	ds        *Dataset
	n         float64 // rows
	d, k, nb  int     // features, classes, coefficient vectors
	sigma     []float64
	counts    []float64 // rows per class
	l2, l1    []float64 // per-coordinate penalty weights of θ (0 for intercepts)
	agg       *dataframe.TreeAggregator
	w, b      []float64 // the fold's parameters: original-space coefficients, intercepts
	scratch   sync.Pool // *[]float64 margin buffers of the fold
	memoX     []float64 // the last point evaluated, its objective and gradient
	memoF     float64
	memoGrad  []float64
	memoValid bool
}

func newLogisticFit(ctx context.Context, lr *LogisticRegression, ds *Dataset) (*logisticFit, error) {
	f := &logisticFit{ctx: ctx, lr: lr, ds: ds, d: ds.NumFeatures(), k: len(ds.Classes)}
	f.nb = f.k
	if f.k == 2 {
		f.nb = 1
	}
	if err := f.stats(ctx); err != nil {
		return nil, err
	}
	dim := f.nb * f.d
	if lr.FitIntercept {
		dim += f.nb
	}
	f.l2, f.l1 = make([]float64, dim), make([]float64, dim)
	l2, l1 := lr.RegParam*(1-lr.ElasticNetParam), lr.RegParam*lr.ElasticNetParam
	for c := 0; c < f.nb; c++ {
		for j, s := range f.sigma {
			if s == 0 {
				continue // β_j stays 0
			}
			i := c*f.d + j
			if lr.Standardization {
				f.l2[i], f.l1[i] = l2, l1
			} else { // the penalty on w_j = β_j/σ_j
				f.l2[i], f.l1[i] = l2/(s*s), l1/s
			}
		}
	}
	f.w, f.b = make([]float64, f.nb*f.d), make([]float64, f.nb)
	var fold BatchFold
	if f.nb == 1 {
		fold = f.binaryFold
	} else {
		fold = f.softmaxFold
	}
	// State: the summed loss, then Σ_i r_ik·x_ij per class k and feature j, then Σ_i r_ik
	// per class (r the residuals: probability minus indicator).
	agg, err := ds.NewAggregator(make([]float64, 1+f.nb*f.d+f.nb), fold, nil)
	if err != nil {
		return nil, err
	}
	f.agg = agg
	return f, nil
}

// stats computes the rows, the features' sample standard deviations and the class counts
// in one pass. State: count, then per feature its mean and sum of squared deviations
// (merged by Chan et al.'s pairwise update, accurate for data far from 0), then the class
// counts.
func (f *logisticFit) stats(ctx context.Context) error {
	d, k := f.d, f.k
	fold := func(st []float64, b Batch) error {
		nb := float64(b.N)
		na := st[0]
		n := na + nb
		for j, x := range b.X {
			mean := floats.Sum(x) / nb
			var m2 float64
			for _, v := range x {
				m2 += (v - mean) * (v - mean)
			}
			delta := mean - st[1+2*j]
			st[1+2*j] += delta * nb / n
			st[2+2*j] += m2 + delta*delta*na*nb/n
		}
		st[0] = n
		for _, y := range b.Y {
			c := int(y)
			if c < 0 || c >= k || float64(c) != y {
				return errs.Internalf("logistic regression: class index %g out of range", y)
			}
			st[1+2*d+c]++
		}
		return nil
	}
	merge := func(dst, src []float64) {
		na, nb := dst[0], src[0]
		n := na + nb
		if nb == 0 {
			return
		}
		for j := 0; j < d; j++ {
			delta := src[1+2*j] - dst[1+2*j]
			dst[1+2*j] += delta * nb / n
			dst[2+2*j] += src[2+2*j] + delta*delta*na*nb/n
		}
		dst[0] = n
		for c := 0; c < k; c++ {
			dst[1+2*d+c] += src[1+2*d+c]
		}
	}
	st, err := f.ds.Aggregate(ctx, make([]float64, 1+2*d+k), fold, merge)
	if err != nil {
		return err
	}
	f.n = st[0]
	f.sigma = make([]float64, d)
	for j := range f.sigma {
		if f.n > 1 {
			f.sigma[j] = math.Sqrt(st[2+2*j] / (f.n - 1))
		}
	}
	f.counts = st[1+2*d:]
	return nil
}

// initial is the starting point (Spark's): coefficients 0, and intercepts that fit the
// class frequencies: log(n₁/n₀) for two classes, centred log counts for more.
func (f *logisticFit) initial() []float64 {
	theta := make([]float64, len(f.l2))
	if !f.lr.FitIntercept {
		return theta
	}
	icpt := theta[f.nb*f.d:]
	if f.nb == 1 {
		icpt[0] = math.Log(f.counts[1] / f.counts[0])
		return theta
	}
	for c, n := range f.counts {
		icpt[c] = math.Log(n)
	}
	floats.AddConst(-floats.Sum(icpt)/float64(f.k), icpt)
	return theta
}

// buffer returns a scratch slice of n values from the pool (put it back with putBuffer).
func (f *logisticFit) buffer(n int) *[]float64 {
	p, _ := f.scratch.Get().(*[]float64)
	if p == nil || cap(*p) < n {
		s := make([]float64, n)
		return &s
	}
	*p = (*p)[:n]
	return p
}

// binaryFold adds a batch's log loss and gradient sums for two classes: margin
// m_i = b + Σ_j w_j·x_ij (column by column), loss log(1+e^m) − y·m, residual σ(m) − y.
func (f *logisticFit) binaryFold(st []float64, b Batch) error {
	buf := f.buffer(b.N)
	defer f.scratch.Put(buf)
	m := *buf
	for i := range m {
		m[i] = f.b[0]
	}
	for j, x := range b.X {
		if w := f.w[j]; w != 0 {
			floats.AddScaled(m, w, x)
		}
	}
	var loss, rsum float64
	for i, mi := range m {
		y := b.Y[i]
		var l, p float64
		if mi > 0 {
			e := math.Exp(-mi)
			l, p = mi+math.Log1p(e), 1/(1+e)
		} else {
			e := math.Exp(mi)
			l, p = math.Log1p(e), e/(1+e)
		}
		loss += l - y*mi
		m[i] = p - y
		rsum += m[i]
	}
	st[0] += loss
	for j, x := range b.X {
		st[1+j] += floats.Dot(m, x)
	}
	st[1+f.d] += rsum
	return nil
}

// softmaxFold adds a batch's multinomial log loss and gradient sums: margins per class
// (column by column), loss log Σ_k e^{m_k} − m_y (log-sum-exp), residuals softmax − 1{y}.
// The labels are class indexes in range: the stats pass checked every one of the cached
// rows.
func (f *logisticFit) softmaxFold(st []float64, b Batch) error {
	k, d, n := f.k, f.d, b.N
	buf := f.buffer(k * n)
	defer f.scratch.Put(buf)
	m := *buf
	for c := 0; c < k; c++ {
		mc := m[c*n : (c+1)*n]
		for i := range mc {
			mc[i] = f.b[c]
		}
		for j, x := range b.X {
			if w := f.w[c*d+j]; w != 0 {
				floats.AddScaled(mc, w, x)
			}
		}
	}
	var loss float64
	for i, yv := range b.Y {
		y := int(yv)
		mx := math.Inf(-1)
		for c := 0; c < k; c++ {
			mx = math.Max(mx, m[c*n+i])
		}
		my := m[y*n+i]
		var sum float64
		for c := 0; c < k; c++ {
			e := math.Exp(m[c*n+i] - mx)
			m[c*n+i] = e
			sum += e
		}
		loss += mx + math.Log(sum) - my
		for c := 0; c < k; c++ {
			m[c*n+i] /= sum
		}
		m[y*n+i]--
	}
	st[0] += loss
	for c := 0; c < k; c++ {
		mc := m[c*n : (c+1)*n]
		for j, x := range b.X {
			st[1+c*d+j] += floats.Dot(mc, x)
		}
		st[1+k*d+c] += floats.Sum(mc)
	}
	return nil
}

// evaluate computes the smooth objective (mean log loss + L2 term) at θ and its gradient
// into grad, with one tree aggregation; the last point is remembered, so asking again at
// the same point is free.
func (f *logisticFit) evaluate(theta, grad []float64) (float64, error) {
	if f.memoValid && floats.Equal(theta, f.memoX) {
		copy(grad, f.memoGrad)
		return f.memoF, nil
	}
	nd := f.nb * f.d
	for c := 0; c < f.nb; c++ {
		for j, s := range f.sigma {
			if s > 0 {
				f.w[c*f.d+j] = theta[c*f.d+j] / s
			} else {
				f.w[c*f.d+j] = 0
			}
		}
	}
	if f.lr.FitIntercept {
		copy(f.b, theta[nd:])
	}
	st, err := f.agg.Run(f.ctx)
	if err != nil {
		return 0, err
	}
	obj := st[0] / f.n
	for c := 0; c < f.nb; c++ {
		for j, s := range f.sigma {
			i := c*f.d + j
			if s == 0 {
				grad[i] = 0
				continue
			}
			grad[i] = st[1+i]/(f.n*s) + f.l2[i]*theta[i]
			obj += f.l2[i] / 2 * theta[i] * theta[i]
		}
	}
	if f.lr.FitIntercept {
		for c := 0; c < f.nb; c++ {
			grad[nd+c] = st[1+nd+c] / f.n
		}
	}
	if f.nb > 1 {
		f.project(grad)
	}
	f.memoX = append(f.memoX[:0], theta...)
	f.memoGrad = append(f.memoGrad[:0], grad...)
	f.memoF, f.memoValid = obj, true
	return obj, nil
}

// project removes from a multinomial gradient its components along the directions in
// which the softmax loss is flat: adding a constant to every class's intercept, or to every
// class's coefficient of one feature. The loss's gradient has no such component (its
// residuals sum to 0 over the classes) except for rounding, and neither has the L2 term's
// at a point whose coefficients sum to 0 over the classes, as the optimum's do (without an
// L1 term); the starting point's do too, so the iterates stay there. Without this, rounding
// grows along those directions: the quasi-Newton model never sees their curvature (the
// L2 weight alone, which without Standardization differs widely between features) and
// overshoots on them by its scale factor, by orders of magnitude on badly scaled features.
// With an L1 term the optimum need not have coefficients summing to 0, so only the
// intercepts are projected.
func (f *logisticFit) project(grad []float64) {
	center := func(at func(c int) *float64) {
		var mean float64
		for c := 0; c < f.nb; c++ {
			mean += *at(c)
		}
		mean /= float64(f.nb)
		for c := 0; c < f.nb; c++ {
			*at(c) -= mean
		}
	}
	nd := f.nb * f.d
	if f.lr.FitIntercept {
		center(func(c int) *float64 { return &grad[nd+c] })
	}
	if f.lr.RegParam == 0 || f.lr.ElasticNetParam == 0 {
		for j := 0; j < f.d; j++ {
			center(func(c int) *float64 { return &grad[c*f.d+j] })
		}
	}
}

// model turns the solution into the model: coefficients back to the original space,
// multinomial intercepts (and, without regularization, coefficients) centred.
func (f *logisticFit) model(theta []float64) (*LogisticRegressionModel, error) {
	coef := make([][]float64, f.nb)
	for c := range coef {
		row := make([]float64, f.d)
		for j, s := range f.sigma {
			if s > 0 {
				row[j] = theta[c*f.d+j] / s
			}
		}
		coef[c] = row
	}
	icpt := make([]float64, f.nb)
	if f.lr.FitIntercept {
		copy(icpt, theta[f.nb*f.d:])
	}
	if f.nb > 1 {
		floats.AddConst(-floats.Sum(icpt)/float64(f.nb), icpt)
		if f.lr.RegParam == 0 {
			for j := 0; j < f.d; j++ {
				var mean float64
				for c := range coef {
					mean += coef[c][j]
				}
				mean /= float64(f.nb)
				for c := range coef {
					coef[c][j] -= mean
				}
			}
		}
	}
	for c := range coef {
		if !isFinite(coef[c]) || !isFinite(icpt) {
			return nil, errs.Execf("logistic regression diverged (non-finite coefficients); scale the features or add regularization (l2_reg)")
		}
	}
	return &LogisticRegressionModel{
		classes:      append([]string(nil), f.ds.Classes...),
		featureNames: append([]string(nil), f.ds.Features...),
		coef:         coef,
		intercepts:   icpt,
	}, nil
}

func isFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// LogisticRegressionModel is a fitted logistic regression, model kind "logistic_reg": for
// two classes one coefficient vector and intercept (the log-odds of Classes()[1]), for
// more one per class with a softmax. It saves to (MarshalJSON) and loads from
// (LoadLogisticRegression) the ember-logistic_reg format, version 1:
//
//	{"format": "ember-logistic_reg", "version": 1,
//	 "classes": ["a", "b", ...],          // ≥ 2 distinct labels, PredictProba's columns
//	 "feature_names": ["x0", ...],        // optional: one per coefficient column
//	 "coefficients": [[...], ...],        // 1 row (two classes) or one per class, each of
//	                                      // the number of features (scikit-learn's coef_)
//	 "intercepts": [...]}                 // one per row (scikit-learn's intercept_)
//
// Arithmetic is float64 (features widened from float32). Immutable, safe for concurrent
// use.
type LogisticRegressionModel struct {
	classes      []string
	featureNames []string
	coef         [][]float64
	intercepts   []float64
	summary      *LogisticRegressionSummary
}

// LogisticRegressionSummary is a fit's training summary (Spark's): how many iterations the
// optimizer ran and the objective (mean log loss plus penalties) at the start and after
// each iteration.
type LogisticRegressionSummary struct {
	iterations int
	history    []float64
}

// Iterations is the number of optimizer iterations.
func (s *LogisticRegressionSummary) Iterations() int { return s.iterations }

// ObjectiveHistory is the objective at the start and after each iteration (Iterations()+1
// values).
func (s *LogisticRegressionSummary) ObjectiveHistory() []float64 {
	return append([]float64(nil), s.history...)
}

// Summary is the training summary, nil for a loaded model.
func (m *LogisticRegressionModel) Summary() *LogisticRegressionSummary { return m.summary }

// Coefficients are the coefficient vectors of the original features: 1 × NumFeatures for
// two classes, else one row per class (a copy).
func (m *LogisticRegressionModel) Coefficients() [][]float64 {
	out := make([][]float64, len(m.coef))
	for i, r := range m.coef {
		out[i] = append([]float64(nil), r...)
	}
	return out
}

// Intercepts are the intercepts, one per coefficient row (a copy).
func (m *LogisticRegressionModel) Intercepts() []float64 {
	return append([]float64(nil), m.intercepts...)
}

// Kind returns "logistic_reg".
func (m *LogisticRegressionModel) Kind() string { return "logistic_reg" }

// NumFeatures is the number of features.
func (m *LogisticRegressionModel) NumFeatures() int { return len(m.coef[0]) }

// FeatureNames are the training columns' names (nil for a file without them).
func (m *LogisticRegressionModel) FeatureNames() []string { return m.featureNames }

// Task is Classification.
func (m *LogisticRegressionModel) Task() udf.ModelTask { return udf.Classification }

// Classes are the class labels, in PredictProba's column order (scikit-learn's: numbers
// numerically, else strings byte-wise).
func (m *LogisticRegressionModel) Classes() []string { return m.classes }

// margins computes each row's margins (one per coefficient row) and calls fn with them,
// checking ctx every cancelEvery rows.
func (m *LogisticRegressionModel) margins(ctx context.Context, features []float32, rows int, fn func(r int, z []float64)) error {
	d := m.NumFeatures()
	z := make([]float64, len(m.coef))
	for r := 0; r < rows; r++ {
		if r%cancelEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		x := features[r*d : (r+1)*d]
		for c, w := range m.coef {
			v := m.intercepts[c]
			for j, xj := range x {
				v += w[j] * float64(xj)
			}
			z[c] = v
		}
		fn(r, z)
	}
	return nil
}

// Predict writes per row the index into Classes of the predicted class: for two classes 1
// when the margin is > 0 (probability > 0.5), else the first class of largest margin
// (scikit-learn's rules); NaN for a row with a NaN feature.
func (m *LogisticRegressionModel) Predict(ctx context.Context, features []float32, rows int, out []float64) error {
	if err := checkPredictArgs("logistic_reg", features, rows, m.NumFeatures(), out, 1); err != nil {
		return err
	}
	return m.margins(ctx, features, rows, func(r int, z []float64) {
		if len(z) == 1 {
			switch {
			case math.IsNaN(z[0]):
				out[r] = math.NaN()
			case z[0] > 0:
				out[r] = 1
			default:
				out[r] = 0
			}
			return
		}
		best := 0
		for c, v := range z {
			if math.IsNaN(v) {
				out[r] = math.NaN()
				return
			}
			if v > z[best] {
				best = c
			}
		}
		out[r] = float64(best)
	})
}

// PredictProba writes rows × len(Classes()) probabilities: [1−p, p] with p = σ(margin)
// for two classes, else the softmax of the margins.
func (m *LogisticRegressionModel) PredictProba(ctx context.Context, features []float32, rows int, out []float64) error {
	k := len(m.classes)
	if err := checkPredictArgs("logistic_reg", features, rows, m.NumFeatures(), out, k); err != nil {
		return err
	}
	return m.margins(ctx, features, rows, func(r int, z []float64) {
		o := out[r*k : (r+1)*k]
		if len(z) == 1 {
			p := 1 / (1 + math.Exp(-z[0]))
			o[0], o[1] = 1-p, p
			return
		}
		copy(o, z)
		activate(actSoftmax, o)
	})
}

// Transform adds "prediction" (the class label) and "probability" (the class
// probabilities) columns computed from the model's feature columns of df.
func (m *LogisticRegressionModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	if m.featureNames == nil {
		return df.WithError(errs.Planf("logistic_reg model: the model has no feature names, so Transform cannot find its columns"))
	}
	return modelTransform(df, m, m.featureNames, "prediction", "probability")
}

// logisticDoc is the ember-logistic_reg file.
type logisticDoc struct {
	Format       string        `json:"format"`
	Version      int           `json:"version"`
	Classes      []string      `json:"classes"`
	FeatureNames []string      `json:"feature_names,omitempty"`
	Coefficients [][]jsonFloat `json:"coefficients"`
	Intercepts   []jsonFloat   `json:"intercepts"`
}

// MarshalJSON writes the ember-logistic_reg format (see LogisticRegressionModel); numbers
// round-trip exactly.
func (m *LogisticRegressionModel) MarshalJSON() ([]byte, error) {
	doc := logisticDoc{Format: "ember-logistic_reg", Version: 1, Classes: m.classes, FeatureNames: m.featureNames,
		Coefficients: make([][]jsonFloat, len(m.coef)), Intercepts: make([]jsonFloat, len(m.intercepts))}
	for c, row := range m.coef {
		doc.Coefficients[c] = make([]jsonFloat, len(row))
		for j, v := range row {
			doc.Coefficients[c][j] = jsonFloat(v)
		}
	}
	for c, v := range m.intercepts {
		doc.Intercepts[c] = jsonFloat(v)
	}
	return json.Marshal(doc)
}

func logisticLoadErr(format string, args ...any) error {
	return errs.Execf("logistic_reg model: "+format, args...)
}

// LoadLogisticRegression reads a model in the ember-logistic_reg format. Errors: an
// execution error naming what is wrong (invalid JSON, another format, unknown fields,
// shapes that do not match the classes); a not-implemented error for a later version. It
// never panics.
func LoadLogisticRegression(data []byte) (*LogisticRegressionModel, error) {
	var probe struct {
		Format  *string         `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "logistic_reg model: invalid JSON")
	}
	switch {
	case probe.Format == nil:
		return nil, logisticLoadErr(`missing "format": not an ember-logistic_reg model`)
	case *probe.Format != "ember-logistic_reg":
		return nil, logisticLoadErr(`format is %q, want "ember-logistic_reg"`, *probe.Format)
	case probe.Version == nil:
		return nil, logisticLoadErr(`missing "version"`)
	}
	var version int
	if err := json.Unmarshal(probe.Version, &version); err != nil {
		return nil, logisticLoadErr(`"version" is %.20s, want an integer`, probe.Version)
	}
	if version != 1 {
		return nil, errs.NotImplementedf("logistic_reg model: format version %d (this Ember reads version 1)", version)
	}
	var doc logisticDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "logistic_reg model")
	}
	k := len(doc.Classes)
	if k < 2 {
		return nil, logisticLoadErr("a classifier needs at least 2 classes, got %d", k)
	}
	seen := make(map[string]bool, k)
	for _, c := range doc.Classes {
		if seen[c] {
			return nil, logisticLoadErr("class %q is listed twice", c)
		}
		seen[c] = true
	}
	rows := len(doc.Coefficients)
	if rows != k && !(k == 2 && rows == 1) {
		want := "one row per class"
		if k == 2 {
			want = "1 row (or 2)"
		}
		return nil, logisticLoadErr("%d classes need %s of coefficients, got %d", k, want, rows)
	}
	d := len(doc.Coefficients[0])
	if d == 0 {
		return nil, logisticLoadErr("no coefficients (a model needs at least one feature)")
	}
	m := &LogisticRegressionModel{classes: doc.Classes, coef: make([][]float64, rows), intercepts: make([]float64, rows)}
	for c, row := range doc.Coefficients {
		if len(row) != d {
			return nil, logisticLoadErr("coefficients[%d] has %d values, coefficients[0] has %d", c, len(row), d)
		}
		m.coef[c] = make([]float64, d)
		for j, v := range row {
			m.coef[c][j] = float64(v)
		}
	}
	if len(doc.Intercepts) != rows {
		return nil, logisticLoadErr("%d intercepts for %d rows of coefficients", len(doc.Intercepts), rows)
	}
	for c, v := range doc.Intercepts {
		m.intercepts[c] = float64(v)
	}
	if doc.FeatureNames != nil {
		if len(doc.FeatureNames) != d {
			return nil, logisticLoadErr("%d feature_names for %d features", len(doc.FeatureNames), d)
		}
		m.featureNames = doc.FeatureNames
	}
	return m, nil
}

// logisticTrainer is CREATE MODEL's logistic_reg.
type logisticTrainer struct{ lr LogisticRegression }

// newLogisticTrainer reads logistic_reg's OPTIONS: l1_reg and l2_reg (≥ 0, default 0),
// max_iterations (default 100), tol (default 1e-6), fit_intercept and
// standardize_features (default true). The objective is mean log loss +
// l2_reg/2·‖β‖² + l1_reg·‖β‖₁: Spark's RegParam = l1_reg + l2_reg, ElasticNetParam =
// l1_reg/RegParam.
func newLogisticTrainer(o *Options) (Trainer, error) {
	lr := NewLogisticRegression()
	l1, err := o.Float("l1_reg", 0, 0)
	if err != nil {
		return nil, err
	}
	l2, err := o.Float("l2_reg", 0, 0)
	if err != nil {
		return nil, err
	}
	if lr.MaxIter, err = o.Int("max_iterations", 100, 1); err != nil {
		return nil, err
	}
	if lr.Tol, err = o.Float("tol", 1e-6, 0); err != nil {
		return nil, err
	}
	if lr.FitIntercept, err = o.Bool("fit_intercept", true); err != nil {
		return nil, err
	}
	if lr.Standardization, err = o.Bool("standardize_features", true); err != nil {
		return nil, err
	}
	lr.RegParam = l1 + l2
	if lr.RegParam > 0 {
		lr.ElasticNetParam = l1 / lr.RegParam
	}
	return &logisticTrainer{lr: *lr}, nil
}

// Needs: a class label.
func (t *logisticTrainer) Needs() DataNeeds { return DataNeeds{Label: true, Classify: true} }

// Fit fits the estimator to ds.
func (t *logisticTrainer) Fit(ctx context.Context, ds *Dataset) (TrainedModel, error) {
	m, err := t.lr.FitDataset(ctx, ds)
	if err != nil {
		return nil, err
	}
	return m, nil
}
