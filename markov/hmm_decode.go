package markov

import (
	"fmt"
	"math"
)

// LogLikelihood returns log P(seq | h), computed by the scaled forward
// algorithm:
//
//	α̃_1(i) = π_i B[i][o_1]
//	α̃_t(j) = Σ_i α̂_{t−1}(i) A[i][j] B[j][o_t],   c_t = Σ_j α̃_t(j),   α̂_t = α̃_t / c_t
//	log P(o_1..o_T) = Σ_t log c_t
//
// The empty sequence has log-likelihood 0. It returns an error (and −Inf for
// a zero-probability sequence) if a symbol is out of range or P(seq) = 0.
func (h *HMM) LogLikelihood(seq []int) (float64, error) {
	if err := hmmCheckSymbols(seq, h.Symbols()); err != nil {
		return math.NaN(), err
	}
	var ll float64
	_, err := h.hmmFilter(nil, seq, func(c float64) { ll += math.Log(c) })
	if err != nil {
		return math.Inf(-1), err
	}
	return ll, nil
}

// Filter returns the belief over the current hidden state after observing
// seq, the normalised forward variable
//
//	belief_i = P(q_T = i | o_1..o_T) = α̂_T(i)
//
// (π for the empty sequence), stored in dst if it has length K, otherwise in
// a new slice. It returns an error if a symbol is out of range or
// P(seq) = 0.
func (h *HMM) Filter(dst []float64, seq []int) ([]float64, error) {
	if err := hmmCheckSymbols(seq, h.Symbols()); err != nil {
		return nil, err
	}
	return h.hmmFilter(dst, seq, nil)
}

func (h *HMM) hmmFilter(dst []float64, seq []int, onScale func(c float64)) ([]float64, error) {
	k := h.States()
	if len(dst) != k {
		dst = make([]float64, k)
	}
	copy(dst, h.Pi)
	next := make([]float64, k)
	for t, o := range seq {
		if t > 0 {
			// next_j = Σ_i dst_i A[i][j]
			clear(next)
			for i, p := range dst {
				if p == 0 {
					continue
				}
				for j, a := range h.A.RawRowView(i) {
					next[j] += p * a
				}
			}
			copy(dst, next)
		}
		var c float64
		for i := range dst {
			dst[i] *= h.B.At(i, o)
			c += dst[i]
		}
		if !(c > 0) {
			return nil, hmmZeroProb(t)
		}
		for i := range dst {
			dst[i] /= c
		}
		if onScale != nil {
			onScale(c)
		}
	}
	return dst, nil
}

// Predict returns the distribution of the next symbol given a belief over
// the current state (see Filter):
//
//	P(o_{T+1} = m | o_1..o_T) = Σ_i Σ_j belief_i A[i][j] B[j][m]   (belief · A · B)
//
// stored in dst if it has length M, otherwise in a new slice. It panics if
// belief does not have length K.
func (h *HMM) Predict(dst, belief []float64) []float64 {
	k, m := h.States(), h.Symbols()
	if len(belief) != k {
		panic(fmt.Sprintf("markov: belief has length %d, want %d", len(belief), k))
	}
	if len(dst) != m {
		dst = make([]float64, m)
	}
	clear(dst)
	next := make([]float64, k)
	for i, p := range belief {
		for j, a := range h.A.RawRowView(i) {
			next[j] += p * a
		}
	}
	for j, p := range next {
		for o, b := range h.B.RawRowView(j) {
			dst[o] += p * b
		}
	}
	return dst
}

// NextEvent returns the distribution of the symbol following seq,
// Predict(Filter(seq)) = belief · A · B. For the empty sequence it is the
// distribution of the first symbol after one transition from π, π·A·B.
func (h *HMM) NextEvent(dst []float64, seq []int) ([]float64, error) {
	belief, err := h.Filter(nil, seq)
	if err != nil {
		return nil, err
	}
	return h.Predict(dst, belief), nil
}

// Viterbi returns the most likely hidden state path for seq and its joint
// log-probability, computed in log space:
//
//	δ_1(i) = log π_i + log B[i][o_1]
//	δ_t(j) = max_i [δ_{t−1}(i) + log A[i][j]] + log B[j][o_t],  ψ_t(j) = argmax_i
//	q_T = argmax_i δ_T(i),  q_{t−1} = ψ_t(q_t),  log P(q, o) = max_i δ_T(i)
//
// Ties go to the lowest state index. The empty sequence has an empty path and
// log-probability 0. It returns an error if a symbol is out of range or every
// path has probability 0.
func (h *HMM) Viterbi(seq []int) ([]int, float64, error) {
	if err := hmmCheckSymbols(seq, h.Symbols()); err != nil {
		return nil, math.NaN(), err
	}
	if len(seq) == 0 {
		return []int{}, 0, nil
	}
	k := h.States()
	logA := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j, a := range h.A.RawRowView(i) {
			logA[i*k+j] = math.Log(a)
		}
	}
	delta := make([]float64, k)
	next := make([]float64, k)
	psi := make([]int, len(seq)*k)
	for i := range delta {
		delta[i] = math.Log(h.Pi[i]) + math.Log(h.B.At(i, seq[0]))
	}
	for t := 1; t < len(seq); t++ {
		o := seq[t]
		for j := 0; j < k; j++ {
			best, arg := math.Inf(-1), 0
			for i, d := range delta {
				if v := d + logA[i*k+j]; v > best {
					best, arg = v, i
				}
			}
			next[j] = best + math.Log(h.B.At(j, o))
			psi[t*k+j] = arg
		}
		delta, next = next, delta
	}
	best, arg := math.Inf(-1), 0
	for i, d := range delta {
		if d > best {
			best, arg = d, i
		}
	}
	if math.IsInf(best, -1) {
		return nil, best, fmt.Errorf("markov: viterbi: %w", hmmErrZeroProb)
	}
	path := make([]int, len(seq))
	path[len(seq)-1] = arg
	for t := len(seq) - 1; t > 0; t-- {
		path[t-1] = psi[t*k+path[t]]
	}
	return path, best, nil
}
