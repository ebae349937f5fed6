package ml

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Linear regression: the estimator (LinearRegression, after Spark ML's), its fitted model
// (LinearRegressionModel, model kind "linear_reg", JSON format "ember-linear_reg") and the
// trainer behind CREATE MODEL ... OPTIONS (model_type = 'linear_reg').
//
// The objective, over n rows x_i with labels y_i:
//
//	1/(2n)·Σ(y_i − x_i·w − b)² + λ(1−α)/2·‖β‖² + λα·‖β‖₁
//
// with λ = RegParam and α = ElasticNetParam. This is scikit-learn's
// ElasticNet(alpha=λ, l1_ratio=α); its Ridge(alpha=n·λ) when α = 0, its LinearRegression
// when λ = 0. With Standardization, β_j is the coefficient of x_j/σ_j (σ_j the sample
// standard deviation, n−1 denominator), so the penalty applies in that space, and the
// model's coefficients are w_j = β_j/σ_j; without it β = w. The label is never scaled: this
// differs from Spark, whose standardization also divides the label by its standard
// deviation (which changes what a given λ means), and matches scikit-learn on X/σ. The
// intercept b is not penalized (the data are centered).
//
// The solver reads the data once: one tree aggregation computes the row count, the means
// and the centered cross-products of [X, y] (the Gram matrix XᵀX, Xᵀy and yᵀy about the
// means), a state of 1 + p + p(p+1)/2 float64 for p = d+1. Everything after that runs on
// the driver on d×d matrices:
//
//   - without an L1 term (λα = 0), the normal equations (G/n + λ(1−α)·I)·β = c/n are
//     solved by Cholesky (gonum mat); when they are singular or nearly so (collinear or
//     constant columns without a ridge term), by the minimum-norm least-squares solution
//     from a symmetric eigendecomposition, which is what scikit-learn's lstsq gives (except
//     that directions whose eigenvalue is below 1e-12 of the largest, singular values
//     below 1e-6 of the largest, count as collinear: the Gram matrix cannot resolve less);
//   - with an L1 term, cyclic coordinate descent on the Gram matrix (the "covariance
//     updates" of glmnet, scikit-learn's precompute=True), O(d²) per sweep, until the
//     largest coefficient change is below Tol times the largest coefficient, or MaxIter
//     sweeps.
//
// The training RSS, RMSE and R² come from the same statistics (y'y − 2w'X'y + w'X'Xw), so
// no second pass is needed. Memory is O(d²) per partition and on the driver, and the
// driver's work O(d³) or O(d²) per sweep: fine for d up to a few hundred features, not
// for tens of thousands. The pass costs O(n·d²) multiply-adds (vectorized dot products
// over column blocks).

// LinearRegression fits a linear regression by least squares with optional ridge, lasso
// or elastic-net regularization (Spark ML's LinearRegression; see the file comment for
// the objective and solver). Create it with NewLinearRegression; the zero values of
// MaxIter and Tol mean their defaults.
type LinearRegression struct {
	// LabelCol is the label column (a number); default "label".
	LabelCol string
	// FeaturesCols are the feature columns (numbers); nil means every column but the label.
	FeaturesCols []string
	// RegParam is λ ≥ 0, the regularization strength (0: ordinary least squares).
	RegParam float64
	// ElasticNetParam is α in [0, 1]: 0 is ridge (L2), 1 is lasso (L1).
	ElasticNetParam float64
	// MaxIter bounds the coordinate descent sweeps (used only with an L1 term); default
	// 1000.
	MaxIter int
	// Tol stops coordinate descent when no coefficient (of the standardized problem)
	// changed by more than Tol times the largest coefficient in a sweep; default 1e-9
	// (a sweep costs O(d²) on the driver, no data pass).
	Tol float64
	// FitIntercept fits an unpenalized intercept (default true); false fits through the
	// origin.
	FitIntercept bool
	// Standardization penalizes the coefficients of the features divided by their sample
	// standard deviation (default true); the returned coefficients are always those of
	// the original features.
	Standardization bool
}

const (
	linearDefaultMaxIter = 1000
	linearDefaultTol     = 1e-9
)

// NewLinearRegression returns an estimator with Spark's defaults: label "label", no
// regularization, an intercept, standardization, at most 1000 sweeps, Tol 1e-9.
func NewLinearRegression() *LinearRegression {
	return &LinearRegression{LabelCol: "label", MaxIter: linearDefaultMaxIter, Tol: linearDefaultTol,
		FitIntercept: true, Standardization: true}
}

// check validates the parameters and returns MaxIter and Tol with defaults applied.
func (lr *LinearRegression) check() (maxIter int, tol float64, err error) {
	if !(lr.RegParam >= 0) || math.IsInf(lr.RegParam, 0) {
		return 0, 0, errs.Planf("linear regression: RegParam must be a finite number ≥ 0, got %g", lr.RegParam)
	}
	if !(lr.ElasticNetParam >= 0 && lr.ElasticNetParam <= 1) {
		return 0, 0, errs.Planf("linear regression: ElasticNetParam must be in [0, 1], got %g", lr.ElasticNetParam)
	}
	maxIter, tol = lr.MaxIter, lr.Tol
	if maxIter < 0 {
		return 0, 0, errs.Planf("linear regression: MaxIter must be ≥ 1, got %d", maxIter)
	}
	if maxIter == 0 {
		maxIter = linearDefaultMaxIter
	}
	if !(tol >= 0) || math.IsInf(tol, 0) {
		return 0, 0, errs.Planf("linear regression: Tol must be a finite number ≥ 0, got %g", tol)
	}
	if tol == 0 {
		tol = linearDefaultTol
	}
	return maxIter, tol, nil
}

// Fit reads LabelCol and FeaturesCols of df into a Dataset (checked and cached; the
// source is read once), fits it (FitDataset) and drops the cache. The Transformer is a
// *LinearRegressionModel.
func (lr *LinearRegression) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	if _, _, err := lr.check(); err != nil {
		return nil, err
	}
	label := lr.LabelCol
	if label == "" {
		label = "label"
	}
	ds, err := NewDataset(ctx, df, DataSpec{Label: label, Features: lr.FeaturesCols})
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	return lr.FitDataset(ctx, ds)
}

// FitDataset fits a regression Dataset (a label, no classes) with one pass over it. It
// reports progress per coordinate descent sweep (or once for a direct solve) and returns
// a canceled error soon after ctx is done.
func (lr *LinearRegression) FitDataset(ctx context.Context, ds *Dataset) (*LinearRegressionModel, error) {
	maxIter, tol, err := lr.check()
	if err != nil {
		return nil, err
	}
	if ds.Label == "" || ds.Classes != nil {
		return nil, errs.Planf("linear regression needs a numeric label (a regression Dataset)")
	}
	if err := checkCtx(ctx); err != nil {
		return nil, err
	}
	st, err := linearGramPass(ctx, ds)
	if err != nil {
		return nil, err
	}
	return lr.solve(ctx, st, ds.Features, maxIter, tol)
}

// linearStats are the statistics of [X, y] (p = d+1 columns, y last): the row count, the
// column means and the packed upper triangle of the centered cross-products
// M_ij = Σ(z_i − z̄_i)(z_j − z̄_j).
type linearStats struct {
	n    float64
	mean []float64
	m    []float64
	p    int
}

// linearTriIndex is the position of (i, j), i ≤ j, in a packed row-major upper triangle of a
// p×p matrix.
func linearTriIndex(p, i, j int) int { return i*p - i*(i-1)/2 + (j - i) }

func (g *linearStats) at(i, j int) float64 {
	if i > j {
		i, j = j, i
	}
	return g.m[linearTriIndex(g.p, i, j)]
}

// linearStateSize is the size of the statistics as a tree aggregation state:
// [n, mean (p), M (p(p+1)/2)].
func linearStateSize(p int) int { return 1 + p + p*(p+1)/2 }

// linearCombine merges the statistics (nb, meanB, mB) of more rows into the state st
// (Chan, Golub and LeVeque's pairwise update: M = M_a + M_b + n_a·n_b/n·δδᵀ with δ the
// difference of the means). Centered cross-products keep their precision when the
// features' means are large against their spread, where raw sums Σx_ix_j − n·x̄_ix̄_j
// would cancel. delta is scratch of p values.
func linearCombine(st []float64, p int, nb float64, meanB, mB, delta []float64) {
	if nb == 0 {
		return
	}
	na := st[0]
	mean, m := st[1:1+p], st[1+p:]
	if na == 0 {
		st[0] = nb
		copy(mean, meanB)
		copy(m, mB)
		return
	}
	n := na + nb
	floats.SubTo(delta, meanB, mean)
	f := na * nb / n
	k := 0
	for i := 0; i < p; i++ {
		di := f * delta[i]
		for j := i; j < p; j++ {
			m[k] += mB[k] + di*delta[j]
			k++
		}
	}
	floats.AddScaled(mean, nb/n, delta)
	st[0] = n
}

// linearScratch is one fold call's working memory (pooled: folds run concurrently, one per
// partition, and a batch must not allocate).
type linearScratch struct {
	z, meanB, mB, delta []float64
}

// linearBlockRows is how many rows the fold centers at a time: the block of p centered
// columns (about 128 KiB) stays in cache while the p(p+1)/2 dot products read it.
func linearBlockRows(p int) int { return max(256, 16384/p) }

// linearGramPass runs the one aggregation over ds: per batch, the columns are centered on the
// batch's means block by block and the block's cross-products taken as dot products
// (floats.Dot), then merged into the partition's state with linearCombine; partitions merge
// the same way.
func linearGramPass(ctx context.Context, ds *Dataset) (*linearStats, error) {
	d := ds.NumFeatures()
	p := d + 1
	size := linearStateSize(p)
	tri := p * (p + 1) / 2
	block := linearBlockRows(p)
	pool := sync.Pool{New: func() any {
		return &linearScratch{z: make([]float64, p*block), meanB: make([]float64, p),
			mB: make([]float64, tri), delta: make([]float64, p)}
	}}
	fold := func(st []float64, b Batch) error {
		sc := pool.Get().(*linearScratch)
		defer pool.Put(sc)
		col := func(k int) []float64 {
			if k < d {
				return b.X[k][:b.N]
			}
			return b.Y[:b.N]
		}
		nb := float64(b.N)
		for k := 0; k < p; k++ {
			sc.meanB[k] = floats.Sum(col(k)) / nb
		}
		clear(sc.mB)
		for lo := 0; lo < b.N; lo += block {
			hi := min(lo+block, b.N)
			w := hi - lo
			for k := 0; k < p; k++ {
				zk := sc.z[k*w : (k+1)*w]
				copy(zk, col(k)[lo:hi])
				floats.AddConst(-sc.meanB[k], zk)
			}
			t := 0
			for i := 0; i < p; i++ {
				zi := sc.z[i*w : (i+1)*w]
				for j := i; j < p; j++ {
					sc.mB[t] += floats.Dot(zi, sc.z[j*w:(j+1)*w])
					t++
				}
			}
		}
		linearCombine(st, p, nb, sc.meanB, sc.mB, sc.delta)
		return nil
	}
	merge := func(dst, src []float64) {
		linearCombine(dst, p, src[0], src[1:1+p], src[1+p:], make([]float64, p))
	}
	agg, err := ds.NewAggregator(make([]float64, size), fold, merge)
	if err != nil {
		return nil, err
	}
	defer agg.Close()
	st, err := agg.Run(ctx)
	if err != nil {
		return nil, err
	}
	if st[0] == 0 {
		return nil, errs.Planf("the training data has no rows")
	}
	return &linearStats{n: st[0], mean: st[1 : 1+p], m: st[1+p:], p: p}, nil
}

// linearProblem is the d×d problem the driver solves, in the space of β (the features
// divided by scale): minimize yy/(2n) − rᵀβ + ½βᵀAβ + l2/2·‖β‖² + l1·‖β‖₁ with A = G/n,
// r = c/n (G, c, yy centered when there is an intercept, raw otherwise).
type linearProblem struct {
	d      int
	a      []float64 // d×d row-major, symmetric
	r      []float64
	yy     float64 // y'y/n (centered with an intercept)
	l1, l2 float64
	scale  []float64 // β_j = w_j·scale_j
}

// objective evaluates the objective at beta, given q = A·beta.
func (pr *linearProblem) objective(beta, q []float64) float64 {
	f := pr.yy/2 - floats.Dot(pr.r, beta) + floats.Dot(beta, q)/2
	if pr.l2 != 0 {
		f += pr.l2 / 2 * floats.Dot(beta, beta)
	}
	if pr.l1 != 0 {
		f += pr.l1 * floats.Norm(beta, 1)
	}
	return f
}

// problem builds the driver's problem from the statistics.
func (lr *LinearRegression) problem(st *linearStats, d int) *linearProblem {
	n := st.n
	pr := &linearProblem{d: d, a: make([]float64, d*d), r: make([]float64, d), scale: make([]float64, d),
		l1: lr.RegParam * lr.ElasticNetParam, l2: lr.RegParam * (1 - lr.ElasticNetParam)}
	ym := st.mean[d]
	// A column whose spread is below 1e-10 of its mean is constant (its centered
	// statistics are rounding noise): with an intercept it gets coefficient 0.
	constant := make([]bool, d)
	for j := 0; j < d; j++ {
		v := st.at(j, j)
		constant[j] = v <= 0 || math.Sqrt(v/n) <= 1e-10*math.Abs(st.mean[j])
		pr.scale[j] = 1
		if lr.Standardization && !constant[j] && n > 1 {
			pr.scale[j] = math.Sqrt(v / (n - 1))
		}
	}
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			g := st.at(i, j)
			switch {
			case !lr.FitIntercept:
				g += n * st.mean[i] * st.mean[j]
			case constant[i] || constant[j]:
				g = 0
			}
			g /= n * pr.scale[i] * pr.scale[j]
			pr.a[i*d+j], pr.a[j*d+i] = g, g
		}
		c := st.at(i, d)
		switch {
		case !lr.FitIntercept:
			c += n * st.mean[i] * ym
		case constant[i]:
			c = 0
		}
		pr.r[i] = c / (n * pr.scale[i])
	}
	pr.yy = st.at(d, d) / n
	if !lr.FitIntercept {
		pr.yy += ym * ym
	}
	return pr
}

// solve fits β on the driver and builds the model.
func (lr *LinearRegression) solve(ctx context.Context, st *linearStats, names []string, maxIter int, tol float64) (*LinearRegressionModel, error) {
	d := len(names)
	pr := lr.problem(st, d)
	beta := make([]float64, d)
	q := make([]float64, d)
	iters := 0
	if pr.l1 == 0 {
		pr.solveDirect(beta)
		pr.mulA(q, beta)
		ReportProgress(ctx, 1, pr.objective(beta, q))
	} else {
		var err error
		if iters, err = pr.coordinateDescent(ctx, beta, q, maxIter, tol); err != nil {
			return nil, err
		}
	}
	m := &LinearRegressionModel{featureNames: append([]string(nil), names...), coef: make([]float64, d),
		iterations: iters, objective: pr.objective(beta, q)}
	for j := range beta {
		m.coef[j] = beta[j] / pr.scale[j]
	}
	if lr.FitIntercept {
		m.intercept = st.mean[d] - floats.Dot(st.mean[:d], m.coef)
	}
	// RSS/n = yy − 2rᵀβ + βᵀAβ, in the space the problem was solved in.
	mse := max(0, pr.yy-2*floats.Dot(pr.r, beta)+floats.Dot(beta, q))
	m.rmse = math.Sqrt(mse)
	ssTot := st.at(d, d)
	switch {
	case ssTot > 0:
		m.r2 = 1 - mse*st.n/ssTot
	case mse == 0:
		m.r2 = 1
	}
	if !linearFinite(m.coef) || !linearFinite([]float64{m.intercept, m.objective}) {
		return nil, errs.Execf("linear regression: the fit overflowed (features or label too large); scale the data")
	}
	return m, nil
}

// linearFinite reports whether every value is a number (no NaN or infinity).
func linearFinite(v []float64) bool {
	for _, x := range v {
		if x-x != 0 {
			return false
		}
	}
	return true
}

func (pr *linearProblem) mulA(dst, x []float64) {
	d := pr.d
	for i := 0; i < d; i++ {
		dst[i] = floats.Dot(pr.a[i*d:(i+1)*d], x)
	}
}

// solveDirect solves (A + l2·I)β = r: Cholesky on the Jacobi-equilibrated matrix (so the
// condition test does not depend on the features' units) over the columns with a nonzero
// diagonal (the others get 0); when that fails or the condition number exceeds 1e12, the
// minimum-norm solution by eigendecomposition of A + l2·I.
func (pr *linearProblem) solveDirect(beta []float64) {
	d := pr.d
	var active []int
	for j := 0; j < d; j++ {
		if pr.a[j*d+j]+pr.l2 > 0 {
			active = append(active, j)
		}
	}
	clear(beta)
	k := len(active)
	if k == 0 {
		return
	}
	h := mat.NewSymDense(k, nil)
	e := make([]float64, k)
	for u, i := range active {
		e[u] = 1 / math.Sqrt(pr.a[i*d+i]+pr.l2)
	}
	for u, i := range active {
		for v := u; v < k; v++ {
			j := active[v]
			x := pr.a[i*d+j]
			if u == v {
				x += pr.l2
			}
			h.SetSym(u, v, x*e[u]*e[v])
		}
	}
	rhs := mat.NewVecDense(k, nil)
	for u, i := range active {
		rhs.SetVec(u, pr.r[i]*e[u])
	}
	var chol mat.Cholesky
	if chol.Factorize(h) && chol.Cond() < 1e12 {
		var sol mat.VecDense
		if err := chol.SolveVecTo(&sol, rhs); err == nil {
			for u, i := range active {
				beta[i] = sol.AtVec(u) * e[u]
			}
			return
		}
	}
	// Minimum norm in β's own space (as lstsq's), so undo the equilibration.
	for u := 0; u < k; u++ {
		for v := u; v < k; v++ {
			h.SetSym(u, v, h.At(u, v)/(e[u]*e[v]))
		}
		rhs.SetVec(u, rhs.AtVec(u)/e[u])
	}
	var es mat.EigenSym
	if !es.Factorize(h, true) {
		return // gonum's eigensolver did not converge: leave β = 0 (never seen in practice)
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	top := 0.0
	for _, v := range vals {
		top = max(top, math.Abs(v))
	}
	for t, lam := range vals {
		if lam <= 1e-12*top {
			continue
		}
		coef := 0.0
		for u := 0; u < k; u++ {
			coef += vecs.At(u, t) * rhs.AtVec(u)
		}
		coef /= lam
		for u, i := range active {
			beta[i] += coef * vecs.At(u, t)
		}
	}
}

// coordinateDescent runs cyclic coordinate descent from β = 0, keeping q = A·β, and
// returns the number of sweeps. Each sweep reports its objective and checks ctx.
func (pr *linearProblem) coordinateDescent(ctx context.Context, beta, q []float64, maxIter int, tol float64) (int, error) {
	d := pr.d
	for sweep := 1; sweep <= maxIter; sweep++ {
		maxDelta, maxBeta := 0.0, 0.0
		for j := 0; j < d; j++ {
			ajj := pr.a[j*d+j]
			den := ajj + pr.l2
			if den <= 0 {
				continue // a zero column: β_j stays 0
			}
			z := pr.r[j] - q[j] + ajj*beta[j]
			nb := 0.0
			switch {
			case z > pr.l1:
				nb = (z - pr.l1) / den
			case z < -pr.l1:
				nb = (z + pr.l1) / den
			}
			if delta := nb - beta[j]; delta != 0 {
				floats.AddScaled(q, delta, pr.a[j*d:(j+1)*d])
				beta[j] = nb
				maxDelta = max(maxDelta, math.Abs(delta))
			}
			maxBeta = max(maxBeta, math.Abs(nb))
		}
		ReportProgress(ctx, sweep, pr.objective(beta, q))
		if err := checkCtx(ctx); err != nil {
			return sweep, err
		}
		if maxDelta <= tol*maxBeta {
			return sweep, nil
		}
	}
	return maxIter, nil
}

// LinearRegressionModel is a fitted linear regression: prediction = intercept + Σ w_j·x_j
// (model kind "linear_reg"). It is immutable and safe for concurrent use. Its JSON, format
// "ember-linear_reg" version 1:
//
//	{"format": "ember-linear_reg", "version": 1,
//	 "feature_names": ["a", "b", ...],   // optional; one per coefficient
//	 "coefficients": [...],              // at least one
//	 "intercept": 0.5}
//
// The training summary (Iterations, Objective, RootMeanSquaredError, R2) is the fit's and
// is not saved: a loaded model reports zeros.
type LinearRegressionModel struct {
	featureNames []string
	coef         []float64
	intercept    float64
	iterations   int
	objective    float64
	rmse, r2     float64
}

// Coefficients are the weights of the original (unscaled) features, a copy.
func (m *LinearRegressionModel) Coefficients() []float64 { return append([]float64(nil), m.coef...) }

// Intercept is b (0 when fitted without one).
func (m *LinearRegressionModel) Intercept() float64 { return m.intercept }

// Iterations is the number of coordinate descent sweeps (0 for a direct solve).
func (m *LinearRegressionModel) Iterations() int { return m.iterations }

// Objective is the final value of the fit's objective (see LinearRegression).
func (m *LinearRegressionModel) Objective() float64 { return m.objective }

// RootMeanSquaredError is the training rows' RMSE, sqrt(RSS/n) (Spark's summary
// rootMeanSquaredError), from the Gram statistics.
func (m *LinearRegressionModel) RootMeanSquaredError() float64 { return m.rmse }

// R2 is the training rows' coefficient of determination 1 − RSS/Σ(y − ȳ)² (scikit-learn's
// r2_score, also without an intercept; 1 or 0 for a constant label, as its
// force_finite).
func (m *LinearRegressionModel) R2() float64 { return m.r2 }

// Kind returns "linear_reg".
func (m *LinearRegressionModel) Kind() string { return "linear_reg" }

// NumFeatures is the number of coefficients.
func (m *LinearRegressionModel) NumFeatures() int { return len(m.coef) }

// FeatureNames are the training features' names (nil when the file has none).
func (m *LinearRegressionModel) FeatureNames() []string { return m.featureNames }

// Task is udf.Regression.
func (m *LinearRegressionModel) Task() udf.ModelTask { return udf.Regression }

// Classes is nil: a regression has no classes.
func (m *LinearRegressionModel) Classes() []string { return nil }

// Predict writes intercept + Σ w_j·x_j per row, in float64 (NaN features give NaN).
func (m *LinearRegressionModel) Predict(ctx context.Context, features []float32, rows int, out []float64) error {
	d := len(m.coef)
	if err := checkPredictArgs("linear_reg", features, rows, d, out, 1); err != nil {
		return err
	}
	for r := 0; r < rows; r++ {
		if r%cancelEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		s := m.intercept
		for j, v := range features[r*d : (r+1)*d] {
			s += m.coef[j] * float64(v)
		}
		out[r] = s
	}
	return nil
}

// PredictProba returns an execution error: a regression has no class probabilities.
func (m *LinearRegressionModel) PredictProba(context.Context, []float32, int, []float64) error {
	return errs.Execf("linear_reg model: a regression has no class probabilities")
}

// Transform adds a "prediction" column computed from the model's feature columns (by
// name) of df.
func (m *LinearRegressionModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	if m.featureNames == nil {
		return df.WithError(errs.Planf("linear_reg model: Transform needs feature names; this model has none"))
	}
	return modelTransform(df, m, m.featureNames, "prediction", "")
}

type linearDoc struct {
	Format       string      `json:"format"`
	Version      int         `json:"version"`
	FeatureNames []string    `json:"feature_names"`
	Coefficients []jsonFloat `json:"coefficients"`
	Intercept    *jsonFloat  `json:"intercept"`
}

// MarshalJSON writes the ember-linear_reg format (see LinearRegressionModel).
func (m *LinearRegressionModel) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Format       string    `json:"format"`
		Version      int       `json:"version"`
		FeatureNames []string  `json:"feature_names,omitempty"`
		Coefficients []float64 `json:"coefficients"`
		Intercept    float64   `json:"intercept"`
	}{"ember-linear_reg", 1, m.featureNames, m.coef, m.intercept})
}

func linearErr(format string, args ...any) error {
	return errs.Execf("linear_reg model: "+format, args...)
}

// LoadLinearRegression reads a model in the ember-linear_reg format. Errors: an execution
// error naming what is wrong (invalid JSON, another format, unknown fields, no
// coefficients, a missing intercept, feature_names that do not match the coefficients);
// a not-implemented error for a later version. It never panics.
func LoadLinearRegression(data []byte) (*LinearRegressionModel, error) {
	var probe struct {
		Format  *string         `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "linear_reg model: invalid JSON")
	}
	switch {
	case probe.Format == nil:
		return nil, linearErr(`missing "format": not an ember-linear_reg model`)
	case *probe.Format != "ember-linear_reg":
		return nil, linearErr(`format is %q, want "ember-linear_reg"`, *probe.Format)
	}
	var version int
	if probe.Version == nil {
		return nil, linearErr(`missing "version"`)
	}
	if err := json.Unmarshal(probe.Version, &version); err != nil {
		return nil, linearErr(`"version" is %.20s, want an integer`, probe.Version)
	}
	if version != 1 {
		return nil, errs.NotImplementedf("linear_reg model: format version %d (this Ember reads version 1)", version)
	}
	var doc linearDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "linear_reg model")
	}
	if len(doc.Coefficients) == 0 {
		return nil, linearErr(`no "coefficients"`)
	}
	if doc.Intercept == nil {
		return nil, linearErr(`missing "intercept"`)
	}
	if doc.FeatureNames != nil && len(doc.FeatureNames) != len(doc.Coefficients) {
		return nil, linearErr("%d feature_names for %d coefficients", len(doc.FeatureNames), len(doc.Coefficients))
	}
	m := &LinearRegressionModel{featureNames: doc.FeatureNames, coef: make([]float64, len(doc.Coefficients)),
		intercept: float64(*doc.Intercept)}
	for j, w := range doc.Coefficients {
		m.coef[j] = float64(w)
	}
	return m, nil
}

// linearTrainer is CREATE MODEL's model_type 'linear_reg'.
type linearTrainer struct{ est LinearRegression }

// newLinearTrainer reads BigQuery ML's linear_reg options: l1_reg and l2_reg (≥ 0, default
// 0; λ = l1_reg + l2_reg and α = l1_reg/λ, so the penalty is l1_reg·‖β‖₁ +
// l2_reg/2·‖β‖²), max_iterations (coordinate descent sweeps, default 1000), tol (default
// 1e-9; 0 also means the default), fit_intercept (default TRUE) and standardize_features (default TRUE).
func newLinearTrainer(o *Options) (Trainer, error) {
	est := NewLinearRegression()
	l1, err := o.Float("l1_reg", 0, 0)
	if err != nil {
		return nil, err
	}
	l2, err := o.Float("l2_reg", 0, 0)
	if err != nil {
		return nil, err
	}
	if est.MaxIter, err = o.Int("max_iterations", linearDefaultMaxIter, 1); err != nil {
		return nil, err
	}
	if est.Tol, err = o.Float("tol", linearDefaultTol, 0); err != nil {
		return nil, err
	}
	if est.FitIntercept, err = o.Bool("fit_intercept", true); err != nil {
		return nil, err
	}
	if est.Standardization, err = o.Bool("standardize_features", true); err != nil {
		return nil, err
	}
	est.RegParam = l1 + l2
	if est.RegParam > 0 {
		est.ElasticNetParam = l1 / est.RegParam
	}
	if math.IsInf(est.RegParam, 0) {
		return nil, errs.Planf("options l1_reg + l2_reg overflow: %g + %g", l1, l2)
	}
	return &linearTrainer{est: *est}, nil
}

// Needs: a numeric label.
func (t *linearTrainer) Needs() DataNeeds { return DataNeeds{Label: true} }

// Fit trains on ds.
func (t *linearTrainer) Fit(ctx context.Context, ds *Dataset) (TrainedModel, error) {
	m, err := t.est.FitDataset(ctx, ds)
	if err != nil {
		return nil, err
	}
	return m, nil
}
