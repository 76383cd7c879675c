package markov

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// maxCond is the largest condition number of I − Q accepted.
const maxCond = 1e13

// Absorbing is the absorbing analysis of a chain in canonical form
// P = [[Q, R], [0, I]]: one LU factorization of I − Q, the absorption
// probabilities B = N R with N = (I − Q)⁻¹, the expected steps t = N·1 and
// the expected visits of a journey, all obtained by solves, never by
// forming N.
type Absorbing struct {
	c  *Chain
	lu mat.LU
	b  *mat.Dense    // nt × na absorption probabilities
	x  *mat.VecDense // B[:, conversion]
	t  *mat.VecDense // expected steps to absorption
	y  *mat.VecDense // expected visits per journey: π^T N
	z  *mat.VecDense // expected conversion value from each state
	p  float64       // conversion probability of a journey
	v  float64       // expected conversion value of a journey
}

// Absorbing factorizes I − Q and solves for B, t and the expected visits.
// It returns ErrEmpty if the chain has no transient state, ErrNoAbsorbing
// if it has no absorbing state, and ErrSingular if a transient state never
// reaches an absorbing state or I − Q is too ill-conditioned.
func (c *Chain) Absorbing() (*Absorbing, error) {
	nt, n := c.nt, c.Len()
	na := n - nt
	if nt == 0 {
		return nil, ErrEmpty
	}
	if na == 0 {
		return nil, ErrNoAbsorbing
	}
	if i := c.trapped(); i >= 0 {
		return nil, fmt.Errorf("%w: state %q never reaches an absorbing state", ErrSingular, c.labels[i])
	}
	a := mat.NewDense(nt, nt, nil)
	a.Scale(-1, c.p.Slice(0, nt, 0, nt))
	for i := 0; i < nt; i++ {
		a.Set(i, i, 1+a.At(i, i))
	}
	an := &Absorbing{c: c}
	an.lu.Factorize(a)
	if cond := an.lu.Cond(); !(cond <= maxCond) {
		return nil, fmt.Errorf("%w: condition number %g", ErrSingular, cond)
	}
	solve := func(dst *mat.Dense, trans bool, rhs mat.Matrix) error {
		if err := an.lu.SolveTo(dst, trans, rhs); err != nil {
			return fmt.Errorf("%w: %v", ErrSingular, err)
		}
		return nil
	}

	// Right-hand sides solved together: the columns of R, 1 and w.
	w := mat.NewDense(nt, na+2, nil)
	for i := 0; i < nt; i++ {
		for j := 0; j < na; j++ {
			w.Set(i, j, c.p.At(i, nt+j))
		}
		w.Set(i, na, 1)
		if c.conv >= 0 {
			w.Set(i, na+1, c.p.At(i, c.conv)*c.ConversionValue(i))
		}
	}
	sol := mat.NewDense(nt, na+2, nil)
	if err := solve(sol, false, w); err != nil {
		return nil, err
	}
	an.b = mat.DenseCopyOf(sol.Slice(0, nt, 0, na))
	an.t = mat.VecDenseCopyOf(sol.ColView(na))
	an.z = mat.VecDenseCopyOf(sol.ColView(na + 1))
	an.x = mat.NewVecDense(nt, nil)
	if c.conv >= 0 {
		an.x.CopyVec(an.b.ColView(c.conv - nt))
	}

	pi := mat.NewDense(nt, 1, nil)
	for k, s := range c.starts {
		pi.Set(s, 0, c.startW[k])
		an.p += c.startW[k] * an.x.AtVec(s)
		an.v += c.startW[k] * an.z.AtVec(s)
	}
	y := mat.NewDense(nt, 1, nil)
	if err := solve(y, true, pi); err != nil {
		return nil, err
	}
	an.y = mat.VecDenseCopyOf(y.ColView(0))
	return an, nil
}

// trapped returns a transient state from which no absorbing state can be
// reached, or -1.
func (c *Chain) trapped() int {
	nt, n := c.nt, c.Len()
	ok := make([]bool, n)
	for j := nt; j < n; j++ {
		ok[j] = true
	}
	// Iterate to a fixed point: a state is fine if it steps to a fine one.
	for changed := true; changed; {
		changed = false
		for i := 0; i < nt; i++ {
			if ok[i] {
				continue
			}
			for j, v := range c.p.RawRowView(i) {
				if v > 0 && ok[j] {
					ok[i], changed = true, true
					break
				}
			}
		}
	}
	for i := 0; i < nt; i++ {
		if !ok[i] {
			return i
		}
	}
	return -1
}

// Chain returns the analysed chain.
func (a *Absorbing) Chain() *Chain { return a.c }

// B returns the absorption probabilities B = N R: B[i][j] is the
// probability that transient state i ends in absorbing state
// Transient()+j. Do not modify it.
func (a *Absorbing) B() mat.Matrix { return a.b }

// Absorption returns the probability that state i ends in absorbing state
// j: B[i][j] for a transient i, 1 or 0 for an absorbing one.
func (a *Absorbing) Absorption(i, j int) float64 {
	nt := a.c.nt
	if j < nt {
		panic(fmt.Sprintf("markov: state %d is not absorbing", j))
	}
	if i >= nt {
		if i == j {
			return 1
		}
		return 0
	}
	return a.b.At(i, j-nt)
}

// ConversionProbability returns the probability of ending in Conversion
// from state i (1 for Conversion itself, 0 for the other absorbing states
// and for every state of a chain without Conversion).
func (a *Absorbing) ConversionProbability(i int) float64 {
	if a.c.conv < 0 {
		return 0
	}
	return a.Absorption(i, a.c.conv)
}

// ExpectedSteps returns t[i], the expected number of transitions from
// state i until absorption (0 for an absorbing state).
func (a *Absorbing) ExpectedSteps(i int) float64 {
	if i >= a.c.nt {
		return 0
	}
	return a.t.AtVec(i)
}

// ExpectedValue returns the expected conversion value of a journey, Σ_k
// π_k (N w)[start_k] with w[i] = P[i][conversion]·ConversionValue(i).
func (a *Absorbing) ExpectedValue() float64 { return a.v }

// ConversionRate returns p, the probability that a journey converts:
// Σ_k π_k B[start_k][conversion]. For a fitted chain without smoothing it
// equals the observed conversion rate.
func (a *Absorbing) ConversionRate() float64 { return a.p }

// JourneyVisits returns the expected number of visits of a journey to
// each transient state, y = π^T N (start states count their visit at
// time 0).
func (a *Absorbing) JourneyVisits() []float64 {
	return append([]float64(nil), a.y.RawVector().Data...)
}

// Visits returns row i of N: the expected number of visits to each
// transient state for a walk from transient state i (counting time 0),
// by one solve of (I − Q)ᵀ v = e_i.
func (a *Absorbing) Visits(i int) []float64 {
	nt := a.c.nt
	e := mat.NewVecDense(nt, nil)
	e.SetVec(i, 1)
	var v mat.VecDense
	if err := a.lu.SolveVecTo(&v, true, e); err != nil {
		// The factorization was accepted in Chain.Absorbing.
		panic("markov: " + err.Error())
	}
	return v.RawVector().Data
}

// FundamentalTo stores N = (I − Q)⁻¹ in dst, resized if empty. It costs
// O(n³): prefer Visits, B or ExpectedSteps when they suffice.
func (a *Absorbing) FundamentalTo(dst *mat.Dense) {
	nt := a.c.nt
	id := mat.NewDiagDense(nt, nil)
	for i := 0; i < nt; i++ {
		id.SetDiag(i, 1)
	}
	if err := a.lu.SolveTo(dst, false, id); err != nil {
		panic("markov: " + err.Error())
	}
}
