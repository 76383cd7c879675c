package chain

import (
	"context"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// keptModels is writtenModels that also keeps the model a fit stores, as
// the scope's current one.
type keptModels struct {
	writtenModels
	rec journeys.ModelRecord
}

func (m *keptModels) CreateModel(_ context.Context, rec journeys.ModelRecord) (int, error) {
	m.rec, m.rec.Version = rec, 4
	return 4, nil
}

func (m *keptModels) CurrentModel(_ context.Context, kind, _ string) (journeys.ModelRecord, error) {
	if kind != journeys.ModelKindHMM || m.rec.HMM == "" {
		return journeys.ModelRecord{}, journeys.Errorf(journeys.ENOTFOUND, "no model")
	}
	return m.rec, nil
}

// TestStateScorerIsWhatFitDecodes: the scorer of the stored model gives
// every person the state and probability the hidden-state fit wrote (the
// most likely state of the posterior and its probability), with every
// step as a symbol and with chosen events; before any fit it is
// ENOTFOUND.
func TestStateScorerIsWhatFitDecodes(t *testing.T) {
	c := randomCache(t, 300, 11)
	ctx := context.Background()
	for _, events := range [][]string{nil, {"product_view", "add_to_cart"}} {
		m := &keptModels{writtenModels: writtenModels{people: map[string]journeys.PersonModel{}}}
		if _, err := CurrentStateScorer(ctx, m, ""); journeys.ErrorCode(err) != journeys.ENOTFOUND {
			t.Fatalf("before a fit: %v, want ENOTFOUND", err)
		}
		hs := &HiddenStates{Touches: c, Models: m}
		if _, err := hs.Fit(ctx, journeys.ModelQuery{States: 3, Restarts: 1, MaxIter: 5, Events: events}); err != nil {
			t.Fatal(err)
		}
		sc, err := CurrentStateScorer(ctx, m, "")
		if err != nil || sc.Version != 4 || sc.States() != 3 {
			t.Fatalf("scorer %+v, %v", sc, err)
		}
		set, err := c.Touches(ctx, journeys.TouchQuery{})
		if err != nil {
			t.Fatal(err)
		}
		observed := 0
		var post []float64
		for set.Next() {
			s := set.At()
			var ok bool
			if post, ok, err = sc.Posterior(post, s.Touches); err != nil {
				t.Fatal(err)
			}
			w := m.people[s.Person]
			if ok != (w.State != nil) {
				t.Fatalf("events %v, %s: observed %v, the fit wrote state %v", events, s.Person, ok, w.State)
			}
			if !ok {
				continue
			}
			observed++
			k := argmax(post)
			if sc.StateName(k) != *w.State || post[k] != *w.StateP {
				t.Errorf("events %v, %s: scorer %s %g, fit wrote %s %g", events, s.Person, sc.StateName(k), post[k], *w.State, *w.StateP)
			}
		}
		set.Close()
		if observed < 100 {
			t.Errorf("events %v: %d people observed, want most of 300", events, observed)
		}
	}
}
