package graph_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// countingSource counts the whole journeys and the tails a cache reads.
// asked, when not nil, gets the people read.
type countingSource struct {
	*graph.Store
	reads, tails int
	asked        map[string]bool
}

func (c *countingSource) Journeys(ctx context.Context, ids []string) ([]inmem.StoredJourney, error) {
	c.reads += len(ids)
	for _, id := range ids {
		if c.asked != nil {
			c.asked[id] = true
		}
	}
	return c.Store.Journeys(ctx, ids)
}

func (c *countingSource) JourneyTails(ctx context.Context, ends []inmem.JourneyEnd) ([]inmem.JourneyTail, error) {
	c.tails += len(ends)
	for _, e := range ends {
		if c.asked != nil {
			c.asked[e.Person] = true
		}
	}
	return c.Store.JourneyTails(ctx, ends)
}

// TestCacheTailsMatchALoad: after appends, a late event, an identity merge,
// a model write and a restep, a cache kept by syncs holds what a cache
// freshly loaded holds (events, their details, fields), reading only the
// tails of people the store merely appended to.
func TestCacheTailsMatchALoad(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	ctx := context.Background()
	a, b, anon := run+"a", run+"b", run+"anon"
	withProps := func(e journeys.Event, props map[string]any) journeys.Event {
		e.Properties, e.Product, e.Channel = props, "sku1", "email"
		e.ID = journeys.EventID(e.Person, e.Name, e.Time, props)
		return e
	}
	write(t, s, withProps(ev(a, "view", 1), map[string]any{"color": "red", "n": 2}), ev(a, "cart", 3),
		ev(b, "view", 4), ev(b, "view", 9))
	src := &countingSource{Store: s}
	c := &inmem.Cache{Source: src, Prefix: run}
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	x := ev(anon, "view", 5)
	x.Anonymous = true
	identify := journeys.Event{Type: journeys.TypeIdentify, Name: journeys.NameIdentify, Person: b, PreviousID: anon,
		Time: t0.Add(10 * time.Minute), Properties: map[string]any{"plan": "pro"}}
	identify.ID = journeys.EventID(b, identify.Name, identify.Time, nil)
	state, pc := "engaged", 0.4
	// Events at the time of a's last: chain order is (time, id), so one
	// whose id sorts after the last one's is appended, one whose id sorts
	// before it is spliced in (ids chosen, not hashed, so the order holds
	// in every run).
	buy := withProps(ev(a, "buy", 7), map[string]any{"color": "blue", "ok": true})
	after, before := ev(a, "zzz", 7), ev(a, "aaa", 7)
	after.ID, before.ID = buy.ID+"-after", "!"+buy.ID
	steps := []struct {
		name        string
		do          func()
		full        bool // a person goes: a prefixed cache finds it by a full sync
		wantWhole   int  // whole journeys the sync reads again
		wantTailsAt int  // tails it reads, at least
	}{
		{"appended", func() { write(t, s, buy, ev(b, "view", 12)) }, false, 0, 2},
		{"appended at the end's time", func() { write(t, s, after) }, false, 0, 1},
		{"spliced in at the end's time", func() { write(t, s, before) }, false, 1, 1},
		{"late event", func() { write(t, s, ev(b, "cart", 6)) }, false, 1, 1},
		{"anonymous person", func() { write(t, s, x) }, false, 1, 0},
		{"merged by identify", func() { write(t, s, identify) }, true, 1, 1},
		{"model write", func() {
			m := journeys.ModelRecord{Kind: journeys.ModelKindHMM, Scope: run, Version: 1}
			if err := s.WritePersonModels(ctx, m, t0.Add(time.Hour), []journeys.PersonModel{{Person: a, State: &state, PConvert: &pc}}); err != nil {
				t.Fatal(err)
			}
		}, false, 0, 1},
		{"restepped", func() {
			rules := journeys.StepRules{Rules: []journeys.StepRule{{Label: "browse", Event: "view"}}}
			if _, _, err := s.Restep(ctx, rules, run); err != nil {
				t.Fatal(err)
			}
		}, false, 2, 2},
	}
	for _, st := range steps {
		st.do()
		src.reads, src.tails = 0, 0
		sync := c.Sync
		if st.full {
			sync = c.SyncFull
		}
		if err := sync(ctx); err != nil {
			t.Fatal(err)
		}
		if src.reads != st.wantWhole || src.tails < st.wantTailsAt {
			t.Errorf("%s: the sync read %d journeys and %d tails, want %d and at least %d", st.name, src.reads, src.tails, st.wantWhole, st.wantTailsAt)
		}
		holdsALoad(t, st.name, c, s, run, a, b, anon)
	}
	if got, _ := c.Stored(a); got.Fields["hmm_state"] != state {
		t.Errorf("a's fields %v, want hmm_state %q", got.Fields, state)
	}
}

// holdsALoad checks that c holds what a cache freshly loaded from s under
// prefix holds: as many people and events, and the same journeys for ids.
func holdsALoad(t *testing.T, name string, c *inmem.Cache, s *graph.Store, prefix string, ids ...string) {
	t.Helper()
	fresh := &inmem.Cache{Source: s, Prefix: prefix}
	if err := fresh.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	gp, ge := c.Stats()
	wp, we := fresh.Stats()
	if gp != wp || ge != we {
		t.Errorf("%s: %d people and %d events cached, a load has %d and %d", name, gp, ge, wp, we)
	}
	for _, id := range ids {
		got, gok := c.Stored(id)
		want, wok := fresh.Stored(id)
		if gok != wok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s:\ncached %v %+v\nloaded %v %+v", name, id, gok, got, wok, want)
		}
	}
}
