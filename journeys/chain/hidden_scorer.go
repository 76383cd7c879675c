package chain

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// CurrentModeler reads the current stored model of a kind and scope.
type CurrentModeler interface {
	CurrentModel(ctx context.Context, kind, scope string) (journeys.ModelRecord, error)
}

// StateScorer gives a person's hidden-state probabilities under a stored
// HMM: the filtered distribution after their last observed symbol, as the
// hidden-state fit decodes (markov.HMM.Filter over the symbols it
// learnt; touches of other symbols are not observed).
type StateScorer struct {
	h       *markov.HMM
	syms    *symbols
	Version int // of the model
	buf     []int
}

// CurrentStateScorer returns the scorer of the current hidden-state model
// of scope (ENOTFOUND when there is none).
func CurrentStateScorer(ctx context.Context, models CurrentModeler, scope string) (*StateScorer, error) {
	rec, err := models.CurrentModel(ctx, journeys.ModelKindHMM, scope)
	if err != nil {
		return nil, err
	}
	var h markov.HMM
	if err := json.Unmarshal([]byte(rec.HMM), &h); err != nil {
		return nil, fmt.Errorf("stored model %d: %w", rec.Version, err)
	}
	var meta ModelMeta
	if err := json.Unmarshal([]byte(rec.Meta), &meta); err != nil {
		return nil, fmt.Errorf("stored model %d: %w", rec.Version, err)
	}
	s := newSymbols(ctx, nil, journeys.TouchQuery{Events: meta.Query.Events})
	for m := 0; m < h.Symbols(); m++ {
		s.ids[h.SymbolName(m)] = m
	}
	return &StateScorer{h: &h, syms: s, Version: rec.Version}, nil
}

// States returns the number of hidden states.
func (s *StateScorer) States() int { return s.h.States() }

// StateName returns state k's label.
func (s *StateScorer) StateName(k int) string { return s.h.StateName(k) }

// Posterior returns the probability of each state after touches (in
// chain order) in dst, or false when none of them is observed.
func (s *StateScorer) Posterior(dst []float64, touches []journeys.Touch) ([]float64, bool, error) {
	s.buf = s.syms.encode(s.buf[:0], touches)
	if len(s.buf) == 0 {
		return dst, false, nil
	}
	out, err := s.h.Filter(dst, s.buf)
	return out, err == nil, err
}
