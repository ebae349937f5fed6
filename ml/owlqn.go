package ml

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"
)

// The optimizers' shared stopping rule, and OWL-QN for L1-penalized objectives.

// convergence is the stopping rule of Spark ML's optimizers (Breeze's
// FirstOrderMinimizer.defaultConvergenceCheck), applied after every iteration: stop when
//
//   - maxIter iterations are done;
//   - the objective fell by at most tol·|f₀| over the last 20 iterations (fvalWindow values,
//     so this needs 20 iterations of history; f₀ is the starting objective);
//   - the (pseudo-)gradient's Euclidean norm is at most max(tol·|f|, 1e-8);
//
// or when ctx is done (with ctx's error). It records the objective history (Spark's
// training summary) and reports every iteration with ReportProgress.
type convergence struct {
	ctx     context.Context
	tol     float64
	maxIter int
	// history holds the objective at the start ([0]) and after each iteration.
	history []float64
}

// fvalWindow is Breeze's fvalMemory: how many recent objective values the function-value
// test compares.
const fvalWindow = 20

// gradFloor is Breeze's floor under the gradient-norm test.
const gradFloor = 1e-8

// record adds the objective f (after an iteration, or at the start) with the norm of its
// gradient, and says whether to stop. An error is ctx's, when it is done.
func (c *convergence) record(f, gradNorm float64) (stop bool, err error) {
	c.history = append(c.history, f)
	iter := len(c.history) - 1
	ReportProgress(c.ctx, iter, f)
	if err := c.ctx.Err(); err != nil {
		return true, err
	}
	if iter >= c.maxIter {
		return true, nil
	}
	if gradNorm <= math.Max(c.tol*math.Abs(f), gradFloor) {
		return true, nil
	}
	if len(c.history) > fvalWindow {
		window := c.history[len(c.history)-fvalWindow:]
		if math.Abs(f-floats.Max(window)) <= c.tol*math.Abs(c.history[0]) {
			return true, nil
		}
	}
	return false, nil
}

// iterations is the number of iterations run.
func (c *convergence) iterations() int { return max(len(c.history)-1, 0) }

// owlqnMemory is the number of correction pairs OWL-QN keeps (Spark's LogisticRegression
// uses 10 with Breeze's OWLQN and LBFGS).
const owlqnMemory = 10

// owlqnMaxBacktracks bounds the line search: after this many halvings the search has
// failed, and the optimizer stops at the current point (Breeze counts a failed search as
// convergence).
const owlqnMaxBacktracks = 60

// minimizeOWLQN minimizes F(x) = f(x) + Σ_i l1[i]·|x_i| from x (overwritten with the
// result) by the Orthant-Wise Limited-memory Quasi-Newton method (Andrew and Gao, "Scalable
// training of L1-regularized log-linear models", ICML 2007), the method of Spark ML's
// elastic-net logistic regression (Breeze's OWLQN). eval writes f's gradient at x into grad
// and returns f(x) (f smooth: the loss and any L2 term); l1[i] ≥ 0 weighs coordinate i (0
// for an unpenalized one, such as an intercept). conv decides when to stop and records the
// objective F. With every l1[i] = 0 this is plain L-BFGS with a backtracking line search,
// (minimizeLBFGS, gonum's, is what smooth objectives use).
//
// Why not gonum: gonum's optimize (v0.17.0) has L-BFGS, BFGS, CG, Newton and Nelder-Mead,
// all for smooth objectives, and no OWL-QN or other method for an L1 term (its Method
// interface cannot express the orthant projection of the line search). Smooth objectives
// use gonum's L-BFGS (minimizeLBFGS, lbfgs.go); this runs only with an L1 term.
//
// Each iteration: the pseudo-gradient ◇F (F's steepest-descent direction, reversed); the
// direction d = −H·◇F from the L-BFGS two-loop recursion over the last owlqnMemory pairs
// (s = x' − x, y = ∇f(x') − ∇f(x): f's gradients, the L1 term is not in them), with the
// penalized components whose sign disagrees with −◇F zeroed; the orthant ξ of the penalized
// components (sign of x, or of −◇F where x is 0); a backtracking line search on
// x(α) = π(x + α·d; ξ), where π zeroes the penalized components that leave the orthant,
// accepting the first α (1, halved; 1/‖d‖ at the first iteration) with
// F(x(α)) ≤ F(x) + 1e-4·◇Fᵀ(x(α) − x). Pairs with sᵀy ≤ 0 are dropped. One eval per trial
// point. Unpenalized coordinates are unconstrained (Breeze constrains every coordinate).
// Returns eval's error, or conv's (ctx done).
func minimizeOWLQN(x []float64, l1 []float64, eval func(x, grad []float64) (float64, error), conv *convergence) error {
	n := len(x)
	l1norm := func(v []float64) float64 {
		s := 0.0
		for i, c := range l1 {
			s += c * math.Abs(v[i])
		}
		return s
	}
	grad := make([]float64, n)
	f, err := eval(x, grad)
	if err != nil {
		return err
	}
	obj := f + l1norm(x)
	pg := make([]float64, n)
	pseudoGradient(pg, x, grad, l1)
	if stop, err := conv.record(obj, floats.Norm(pg, 2)); stop || err != nil {
		return err
	}

	var (
		sHist, yHist [][]float64 // correction pairs, oldest first
		rho          []float64   // 1/(sᵀy) of each pair
		alpha        = make([]float64, owlqnMemory)
		dir          = make([]float64, n)
		orthant      = make([]float64, n)
		xNew         = make([]float64, n)
		gradNew      = make([]float64, n)
		step         = make([]float64, n)
	)
	for {
		// d = −H·◇F by the two-loop recursion (H the identity scaled by sᵀy/yᵀy of the
		// newest pair; the identity when there is none).
		copy(dir, pg)
		for i := len(sHist) - 1; i >= 0; i-- {
			alpha[i] = rho[i] * floats.Dot(sHist[i], dir)
			floats.AddScaled(dir, -alpha[i], yHist[i])
		}
		if k := len(sHist) - 1; k >= 0 {
			floats.Scale(floats.Dot(sHist[k], yHist[k])/floats.Dot(yHist[k], yHist[k]), dir)
		}
		for i := range sHist {
			beta := rho[i] * floats.Dot(yHist[i], dir)
			floats.AddScaled(dir, alpha[i]-beta, sHist[i])
		}
		floats.Scale(-1, dir)
		// Keep the penalized components of d in the descent orthant of −◇F.
		for i, c := range l1 {
			if c > 0 && dir[i]*pg[i] >= 0 {
				dir[i] = 0
			}
		}
		deriv := floats.Dot(dir, pg)
		if !(deriv < 0) {
			if len(sHist) == 0 {
				return nil // ◇F = 0: a minimum
			}
			// The quasi-Newton model went wrong: restart from steepest descent.
			sHist, yHist, rho = sHist[:0], yHist[:0], rho[:0]
			continue
		}
		for i, v := range x {
			switch {
			case l1[i] == 0:
				orthant[i] = 0 // unconstrained
			case v > 0:
				orthant[i] = 1
			case v < 0:
				orthant[i] = -1
			default:
				orthant[i] = -math.Copysign(1, pg[i])
				if pg[i] == 0 {
					orthant[i] = 0
				}
			}
		}
		a := 1.0
		if len(sHist) == 0 {
			a = 1 / floats.Norm(dir, 2)
		}
		accepted := false
		var fNew, objNew float64
		for range owlqnMaxBacktracks {
			for i := range xNew {
				v := x[i] + a*dir[i]
				if l1[i] > 0 && v*orthant[i] <= 0 {
					v = 0
				}
				xNew[i] = v
			}
			if fNew, err = eval(xNew, gradNew); err != nil {
				return err
			}
			objNew = fNew + l1norm(xNew)
			floats.SubTo(step, xNew, x)
			if objNew <= obj+1e-4*floats.Dot(pg, step) {
				accepted = true
				break
			}
			a /= 2
		}
		if !accepted {
			return nil // the search failed: stop at x (Breeze's searchFailed)
		}
		// The new correction pair, kept when the curvature sᵀy is positive.
		s, y := step, make([]float64, n)
		floats.SubTo(y, gradNew, grad)
		if sy := floats.Dot(s, y); sy > 0 {
			if len(sHist) == owlqnMemory {
				sHist, yHist, rho = sHist[1:], yHist[1:], rho[1:]
			}
			sHist = append(sHist, append([]float64(nil), s...))
			yHist = append(yHist, y)
			rho = append(rho, 1/sy)
		}
		copy(x, xNew)
		copy(grad, gradNew)
		obj = objNew
		pseudoGradient(pg, x, grad, l1)
		if stop, err := conv.record(obj, floats.Norm(pg, 2)); stop || err != nil {
			return err
		}
	}
}

// pseudoGradient writes the pseudo-gradient of f + Σ l1[i]|x_i| at x into pg, given f's
// gradient g: the gradient where x_i ≠ 0, and at x_i = 0 the one-sided derivative that
// points downhill, or 0 when neither does.
func pseudoGradient(pg, x, g, l1 []float64) {
	for i, v := range x {
		c := l1[i]
		switch {
		case c == 0:
			pg[i] = g[i]
		case v > 0:
			pg[i] = g[i] + c
		case v < 0:
			pg[i] = g[i] - c
		case g[i]+c < 0:
			pg[i] = g[i] + c
		case g[i]-c > 0:
			pg[i] = g[i] - c
		default:
			pg[i] = 0
		}
	}
}
