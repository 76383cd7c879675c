package logit

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Model is a fitted logistic regression: P(y = 1 | x) = σ(x·Coef + Intercept).
type Model struct {
	Coef      []float64 `json:"coef"`
	Intercept float64   `json:"intercept"`
	// C is the inverse regularisation strength the model was fitted with.
	C float64 `json:"c"`
	// Iterations and Evaluations are the optimiser's major iterations and
	// function evaluations; GradNorm the largest gradient component at the
	// end (of the objective in the package doc).
	Iterations  int     `json:"iterations"`
	Evaluations int     `json:"evaluations"`
	GradNorm    float64 `json:"grad_norm"`
}

// Settings configure Fit. Zero values take the defaults.
type Settings struct {
	// C is the inverse of the L2 regularisation strength (default 1), as in
	// scikit-learn; it must be positive.
	C float64
	// MaxIter bounds the optimiser's major iterations (default 1000).
	MaxIter int
	// GradTol stops when every gradient component is below it (default 1e-10).
	GradTol float64
}

// ErrOneClass is returned when the labels hold a single class: no
// logistic regression separates them and no AUC ranks them.
var ErrOneClass = errors.New("logit: the labels hold a single class")

// ErrNotConverged is returned when the optimiser stops with a gradient
// still large.
var ErrNotConverged = errors.New("logit: the optimiser did not converge")

// Fit fits the model of the package doc to the rows of x and the labels y
// (0 or 1). It panics if len(y) is not the number of rows or a label is
// neither 0 nor 1; it returns ErrOneClass when y holds one class, and
// ErrNotConverged (with the model reached) when the optimiser fails far
// from the optimum.
func Fit(x mat.Matrix, y []float64, s Settings) (*Model, error) {
	n, d := x.Dims()
	if len(y) != n {
		panic("markov: logit: len(y) != rows")
	}
	var pos int
	for _, v := range y {
		switch v {
		case 1:
			pos++
		case 0:
		default:
			panic("markov: logit: a label is neither 0 nor 1")
		}
	}
	if pos == 0 || pos == n {
		return nil, ErrOneClass
	}
	if s.C == 0 {
		s.C = 1
	}
	if s.C < 0 || math.IsNaN(s.C) {
		panic("markov: logit: C is not positive")
	}
	if s.MaxIter == 0 {
		s.MaxIter = 1000
	}
	if s.GradTol == 0 {
		s.GradTol = 1e-10
	}
	obj := newObjective(x, y, s.C)
	p := optimize.Problem{Func: obj.f, Grad: obj.grad}
	init := make([]float64, d+1)
	// Start at the intercept of the base rate: the best constant model.
	rate := float64(pos) / float64(n)
	init[d] = math.Log(rate / (1 - rate))
	settings := &optimize.Settings{
		MajorIterations: s.MaxIter,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-15, Relative: 1e-15, Iterations: 25},
	}
	res, err := optimize.Minimize(p, init, settings, &optimize.LBFGS{GradStopThreshold: s.GradTol})
	if res == nil {
		return nil, fmt.Errorf("logit: %w", err)
	}
	m := &Model{Coef: append([]float64(nil), res.X[:d]...), Intercept: res.X[d], C: s.C,
		Iterations: res.Stats.MajorIterations, Evaluations: res.Stats.FuncEvaluations}
	g := make([]float64, d+1)
	obj.grad(g, res.X)
	m.GradNorm = floats.Norm(g, math.Inf(1))
	// A line search that fails at the optimum (no further decrease in
	// floating point) is success; far from it, it is not.
	if m.GradNorm > 1e-6 {
		return m, fmt.Errorf("%w: status %v, largest gradient %.3g (%v)", ErrNotConverged, res.Status, m.GradNorm, err)
	}
	return m, nil
}

// objective evaluates L and its gradient, caching the probabilities of the
// last point.
type objective struct {
	x     mat.Matrix
	y     *mat.VecDense
	n, d  int
	c     float64
	z, r  *mat.VecDense // linear predictor; residual p − y
	w, gw *mat.VecDense
}

func newObjective(x mat.Matrix, y []float64, c float64) *objective {
	n, d := x.Dims()
	return &objective{x: x, y: mat.NewVecDense(n, y), n: n, d: d, c: c,
		z: mat.NewVecDense(n, nil), r: mat.NewVecDense(n, nil), gw: mat.NewVecDense(d, nil)}
}

// eval fills z for params and returns the mean loss.
func (o *objective) eval(params []float64) float64 {
	w := mat.NewVecDense(o.d, params[:o.d])
	o.z.MulVec(o.x, w)
	b := params[o.d]
	var loss float64
	for i := 0; i < o.n; i++ {
		zi := o.z.AtVec(i) + b
		o.z.SetVec(i, zi)
		loss += log1pExp(zi) - o.y.AtVec(i)*zi
	}
	return loss / float64(o.n)
}

func (o *objective) f(params []float64) float64 {
	w := params[:o.d]
	return o.eval(params) + floats.Dot(w, w)/(2*o.c*float64(o.n))
}

func (o *objective) grad(g, params []float64) {
	o.eval(params)
	var sum float64
	for i := 0; i < o.n; i++ {
		r := sigmoid(o.z.AtVec(i)) - o.y.AtVec(i)
		o.r.SetVec(i, r)
		sum += r
	}
	o.gw.MulVec(o.x.T(), o.r)
	nf := float64(o.n)
	for j := 0; j < o.d; j++ {
		g[j] = o.gw.AtVec(j)/nf + params[j]/(o.c*nf)
	}
	g[o.d] = sum / nf
}

// log1pExp returns log(1 + exp(z)) without overflow.
func log1pExp(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Predict fills dst with P(y = 1) for each row of x and returns it (a new
// slice when dst is too short). It panics if x has not len(m.Coef) columns.
func (m *Model) Predict(dst []float64, x mat.Matrix) []float64 {
	n, d := x.Dims()
	if d != len(m.Coef) {
		panic("markov: logit: columns != coefficients")
	}
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	z := mat.NewVecDense(n, dst)
	z.MulVec(x, mat.NewVecDense(d, m.Coef))
	for i := range dst {
		dst[i] = sigmoid(dst[i] + m.Intercept)
	}
	return dst
}
