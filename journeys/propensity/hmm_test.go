package propensity

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/markov"
)

// TestHiddenStateFeatures: with a current hidden-state model of the scope,
// each state's probability given the person's events before the cutoff is
// a feature (hmm_p_state_<label>, the model's posterior, as journeygraph
// fit decodes; named as the behaviour vectors name it), in the training
// columns and in the fitted coefficients; without one there is no such
// column.
func TestHiddenStateFeatures(t *testing.T) {
	ctx := context.Background()
	seqs := planted(600, 3)
	// A two-state model: "browsing" emits page views, "ready" the rest.
	h := &markov.HMM{Pi: []float64{0.7, 0.3},
		A:           mat.NewDense(2, 2, []float64{0.8, 0.2, 0.3, 0.7}),
		B:           mat.NewDense(2, 4, []float64{0.1, 0.1, 0.7, 0.1, 0.4, 0.3, 0.1, 0.2}),
		SymbolNames: []string{"email_click", "email_open", "page_view", "product_view"}, StateNames: []string{"browsing", "ready"}}
	hj, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	m := &models{current: &journeys.ModelRecord{Kind: journeys.ModelKindHMM, Version: 2, HMM: string(hj), Meta: `{"query":{}}`}}
	s := &Service{Touches: &touchReader{seqs: seqs}, Models: m, Now: func() time.Time { return now }}
	q := Query{Cutoff: cutoff, Horizon: month}
	if err := q.Normalize(now); err != nil {
		t.Fatal(err)
	}
	w, err := s.window(ctx, q, cutoff, nil, s.stateScorer(ctx, q))
	if err != nil {
		t.Fatal(err)
	}
	cols := []int{slices.Index(w.features, "hmm_p_state_browsing"), slices.Index(w.features, "hmm_p_state_ready")}
	if cols[0] < 0 || cols[1] < 0 {
		t.Fatalf("features %v lack the hidden states'", w.features)
	}
	sc, err := chain.CurrentStateScorer(ctx, m, "")
	if err != nil {
		t.Fatal(err)
	}
	before := &touchReader{seqs: seqs}
	set, _ := before.Touches(ctx, journeys.TouchQuery{Filter: journeys.Filter{To: cutoff}})
	checked := 0
	for set.Next() {
		ts := set.At()
		i := slices.Index(w.people, ts.Person)
		post, ok, err := sc.Posterior(nil, ts.Touches)
		if i < 0 || !ok || err != nil {
			continue
		}
		if got := []float64{w.x.At(i, cols[0]), w.x.At(i, cols[1])}; !slices.Equal(got, post) {
			t.Fatalf("%s: features %v, posterior %v", ts.Person, got, post)
		}
		checked++
	}
	if checked < 100 {
		t.Errorf("%d people checked, want most of 600", checked)
	}
	rep, err := s.Fit(ctx, Query{Cutoff: cutoff, Horizon: month})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range rep.Coefficients {
		names = append(names, c.Feature)
	}
	if !slices.Contains(names, "hmm_p_state_browsing") || !slices.Contains(names, "hmm_p_state_ready") {
		t.Errorf("coefficients of %v, want the hidden states'", names)
	}
	m.current = nil
	if w, err := s.window(ctx, q, cutoff, nil, s.stateScorer(ctx, q)); err != nil || slices.ContainsFunc(w.features, func(f string) bool { return strings.HasPrefix(f, profile.HMMPrefix) }) {
		t.Errorf("without a model: features %v, %v", w.features, err)
	}
}
