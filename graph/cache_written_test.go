package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// TestWriteThroughMatchesALoad: a cache that takes what each write
// appended (inmem.WriteThrough) and syncs the people a write touched
// (SyncPeople) holds what a cache freshly loaded holds (events, their
// details and ids, the person's fields and stamps), reading nothing back
// for people the write only appended to, new people included, and reading
// the others (a spliced or late event, an identity merge, writes handed
// over out of order).
func TestWriteThroughMatchesALoad(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	ctx := context.Background()
	a, b, c2, anon := run+"a", run+"b", run+"c", run+"anon"
	withProps := func(e journeys.Event, props map[string]any) journeys.Event {
		e.Properties, e.Product, e.Channel, e.Value = props, "sku1", "email", 12.5
		e.ID = journeys.EventID(e.Person, e.Name, e.Time, props)
		return e
	}
	write(t, s, ev(a, "view", 1), ev(a, "cart", 3), ev(b, "view", 4), ev(b, "view", 9))
	src := &countingSource{Store: s}
	c := &inmem.Cache{Source: src, Prefix: run}
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	w := inmem.WriteThrough{Writer: s, Cache: c}
	x := ev(anon, "view", 5)
	x.Anonymous = true
	identify := journeys.Event{Type: journeys.TypeIdentify, Name: journeys.NameIdentify, Person: b, PreviousID: anon,
		Time: t0.Add(10 * time.Minute), Properties: map[string]any{"plan": "pro"}}
	identify.ID = journeys.EventID(b, identify.Name, identify.Time, nil)
	buy := withProps(ev(a, "buy", 7), map[string]any{"color": "blue", "ok": true, "n": 3})
	after, before := ev(a, "zzz", 7), ev(a, "aaa", 7)
	after.ID, before.ID = buy.ID+"-after", "!"+buy.ID
	traits := journeys.Event{Type: journeys.TypeIdentify, Name: journeys.NameIdentify, Person: c2,
		Time: t0.Add(20 * time.Minute), Properties: map[string]any{"tier": "gold"}}
	traits.ID = journeys.EventID(c2, traits.Name, traits.Time, nil)
	steps := []struct {
		name       string
		batches    [][]journeys.Event // written in turn, then the union of their people synced
		reorder    bool               // hand the batches' tails over last first
		wantRead   bool               // the sync reads some person back
		wantNoRead []string           // people it must not read back
	}{
		{"appended, with properties", [][]journeys.Event{{buy, ev(b, "view", 12)}}, false, false, nil},
		{"a new person", [][]journeys.Event{{ev(c2, "view", 13), ev(c2, "cart", 14)}}, false, false, nil},
		{"identify with traits, no merge", [][]journeys.Event{{traits}}, false, false, nil},
		{"appended at the end's time", [][]journeys.Event{{after}}, false, false, nil},
		{"two writes of one person", [][]journeys.Event{{ev(a, "view", 30)}, {ev(a, "cart", 31)}}, false, false, nil},
		{"spliced in at the end's time", [][]journeys.Event{{before, ev(b, "cart", 40)}}, false, true, []string{b}},
		{"late event", [][]journeys.Event{{ev(b, "cart", 6)}}, false, true, nil},
		{"anonymous person", [][]journeys.Event{{x}}, false, false, nil},
		{"merged by identify", [][]journeys.Event{{identify}}, false, true, nil},
		{"handed over out of order", [][]journeys.Event{{ev(a, "view", 50)}, {ev(a, "cart", 51)}}, true, true, nil},
	}
	for _, st := range steps {
		var people []string
		var handed [][]inmem.Written
		for _, batch := range st.batches {
			if st.reorder {
				res, tails, err := s.WriteEventsTails(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				people, handed = append(people, res.People...), append([][]inmem.Written{tails}, handed...)
				continue
			}
			res, err := w.WriteEvents(ctx, batch)
			if err != nil {
				t.Fatal(err)
			}
			people = append(people, res.People...)
		}
		for _, tails := range handed {
			c.Push(tails)
		}
		src.reads, src.tails = 0, 0
		src.asked = map[string]bool{}
		if err := c.SyncPeople(ctx, people); err != nil {
			t.Fatal(err)
		}
		if read := src.reads+src.tails > 0; read != st.wantRead {
			t.Errorf("%s: the sync read %d journeys and %d tails back", st.name, src.reads, src.tails)
		}
		for _, p := range st.wantNoRead {
			if src.asked[p] {
				t.Errorf("%s: %s was read back, though the write only appended to them", st.name, p)
			}
		}
		holdsALoad(t, st.name, c, s, run, a, b, c2, anon)
	}
}
