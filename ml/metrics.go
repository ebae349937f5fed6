package ml

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/embersql/ember/internal/errs"
)

// Evaluation metrics (metrics.go): pure functions over Go slices with scikit-learn 1.2.1's
// definitions, checked against scikit-learn on testdata/ml/training/metrics_fixtures.json
// (make_metrics.py). The DataFrame evaluators (evaluate.go) and the trainers' reports use
// them; RegressionSums is the mergeable form for a distributed pass.

// ClassificationMetrics are a classifier's metrics over labelled rows.
type ClassificationMetrics struct {
	// Accuracy is the share of rows predicted right (accuracy_score).
	Accuracy float64
	// Precision, Recall and F1 are those of class 1 for two classes (scikit-learn's
	// average='binary', pos_label=1), else the unweighted means over the classes that occur
	// among the labels or the predictions (average='macro'). An undefined ratio (no row
	// predicted as, or labelled with, a class) counts 0, as scikit-learn's zero_division
	// default does (after its warning); F1 is 2PR/(P+R), 0 when P+R = 0.
	Precision, Recall, F1 float64
	// LogLoss is the mean cross-entropy (log_loss): probabilities clipped to
	// [ε, 1-ε] with ε = 2⁻⁵² (scikit-learn 1.2's eps='auto' for float64), rows renormalized.
	// NaN when made from hard predictions.
	LogLoss float64
	// ROCAUC is the area under the ROC curve of class 1's probability for two classes,
	// else the mean of the one-vs-rest areas (roc_auc_score, multi_class='ovr',
	// average='macro'); ties count one half. NaN when made from hard predictions.
	ROCAUC float64
	// Confusion counts the rows by [true class][predicted class].
	Confusion [][]int64
	// Classes is the number of classes k.
	Classes int
}

// ClassificationMetricsOf computes a classifier's metrics from the true class indices
// (0 .. k-1) and the class probabilities (rows × k, row-major); the predicted class of a row
// is its most probable one (the lowest index on ties, as numpy's argmax). Errors: lengths
// that do not match, a label out of range, a probability that is not a finite number, and
// an undefined ROC AUC (a class absent from yTrue, named; rows of a multi-class problem
// not summing to 1), as scikit-learn raises. The last error wraps ErrUndefinedAUC and
// comes with the other metrics complete (ROCAUC NaN), for callers that report them anyway.
// O(n·k·log n).
func ClassificationMetricsOf(yTrue []int, proba []float64, k int) (ClassificationMetrics, error) {
	if err := checkProba(yTrue, proba, k); err != nil {
		return ClassificationMetrics{}, err
	}
	m := hardMetrics(yTrue, argmaxRows(proba, k), k)
	m.LogLoss = logLoss(yTrue, proba, k)
	auc, err := rocAUC(yTrue, proba, k, nil)
	m.ROCAUC = auc
	return m, err
}

// ErrUndefinedAUC is what errors.Is finds in the error of an undefined ROC AUC (the error
// is also a plan error of internal/errs).
var ErrUndefinedAUC = errors.New("the ROC AUC is undefined")

// aucError is an undefined ROC AUC: a plan error that is also ErrUndefinedAUC.
type aucError struct{ msg string }

func (e *aucError) Error() string { return errs.ErrPlan.Error() + ": " + e.msg }

func (e *aucError) Is(target error) bool { return target == errs.ErrPlan || target == ErrUndefinedAUC }

// ClassificationMetricsOfPredictions computes the metrics of hard predictions (class
// indices 0 .. k-1): LogLoss and ROCAUC are NaN.
func ClassificationMetricsOfPredictions(yTrue, yPred []int, k int) (ClassificationMetrics, error) {
	if k < 2 {
		return ClassificationMetrics{}, errs.Planf("classification metrics need at least 2 classes, got %d", k)
	}
	if len(yPred) != len(yTrue) {
		return ClassificationMetrics{}, errs.Planf("classification metrics: %d labels but %d predictions", len(yTrue), len(yPred))
	}
	if err := checkClassIndices(yTrue, k, "label"); err != nil {
		return ClassificationMetrics{}, err
	}
	if err := checkClassIndices(yPred, k, "prediction"); err != nil {
		return ClassificationMetrics{}, err
	}
	return hardMetrics(yTrue, yPred, k), nil
}

// checkClassIndices checks that there are rows and every index is in 0 .. k-1.
func checkClassIndices(ys []int, k int, what string) error {
	if len(ys) == 0 {
		return errs.Planf("classification metrics need at least one row")
	}
	for i, y := range ys {
		if y < 0 || y >= k {
			return errs.Planf("classification metrics: row %d's %s is class %d, outside 0..%d", i, what, y, k-1)
		}
	}
	return nil
}

// checkProba checks the labels and the probability matrix of ClassificationMetricsOf.
func checkProba(yTrue []int, proba []float64, k int) error {
	if k < 2 {
		return errs.Planf("classification metrics need at least 2 classes, got %d", k)
	}
	if len(proba) != len(yTrue)*k {
		return errs.Planf("classification metrics: %d probabilities for %d rows of %d classes (want %d)", len(proba), len(yTrue), k, len(yTrue)*k)
	}
	if err := checkClassIndices(yTrue, k, "label"); err != nil {
		return err
	}
	for i, p := range proba {
		if p-p != 0 {
			return errs.Planf("classification metrics: row %d's probability of class %d is %v", i/k, i%k, p)
		}
	}
	return nil
}

// argmaxRows returns each row's most probable class (the first on ties).
func argmaxRows(proba []float64, k int) []int {
	n := len(proba) / k
	out := make([]int, n)
	for i := range n {
		row := proba[i*k : (i+1)*k]
		best := 0
		for c := 1; c < k; c++ {
			if row[c] > row[best] {
				best = c
			}
		}
		out[i] = best
	}
	return out
}

// hardMetrics computes the confusion matrix, accuracy, precision, recall and F1 (LogLoss
// and ROCAUC NaN); the inputs are checked.
func hardMetrics(yTrue, yPred []int, k int) ClassificationMetrics {
	m := ClassificationMetrics{Classes: k, LogLoss: math.NaN(), ROCAUC: math.NaN()}
	m.Confusion = make([][]int64, k)
	for c := range m.Confusion {
		m.Confusion[c] = make([]int64, k)
	}
	correct := 0
	for i, t := range yTrue {
		m.Confusion[t][yPred[i]]++
		if t == yPred[i] {
			correct++
		}
	}
	m.Accuracy = float64(correct) / float64(len(yTrue))
	// per class: true positives, predicted (column sums), actual (row sums)
	tp := make([]int64, k)
	predicted := make([]int64, k)
	actual := make([]int64, k)
	for t := range k {
		for p := range k {
			actual[t] += m.Confusion[t][p]
			predicted[p] += m.Confusion[t][p]
		}
		tp[t] = m.Confusion[t][t]
	}
	prf := func(c int) (p, r, f float64) {
		if predicted[c] > 0 {
			p = float64(tp[c]) / float64(predicted[c])
		}
		if actual[c] > 0 {
			r = float64(tp[c]) / float64(actual[c])
		}
		if d := p + r; d != 0 {
			f = 2 * p * r / d
		}
		return p, r, f
	}
	if k == 2 {
		m.Precision, m.Recall, m.F1 = prf(1)
		return m
	}
	// scikit-learn's macro averages run over unique_labels(y_true, y_pred).
	var sp, sr, sf float64
	present := 0
	for c := range k {
		if actual[c] == 0 && predicted[c] == 0 {
			continue
		}
		p, r, f := prf(c)
		sp, sr, sf = sp+p, sr+r, sf+f
		present++
	}
	m.Precision, m.Recall, m.F1 = sp/float64(present), sr/float64(present), sf/float64(present)
	return m
}

// logLossEps is scikit-learn 1.2's log_loss clip for float64 (eps='auto':
// np.finfo(np.float64).eps).
const logLossEps = 0x1p-52

// logLoss is scikit-learn's log_loss with labels 0..k-1: each probability clipped to
// [ε, 1-ε], the row renormalized, the mean of -log p[true]. The inputs are checked.
func logLoss(yTrue []int, proba []float64, k int) float64 {
	clip := func(p float64) float64 { return min(max(p, logLossEps), 1-logLossEps) }
	var sum float64
	for i, t := range yTrue {
		row := proba[i*k : (i+1)*k]
		var s float64
		for _, p := range row {
			s += clip(p)
		}
		sum -= math.Log(clip(row[t]) / s)
	}
	return sum / float64(len(yTrue))
}

// rocAUC is scikit-learn's roc_auc_score: binary over class 1's probability, or the
// macro one-vs-rest mean, which needs every class in yTrue and rows summing to 1 (numpy's
// allclose). The inputs are checked; classes (nil: indices) name the classes in errors.
func rocAUC(yTrue []int, proba []float64, k int, classes []string) (float64, error) {
	n := len(yTrue)
	counts := make([]int, k)
	for _, t := range yTrue {
		counts[t]++
	}
	idx := make([]scored, n)
	if k == 2 {
		if counts[0] == 0 || counts[1] == 0 {
			return math.NaN(), &aucError{fmt.Sprintf("ROC AUC is undefined: every label is class %s (both classes must occur among the labels)", describeClass(classes, yTrue[0]))}
		}
		return binaryAUC(yTrue, proba, k, 1, idx), nil
	}
	for c, cnt := range counts {
		if cnt == 0 {
			return math.NaN(), &aucError{fmt.Sprintf("one-vs-rest ROC AUC is undefined: class %s does not occur among the labels", describeClass(classes, c))}
		}
	}
	for i := range n {
		var s float64
		for _, p := range proba[i*k : (i+1)*k] {
			s += p
		}
		if math.Abs(1-s) > 1e-8+1e-5*math.Abs(s) {
			return math.NaN(), &aucError{fmt.Sprintf("one-vs-rest ROC AUC is undefined: row %d's probabilities sum to %v, not 1", i, s)}
		}
	}
	var sum float64
	for c := range k {
		sum += binaryAUC(yTrue, proba, k, c, idx)
	}
	return sum / float64(k), nil
}

// binaryAUC is the ROC AUC of class c's probability (column c of proba, rows × k) as the
// score of "label == c": the share of (positive, negative) pairs the score orders right,
// ties counting one half (the Mann-Whitney statistic, which is the trapezoid area under
// scikit-learn's roc_curve). Both kinds of rows occur (checked by the caller). The pair
// counts are whole numbers, exact in float64 below 2⁵³; one division at the end. idx is
// scratch of len(yTrue). O(n log n).
func binaryAUC(yTrue []int, proba []float64, k, c int, idx []scored) float64 {
	for i := range idx {
		idx[i] = scored{proba[i*k+c], yTrue[i] == c}
	}
	// A sort of (score, label) pairs by score (pdqsort on a flat slice: about 3× the speed
	// of sorting indexes through a closure for a million rows).
	slices.SortFunc(idx, func(a, b scored) int { return cmp.Compare(a.score, b.score) })
	// Walk the tie groups in ascending score: a positive beats every negative below its
	// group and ties with the group's negatives.
	var negBelow, pos, neg, pairs float64
	for g := 0; g < len(idx); {
		s := idx[g].score
		var gp, gn float64
		e := g
		for ; e < len(idx) && idx[e].score == s; e++ {
			if idx[e].positive {
				gp++
			} else {
				gn++
			}
		}
		pairs += gp*negBelow + 0.5*gp*gn
		negBelow += gn
		pos += gp
		neg += gn
		g = e
	}
	return pairs / (pos * neg)
}

// scored is a row's score and whether it is of the positive class.
type scored struct {
	score    float64
	positive bool
}

// RegressionMetrics are a regression's metrics, as scikit-learn's functions of the same
// names define them.
type RegressionMetrics struct {
	// MAE is the mean absolute error, MSE the mean squared error, RMSE its square root.
	MAE, MSE, RMSE float64
	// R2 is 1 - Σ(y-ŷ)²/Σ(y-ȳ)² (r2_score): 1 when both sums are 0, 0 when only the
	// second is (scikit-learn's force_finite), NaN with fewer than 2 rows.
	R2 float64
	// ExplainedVariance is 1 - Var(y-ŷ)/Var(y) (explained_variance_score), with R2's rules
	// for zero variances.
	ExplainedVariance float64
}

// RegressionMetricsOf computes the metrics of predictions yPred of yTrue: two passes, as
// scikit-learn computes them. Errors: lengths that differ, no rows, a value that is not a
// finite number.
func RegressionMetricsOf(yTrue, yPred []float64) (RegressionMetrics, error) {
	if err := checkRegression(yTrue, yPred); err != nil {
		return RegressionMetrics{}, err
	}
	n := float64(len(yTrue))
	var sumAbs, sumSq, sumE, sumY float64
	for i, y := range yTrue {
		e := y - yPred[i]
		sumAbs += math.Abs(e)
		sumSq += e * e
		sumE += e
		sumY += y
	}
	meanE, meanY := sumE/n, sumY/n
	var m2E, m2Y float64
	for i, y := range yTrue {
		d := y - yPred[i] - meanE
		m2E += d * d
		dy := y - meanY
		m2Y += dy * dy
	}
	return regressionMetrics(n, sumAbs, sumSq, m2E, m2Y), nil
}

func checkRegression(yTrue, yPred []float64) error {
	if len(yTrue) != len(yPred) {
		return errs.Planf("regression metrics: %d labels but %d predictions", len(yTrue), len(yPred))
	}
	if len(yTrue) == 0 {
		return errs.Planf("regression metrics need at least one row")
	}
	for i, y := range yTrue {
		if y-y != 0 {
			return errs.Planf("regression metrics: row %d's label is %v", i, y)
		}
		if p := yPred[i]; p-p != 0 {
			return errs.Planf("regression metrics: row %d's prediction is %v", i, p)
		}
	}
	return nil
}

// regressionMetrics assembles the metrics from the sums over n rows: Σ|e|, Σe², Σ(e-ē)²,
// Σ(y-ȳ)².
func regressionMetrics(n, sumAbs, sumSq, m2E, m2Y float64) RegressionMetrics {
	m := RegressionMetrics{MAE: sumAbs / n, MSE: sumSq / n}
	m.RMSE = math.Sqrt(m.MSE)
	m.R2 = explainedRatio(sumSq, m2Y)
	if n < 2 {
		m.R2 = math.NaN() // scikit-learn: "not well-defined with less than two samples"
	}
	m.ExplainedVariance = explainedRatio(m2E/n, m2Y/n)
	return m
}

// explainedRatio is scikit-learn's _assemble_r2_explained_variance with force_finite:
// 1 - num/den, 1 when num is 0, 0 when only den is.
func explainedRatio(num, den float64) float64 {
	switch {
	case num == 0:
		return 1
	case den == 0:
		return 0
	}
	return 1 - num/den
}

// RegressionSums are the mergeable sums behind RegressionMetrics, for a distributed pass:
// each partition Adds its rows, partitions Merge, the driver takes Metrics. The spreads are
// kept as means and sums of squared deviations, merged by Chan et al.'s parallel formula,
// so that a large offset in y (targets around 10⁶, say) costs no precision, as a raw Σy²
// would. State and RegressionSumsFrom convert to the []float64 of a tree aggregation.
type RegressionSums struct {
	// N is the number of rows.
	N float64
	// SumAbsErr is Σ|y-ŷ|, SumSqErr Σ(y-ŷ)².
	SumAbsErr, SumSqErr float64
	// MeanErr is the mean of e = y-ŷ and M2Err Σ(e-MeanErr)².
	MeanErr, M2Err float64
	// MeanY is the mean of y and M2Y Σ(y-MeanY)².
	MeanY, M2Y float64
}

// RegressionSumsLen is the length of RegressionSums' State.
const RegressionSumsLen = 7

// Add adds one row (Welford's update).
func (s *RegressionSums) Add(yTrue, yPred float64) {
	e := yTrue - yPred
	s.N++
	s.SumAbsErr += math.Abs(e)
	s.SumSqErr += e * e
	d := e - s.MeanErr
	s.MeanErr += d / s.N
	s.M2Err += d * (e - s.MeanErr)
	dy := yTrue - s.MeanY
	s.MeanY += dy / s.N
	s.M2Y += dy * (yTrue - s.MeanY)
}

// AddSlices adds the rows of two equally long columns (a batch): two passes over the batch,
// then one Merge. It allocates nothing. Lengths that differ add nothing and return false.
func (s *RegressionSums) AddSlices(yTrue, yPred []float64) bool {
	if len(yTrue) != len(yPred) {
		return false
	}
	if len(yTrue) == 0 {
		return true
	}
	var b RegressionSums
	b.N = float64(len(yTrue))
	var sumE, sumY float64
	for i, y := range yTrue {
		e := y - yPred[i]
		b.SumAbsErr += math.Abs(e)
		b.SumSqErr += e * e
		sumE += e
		sumY += y
	}
	b.MeanErr, b.MeanY = sumE/b.N, sumY/b.N
	for i, y := range yTrue {
		d := y - yPred[i] - b.MeanErr
		b.M2Err += d * d
		dy := y - b.MeanY
		b.M2Y += dy * dy
	}
	s.Merge(b)
	return true
}

// Merge adds o's rows to s.
func (s *RegressionSums) Merge(o RegressionSums) {
	if o.N == 0 {
		return
	}
	if s.N == 0 {
		*s = o
		return
	}
	n := s.N + o.N
	merge := func(meanA, m2A, meanB, m2B float64) (float64, float64) {
		d := meanB - meanA
		return meanA + d*(o.N/n), m2A + m2B + d*d*(s.N*o.N/n)
	}
	s.MeanErr, s.M2Err = merge(s.MeanErr, s.M2Err, o.MeanErr, o.M2Err)
	s.MeanY, s.M2Y = merge(s.MeanY, s.M2Y, o.MeanY, o.M2Y)
	s.SumAbsErr += o.SumAbsErr
	s.SumSqErr += o.SumSqErr
	s.N = n
}

// Metrics computes the metrics of the rows added; an error when there are none.
func (s RegressionSums) Metrics() (RegressionMetrics, error) {
	if s.N == 0 {
		return RegressionMetrics{}, errs.Planf("regression metrics need at least one row")
	}
	return regressionMetrics(s.N, s.SumAbsErr, s.SumSqErr, s.M2Err, s.M2Y), nil
}

// State writes s into dst (RegressionSumsLen values), for a tree aggregation's state.
func (s RegressionSums) State(dst []float64) {
	_ = dst[RegressionSumsLen-1]
	dst[0], dst[1], dst[2], dst[3], dst[4], dst[5], dst[6] = s.N, s.SumAbsErr, s.SumSqErr, s.MeanErr, s.M2Err, s.MeanY, s.M2Y
}

// RegressionSumsFrom reads what State wrote.
func RegressionSumsFrom(src []float64) RegressionSums {
	_ = src[RegressionSumsLen-1]
	return RegressionSums{N: src[0], SumAbsErr: src[1], SumSqErr: src[2], MeanErr: src[3], M2Err: src[4], MeanY: src[5], M2Y: src[6]}
}

// MergeRegressionStates is a tree aggregation's merge of two RegressionSums states (dst +=
// src).
func MergeRegressionStates(dst, src []float64) {
	s := RegressionSumsFrom(dst)
	s.Merge(RegressionSumsFrom(src))
	s.State(dst)
}

// Clustering metrics. Points are rows ([][]float64, each of the same dimension); labels are
// cluster ids (any ints; Inertia's index centers).

// Inertia is Σ‖x - centers[label]‖² over the points (k-means' objective, scikit-learn's
// KMeans.inertia_). Errors: lengths or dimensions that differ, a label out of range.
func Inertia(points, centers [][]float64, labels []int) (float64, error) {
	if len(points) != len(labels) {
		return 0, errs.Planf("inertia: %d points but %d labels", len(points), len(labels))
	}
	if len(centers) == 0 {
		return 0, errs.Planf("inertia needs at least one center")
	}
	d := len(centers[0])
	for j, c := range centers {
		if len(c) != d {
			return 0, errs.Planf("inertia: center %d has %d dimensions, center 0 has %d", j, len(c), d)
		}
	}
	var sum float64
	for i, x := range points {
		l := labels[i]
		if l < 0 || l >= len(centers) {
			return 0, errs.Planf("inertia: point %d's cluster %d is outside 0..%d", i, l, len(centers)-1)
		}
		if len(x) != d {
			return 0, errs.Planf("inertia: point %d has %d dimensions, the centers %d", i, len(x), d)
		}
		sum += sqDist(x, centers[l])
	}
	return sum, nil
}

// MeanSquaredDistance is Inertia / the number of points (BigQuery ML's
// mean_squared_distance of a k-means model); an error when there are no points.
func MeanSquaredDistance(points, centers [][]float64, labels []int) (float64, error) {
	if len(points) == 0 {
		return 0, errs.Planf("mean squared distance needs at least one point")
	}
	in, err := Inertia(points, centers, labels)
	if err != nil {
		return 0, err
	}
	return in / float64(len(points)), nil
}

func sqDist(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		d := v - b[j]
		s += d * d
	}
	return s
}

// DaviesBouldinIndex is the Davies-Bouldin index from per-cluster aggregates, so that a
// distributed pass can compute it: centers[j] is cluster j's center and meanDist[j] the
// mean Euclidean distance of its points to it (cluster j's diameter). A cluster with no
// points, which the caller marks with a NaN (0/0) or negative meanDist, is skipped. For
// each cluster i, R_i = max over j ≠ i of (meanDist[i]+meanDist[j]) / ‖centers[i]-centers[j]‖
// (0 where the centers coincide); the index is the mean R_i, 0 when every diameter or
// every center distance is within 1e-8 of 0 (scikit-learn's davies_bouldin_score, whose
// centers are the clusters' means). NaN with fewer than 2 non-empty clusters or lengths
// that differ. O(k²·d).
func DaviesBouldinIndex(centers [][]float64, meanDist []float64) float64 {
	if len(centers) != len(meanDist) {
		return math.NaN()
	}
	var cs [][]float64
	var ds []float64
	for j, c := range centers {
		if m := meanDist[j]; m >= 0 { // false for NaN
			cs = append(cs, c)
			ds = append(ds, m)
		}
	}
	k := len(cs)
	if k < 2 {
		return math.NaN()
	}
	dist := make([]float64, k*k)
	allZeroDiam, allZeroDist := true, true
	for i := range k {
		if math.Abs(ds[i]) > 1e-8 {
			allZeroDiam = false
		}
		for j := range k {
			if len(cs[j]) != len(cs[i]) {
				return math.NaN()
			}
			dist[i*k+j] = math.Sqrt(sqDist(cs[i], cs[j]))
			if dist[i*k+j] > 1e-8 {
				allZeroDist = false
			}
		}
	}
	if allZeroDiam || allZeroDist {
		return 0
	}
	var sum float64
	for i := range k {
		var r float64
		for j := range k {
			if j == i || dist[i*k+j] == 0 {
				continue
			}
			r = max(r, (ds[i]+ds[j])/dist[i*k+j])
		}
		sum += r
	}
	return sum / float64(k)
}

// DaviesBouldinScore is scikit-learn's davies_bouldin_score: the clusters' centers are
// their points' means, their diameters the mean distances to them. Errors: as Silhouette's
// (2 ≤ clusters ≤ points-1). O(n·d + k²·d).
func DaviesBouldinScore(points [][]float64, labels []int) (float64, error) {
	enc, k, err := encodeClusters(points, labels, "Davies-Bouldin index")
	if err != nil {
		return 0, err
	}
	d := len(points[0])
	centers := make([][]float64, k)
	counts := make([]float64, k)
	for j := range centers {
		centers[j] = make([]float64, d)
	}
	for i, x := range points {
		c := centers[enc[i]]
		for t, v := range x {
			c[t] += v
		}
		counts[enc[i]]++
	}
	for j, c := range centers {
		for t := range c {
			c[t] /= counts[j]
		}
	}
	meanDist := make([]float64, k)
	for i, x := range points {
		meanDist[enc[i]] += math.Sqrt(sqDist(x, centers[enc[i]]))
	}
	for j := range meanDist {
		meanDist[j] /= counts[j]
	}
	return DaviesBouldinIndex(centers, meanDist), nil
}

// encodeClusters checks points and labels for the clustering scores and maps the labels to
// 0..k-1 (in ascending label order, as scikit-learn's LabelEncoder).
func encodeClusters(points [][]float64, labels []int, what string) (enc []int, k int, err error) {
	if len(points) != len(labels) {
		return nil, 0, errs.Planf("%s: %d points but %d labels", what, len(points), len(labels))
	}
	if len(points) == 0 {
		return nil, 0, errs.Planf("%s needs points", what)
	}
	d := len(points[0])
	for i, x := range points {
		if len(x) != d {
			return nil, 0, errs.Planf("%s: point %d has %d dimensions, point 0 has %d", what, i, len(x), d)
		}
		for t, v := range x {
			if v-v != 0 {
				return nil, 0, errs.Planf("%s: point %d's coordinate %d is %v", what, i, t, v)
			}
		}
	}
	distinct := slices.Clone(labels)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	k = len(distinct)
	if k < 2 || k > len(points)-1 {
		return nil, 0, errs.Planf("%s needs from 2 to n-1 clusters for n points: got %d cluster%s for %d point%s", what, k, plural(k), len(points), plural(len(points)))
	}
	enc = make([]int, len(labels))
	for i, l := range labels {
		enc[i], _ = slices.BinarySearch(distinct, l)
	}
	return enc, k, nil
}

// Silhouette is the mean silhouette coefficient of the points (scikit-learn's
// silhouette_score, Euclidean): for each point, a is its mean distance to the other points
// of its cluster, b the least mean distance to another cluster's points, s = (b-a)/max(a,b)
// (0 in a cluster of one point, or when a = b = 0). Exact and O(n²·d) time, O(n·k) memory:
// for large data, score a sample (DataFrame.Sample), as Spark's and scikit-learn's users
// do. Errors: lengths or dimensions that differ, values that are not finite numbers, fewer
// than 2 or more than n-1 clusters.
func Silhouette(points [][]float64, labels []int) (float64, error) {
	enc, k, err := encodeClusters(points, labels, "silhouette")
	if err != nil {
		return 0, err
	}
	n := len(points)
	counts := make([]float64, k)
	for _, c := range enc {
		counts[c]++
	}
	// sums[i*k+c] = Σ distance from point i to the points of cluster c; each pair once.
	sums := make([]float64, n*k)
	for i := range n {
		xi := points[i]
		for j := i + 1; j < n; j++ {
			d := math.Sqrt(sqDist(xi, points[j]))
			sums[i*k+enc[j]] += d
			sums[j*k+enc[i]] += d
		}
	}
	var total float64
	for i := range n {
		own := enc[i]
		if counts[own] < 2 {
			continue // s = 0
		}
		a := sums[i*k+own] / (counts[own] - 1)
		b := math.Inf(1)
		for c := range k {
			if c != own {
				b = min(b, sums[i*k+c]/counts[c])
			}
		}
		if m := max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(n), nil
}

// describeClass renders a class for messages: its label when known, else its index.
func describeClass(classes []string, c int) string {
	if c >= 0 && c < len(classes) {
		return fmt.Sprintf("%q", classes[c])
	}
	return fmt.Sprintf("%d", c)
}
