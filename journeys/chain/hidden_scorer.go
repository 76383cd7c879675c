package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// CurrentModeler reads the current stored model of a kind and scope.
type CurrentModeler interface {
	CurrentModel(ctx context.Context, kind, scope string) (journeys.ModelRecord, error)
}

// VersionModeler reads a stored model of a kind and scope by version,
// current or not (ENOTFOUND when there is no such version).
type VersionModeler interface {
	Model(ctx context.Context, kind, scope string, version int) (journeys.ModelRecord, error)
}

// StateScorer gives a person's hidden-state probabilities under a stored
// HMM: the filtered distribution after their last observed symbol, as the
// hidden-state fit decodes (markov.HMM.Filter over the symbols it
// learnt; touches of other symbols are not observed). It is safe for
// concurrent use.
type StateScorer struct {
	h       *markov.HMM
	syms    *symbols
	events  []string
	Version int // of the model
}

// CurrentStateScorer returns the scorer of the current hidden-state model
// of scope (ENOTFOUND when there is none).
func CurrentStateScorer(ctx context.Context, models CurrentModeler, scope string) (*StateScorer, error) {
	rec, err := models.CurrentModel(ctx, journeys.ModelKindHMM, scope)
	if err != nil {
		return nil, err
	}
	return newStateScorer(ctx, rec)
}

// StateScorerOf returns the scorer of version of the hidden-state models
// of scope, current or not (ENOTFOUND when there is no such version).
func StateScorerOf(ctx context.Context, models VersionModeler, scope string, version int) (*StateScorer, error) {
	rec, err := models.Model(ctx, journeys.ModelKindHMM, scope, version)
	if err != nil {
		return nil, err
	}
	return newStateScorer(ctx, rec)
}

func newStateScorer(ctx context.Context, rec journeys.ModelRecord) (*StateScorer, error) {
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
	return &StateScorer{h: &h, syms: s, events: slices.Clone(meta.Query.Events), Version: rec.Version}, nil
}

// States returns the number of hidden states.
func (s *StateScorer) States() int { return s.h.States() }

// StateName returns state k's label.
func (s *StateScorer) StateName(k int) string { return s.h.StateName(k) }

// Labelled reports whether the model names its states (a fit labels them,
// markov.HMM.AutoLabel); StateName is then their label, else "s<k>".
func (s *StateScorer) Labelled() bool { return len(s.h.StateNames) > 0 }

// Events returns the events the model observes, nil when it observes
// every step: a touch query for Posterior asks for them with Steps.
func (s *StateScorer) Events() []string { return slices.Clone(s.events) }

// Posterior returns the probability of each state after touches (in
// chain order) in dst, or false when none of them is observed.
func (s *StateScorer) Posterior(dst []float64, touches []journeys.Touch) ([]float64, bool, error) {
	seq := s.syms.encode(make([]int, 0, len(touches)), touches)
	if len(seq) == 0 {
		return dst, false, nil
	}
	out, err := s.h.Filter(dst, seq)
	return out, err == nil, err
}
