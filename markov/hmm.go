package markov

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// HMM is a hidden Markov model with K hidden states and M discrete emission
// symbols 0..M-1.
//
// The joint probability of a state path q = q_1..q_T and symbols o = o_1..o_T is
//
//	P(q, o) = π[q_1] B[q_1][o_1] · Π_{t=2..T} A[q_{t-1}][q_t] B[q_t][o_t]
//
// where π is the initial distribution (length K), A the K×K transition matrix
// (each row sums to 1) and B the K×M emission matrix (each row sums to 1).
//
// The fields may be set directly; Validate reports whether they form a model.
// Methods panic with a "markov:" message when the shapes disagree (programmer
// error) and return errors for properties of the data, such as a symbol out
// of range or a sequence of zero probability.
type HMM struct {
	// Pi is the initial state distribution π, length K.
	Pi []float64
	// A is the K×K transition matrix: A[i][j] = P(q_{t+1}=j | q_t=i).
	A *mat.Dense
	// B is the K×M emission matrix: B[k][m] = P(o_t=m | q_t=k).
	B *mat.Dense

	// SymbolNames optionally names the M symbols (nil or length M).
	SymbolNames []string
	// StateNames optionally names the K states (nil or length K); see
	// AutoLabel and Rename.
	StateNames []string
	// StateWeights optionally holds each state's share of the emitted symbols
	// (nil or length K, summing to 1). Baum–Welch sets it to
	// Σ_t γ_t(k) / Σ_t 1 from its last E-step; AutoLabel uses it to weight
	// the overall symbol frequencies.
	StateWeights []float64
}

// NewHMM returns a model with a copy of the initial distribution pi (length
// K), transitions a (K×K) and emissions b (K×M). It panics if the shapes
// disagree and returns an error if a value is negative or not finite, or a
// distribution does not sum to 1 within 1e-9.
func NewHMM(pi []float64, a, b mat.Matrix) (*HMM, error) {
	k := len(pi)
	if ar, ac := a.Dims(); ar != k || ac != k {
		panic(fmt.Sprintf("markov: transition matrix is %d×%d, want %d×%d", ar, ac, k, k))
	}
	if br, _ := b.Dims(); br != k {
		panic(fmt.Sprintf("markov: emission matrix has %d rows, want %d", br, k))
	}
	h := &HMM{
		Pi: append([]float64(nil), pi...),
		A:  mat.DenseCopyOf(a),
		B:  mat.DenseCopyOf(b),
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	return h, nil
}

// NewRandomHMM returns a model with K states and M symbols whose π, rows of
// A and rows of B are drawn uniformly from the probability simplex
// (Dirichlet(1,…,1)) using src. It is the starting point of each Baum–Welch
// restart.
func NewRandomHMM(k, m int, src rand.Source) *HMM {
	if k < 1 || m < 1 {
		panic(fmt.Sprintf("markov: HMM needs K ≥ 1 and M ≥ 1, got K=%d M=%d", k, m))
	}
	rnd := rand.New(src)
	h := &HMM{Pi: make([]float64, k), A: mat.NewDense(k, k, nil), B: mat.NewDense(k, m, nil)}
	hmmRandomSimplex(rnd, h.Pi)
	for i := 0; i < k; i++ {
		hmmRandomSimplex(rnd, h.A.RawRowView(i))
		hmmRandomSimplex(rnd, h.B.RawRowView(i))
	}
	return h
}

// hmmRandomSimplex fills p with a uniform draw from the simplex: normalised
// standard exponential variates.
func hmmRandomSimplex(rnd *rand.Rand, p []float64) {
	var sum float64
	for i := range p {
		p[i] = rnd.ExpFloat64() + 1e-12
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// States returns K, the number of hidden states.
func (h *HMM) States() int { return len(h.Pi) }

// Symbols returns M, the number of emission symbols.
func (h *HMM) Symbols() int {
	_, m := h.B.Dims()
	return m
}

// Validate returns an error unless π, A and B have consistent shapes, hold
// finite non-negative values and every distribution (π, each row of A and of
// B) sums to 1 within 1e-9, and the optional name and weight tables have the
// right lengths.
func (h *HMM) Validate() error {
	k := len(h.Pi)
	if k == 0 || h.A == nil || h.B == nil {
		return errors.New("markov: HMM needs π, A and B")
	}
	if r, c := h.A.Dims(); r != k || c != k {
		return fmt.Errorf("markov: transition matrix is %d×%d, want %d×%d", r, c, k, k)
	}
	r, m := h.B.Dims()
	if r != k {
		return fmt.Errorf("markov: emission matrix has %d rows, want %d", r, k)
	}
	if err := hmmCheckDist("initial distribution", h.Pi); err != nil {
		return err
	}
	for i := 0; i < k; i++ {
		if err := hmmCheckDist(fmt.Sprintf("transition row %d", i), h.A.RawRowView(i)); err != nil {
			return err
		}
		if err := hmmCheckDist(fmt.Sprintf("emission row %d", i), h.B.RawRowView(i)); err != nil {
			return err
		}
	}
	if h.SymbolNames != nil && len(h.SymbolNames) != m {
		return fmt.Errorf("markov: %d symbol names for %d symbols", len(h.SymbolNames), m)
	}
	if h.StateNames != nil && len(h.StateNames) != k {
		return fmt.Errorf("markov: %d state names for %d states", len(h.StateNames), k)
	}
	if h.StateWeights != nil && len(h.StateWeights) != k {
		return fmt.Errorf("markov: %d state weights for %d states", len(h.StateWeights), k)
	}
	return nil
}

func hmmCheckDist(what string, p []float64) error {
	var sum float64
	for i, v := range p {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("markov: %s: entry %d is %v", what, i, v)
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("markov: %s sums to %v, want 1", what, sum)
	}
	return nil
}

// Clone returns a deep copy of h.
func (h *HMM) Clone() *HMM {
	c := &HMM{
		Pi:           append([]float64(nil), h.Pi...),
		A:            mat.DenseCopyOf(h.A),
		B:            mat.DenseCopyOf(h.B),
		SymbolNames:  append([]string(nil), h.SymbolNames...),
		StateNames:   append([]string(nil), h.StateNames...),
		StateWeights: append([]float64(nil), h.StateWeights...),
	}
	if h.SymbolNames == nil {
		c.SymbolNames = nil
	}
	if h.StateNames == nil {
		c.StateNames = nil
	}
	if h.StateWeights == nil {
		c.StateWeights = nil
	}
	return c
}

// NumParams returns the number of free parameters of a model with K states
// and M symbols:
//
//	p = (K−1) + K(K−1) + K(M−1)
func (h *HMM) NumParams() int {
	k, m := h.States(), h.Symbols()
	return (k - 1) + k*(k-1) + k*(m-1)
}

// BIC returns the Bayesian information criterion of h for a log-likelihood
// logL over n observed symbols:
//
//	BIC = −2 log L + p log n,   p = (K−1) + K(K−1) + K(M−1)
//
// Lower is better.
func (h *HMM) BIC(logL float64, n int) float64 {
	return -2*logL + float64(h.NumParams())*math.Log(float64(n))
}

// hmmCheckSymbols returns an error if a symbol of seq is outside [0, m).
func hmmCheckSymbols(seq []int, m int) error {
	for t, o := range seq {
		if o < 0 || o >= m {
			return fmt.Errorf("markov: symbol %d at position %d out of range [0,%d)", o, t, m)
		}
	}
	return nil
}
