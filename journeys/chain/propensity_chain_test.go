package chain

import (
	"context"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// writtenModels is a fake journeys.ModelStore keeping what a fit writes
// on people.
type writtenModels struct {
	journeys.ModelStore // the methods a fit does not call panic
	people              map[string]journeys.PersonModel
}

func (m *writtenModels) CreateModel(context.Context, journeys.ModelRecord) (int, error) {
	return 1, nil
}
func (m *writtenModels) FinishModel(context.Context, string, string, int, []int) error { return nil }
func (m *writtenModels) WritePersonModels(_ context.Context, _ journeys.ModelRecord, _ time.Time, rows []journeys.PersonModel) error {
	for _, r := range rows {
		m.people[r.Person] = r
	}
	return nil
}

// TestPropensityChainIsWhatFitWrites: the chain journeys/propensity
// compares with gives every person the p_convert and p_unsubscribe the
// hidden-state fit writes.
func TestPropensityChainIsWhatFitWrites(t *testing.T) {
	c := randomCache(t, 300, 7)
	ctx := context.Background()
	m := &writtenModels{people: map[string]journeys.PersonModel{}}
	hs := &HiddenStates{Touches: c, Models: m}
	if _, err := hs.Fit(ctx, journeys.ModelQuery{States: 2, Restarts: 1, MaxIter: 3}); err != nil {
		t.Fatal(err)
	}
	pc, err := FitPropensityChain(ctx, c, journeys.Filter{}, journeys.PathOptions{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := c.Touches(ctx, journeys.TouchQuery{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	n := 0
	for set.Next() {
		s := set.At()
		conv, unsub := pc.Person(s)
		w := m.people[s.Person]
		if !sameP(conv, w.PConvert) || !sameP(unsub, w.PUnsubscribe) {
			t.Errorf("%s: chain %v %v, fit wrote %v %v", s.Person, val(conv), val(unsub), val(w.PConvert), val(w.PUnsubscribe))
		}
		n++
	}
	if n < 250 || len(m.people) != n {
		t.Errorf("compared %d people, fit wrote %d: want the same, most of the 300", n, len(m.people))
	}
}

func sameP(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func val(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
