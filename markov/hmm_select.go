package markov

import (
	"fmt"
	"math"
)

// HMMCandidate is one fitted model of a SelectHMM search.
type HMMCandidate struct {
	K             int     // number of hidden states
	Model         *HMM    // best of the BaumWelch restarts
	LogLikelihood float64 // log L of Model on the data
	Params        int     // p = (K−1) + K(K−1) + K(M−1)
	BIC           float64 // −2 log L + p log n
}

// SelectHMM fits BaumWelch models with K = kMin..kMax states to sequences of
// symbols 0..m-1 and returns the one with the lowest
//
//	BIC = −2 log L + p log n,   p = (K−1) + K(K−1) + K(M−1)
//
// where n is the number of observed symbols, together with every candidate
// in order of K. Ties go to the smaller K. It panics if kMin < 1 or
// kMax < kMin.
func SelectHMM(seqs SymbolSequences, m, kMin, kMax int, cfg BaumWelchConfig) (*HMM, []HMMCandidate, error) {
	if kMin < 1 || kMax < kMin {
		panic(fmt.Sprintf("markov: bad range of states [%d,%d]", kMin, kMax))
	}
	var (
		cands []HMMCandidate
		best  = -1
	)
	for k := kMin; k <= kMax; k++ {
		h, res, err := BaumWelch(seqs, k, m, cfg)
		if err != nil {
			return nil, cands, fmt.Errorf("markov: select hmm: K=%d: %w", k, err)
		}
		c := HMMCandidate{K: k, Model: h, LogLikelihood: res.LogLikelihood, Params: h.NumParams(),
			BIC: h.BIC(res.LogLikelihood, res.Observations)}
		cands = append(cands, c)
		if best < 0 || c.BIC < cands[best].BIC || math.IsNaN(cands[best].BIC) {
			best = len(cands) - 1
		}
	}
	return cands[best].Model, cands, nil
}
