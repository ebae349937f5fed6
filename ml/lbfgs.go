package ml

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// minimizeLBFGS minimizes a smooth objective f from x (overwritten with the result) with
// gonum's L-BFGS (optimize.LBFGS, owlqnMemory correction pairs, More-Thuente line search),
// the method of Spark ML's L2-regularized and unregularized logistic regression. eval
// writes f's gradient at x into grad and returns f(x); it runs one pass over the data, so
// a value and a gradient asked at the same point share one call. conv decides when to
// stop (Spark's rule, owlqn.go) after each major iteration and records the objective.
// Returns eval's error, or conv's (ctx done).
func minimizeLBFGS(x []float64, eval func(x, grad []float64) (float64, error), conv *convergence) error {
	n := len(x)
	var (
		evalErr error
		lastX   []float64
		lastF   float64
		lastG   = make([]float64, n)
	)
	at := func(p []float64) (float64, []float64) {
		if lastX != nil && floats.Equal(lastX, p) {
			return lastF, lastG
		}
		if evalErr != nil {
			return math.NaN(), lastG
		}
		f, err := eval(p, lastG)
		if err != nil {
			evalErr = err
			return math.NaN(), lastG
		}
		lastX, lastF = append(lastX[:0], p...), f
		return f, lastG
	}
	f0, g0 := at(x)
	if evalErr != nil {
		return evalErr
	}
	if stop, err := conv.record(f0, floats.Norm(g0, 2)); stop || err != nil {
		return err
	}
	problem := optimize.Problem{
		Func: func(p []float64) float64 { f, _ := at(p); return f },
		Grad: func(grad, p []float64) { _, g := at(p); copy(grad, g) },
	}
	rec := &lbfgsRecorder{conv: conv}
	settings := &optimize.Settings{
		Converger: optimize.NeverTerminate{}, // conv decides
		Recorder:  rec,
		// gonum's own gradient test would stop before Spark's rule does; conv applies it.
		GradientThreshold: math.SmallestNonzeroFloat64,
	}
	res, err := optimize.Minimize(problem, x, settings, &optimize.LBFGS{Store: owlqnMemory})
	if evalErr != nil {
		return evalErr
	}
	if rec.err != nil {
		return rec.err
	}
	if res == nil {
		return err
	}
	// A failed line search ends at the best point found, as Breeze counts it converged.
	if err != nil && !errors.Is(err, errLBFGSStop) && res.Status == optimize.NotTerminated {
		return err
	}
	copy(x, res.X)
	return nil
}

// errLBFGSStop is how lbfgsRecorder stops gonum's Minimize when conv says to.
var errLBFGSStop = errors.New("converged")

// lbfgsRecorder applies conv after each major iteration of gonum's optimizer.
type lbfgsRecorder struct {
	conv *convergence
	err  error
}

func (r *lbfgsRecorder) Init() error { return nil }

func (r *lbfgsRecorder) Record(loc *optimize.Location, op optimize.Operation, _ *optimize.Stats) error {
	if op != optimize.MajorIteration {
		return nil
	}
	stop, err := r.conv.record(loc.F, floats.Norm(loc.Gradient, 2))
	if err != nil {
		r.err = err
		return err
	}
	if stop {
		return errLBFGSStop
	}
	return nil
}
