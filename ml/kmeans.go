package ml

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// KMeans clusters rows into K clusters (Spark ML's KMeans; BigQuery ML's model_type
// 'kmeans'): k-means|| initialization (Bahmani et al., "Scalable K-Means++", as Spark's
// initKMeansParallel) or K random distinct rows, then Lloyd iterations, each one tree
// aggregation over the cached data (K·d sums, K counts and the cost), until every center
// moved at most Tol (Euclidean) or MaxIter iterations ran.
//
// k-means|| passes over the data: one aggregation picks the first center (a uniformly
// random row); then each of InitSteps rounds runs an aggregation for the cost φ (Σ of every
// row's squared distance to the nearest candidate so far) and a MapPartitions pass that
// emits each row with probability min(1, 2K·d²(x)/φ); one more aggregation counts the rows
// nearest to each distinct candidate, and a local weighted k-means++ followed by 30 weighted
// Lloyd iterations on the candidates (Spark's LocalKMeans) picks the K initial centers.
// Unlike Spark, the local k-means++ is greedy (scikit-learn's: each center the best of
// 2 + ⌊ln K⌋ draws) and runs 10 times, keeping the result of least weighted cost: on the
// fixtures this turned a one-in-five chance of a poor local optimum into none, at no extra
// pass. When the rounds leave fewer than K distinct candidates, further rounds sample until
// there are K, or fail when the data has fewer than K distinct rows. Random numbers come
// from (Seed, round, partition, row within the partition), so a fit is deterministic for a
// given partitioning of the data.
//
// Passes over the cached data per run: 2 + 2·InitSteps for k-means|| (1 for random), one
// per Lloyd iteration, and one for the final cost unless the last iteration moved nothing.
// An empty cluster keeps its previous center. The model's cost is the inertia (Σ squared
// distance of every row to its nearest center) at the final centers. One run of any
// k-means may end in a local optimum when clusters differ much in size or spread (so do
// scikit-learn's single runs); Runs > 1 keeps the best of several.
type KMeans struct {
	// K is the number of clusters (≥ 2).
	K int
	// FeaturesCols are the feature columns (nil: every column).
	FeaturesCols []string
	// MaxIter bounds the Lloyd iterations (≥ 0; 0 returns the initial centers).
	MaxIter int
	// Tol: the iterations stop when no center moved more than Tol (Euclidean distance).
	Tol float64
	// InitMode is "k-means||" or "random".
	InitMode string
	// InitSteps is the number of k-means|| sampling rounds (≥ 1).
	InitSteps int
	// Seed seeds every random choice.
	Seed int64
	// Runs is the number of times the algorithm runs, each from its own initialization
	// (run 0 from Seed, run r from a seed derived from Seed and r); the model of least
	// cost wins (scikit-learn's n_init; Spark 1.x's runs). Default 1. Each run makes its
	// own passes over the cached data.
	Runs int
	// Standardization clusters the features divided by their sample standard deviation
	// (BigQuery ML's standardize_features; a feature with no spread is left as it is).
	// The centers stay in the original units and the model measures distances in the
	// standardized ones (its JSON stores the scales), so predictions agree with training.
	Standardization bool
}

// The k-means initialization modes (Spark's names).
const (
	KMeansParallel = "k-means||"
	KMeansRandom   = "random"
)

// NewKMeans returns a KMeans with Spark's defaults: K 2, MaxIter 20, Tol 1e-4,
// InitMode "k-means||", InitSteps 2; Seed and Runs are 1.
func NewKMeans() *KMeans {
	return &KMeans{K: 2, MaxIter: 20, Tol: 1e-4, InitMode: KMeansParallel, InitSteps: 2, Seed: 1, Runs: 1}
}

// kmLocalIterations is the number of weighted Lloyd iterations on the k-means||
// candidates (Spark's LocalKMeans.kMeansPlusPlus is called with 30).
const kmLocalIterations = 30

// kmLocalTrials is the number of local k-means runs on the k-means|| candidates (Spark runs
// one); the one of least weighted cost gives the initial centers. The local runs cost no
// pass over the data, and make the fit less likely to end in a poor local optimum.
const kmLocalTrials = 10

// kmLocalTries is the number of points each greedy k-means++ step of the local runs draws
// (scikit-learn's n_local_trials, 2 + ⌊ln k⌋; Spark draws one).
func kmLocalTries(k int) int { return 2 + int(math.Log(float64(k))) }

// kmMaxExtraRounds bounds the k-means|| rounds run beyond InitSteps when the candidates
// are fewer than K distinct points.
const kmMaxExtraRounds = 20

// kmeansSeq numbers the MapPartitions functions the fits register.
var kmeansSeq atomic.Int64

func (km *KMeans) validate() error {
	switch {
	case km.K < 2:
		return errs.Planf("KMeans: K must be at least 2, got %d", km.K)
	case km.MaxIter < 0:
		return errs.Planf("KMeans: MaxIter must be at least 0, got %d", km.MaxIter)
	case !(km.Tol >= 0) || math.IsInf(km.Tol, 1):
		return errs.Planf("KMeans: Tol must be a finite number ≥ 0, got %g", km.Tol)
	case km.InitSteps < 1:
		return errs.Planf("KMeans: InitSteps must be at least 1, got %d", km.InitSteps)
	case km.Runs < 1:
		return errs.Planf("KMeans: Runs must be at least 1, got %d", km.Runs)
	}
	switch strings.ToLower(km.InitMode) {
	case KMeansParallel, KMeansRandom:
	default:
		return errs.Planf("KMeans: InitMode must be %q or %q, got %q", KMeansParallel, KMeansRandom, km.InitMode)
	}
	return nil
}

// Fit clusters df's feature columns (FeaturesCols, or every column) and returns the
// *KMeansModel. The data is cached for the fit and read from its source once.
func (km *KMeans) Fit(ctx context.Context, df *dataframe.DataFrame) (Transformer, error) {
	if err := km.validate(); err != nil {
		return nil, err
	}
	ds, err := NewDataset(ctx, df, DataSpec{Features: km.FeaturesCols})
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	m, err := km.FitDataset(ctx, ds)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FitDataset clusters ds's features (a label, if ds has one, is ignored). Errors: invalid
// parameters, K above the number of rows, fewer than K distinct rows, ctx's error when it
// is done.
func (km *KMeans) FitDataset(ctx context.Context, ds *Dataset) (*KMeansModel, error) {
	if err := km.validate(); err != nil {
		return nil, err
	}
	if int64(km.K) > ds.Rows {
		return nil, errs.Planf("KMeans: K is %d but the training data has only %d row%s", km.K, ds.Rows, plural(int(ds.Rows)))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := &kmFit{km: km, ds: ds, d: ds.NumFeatures()}
	if km.Standardization {
		if err := f.standardize(ctx); err != nil {
			return nil, err
		}
	}
	var best *KMeansModel
	for r := 0; r < km.Runs; r++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f.seed = uint64(km.Seed)
		if r > 0 {
			f.seed = kmMix64(uint64(km.Seed) ^ kmMix64(uint64(r)))
		}
		var centers []float64
		var err error
		if strings.ToLower(km.InitMode) == KMeansRandom {
			centers, err = f.sampleDistinct(ctx, km.K, streamRandomInit)
			if err == nil && len(centers) < km.K*f.d {
				err = kmTooFewDistinct(len(centers)/f.d, km.K)
			}
		} else {
			centers, err = f.initParallel(ctx)
		}
		if err != nil {
			return nil, err
		}
		m, err := f.lloyd(ctx, centers)
		if err != nil {
			return nil, err
		}
		if best == nil || m.cost < best.cost {
			best = m
		}
	}
	return best, nil
}

// kmFit is one fit's state.
type kmFit struct {
	km   *KMeans
	ds   *Dataset
	d    int
	seed uint64
	// iterations counts the Lloyd iterations of every run so far (the progress reports).
	iterations int
	// w are the per-feature distance weights 1/σ² (nil: plain Euclidean distance) and
	// scales the σ (Standardization).
	w, scales []float64
}

func kmTooFewDistinct(n, k int) error {
	return errs.Planf("KMeans: only %d distinct point%s for K = %d clusters", n, plural(n), k)
}

// Random streams: the round numbers of the counter-based generator (see kmRand).
const (
	streamFirstCenter = 0
	streamRandomInit  = 1 << 20
	// k-means|| rounds use streamRound + round (round from 1).
	streamRound = 1
)

// kmMix64 is SplitMix64's output function: a bijective mix of 64 bits.
func kmMix64(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// kmStreamBase is the start of the random stream of (seed, stream, partition).
func kmStreamBase(seed uint64, stream, partition int) uint64 {
	return kmMix64(seed^0x6a09e667f3bcc909) ^ kmMix64(uint64(stream)<<32^uint64(partition)+0x3c6ef372fe94f82b)
}

// kmRand is row's uniform number in [0, 1) of the stream starting at base (SplitMix64:
// the row-th step of a Weyl sequence, mixed), so that a row's number depends on its
// partition and position only, not on how the partition is cut into batches.
func kmRand(base, row uint64) float64 {
	return float64(kmMix64(base+(row+1)*0x9e3779b97f4a7c15)>>11) * (1.0 / (1 << 53))
}

// kmCols returns the first d columns of a cached batch (zero-copy).
func kmCols(b arrow.RecordBatch, d int) [][]float64 {
	x := make([][]float64, d)
	for j := range x {
		x[j] = b.Column(j).(*array.Float64).Float64Values()
	}
	return x
}

// kmScratch is a fold's per-batch scratch: the nearest center and its squared distance per
// row (idx, best: n values, what nearestCenters returns), and nearestCenters's working
// buffers. One goroutine uses it between kmGetScratch and kmScratchPool.Put; the buffers
// only grow, so a pooled scratch allocates nothing once it has seen the largest n, k and d.
type kmScratch struct {
	idx  []int32
	best []float64
	// The centers feature-major (d×k); in the shifted, scaled space row-major (k×d), with
	// their squared norms there and the largest norm rc.
	cf, ct, cn []float64
	rc         float64
	// The shift (the centers' mean) and the scales √w, d each.
	shift, scale []float64
	// One block of rows in that space, feature-major (d×kmBlockRows); the Gemm result for
	// a chunk of centers (kmCenterChunk×kmBlockRows, ‖c‖² − 2·x·c); per row of the block
	// the least and second least such value over the centers.
	xt, g, b1, b2 []float64
}

var kmScratchPool = sync.Pool{New: func() any { return new(kmScratch) }}

func kmGetScratch(n int) *kmScratch {
	s := kmScratchPool.Get().(*kmScratch)
	s.idx, s.best = kmGrow(s.idx, n), kmGrow(s.best, n)
	return s
}

// kmGrow returns buf resized to n, reallocated only when its capacity is short (the
// contents are then undefined).
func kmGrow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// The block shape of nearestCenters's matrix products. gonum's Dgemm runs serially when C
// has fewer than 4 blocks of 64×64 and starts goroutines otherwise; the folds calling
// nearestCenters already run one per core, so each product is kept to at most 64 centers
// by 192 rows (3 blocks). A block of 20 features (30 KiB) and its product stay in the
// core's L1/L2 caches.
const (
	kmBlockRows   = 192
	kmCenterChunk = 64
)

// kmNearMargin scales the rounding bound of nearestCenters's expansion (see there):
// 4·2⁻⁵², twice the sum of two centers' errors.
const kmNearMargin = 0x1p-50

// nearestCenters writes, for the n rows of the column-major x, the index of the nearest of
// the k centers (row-major k×d) into s.idx[:n] and the squared distance to it into
// s.best[:n]; w, when not nil, weighs feature j's squared difference. Ties go to the lower
// index. The results are exactly those of comparing each row's k distances summed
// feature by feature (Σ_j w_j·(x_j − c_j)², j ascending; kmNearestDirect).
//
// Method: in the space shifted by the centers' mean and scaled by √w (the same distances,
// but small norms when the data lies far from the origin), ‖x − c‖² = ‖x‖² + (‖c‖² −
// 2·x·c). For a block of kmBlockRows rows, the bracket is one blas64.Gemm per chunk of
// kmCenterChunk centers, and each row keeps the least and second least value. Each value
// is within (d+16)·2⁻⁵²·R² of the direct sum less ‖x‖² (R = ‖x‖ + the largest ‖c‖ in that
// space; the rounding of the shift and scaling, of the product and of the direct sum), and
// ‖x‖ ≤ ‖x − c*‖ + ‖c*‖ bounds R by the chosen center's distance. When the two least values
// differ by more than kmNearMargin·(d+16)·R², the least is the nearest center; otherwise
// (ties, near ties, overflow) the row's k distances are summed directly. The chosen
// center's distance is always summed directly.
//
// Cost: the product's n·k·d multiply-adds, O(n·(k+d)) more, O(k·d) per call, and O(k·d)
// per near-tie row. s's buffers are reused: no allocation once they are large enough.
func nearestCenters(x [][]float64, n int, centers []float64, k int, w []float64, s *kmScratch) {
	d := len(x)
	idx, best := s.idx[:n], s.best[:n]
	s.cf = kmGrow(s.cf, d*k)
	for c := 0; c < k; c++ {
		for j, v := range centers[c*d : (c+1)*d] {
			s.cf[j*k+c] = v
		}
	}
	fast := k > 1 && s.prepare(centers, k, d, w)
	margin := kmNearMargin * float64(d+16)
	tiny := float64(d+4) * 0x1p-1022 // the products' underflow
	for lo := 0; lo < n; lo += kmBlockRows {
		hi := min(lo+kmBlockRows, n)
		bi, bd := idx[lo:hi], best[lo:hi]
		switch {
		case fast:
			s.nearestBlock(x, lo, hi, k, bi)
		case k == 1:
			clear(bi)
		default:
			for i := range bi {
				bi[i], _ = kmNearestDirect(x, lo+i, centers, k, w)
			}
		}
		// The distance to the chosen center, summed as kmNearestDirect sums it; per
		// block, while its rows are in cache.
		clear(bd)
		for j, col := range x {
			col, cj := col[lo:hi], s.cf[j*k:(j+1)*k]
			bi, bd := bi[:len(col)], bd[:len(col)]
			if w == nil {
				for i, v := range col {
					t := v - cj[bi[i]]
					bd[i] += t * t
				}
			} else {
				wj := w[j]
				for i, v := range col {
					t := v - cj[bi[i]]
					bd[i] += wj * t * t
				}
			}
		}
		if !fast {
			continue
		}
		// R ≤ ‖x − c*‖ + 2·rc, with room for ‖x − c*‖'s rounding. R² overflowing to +Inf
		// (the direct sums may overflow too) sends the row to the direct comparison, as
		// does a gap that is not a number.
		for i, gap := range s.b2[:len(bi)] {
			r := 1.001 * (math.Sqrt(bd[i]) + 2*s.rc)
			if !(gap > margin*(r*r)+tiny) {
				bi[i], bd[i] = kmNearestDirect(x, lo+i, centers, k, w)
			}
		}
	}
}

// prepare sets s's shift, scales and transformed centers for nearestCenters, and sizes
// the block buffers; false when the transformed centers are not all finite (the caller
// then compares directly).
func (s *kmScratch) prepare(centers []float64, k, d int, w []float64) bool {
	s.shift, s.scale = kmGrow(s.shift, d), kmGrow(s.scale, d)
	s.ct, s.cn = kmGrow(s.ct, k*d), kmGrow(s.cn, k)
	s.xt, s.g = kmGrow(s.xt, d*kmBlockRows), kmGrow(s.g, kmCenterChunk*kmBlockRows)
	s.b1, s.b2 = kmGrow(s.b1, kmBlockRows), kmGrow(s.b2, kmBlockRows)
	clear(s.shift)
	for c := 0; c < k; c++ {
		for j, v := range centers[c*d : (c+1)*d] {
			s.shift[j] += v
		}
	}
	for j := range s.shift {
		s.shift[j] /= float64(k)
		s.scale[j] = 1
		if w != nil {
			s.scale[j] = math.Sqrt(w[j])
		}
	}
	cmax := 0.0
	for c := 0; c < k; c++ {
		var nn float64
		for j, v := range centers[c*d : (c+1)*d] {
			t := (v - s.shift[j]) * s.scale[j]
			s.ct[c*d+j] = t
			nn += t * t
		}
		if math.IsNaN(nn) || math.IsInf(nn, 0) {
			return false
		}
		s.cn[c], cmax = nn, max(cmax, nn)
	}
	s.rc = math.Sqrt(cmax)
	// A center equal to an earlier one never wins (ties go to the lower index): its
	// ‖c‖² of +Inf keeps it out of the least two values, which would otherwise tie for
	// every row nearest to it. O(k²) comparisons, most ending at the first feature.
	for c := 1; c < k; c++ {
		for e := 0; e < c; e++ {
			if slices.Equal(centers[c*d:(c+1)*d], centers[e*d:(e+1)*d]) {
				s.cn[c] = math.Inf(1)
				break
			}
		}
	}
	return true
}

// nearestBlock writes, for rows [lo, hi) of x, the center of least ‖c‖² − 2·x·c (in the
// prepared space; the lowest index on a tie) into idx[:hi-lo], and the gap from the least
// to the second least value into s.b2[:hi-lo] (+Inf when every other center repeats an
// earlier one; not a number when a value is not). k > 1.
func (s *kmScratch) nearestBlock(x [][]float64, lo, hi int, k int, idx []int32) {
	d, nb := len(x), hi-lo
	xt, b1, b2, idx := s.xt[:d*nb], s.b1[:nb], s.b2[:nb], idx[:nb]
	for j, col := range x {
		sh, sc := s.shift[j], s.scale[j]
		col = col[lo:hi]
		row := xt[j*nb : (j+1)*nb][:len(col)]
		for i, v := range col {
			row[i] = (v - sh) * sc
		}
	}
	for i := range b1 {
		b1[i], b2[i], idx[i] = math.Inf(1), math.Inf(1), 0
	}
	for c0 := 0; c0 < k; c0 += kmCenterChunk {
		kc := min(kmCenterChunk, k-c0)
		g := s.g[:kc*nb]
		for c := 0; c < kc; c++ {
			gr, cn := g[c*nb:(c+1)*nb], s.cn[c0+c]
			for i := range gr {
				gr[i] = cn
			}
		}
		// g = ‖c‖² − 2·C·Xᵀ: (kc×d)·(d×nb), serial (see kmBlockRows).
		blas64.Gemm(blas.NoTrans, blas.NoTrans, -2,
			blas64.General{Rows: kc, Cols: d, Stride: d, Data: s.ct[c0*d : (c0+kc)*d]},
			blas64.General{Rows: d, Cols: nb, Stride: nb, Data: xt},
			1, blas64.General{Rows: kc, Cols: nb, Stride: nb, Data: g})
		for c := 0; c < kc; c++ {
			ci := int32(c0 + c)
			// Branch-free, as the comparisons are unpredictable (idx by a conditional
			// move): a tie keeps the lower index and makes b1 = b2.
			for i, v := range g[c*nb : (c+1)*nb] {
				o, id := b1[i], idx[i]
				if v < o {
					id = ci
				}
				idx[i], b1[i], b2[i] = id, min(o, v), min(b2[i], max(o, v))
			}
		}
	}
	for i, v := range b1 {
		b2[i] -= v
	}
}

// kmNearestDirect is the index of the center nearest to row i of the column-major x and the
// (weighted) squared distance to it, each of the k distances summed feature by feature; the
// lower index on a tie. Cost: O(k·d).
func kmNearestDirect(x [][]float64, i int, centers []float64, k int, w []float64) (int32, float64) {
	d := len(x)
	var best float64
	bi := int32(0)
	for c := 0; c < k; c++ {
		cc := centers[c*d : (c+1)*d]
		var dd float64
		for j, col := range x {
			t := col[i] - cc[j]
			if w == nil {
				dd += t * t
			} else {
				dd += w[j] * t * t
			}
		}
		if c == 0 || dd < best {
			best, bi = dd, int32(c)
		}
	}
	return bi, best
}

// kmSqDist is the (weighted) squared distance of two points.
func kmSqDist(a, b, w []float64) float64 {
	var s float64
	if w == nil {
		for j, v := range a {
			t := v - b[j]
			s += t * t
		}
		return s
	}
	for j, v := range a {
		t := v - b[j]
		s += w[j] * t * t
	}
	return s
}

// standardize computes every feature's sample standard deviation in one aggregation
// (per-batch means and squared deviations, merged with Chan et al.'s formulas) and sets
// the distance weights 1/σ²; σ is 1 for a feature with no spread (as StandardScaler).
func (f *kmFit) standardize(ctx context.Context) error {
	d := f.d
	// State: n, then d means, then d sums of squared deviations (M2).
	merge := func(dst, src []float64) {
		na, nb := dst[0], src[0]
		if nb == 0 {
			return
		}
		if na == 0 {
			copy(dst, src)
			return
		}
		n := na + nb
		for j := 0; j < d; j++ {
			delta := src[1+j] - dst[1+j]
			dst[1+j] += delta * nb / n
			dst[1+d+j] += src[1+d+j] + delta*delta*na*nb/n
		}
		dst[0] = n
	}
	st, err := f.ds.Aggregate(ctx, make([]float64, 1+2*d), func(st []float64, b Batch) error {
		// The batch's own statistics, then merged into the partition's.
		part := make([]float64, 1+2*d)
		part[0] = float64(b.N)
		for j, col := range b.X {
			col = col[:b.N]
			var s float64
			for _, v := range col {
				s += v
			}
			mean := s / float64(b.N)
			var m2 float64
			for _, v := range col {
				t := v - mean
				m2 += t * t
			}
			part[1+j], part[1+d+j] = mean, m2
		}
		merge(st, part)
		return nil
	}, merge)
	if err != nil {
		return err
	}
	f.scales, f.w = make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		sd := 0.0
		if st[0] > 1 {
			sd = math.Sqrt(st[1+d+j] / (st[0] - 1))
		}
		if !(sd > 0) || math.IsInf(sd, 0) {
			sd = 1
		}
		f.scales[j], f.w[j] = sd, 1/(sd*sd)
	}
	return nil
}

// sampleDistinct picks up to n distinct rows uniformly at random in one aggregation: each
// row gets a random key (kmRand of the stream), and the state keeps the n distinct
// vectors with the smallest keys (a vector's key being the least of its copies' keys).
// Returns the points row-major, fewer than n only when the data has fewer distinct rows.
func (f *kmFit) sampleDistinct(ctx context.Context, n, stream int) ([]float64, error) {
	d := f.d
	slot := 1 + d
	// State: [0] rows seen in this partition (a partition's row counter), then n slots of
	// (key, x[0..d)); an empty slot's key is 2 (keys are below 1).
	init := make([]float64, 1+n*slot)
	for s := 0; s < n; s++ {
		init[1+s*slot] = 2
	}
	worst := func(st []float64) int {
		w := 0
		for s := 1; s < n; s++ {
			if st[1+s*slot] > st[1+w*slot] {
				w = s
			}
		}
		return w
	}
	// offer inserts the point get(j) with key into st's slots; w is the worst slot, and
	// the new worst is returned.
	offer := func(st []float64, key float64, get func(j int) float64, w int) int {
		for s := 0; s < n; s++ {
			sl := st[1+s*slot : 1+(s+1)*slot]
			if sl[0] >= 2 {
				continue
			}
			same := true
			for j := 0; j < d; j++ {
				if sl[1+j] != get(j) {
					same = false
					break
				}
			}
			if same {
				if key < sl[0] {
					sl[0] = key
					return worst(st)
				}
				return w
			}
		}
		sl := st[1+w*slot : 1+(w+1)*slot]
		sl[0] = key
		for j := 0; j < d; j++ {
			sl[1+j] = get(j)
		}
		return worst(st)
	}
	fold := func(pc *udf.PartitionContext, st []float64, b arrow.RecordBatch) error {
		if err := pc.Ctx.Err(); err != nil {
			return err
		}
		x := kmCols(b, d)
		rows := int(b.NumRows())
		base := kmStreamBase(f.seed, stream, pc.Partition)
		row0 := uint64(st[0])
		st[0] += float64(rows)
		w := worst(st)
		for i := 0; i < rows; i++ {
			key := kmRand(base, row0+uint64(i))
			if key >= st[1+w*slot] {
				continue
			}
			w = offer(st, key, func(j int) float64 { return x[j][i] }, w)
		}
		return nil
	}
	merge := func(dst, src []float64) {
		w := worst(dst)
		for s := 0; s < n; s++ {
			sl := src[1+s*slot : 1+(s+1)*slot]
			if sl[0] < dst[1+w*slot] {
				w = offer(dst, sl[0], func(j int) float64 { return sl[1+j] }, w)
			}
		}
	}
	st, err := f.ds.Frame().TreeAggregate(ctx, init, fold, merge)
	if err != nil {
		return nil, err
	}
	order := make([]int, 0, n)
	for s := 0; s < n; s++ {
		if st[1+s*slot] < 2 {
			order = append(order, s)
		}
	}
	sort.Slice(order, func(a, b int) bool { return st[1+order[a]*slot] < st[1+order[b]*slot] })
	out := make([]float64, 0, len(order)*d)
	for _, s := range order {
		out = append(out, st[2+s*slot:1+(s+1)*slot]...)
	}
	return out, nil
}

// cost returns Σ over the rows of the squared distance to the nearest of the points
// (row-major) in one aggregation.
func (f *kmFit) cost(ctx context.Context, points []float64) (float64, error) {
	k := len(points) / f.d
	st, err := f.ds.Aggregate(ctx, []float64{0}, func(st []float64, b Batch) error {
		s := kmGetScratch(b.N)
		defer kmScratchPool.Put(s)
		nearestCenters(b.X, b.N, points, k, f.w, s)
		var c float64
		for _, v := range s.best {
			c += v
		}
		st[0] += c
		return nil
	}, nil)
	if err != nil {
		return 0, err
	}
	return st[0], nil
}

// initParallel is k-means|| (see KMeans).
func (f *kmFit) initParallel(ctx context.Context) ([]float64, error) {
	d, k := f.d, f.km.K
	cands, err := f.sampleDistinct(ctx, 1, streamFirstCenter)
	if err != nil {
		return nil, err
	}
	// The sampling pass: a MapPartitions function emitting the sampled rows. It reads the
	// round's candidates, cost and stream from these variables, set before each Collect
	// (whose tasks start after the call and end before it returns).
	var (
		cur    []float64
		phi    float64
		stream int
	)
	fields := make([]arrow.Field, d)
	for j := range fields {
		fields[j] = arrow.Field{Name: "x" + strconv.Itoa(j), Type: arrow.PrimitiveTypes.Float64}
	}
	schema := arrow.NewSchema(fields, nil)
	sample := func(pc *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		m := len(cur) / d
		base := kmStreamBase(f.seed, stream, pc.Partition)
		var row uint64
		var builders []*array.Float64Builder
		defer func() {
			for _, b := range builders {
				b.Release()
			}
		}()
		picked := 0
		for {
			b, err := in.Next()
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			if err := pc.Ctx.Err(); err != nil {
				return err
			}
			n := int(b.NumRows())
			if n == 0 {
				continue
			}
			x := kmCols(b, d)
			s := kmGetScratch(n)
			nearestCenters(x, n, cur, m, f.w, s)
			for i, c := range s.best {
				if kmRand(base, row+uint64(i)) >= 2*float64(k)*c/phi {
					continue
				}
				if builders == nil {
					builders = make([]*array.Float64Builder, d)
					for j := range builders {
						builders[j] = array.NewFloat64Builder(pc.Mem)
					}
				}
				for j, bj := range builders {
					bj.Append(x[j][i])
				}
				picked++
			}
			kmScratchPool.Put(s)
			row += uint64(n)
		}
		if picked == 0 {
			return nil
		}
		cols := make([]arrow.Array, d)
		for j, bj := range builders {
			cols[j] = bj.NewArray()
		}
		rec := array.NewRecordBatch(schema, cols, int64(picked))
		for _, c := range cols {
			c.Release()
		}
		defer rec.Release()
		return out.Write(rec) // Write retains what it keeps
	}
	name := fmt.Sprintf("ml_kmeans_sample_%d", kmeansSeq.Add(1))
	s := f.ds.Session()
	if err := s.RegisterPartitionFunc(name, sample); err != nil {
		return nil, err
	}
	defer s.Functions().DropPartitionFunc(name)
	sampled := f.ds.Frame().MapPartitions(name, schema)

	distinct := func() int { return len(kmDedupe(cands, d)) / d }
	for round := 1; ; round++ {
		if round > f.km.InitSteps && distinct() >= k {
			break
		}
		if round > f.km.InitSteps+kmMaxExtraRounds {
			return nil, errs.Execf("KMeans: k-means|| found only %d distinct candidates for K = %d clusters in %d rounds", distinct(), k, round-1)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := f.cost(ctx, cands)
		if err != nil {
			return nil, err
		}
		if c == 0 { // every row is a candidate
			if n := distinct(); n < k {
				return nil, kmTooFewDistinct(n, k)
			}
			break
		}
		cur, phi, stream = cands, c, streamRound+round
		batches, err := sampled.Collect(ctx)
		if err != nil {
			return nil, err
		}
		// The batches are ours: copy the rows out and release them. The new points are
		// sorted (by their values), so that their order does not depend on the order in
		// which the partitions' batches arrived.
		var picked [][]float64
		for _, b := range batches {
			x := kmCols(b, d)
			for i := 0; i < int(b.NumRows()); i++ {
				p := make([]float64, d)
				for j := range p {
					p[j] = x[j][i]
				}
				picked = append(picked, p)
			}
			b.Release()
		}
		slices.SortFunc(picked, slices.Compare[[]float64])
		grown := append([]float64(nil), cands...)
		for _, p := range picked {
			grown = append(grown, p...)
		}
		cands = grown
	}
	cands = kmDedupe(cands, d)
	m := len(cands) / d
	if m == k {
		return cands, nil
	}
	// Weigh each candidate by the number of rows nearest to it.
	weights, err := f.ds.Aggregate(ctx, make([]float64, m), func(st []float64, b Batch) error {
		s := kmGetScratch(b.N)
		defer kmScratchPool.Put(s)
		nearestCenters(b.X, b.N, cands, m, f.w, s)
		for _, c := range s.idx {
			st[c]++
		}
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(f.seed, 0x5851f42d4c957f2d))
	var best []float64
	bestCost := math.Inf(1)
	for t := 0; t < kmLocalTrials; t++ {
		c, cost := localKMeans(rng, cands, weights, d, k, f.w, kmLocalIterations, kmLocalTries(k))
		if cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best, nil
}

// kmDedupe returns the distinct points (row-major, d values each) in first-seen order.
func kmDedupe(points []float64, d int) []float64 {
	seen := make(map[string]bool, len(points)/d)
	out := make([]float64, 0, len(points))
	key := make([]byte, 8*d)
	for p := 0; p < len(points); p += d {
		for j, v := range points[p : p+d] {
			if v == 0 {
				v = 0 // -0 and 0 are the same point
			}
			bits := math.Float64bits(v)
			for b := 0; b < 8; b++ {
				key[8*j+b] = byte(bits >> (8 * b))
			}
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		out = append(out, points[p:p+d]...)
	}
	return out
}

// localKMeans picks k centers among the m weighted points (row-major; m > k, every
// weight ≥ 0, some > 0) by k-means++ seeding and up to iters weighted Lloyd iterations
// (Spark's LocalKMeans), and returns them with their weighted cost. The seeding is greedy
// as scikit-learn's: each next center is the best (lowest resulting weighted cost) of
// tries points drawn with probability proportional to weight × squared distance to the
// centers so far (tries 1 is Spark's plain k-means++). An empty cluster takes a random
// point. Cost: O(tries·m·k·d + iters·m·k·d).
func localKMeans(rng *rand.Rand, points, weights []float64, d, k int, w []float64, iters, tries int) ([]float64, float64) {
	m := len(points) / d
	pt := func(i int) []float64 { return points[i*d : (i+1)*d] }
	// draw picks a point with probability proportional to weights[i]·cost[i] (cost nil:
	// to the weight alone); -1 when every such product is 0.
	draw := func(cost []float64) int {
		var sum float64
		for i, v := range weights {
			if cost != nil {
				v *= cost[i]
			}
			sum += v
		}
		r := rng.Float64() * sum
		pick := -1
		var cum float64
		for i, v := range weights {
			if cost != nil {
				v *= cost[i]
			}
			if v == 0 {
				continue
			}
			pick = i
			if cum += v; cum > r {
				break
			}
		}
		return pick
	}
	centers := make([]float64, k*d)
	first := draw(nil)
	if first < 0 {
		first = rng.IntN(m)
	}
	copy(centers, pt(first))
	cost := make([]float64, m)
	for i := range cost {
		cost[i] = kmSqDist(pt(i), centers[:d], w)
	}
	trial, bestTrial := make([]float64, m), make([]float64, m)
	for c := 1; c < k; c++ {
		pick, pickCost := -1, math.Inf(1)
		for t := 0; t < tries; t++ {
			cand := draw(cost)
			if cand < 0 { // no weighted point left away from the centers
				cand = rng.IntN(m)
			}
			var total float64
			for i := range trial {
				trial[i] = min(cost[i], kmSqDist(pt(i), pt(cand), w))
				total += weights[i] * trial[i]
			}
			if total < pickCost {
				pick, pickCost = cand, total
				trial, bestTrial = bestTrial, trial
			}
		}
		copy(centers[c*d:(c+1)*d], pt(pick))
		cost, bestTrial = bestTrial, cost
	}
	// Weighted Lloyd.
	closest := make([]int, m)
	for i := range closest {
		closest[i] = -1
	}
	sums := make([]float64, k*d)
	counts := make([]float64, k)
	assign := func() (moved bool, total float64) {
		clear(sums)
		clear(counts)
		for i := 0; i < m; i++ {
			p := pt(i)
			best, bestD := 0, math.Inf(1)
			for c := 0; c < k; c++ {
				if dd := kmSqDist(p, centers[c*d:(c+1)*d], w); dd < bestD {
					best, bestD = c, dd
				}
			}
			for j, v := range p {
				sums[best*d+j] += weights[i] * v
			}
			counts[best] += weights[i]
			total += weights[i] * bestD
			if best != closest[i] {
				moved, closest[i] = true, best
			}
		}
		return moved, total
	}
	for it := 0; it < iters; it++ {
		if moved, _ := assign(); !moved {
			break
		}
		for c := 0; c < k; c++ {
			cc := centers[c*d : (c+1)*d]
			if counts[c] == 0 {
				copy(cc, pt(rng.IntN(m)))
				continue
			}
			for j := range cc {
				cc[j] = sums[c*d+j] / counts[c]
			}
		}
	}
	_, total := assign()
	return centers, total
}

// lloyd runs the Lloyd iterations from the initial centers (row-major K×d).
func (f *kmFit) lloyd(ctx context.Context, centers []float64) (*KMeansModel, error) {
	d, k := f.d, f.km.K
	// The fold reads cur, set by the driver before each Run.
	cur := centers
	// State: K·d sums, K counts, the cost.
	agg, err := f.ds.NewAggregator(make([]float64, k*d+k+1), func(st []float64, b Batch) error {
		s := kmGetScratch(b.N)
		defer kmScratchPool.Put(s)
		nearestCenters(b.X, b.N, cur, k, f.w, s)
		sums, counts := st[:k*d], st[k*d:k*d+k]
		for j, col := range b.X {
			col = col[:b.N]
			for i, v := range col {
				sums[int(s.idx[i])*d+j] += v
			}
		}
		var c float64
		for i, v := range s.best {
			counts[s.idx[i]]++
			c += v
		}
		st[k*d+k] += c
		return nil
	}, nil)
	if err != nil {
		return nil, err
	}
	defer agg.Close()
	iter := 0
	var cost float64
	converged := false
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err := agg.Run(ctx)
		if err != nil {
			return nil, err
		}
		cost = st[k*d+k] // at cur
		if converged || iter >= f.km.MaxIter {
			break
		}
		next := make([]float64, k*d)
		maxMove := 0.0
		for c := 0; c < k; c++ {
			nc, oc := next[c*d:(c+1)*d], cur[c*d:(c+1)*d]
			n := st[k*d+c]
			if n == 0 { // an empty cluster keeps its center
				copy(nc, oc)
				continue
			}
			for j := range nc {
				nc[j] = st[c*d+j] / n
			}
			maxMove = max(maxMove, math.Sqrt(kmSqDist(nc, oc, nil)))
		}
		cur = next
		iter++
		f.iterations++
		ReportProgress(ctx, f.iterations, cost)
		if maxMove == 0 { // nothing moved: cost is the cost at cur already
			break
		}
		// Converged: one more pass for the cost at the final centers.
		converged = maxMove <= f.km.Tol
	}
	m := &KMeansModel{k: k, d: d, centers: cur, cost: cost, iterations: iter,
		featureNames: append([]string(nil), f.ds.Features...)}
	m.setScales(f.scales)
	m.classes = clusterClasses(k)
	return m, nil
}

func clusterClasses(k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// KMeansModel is a fitted k-means clustering: K centers, and for each row the nearest one
// (0-based cluster ids, as Spark and scikit-learn). As a udf.Model it is a classifier whose
// classes are "0" .. "K-1", so that ml_predict returns the cluster id as a BIGINT; it has
// no class probabilities. It is immutable and safe for concurrent use.
//
// Its file, the ember-kmeans format version 1:
//
//	{"format": "ember-kmeans", "version": 1,
//	 "feature_names": [...],           // optional: one per feature
//	 "centers": [[...], ...],          // K ≥ 1 centers of d ≥ 1 values each
//	 "feature_scales": [...],          // optional: d values > 0; distances are then
//	                                   // Σ ((x_j − c_j) / scale_j)² (standardize_features)
//	 "training_cost": 123.4,           // optional: the inertia at the end of training
//	 "iterations": 7}                  // optional: the Lloyd iterations run
type KMeansModel struct {
	centers      []float64 // k×d, row-major
	k, d         int
	scales       []float64 // nil, or per-feature σ
	w            []float64 // 1/σ², nil without scales
	featureNames []string
	classes      []string
	cost         float64
	iterations   int
}

func (m *KMeansModel) setScales(scales []float64) {
	if scales == nil {
		return
	}
	m.scales = append([]float64(nil), scales...)
	m.w = make([]float64, len(scales))
	for j, s := range scales {
		m.w[j] = 1 / (s * s)
	}
}

// Centers returns a copy of the centers, K rows of d values.
func (m *KMeansModel) Centers() [][]float64 {
	out := make([][]float64, m.k)
	for c := range out {
		out[c] = append([]float64(nil), m.centers[c*m.d:(c+1)*m.d]...)
	}
	return out
}

// K is the number of clusters.
func (m *KMeansModel) K() int { return m.k }

// Cost is the training cost: Σ over the training rows of the squared distance to the
// nearest center (scikit-learn's inertia_), at the final centers; NaN for a model loaded
// from a file that does not say.
func (m *KMeansModel) Cost() float64 { return m.cost }

// TrainingCost is Cost (Spark's KMeansSummary.trainingCost).
func (m *KMeansModel) TrainingCost() float64 { return m.cost }

// Iterations is the number of Lloyd iterations training ran.
func (m *KMeansModel) Iterations() int { return m.iterations }

// FeatureScales are the standard deviations distances are measured in (nil when the
// features were not standardized).
func (m *KMeansModel) FeatureScales() []float64 { return append([]float64(nil), m.scales...) }

// Kind returns "kmeans".
func (m *KMeansModel) Kind() string { return "kmeans" }

// NumFeatures is d.
func (m *KMeansModel) NumFeatures() int { return m.d }

// FeatureNames are the training features' names (nil when the file has none).
func (m *KMeansModel) FeatureNames() []string { return m.featureNames }

// Task is Classification: the prediction is a cluster id.
func (m *KMeansModel) Task() udf.ModelTask { return udf.Classification }

// Classes are "0" .. "K-1".
func (m *KMeansModel) Classes() []string { return m.classes }

// Predict writes each row's nearest center's index (the lower index on a tie); a row with
// a NaN feature gets NaN (NULL in SQL). Cost: O(rows·K·d).
func (m *KMeansModel) Predict(ctx context.Context, features []float32, rows int, out []float64) error {
	if err := checkPredictArgs("kmeans", features, rows, m.d, out, 1); err != nil {
		return err
	}
	x := make([]float64, m.d)
	for r := 0; r < rows; r++ {
		if r%cancelEvery == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		nan := false
		for j, v := range features[r*m.d : (r+1)*m.d] {
			x[j] = float64(v)
			nan = nan || v != v
		}
		if nan {
			out[r] = math.NaN()
			continue
		}
		out[r] = float64(m.nearest(x))
	}
	return nil
}

// nearest is the index of the center nearest to x.
func (m *KMeansModel) nearest(x []float64) int {
	best, bestD := 0, math.Inf(1)
	for c := 0; c < m.k; c++ {
		if dd := kmSqDist(x, m.centers[c*m.d:(c+1)*m.d], m.w); dd < bestD {
			best, bestD = c, dd
		}
	}
	return best
}

// PredictProba returns an error: k-means has no class probabilities.
func (m *KMeansModel) PredictProba(context.Context, []float32, int, []float64) error {
	return errs.Execf("a kmeans model has no class probabilities; ml_predict gives the cluster")
}

// Transform adds a "prediction" column (BIGINT cluster id) computed from the columns named
// like the model's features.
func (m *KMeansModel) Transform(df *dataframe.DataFrame) *dataframe.DataFrame {
	if m.featureNames == nil {
		return df.WithError(errs.Planf("kmeans model: Transform needs the model's feature names, and this model has none"))
	}
	return modelTransform(df, m, m.featureNames, "prediction", "")
}

// ComputeCost returns Σ over ds's rows of the squared distance to the nearest center (in
// the model's metric), in one aggregation. ds must have the model's number of features.
func (m *KMeansModel) ComputeCost(ctx context.Context, ds *Dataset) (float64, error) {
	if ds.NumFeatures() != m.d {
		return 0, errs.Planf("kmeans model: the data has %d features, the model %d", ds.NumFeatures(), m.d)
	}
	f := &kmFit{ds: ds, d: m.d, w: m.w}
	return f.cost(ctx, m.centers)
}

type kmeansDoc struct {
	Format        string        `json:"format"`
	Version       int           `json:"version"`
	FeatureNames  []string      `json:"feature_names,omitempty"`
	Centers       [][]jsonFloat `json:"centers"`
	FeatureScales []jsonFloat   `json:"feature_scales,omitempty"`
	TrainingCost  *jsonFloat    `json:"training_cost,omitempty"`
	Iterations    *jsonInt      `json:"iterations,omitempty"`
}

// MarshalJSON writes the ember-kmeans format (see KMeansModel).
func (m *KMeansModel) MarshalJSON() ([]byte, error) {
	doc := struct {
		Format        string      `json:"format"`
		Version       int         `json:"version"`
		FeatureNames  []string    `json:"feature_names,omitempty"`
		Centers       [][]float64 `json:"centers"`
		FeatureScales []float64   `json:"feature_scales,omitempty"`
		TrainingCost  *float64    `json:"training_cost,omitempty"`
		Iterations    int         `json:"iterations"`
	}{Format: "ember-kmeans", Version: 1, FeatureNames: m.featureNames, Centers: m.Centers(),
		FeatureScales: m.scales, Iterations: m.iterations}
	if !math.IsNaN(m.cost) && !math.IsInf(m.cost, 0) {
		c := m.cost
		doc.TrainingCost = &c
	}
	return json.Marshal(doc)
}

func kmeansErr(format string, args ...any) error {
	return errs.Execf("kmeans model: "+format, args...)
}

// LoadKMeans reads a model in the ember-kmeans format (see KMeansModel). Errors: an
// execution error naming what is wrong (invalid JSON, another format, unknown fields, no
// centers, centers of different lengths, non-finite values, feature_names or
// feature_scales of the wrong length, a scale ≤ 0); a not-implemented error for a later
// version. It never panics.
func LoadKMeans(data []byte) (*KMeansModel, error) {
	var probe struct {
		Format  *string         `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "kmeans model: invalid JSON")
	}
	switch {
	case probe.Format == nil:
		return nil, kmeansErr(`missing "format": not an ember-kmeans model`)
	case *probe.Format != "ember-kmeans":
		return nil, kmeansErr(`format is %q, want "ember-kmeans"`, *probe.Format)
	case probe.Version == nil:
		return nil, kmeansErr(`missing "version"`)
	}
	var version int
	if err := json.Unmarshal(probe.Version, &version); err != nil {
		return nil, kmeansErr(`"version" is %.20s, want an integer`, probe.Version)
	}
	if version != 1 {
		return nil, errs.NotImplementedf("kmeans model: format version %d (this Ember reads version 1)", version)
	}
	var doc kmeansDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "kmeans model")
	}
	if len(doc.Centers) == 0 {
		return nil, kmeansErr(`no "centers"`)
	}
	d := len(doc.Centers[0])
	if d == 0 {
		return nil, kmeansErr("centers[0] is empty")
	}
	m := &KMeansModel{k: len(doc.Centers), d: d, centers: make([]float64, 0, len(doc.Centers)*d), cost: math.NaN()}
	for c, row := range doc.Centers {
		if len(row) != d {
			return nil, kmeansErr("centers[%d] has %d values, centers[0] has %d", c, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, kmeansErr("centers[%d][%d] is not a finite number", c, j)
			}
			m.centers = append(m.centers, float64(v))
		}
	}
	if doc.FeatureNames != nil {
		if len(doc.FeatureNames) != d {
			return nil, kmeansErr("%d feature_names for %d features", len(doc.FeatureNames), d)
		}
		m.featureNames = doc.FeatureNames
	}
	if doc.FeatureScales != nil {
		if len(doc.FeatureScales) != d {
			return nil, kmeansErr("%d feature_scales for %d features", len(doc.FeatureScales), d)
		}
		scales := make([]float64, d)
		for j, v := range doc.FeatureScales {
			if !(v > 0) || math.IsInf(float64(v), 0) {
				return nil, kmeansErr("feature_scales[%d] is %g, want a finite number > 0", j, float64(v))
			}
			scales[j] = float64(v)
		}
		m.setScales(scales)
	}
	if doc.TrainingCost != nil {
		m.cost = float64(*doc.TrainingCost)
	}
	if doc.Iterations != nil {
		if *doc.Iterations < 0 {
			return nil, kmeansErr("iterations is %d, want ≥ 0", int64(*doc.Iterations))
		}
		m.iterations = int(*doc.Iterations)
	}
	m.classes = clusterClasses(m.k)
	return m, nil
}

// kmeansTrainer is CREATE MODEL's model_type 'kmeans'.
type kmeansTrainer struct{ est *KMeans }

// newKMeansTrainer reads BigQuery ML's kmeans options: num_clusters (required, ≥ 2),
// max_iterations (20), tol (1e-4: the largest center move that stops the iterations),
// kmeans_init_method ('kmeans++', Ember's k-means||, or 'random'), init_steps (2), seed
// (1, so that a statement trains the same model every time), distance_type ('euclidean'
// only) and standardize_features (false).
func newKMeansTrainer(o *Options) (Trainer, error) {
	if !o.Has("num_clusters") {
		return nil, errs.Planf("model_type 'kmeans' needs the option num_clusters (the number of clusters, at least 2)")
	}
	est := NewKMeans()
	var err error
	if est.K, err = o.Int("num_clusters", 0, 2); err != nil {
		return nil, err
	}
	if est.MaxIter, err = o.Int("max_iterations", 20, 1); err != nil {
		return nil, err
	}
	if est.Tol, err = o.Float("tol", 1e-4, 0); err != nil {
		return nil, err
	}
	init, err := o.Choice("kmeans_init_method", "kmeans++", "kmeans++", "random")
	if err != nil {
		return nil, err
	}
	if init == "random" {
		est.InitMode = KMeansRandom
	}
	if est.InitSteps, err = o.Int("init_steps", 2, 1); err != nil {
		return nil, err
	}
	seed, err := o.Int("seed", 1, math.MinInt)
	if err != nil {
		return nil, err
	}
	est.Seed = int64(seed)
	dist, err := o.String("distance_type", "euclidean")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(dist, "euclidean") {
		return nil, errs.NotImplementedf("option distance_type %q is not supported: kmeans measures euclidean distance only", dist)
	}
	if est.Standardization, err = o.Bool("standardize_features", false); err != nil {
		return nil, err
	}
	return &kmeansTrainer{est: est}, nil
}

// Needs: no label.
func (t *kmeansTrainer) Needs() DataNeeds { return DataNeeds{} }

// Fit clusters ds.
func (t *kmeansTrainer) Fit(ctx context.Context, ds *Dataset) (TrainedModel, error) {
	if int64(t.est.K) > ds.Rows {
		return nil, errs.Planf("option num_clusters is %d but the training data has only %d row%s", t.est.K, ds.Rows, plural(int(ds.Rows)))
	}
	m, err := t.est.FitDataset(ctx, ds)
	if err != nil {
		return nil, err
	}
	return m, nil
}
