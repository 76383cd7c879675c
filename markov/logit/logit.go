package logit

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

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
	p := optimize.Problem{Func: obj.value, Grad: obj.grad}
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

// objective evaluates L and its gradient in one pass over the rows, split
// across the CPUs, and keeps the last point's values: the optimiser asks
// for the value and the gradient of a point separately.
type objective struct {
	x    *mat.Dense
	y    []float64
	n, d int
	c    float64
	last []float64 // the point of f and g (nil before the first)
	f    float64
	g    []float64
}

func newObjective(x mat.Matrix, y []float64, c float64) *objective {
	n, d := x.Dims()
	xd, ok := x.(*mat.Dense)
	if !ok {
		xd = mat.DenseCopyOf(x)
	}
	return &objective{x: xd, y: y, n: n, d: d, c: c, g: make([]float64, d+1)}
}

// at evaluates L and its gradient at params unless it holds them already.
func (o *objective) at(params []float64) {
	if o.last != nil && floats.Equal(o.last, params) {
		return
	}
	o.last = append(o.last[:0], params...)
	w, b := params[:o.d], params[o.d]
	parts := min(runtime.GOMAXPROCS(0), max(1, o.n/50_000))
	type part struct {
		loss float64
		g    []float64
	}
	res := make([]part, parts)
	var wg sync.WaitGroup
	for k := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := make([]float64, o.d+1)
			var loss float64
			for i := k * o.n / parts; i < (k+1)*o.n/parts; i++ {
				row := o.x.RawRowView(i)
				z := floats.Dot(row, w) + b
				loss += log1pExp(z) - o.y[i]*z
				r := sigmoid(z) - o.y[i]
				floats.AddScaled(g[:o.d], r, row)
				g[o.d] += r
			}
			res[k] = part{loss, g}
		}()
	}
	wg.Wait()
	nf := float64(o.n)
	var loss float64
	for j := range o.g {
		o.g[j] = 0
	}
	for _, r := range res {
		loss += r.loss
		floats.Add(o.g, r.g)
	}
	o.f = loss/nf + floats.Dot(w, w)/(2*o.c*nf)
	for j := 0; j < o.d; j++ {
		o.g[j] = o.g[j]/nf + w[j]/(o.c*nf)
	}
	o.g[o.d] /= nf
}

func (o *objective) value(params []float64) float64 {
	o.at(params)
	return o.f
}

func (o *objective) grad(g, params []float64) {
	o.at(params)
	copy(g, o.g)
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
