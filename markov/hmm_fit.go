package markov

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// BaumWelchConfig configures Baum–Welch (expectation–maximisation) training.
type BaumWelchConfig struct {
	// MaxIter is the maximum number of M-steps per restart (default 100).
	MaxIter int
	// Tol stops a restart when the relative log-likelihood improvement of
	// one iteration, (L_i − L_{i−1}) / |L_{i−1}|, falls below it
	// (default 1e-6; negative means never stop early).
	Tol float64
	// Restarts is the number of random starting points; the fit with the
	// highest log-likelihood is kept (default 1). Ignored by HMM.Train.
	Restarts int
	// Prior holds Dirichlet pseudo-counts used by each M-step.
	Prior HMMPrior
	// Workers is the number of goroutines of each E-step (0: GOMAXPROCS).
	Workers int
	// Src is the source of the random starting points. It is required by
	// BaumWelch and ignored by HMM.Train.
	Src rand.Source
}

func (c BaumWelchConfig) withDefaults() BaumWelchConfig {
	if c.MaxIter <= 0 {
		c.MaxIter = 100
	}
	if c.Tol == 0 {
		c.Tol = 1e-6
	}
	if c.Restarts <= 0 {
		c.Restarts = 1
	}
	return c
}

// BaumWelchResult reports a Baum–Welch run.
type BaumWelchResult struct {
	// LogLikelihood is log P(data | returned model).
	LogLikelihood float64
	// History[i] is the log-likelihood computed by the i-th E-step, i.e. of
	// the model before the i-th M-step (History[0] is the starting model).
	History []float64
	// Iterations is the number of M-steps taken.
	Iterations int
	// Converged reports whether the relative improvement fell below Tol.
	Converged bool
	// Restart is the index of the kept restart (BaumWelch only).
	Restart int
	// Observations is the number of symbols in the data, the n of BIC.
	Observations int
}

// Train improves h in place by Baum–Welch from its current parameters. Each
// iteration runs an E-step over all of seqs (see EStep) and, unless the
// relative improvement of the log-likelihood over the previous E-step is
// below cfg.Tol, an M-step (see MStep); it stops after cfg.MaxIter M-steps.
// The returned LogLikelihood is that of the model left in h: when the
// iteration limit ends the run, one more E-step computes it. It returns an
// error wrapping ErrEmpty if seqs holds no symbol, and the errors of EStep.
func (h *HMM) Train(seqs SymbolSequences, cfg BaumWelchConfig) (BaumWelchResult, error) {
	cfg = cfg.withDefaults()
	if err := h.Validate(); err != nil {
		return BaumWelchResult{}, err
	}
	s := NewHMMStats(h.States(), h.Symbols())
	var res BaumWelchResult
	for {
		s.Reset()
		if err := h.EStep(s, seqs, cfg.Workers); err != nil {
			return res, err
		}
		if s.Observations == 0 {
			return res, fmt.Errorf("%w: no symbols to train on", ErrEmpty)
		}
		ll := s.LogLikelihood
		res.Observations = s.Observations
		res.LogLikelihood = ll
		if n := len(res.History); n > 0 && cfg.Tol >= 0 {
			prev := res.History[n-1]
			if prev == ll || (ll-prev)/math.Abs(prev) < cfg.Tol {
				res.Converged = true
			}
		}
		if res.Converged || res.Iterations == cfg.MaxIter {
			// h is the model whose log-likelihood ll is; the final E-step
			// is not part of History.
			return res, nil
		}
		res.History = append(res.History, ll)
		h.MStep(s, cfg.Prior)
		res.Iterations++
	}
}

// BaumWelch fits an HMM with k states to sequences of symbols 0..m-1 by
// Baum–Welch from cfg.Restarts random starting points (NewRandomHMM with
// cfg.Src) and returns the fit with the highest log-likelihood. A restart
// that fails with a zero-probability sequence is skipped; the error is
// returned only if every restart fails.
func BaumWelch(seqs SymbolSequences, k, m int, cfg BaumWelchConfig) (*HMM, BaumWelchResult, error) {
	cfg = cfg.withDefaults()
	if cfg.Src == nil {
		panic("markov: BaumWelch needs a random source")
	}
	var (
		best    *HMM
		bestRes BaumWelchResult
		lastErr error
	)
	for r := 0; r < cfg.Restarts; r++ {
		h := NewRandomHMM(k, m, cfg.Src)
		res, err := h.Train(seqs, cfg)
		if err != nil {
			if !errors.Is(err, hmmErrZeroProb) {
				return nil, BaumWelchResult{}, err
			}
			lastErr = err
			continue
		}
		res.Restart = r
		if best == nil || res.LogLikelihood > bestRes.LogLikelihood {
			best, bestRes = h, res
		}
	}
	if best == nil {
		return nil, BaumWelchResult{}, fmt.Errorf("markov: baum-welch: all %d restarts failed: %w", cfg.Restarts, lastErr)
	}
	return best, bestRes, nil
}
