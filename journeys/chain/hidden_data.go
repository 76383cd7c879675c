package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// symbols maps people's touches to HMM symbols and serves them to
// Baum–Welch as a markov.SymbolSequences: from a compact in-memory copy
// made by the first read (learn) while it stays under symbolCacheLimit,
// otherwise by reading the store again at every Reset.
type symbols struct {
	ctx    context.Context
	r      journeys.TouchReader
	q      journeys.TouchQuery
	events map[string]bool // nil: every step is a symbol
	ids    map[string]int
	names  []string

	cached bool
	cache  []uint16
	ends   []int

	people, observations int

	set journeys.TouchSet
	i   int
	cur []int
	err error
}

func newSymbols(ctx context.Context, r journeys.TouchReader, q journeys.TouchQuery) *symbols {
	s := &symbols{ctx: ctx, r: r, q: q, ids: make(map[string]int), cached: true}
	if len(q.Events) > 0 {
		s.events = make(map[string]bool, len(q.Events))
		for _, e := range q.Events {
			s.events[e] = true
		}
	}
	return s
}

// symbolOf returns the symbol of t: its step, or with chosen events, its
// step or else its name when chosen.
func (s *symbols) symbolOf(t journeys.Touch) (string, bool) {
	switch {
	case s.events == nil:
		return t.Step, t.Step != ""
	case t.Step != "" && s.events[t.Step]:
		return t.Step, true
	case s.events[t.Name]:
		return t.Name, true
	}
	return "", false
}

// learn adds a person's symbols to the vocabulary and the cache.
func (s *symbols) learn(seq journeys.TouchSequence) {
	n := 0
	for _, t := range seq.Touches {
		sym, ok := s.symbolOf(t)
		if !ok {
			continue
		}
		id, known := s.ids[sym]
		if !known {
			id = len(s.names)
			s.ids[sym] = id
			s.names = append(s.names, sym)
		}
		n++
		if s.cached {
			s.cache = append(s.cache, uint16(id))
		}
	}
	if n == 0 {
		return
	}
	s.people++
	s.observations += n
	if s.cached {
		s.ends = append(s.ends, len(s.cache))
		if len(s.cache) > journeys.SymbolCacheLimit || len(s.names) > 1<<16 {
			s.cached, s.cache, s.ends = false, nil, nil
		}
	}
}

// finish numbers the symbols in sorted order.
func (s *symbols) finish() {
	old := slices.Clone(s.names)
	slices.Sort(s.names)
	perm := make([]uint16, len(old))
	for i, n := range s.names {
		s.ids[n] = i
	}
	for i, n := range old {
		perm[i] = uint16(s.ids[n])
	}
	for i, c := range s.cache {
		s.cache[i] = perm[c]
	}
}

// encode appends the known symbols of touches to buf.
func (s *symbols) encode(buf []int, touches []journeys.Touch) []int {
	for _, t := range touches {
		if sym, ok := s.symbolOf(t); ok {
			if id, known := s.ids[sym]; known {
				buf = append(buf, id)
			}
		}
	}
	return buf
}

// Reset rewinds to the first sequence.
func (s *symbols) Reset() error {
	s.i, s.err = 0, nil
	if s.cached {
		return nil
	}
	s.close()
	set, err := s.r.Touches(s.ctx, s.q)
	if err != nil {
		return err
	}
	s.set = set
	return nil
}

// Next advances to the next non-empty sequence.
func (s *symbols) Next() bool {
	if s.cached {
		if s.i >= len(s.ends) {
			return false
		}
		from := 0
		if s.i > 0 {
			from = s.ends[s.i-1]
		}
		s.cur = s.cur[:0]
		for _, c := range s.cache[from:s.ends[s.i]] {
			s.cur = append(s.cur, int(c))
		}
		s.i++
		return true
	}
	if s.set == nil || s.err != nil {
		return false
	}
	for s.set.Next() {
		if s.cur = s.encode(s.cur[:0], s.set.At().Touches); len(s.cur) > 0 {
			return true
		}
	}
	s.err = s.set.Err()
	return false
}

// At returns the current sequence.
func (s *symbols) At() []int { return s.cur }

// Err returns the error that ended the stream.
func (s *symbols) Err() error { return s.err }

func (s *symbols) close() {
	if s.set != nil {
		s.set.Close()
		s.set = nil
	}
}

// propensities gives P(conversion) and P(unsubscribe) from chain states.
type propensities struct {
	chain *markov.Chain
	an    *markov.Absorbing
	rate  float64
	start int
	unsub int // index of markov.Unsubscribe, or -1
}

func newPropensities(chain *markov.Chain, opt journeys.PathOptions) (*propensities, error) {
	an, err := chain.Absorbing()
	if err != nil {
		return nil, err
	}
	return &propensities{chain: chain, an: an, rate: an.ConversionRate(),
		start: chain.Index(markov.Start), unsub: chain.Index(markov.Unsubscribe)}, nil
}

// at returns the propensities of state i.
func (p *propensities) at(i int) (conv, unsub float64) {
	conv = p.an.ConversionProbability(i)
	if p.unsub >= 0 {
		unsub = p.an.Absorption(i, p.unsub)
	}
	return conv, unsub
}

// table lists the propensities of the transient states.
func (p *propensities) table() []Propensity {
	out := make([]Propensity, 0, p.chain.Transient())
	for i := 0; i < p.chain.Transient(); i++ {
		c, u := p.at(i)
		out = append(out, Propensity{State: p.chain.Label(i), Convert: c, Unsubscribe: u})
	}
	return out
}

// person returns the propensities of a person's current chain state: the
// state after the steps of their last unit; the start state when that unit
// converted (the next journey starts afresh); and 0 and 1 when it ended by
// unsubscribing. A person without steps gets none.
func (p *propensities) person(seq journeys.TouchSequence, opt journeys.PathOptions) (*float64, *float64) {
	var last journeys.ConversionPath
	found := false
	opt.MinLength = 0
	opt.Paths(seq, func(cp *journeys.ConversionPath) {
		last.Steps = append(last.Steps[:0], cp.Steps...)
		last.Converted, last.Unsubscribed = cp.Converted, cp.Unsubscribed
		found = true
	})
	if !found {
		return nil, nil
	}
	var conv, unsub float64
	switch {
	case last.Unsubscribed:
		conv, unsub = 0, 1
	default:
		i := p.start
		if !last.Converted && len(last.Steps) > 0 {
			if j := p.chain.Index(last.Steps[len(last.Steps)-1]); j >= 0 {
				i = j
			}
		}
		if i < 0 {
			return nil, nil
		}
		conv, unsub = p.at(i)
	}
	return &conv, &unsub
}

// ModelView is a stored model as the API shows it.
type ModelView struct {
	Kind        string      `json:"kind"`
	Scope       string      `json:"scope"`
	Version     int         `json:"version"`
	FittedAt    time.Time   `json:"fitted_at"`
	Current     bool        `json:"current"`
	Symbols     []string    `json:"symbols"`
	States      []StateView `json:"states"`
	Transitions [][]float64 `json:"transitions"` // A[i][j] = P(state j next | state i)
	Fit         ModelMeta   `json:"fit"`
}

// StateView is one hidden state: its label, how many people are in it now,
// its share of all observed events, initial probability and most likely
// emissions.
type StateView struct {
	Index     int          `json:"index"`
	Label     string       `json:"label"`
	Size      int          `json:"size"`
	Share     float64      `json:"share"`
	Initial   float64      `json:"initial"`
	Emissions []SymbolProb `json:"emissions"` // the five most likely, best first
}

// SymbolProb is a symbol and its emission probability.
type SymbolProb struct {
	Symbol string  `json:"symbol"`
	P      float64 `json:"p"`
}

// decodeModel turns a stored model into its view.
func decodeModel(rec journeys.ModelRecord) (ModelView, error) {
	var h markov.HMM
	if err := json.Unmarshal([]byte(rec.HMM), &h); err != nil {
		return ModelView{}, fmt.Errorf("stored model %d: %w", rec.Version, err)
	}
	var meta ModelMeta
	if err := json.Unmarshal([]byte(rec.Meta), &meta); err != nil {
		return ModelView{}, fmt.Errorf("stored model %d: %w", rec.Version, err)
	}
	return newModelView(rec, &h, meta), nil
}

func newModelView(rec journeys.ModelRecord, h *markov.HMM, meta ModelMeta) ModelView {
	v := ModelView{Kind: rec.Kind, Scope: rec.Scope, Version: rec.Version, FittedAt: rec.FittedAt,
		Current: rec.Current, Symbols: make([]string, h.Symbols()), Fit: meta}
	for m := range v.Symbols {
		v.Symbols[m] = h.SymbolName(m)
	}
	size := make(map[int]int, len(rec.States))
	for _, s := range rec.States {
		size[s.Index] = s.Size
	}
	for k := 0; k < h.States(); k++ {
		sv := StateView{Index: k, Label: h.StateName(k), Size: size[k], Initial: h.Pi[k]}
		if len(h.StateWeights) == h.States() {
			sv.Share = h.StateWeights[k]
		}
		order := make([]int, h.Symbols())
		for m := range order {
			order[m] = m
		}
		slices.SortStableFunc(order, func(a, b int) int {
			pa, pb := h.B.At(k, a), h.B.At(k, b)
			switch {
			case pa > pb:
				return -1
			case pa < pb:
				return 1
			}
			return 0
		})
		for _, m := range order[:min(5, len(order))] {
			sv.Emissions = append(sv.Emissions, SymbolProb{Symbol: h.SymbolName(m), P: h.B.At(k, m)})
		}
		v.States = append(v.States, sv)
		row := make([]float64, h.States())
		for j := range row {
			row[j] = h.A.At(k, j)
		}
		v.Transitions = append(v.Transitions, row)
	}
	return v
}
