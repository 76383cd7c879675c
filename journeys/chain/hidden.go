package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// HiddenStates fits hidden Markov models on people's events, decodes every
// person's current state, and keeps the model and the decoded states in
// the store. Fitting streams from the store (never every record at once):
// one read builds the symbol vocabulary and the propensity chain, each
// Baum–Welch iteration reads the symbols again (from a compact in-memory
// copy of 2 bytes per event when under 20M events, else from the store),
// and a last read decodes every person and writes the results in batches.
// Errors: EINVALID for a bad query, ENOTFOUND for no data or no model,
// ETOOLARGE beyond ModelQuery.MaxSymbols, ECONFLICT for a duplicate label,
// EUNAVAILABLE when the store cannot be reached.
type HiddenStates struct {
	Touches journeys.TouchReader
	Models  journeys.ModelStore
	People  journeys.JourneyReader
	Now     func() time.Time // time.Now when nil
	// BatchSize is the number of people written per transaction (1000 when 0).
	BatchSize int
}

// ModelMeta is what a stored model carries besides the HMM.
type ModelMeta struct {
	Query          journeys.ModelQuery `json:"query"`
	People         int                 `json:"people"`       // people with at least one observed event
	Observations   int                 `json:"observations"` // observed events
	LogLikelihood  float64             `json:"log_likelihood"`
	BIC            float64             `json:"bic"`
	Candidates     []Candidate         `json:"candidates"`
	ConversionRate float64             `json:"conversion_rate"` // of the propensity chain
	Propensity     []Propensity        `json:"propensity"`      // of each chain state
	FitSeconds     float64             `json:"fit_seconds"`
	DecodeSeconds  float64             `json:"decode_seconds"`
	Extra          map[string]any      `json:"extra,omitempty"`
}

// Candidate is one K tried when choosing the number of states.
type Candidate struct {
	K             int     `json:"k"`
	LogLikelihood float64 `json:"log_likelihood"`
	Params        int     `json:"params"`
	BIC           float64 `json:"bic"`
}

// Propensity is P(conversion) and P(unsubscribe) from one chain state.
type Propensity struct {
	State       string  `json:"state"`
	Convert     float64 `json:"convert"`
	Unsubscribe float64 `json:"unsubscribe"`
}

// Fit fits the model of q, decodes every person of its scope, stores the
// model as the scope's current one and returns it.
func (hs *HiddenStates) Fit(ctx context.Context, q journeys.ModelQuery) (ModelView, error) {
	if err := q.Normalize(); err != nil {
		return ModelView{}, err
	}
	now := time.Now
	if hs.Now != nil {
		now = hs.Now
	}
	start := time.Now()
	opt := q.PathOptions()
	_ = opt.Normalize()
	tq := journeys.TouchQuery{Filter: q.Filter, Events: q.Events, Steps: len(q.Events) > 0}
	syms := newSymbols(ctx, hs.Touches, tq)
	defer syms.close()

	// Read 1: vocabulary, symbol cache and propensity chain.
	ps, err := newPathSequences(ctx, hs.Touches, tq, opt)
	if err != nil {
		return ModelView{}, err
	}
	ps.onSeq = syms.learn
	chain, err := markov.Fit(ps, markovOptions(opt))
	ps.Close()
	if ps.Err() != nil {
		return ModelView{}, fmt.Errorf("fit: %w", ps.Err())
	}
	var prop *propensities // none when no step journey (err from markov)
	if err == nil {
		if prop, err = newPropensities(chain, opt); err != nil {
			return ModelView{}, markovError("fit", err)
		}
	}
	syms.finish()
	if syms.observations == 0 {
		return ModelView{}, journeys.Errorf(journeys.ENOTFOUND, "fit: no observed event in scope")
	}
	if syms.observations > q.MaxSymbols {
		return ModelView{}, journeys.Errorf(journeys.ETOOLARGE, "fit: %d events in scope, more than max_symbols %d: narrow the filter or raise max_symbols (the CLI has no time limit)", syms.observations, q.MaxSymbols)
	}

	// Baum–Welch, K fixed or chosen by BIC.
	cfg := markov.BaumWelchConfig{MaxIter: q.MaxIter, Tol: q.Tol, Restarts: q.Restarts,
		Prior: markov.HMMPrior{Start: 0.01, Trans: 0.01, Emit: 0.01},
		Src:   rand.NewPCG(q.Seed, q.Seed^0x9e3779b97f4a7c15)}
	h, cands, err := markov.SelectHMM(syms, len(syms.names), q.MinStates, q.MaxStates, cfg)
	if err != nil {
		return ModelView{}, markovError("fit", err)
	}
	h.SymbolNames = slices.Clone(syms.names)
	h.AutoLabel(2)
	meta := ModelMeta{Query: q, People: syms.people, Observations: syms.observations}
	for _, c := range cands {
		meta.Candidates = append(meta.Candidates, Candidate{K: c.K, LogLikelihood: c.LogLikelihood, Params: c.Params, BIC: c.BIC})
		if c.Model == h || c.K == h.States() {
			meta.LogLikelihood, meta.BIC = c.LogLikelihood, c.BIC
		}
	}
	if prop != nil {
		meta.ConversionRate, meta.Propensity = prop.rate, prop.table()
	}
	meta.FitSeconds = time.Since(start).Seconds()

	// Store the model, decode everyone, make it current.
	rec, err := modelRecord(h, meta, q.Filter.PersonPrefix, now())
	if err != nil {
		return ModelView{}, err
	}
	version, err := hs.Models.CreateModel(ctx, rec)
	if err != nil {
		return ModelView{}, fmt.Errorf("fit: %w", err)
	}
	rec.Version = version
	decodeStart := time.Now()
	sizes, err := hs.decode(ctx, tq, h, syms, prop, opt, rec, now)
	if err != nil {
		return ModelView{}, err
	}
	meta.DecodeSeconds = time.Since(decodeStart).Seconds()
	if err := hs.Models.FinishModel(ctx, journeys.ModelKindHMM, rec.Scope, version, sizes); err != nil {
		return ModelView{}, fmt.Errorf("fit: %w", err)
	}
	for i := range rec.States {
		rec.States[i].Size = sizes[i]
	}
	rec.Current = true
	return newModelView(rec, h, meta), nil
}

// decode reads the scope again, filters every person's symbols, and writes
// each person's state, its probability and propensities in batches. It
// returns the number of people in each state. The store queues the
// state_changed webhook deliveries of each batch with it.
func (hs *HiddenStates) decode(ctx context.Context, tq journeys.TouchQuery, h *markov.HMM, syms *symbols, prop *propensities, opt journeys.PathOptions, rec journeys.ModelRecord, now func() time.Time) ([]int, error) {
	version := rec.Version
	size := hs.BatchSize
	if size <= 0 {
		size = 1000
	}
	sizes := make([]int, h.States())
	batch := make([]journeys.PersonModel, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := hs.Models.WritePersonModels(ctx, rec, now(), batch)
		batch = batch[:0]
		return err
	}
	var belief []float64
	var buf []int
	err := streamTouches(ctx, hs.Touches, tq, func(s journeys.TouchSequence) error {
		pm := journeys.PersonModel{Person: s.Person, Version: &version}
		buf = syms.encode(buf[:0], s.Touches)
		if len(buf) > 0 {
			var err error
			if belief, err = h.Filter(belief, buf); err != nil {
				return fmt.Errorf("decode %s: %w", s.Person, err)
			}
			k := argmax(belief)
			label, p := h.StateName(k), belief[k]
			pm.State, pm.StateP = &label, &p
			sizes[k]++
		}
		if prop != nil {
			pm.PConvert, pm.PUnsubscribe = prop.person(s, opt)
		}
		batch = append(batch, pm)
		if len(batch) == size {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return sizes, nil
}

// argmax returns the index of the largest value (the first on ties).
func argmax(v []float64) int {
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}

// modelRecord encodes h and meta for the store.
func modelRecord(h *markov.HMM, meta ModelMeta, scope string, at time.Time) (journeys.ModelRecord, error) {
	hj, err := json.Marshal(h)
	if err != nil {
		return journeys.ModelRecord{}, fmt.Errorf("fit: encode model: %w", err)
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return journeys.ModelRecord{}, fmt.Errorf("fit: encode model: %w", err)
	}
	rec := journeys.ModelRecord{Kind: journeys.ModelKindHMM, Scope: scope, FittedAt: at.UTC(), HMM: string(hj), Meta: string(mj)}
	for k := 0; k < h.States(); k++ {
		rec.States = append(rec.States, journeys.StateRecord{Index: k, Label: h.StateName(k)})
	}
	return rec, nil
}

// Current returns the current model of a scope (ENOTFOUND when none).
func (hs *HiddenStates) Current(ctx context.Context, scope string) (ModelView, error) {
	rec, err := hs.Models.CurrentModel(ctx, journeys.ModelKindHMM, scope)
	if err != nil {
		return ModelView{}, err
	}
	return decodeModel(rec)
}

// RenameState renames state index of the current model of a scope and of
// the people decoded in it.
func (hs *HiddenStates) RenameState(ctx context.Context, scope string, index int, label string) (ModelView, error) {
	if err := journeys.ValidStep("label", label); err != nil {
		return ModelView{}, err
	}
	rec, err := hs.Models.CurrentModel(ctx, journeys.ModelKindHMM, scope)
	if err != nil {
		return ModelView{}, err
	}
	var h markov.HMM
	if err := json.Unmarshal([]byte(rec.HMM), &h); err != nil {
		return ModelView{}, fmt.Errorf("rename: stored model: %w", err)
	}
	if index < 0 || index >= h.States() {
		return ModelView{}, journeys.Errorf(journeys.ENOTFOUND, "state %d not found (the model has %d states)", index, h.States())
	}
	if h.StateName(index) != label {
		if err := h.Rename(index, label); err != nil {
			return ModelView{}, journeys.Errorf(journeys.ECONFLICT, "label: %v", err)
		}
	}
	hj, err := json.Marshal(&h)
	if err != nil {
		return ModelView{}, fmt.Errorf("rename: %w", err)
	}
	if err := hs.Models.RenameState(ctx, journeys.ModelKindHMM, scope, rec.Version, index, label, string(hj)); err != nil {
		return ModelView{}, err
	}
	rec.HMM = string(hj)
	rec.States[index].Label = label
	return decodeModel(rec)
}

// PersonSummary is a person's summary with what the models say.
type PersonSummary struct {
	journeys.Person
	Model journeys.PersonModel `json:"model"`
}

// Person returns a person's summary and model outputs (ENOTFOUND when the
// person does not exist).
func (hs *HiddenStates) Person(ctx context.Context, id string) (PersonSummary, error) {
	p, _, err := hs.People.Journey(ctx, id, 1)
	if err != nil {
		return PersonSummary{}, err
	}
	pm, err := hs.Models.PersonModel(ctx, p.ID)
	if err != nil {
		return PersonSummary{}, err
	}
	return PersonSummary{Person: p, Model: pm}, nil
}
