package markov

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// HMMStats holds the sufficient statistics of one Baum–Welch E-step: the
// expected counts under the current model of initial states, transitions and
// emissions, summed over sequences, and their total log-likelihood. They are
// additive across sequences, so an E-step can be split into shards (goroutines
// now, machines later) whose HMMStats are merged with Add before MStep:
//
//	Start[i]    = Σ_seq γ_1(i)
//	Trans[i][j] = Σ_seq Σ_{t<T} ξ_t(i,j)
//	Emit[i][m]  = Σ_seq Σ_t γ_t(i) [o_t = m]
//
// with γ_t(i) = P(q_t=i | o) and ξ_t(i,j) = P(q_t=i, q_{t+1}=j | o).
type HMMStats struct {
	Start []float64  // K expected initial-state counts
	Trans *mat.Dense // K×K expected transition counts
	Emit  *mat.Dense // K×M expected emission counts

	LogLikelihood float64 // Σ_seq log P(o | model)
	Sequences     int     // non-empty sequences seen
	Observations  int     // symbols seen, the n of BIC
}

// NewHMMStats returns zero statistics for K states and M symbols.
func NewHMMStats(k, m int) *HMMStats {
	return &HMMStats{Start: make([]float64, k), Trans: mat.NewDense(k, k, nil), Emit: mat.NewDense(k, m, nil)}
}

// Reset sets s to zero.
func (s *HMMStats) Reset() {
	clear(s.Start)
	s.Trans.Zero()
	s.Emit.Zero()
	s.LogLikelihood, s.Sequences, s.Observations = 0, 0, 0
}

// Add adds the statistics of o to s. It panics if the shapes differ.
func (s *HMMStats) Add(o *HMMStats) {
	if len(s.Start) != len(o.Start) {
		panic(fmt.Sprintf("markov: adding stats of %d states to stats of %d states", len(o.Start), len(s.Start)))
	}
	for i, v := range o.Start {
		s.Start[i] += v
	}
	s.Trans.Add(s.Trans, o.Trans)
	s.Emit.Add(s.Emit, o.Emit)
	s.LogLikelihood += o.LogLikelihood
	s.Sequences += o.Sequences
	s.Observations += o.Observations
}

// addAcc adds a flat accumulator computed with transitions a (row-major K×K).
func (s *HMMStats) addAcc(acc *hmmAcc, a []float64) {
	k := len(s.Start)
	_, m := s.Emit.Dims()
	if len(acc.start) != k || len(acc.emitT) != k*m {
		panic(fmt.Sprintf("markov: stats are for %d states and %d symbols, model has other dimensions", k, m))
	}
	for i, v := range acc.start {
		s.Start[i] += v
	}
	for i := 0; i < k; i++ {
		tr := s.Trans.RawRowView(i)
		for j := range tr {
			tr[j] += a[i*k+j] * acc.trans[i*k+j]
		}
		em := s.Emit.RawRowView(i)
		for o := range em {
			em[o] += acc.emitT[o*k+i]
		}
	}
	s.LogLikelihood += acc.ll
	s.Sequences += acc.nseq
	s.Observations += acc.nobs
}

// Accumulate adds the expected counts and the log-likelihood of one sequence
// under h to s (a single-sequence E-step). An empty sequence adds nothing.
// It returns an error if a symbol is out of range or the sequence has zero
// probability under h.
func (h *HMM) Accumulate(s *HMMStats, seq []int) error {
	f := h.hmmFlatten()
	acc := hmmNewAcc(f.k, f.m)
	if err := f.estep(hmmNewWork(f.k), acc, seq); err != nil {
		return err
	}
	s.addAcc(acc, f.a)
	return nil
}

// HMMPrior holds Dirichlet pseudo-counts added to the expected counts in the
// M-step (a MAP estimate under a symmetric Dirichlet(1+pseudo-count) prior).
// Positive values keep every probability strictly positive. The zero value is
// maximum likelihood.
type HMMPrior struct {
	Start float64 // added to each expected initial count
	Trans float64 // added to each expected transition count
	Emit  float64 // added to each expected emission count
}

// MStep sets h's parameters to the re-estimates from s with pseudo-counts p:
//
//	π_i     = (Start[i] + p.Start) / Σ_k (Start[k] + p.Start)
//	A[i][j] = (Trans[i][j] + p.Trans) / Σ_k (Trans[i][k] + p.Trans)
//	B[i][m] = (Emit[i][m] + p.Emit) / Σ_k (Emit[i][k] + p.Emit)
//
// A distribution whose total is zero (a state never visited, no prior) keeps
// its previous value. StateWeights is set to Σ_m Emit[i][m] / Observations.
// MStep panics if s and h have different shapes.
func (h *HMM) MStep(s *HMMStats, p HMMPrior) {
	k, m := h.States(), h.Symbols()
	if sr, sc := s.Emit.Dims(); len(s.Start) != k || sr != k || sc != m {
		panic(fmt.Sprintf("markov: stats are %d states × %d symbols, model %d × %d", len(s.Start), sc, k, m))
	}
	hmmNormalizeInto(h.Pi, s.Start, p.Start)
	if h.StateWeights == nil || len(h.StateWeights) != k {
		h.StateWeights = make([]float64, k)
	}
	for i := 0; i < k; i++ {
		hmmNormalizeInto(h.A.RawRowView(i), s.Trans.RawRowView(i), p.Trans)
		em := s.Emit.RawRowView(i)
		hmmNormalizeInto(h.B.RawRowView(i), em, p.Emit)
		var w float64
		for _, v := range em {
			w += v
		}
		if s.Observations > 0 {
			w /= float64(s.Observations)
		}
		h.StateWeights[i] = w
	}
}

// hmmNormalizeInto sets dst to (counts+pseudo)/Σ(counts+pseudo), leaving dst
// unchanged when that total is not positive.
func hmmNormalizeInto(dst, counts []float64, pseudo float64) {
	var sum float64
	for _, v := range counts {
		sum += v + pseudo
	}
	if !(sum > 0) {
		return
	}
	for i, v := range counts {
		dst[i] = (v + pseudo) / sum
	}
}
