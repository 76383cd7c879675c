package inmem

import (
	"context"
	"reflect"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// detail is an event detail with one stored property.
func detail(product string, v any) EventDetail {
	return EventDetail{Product: product, Props: map[string]any{journeys.PropPrefix + "k": v}}
}

// sameAsLoaded checks that c holds what a cache freshly loaded from m
// holds, person by person.
func sameAsLoaded(t *testing.T, what string, c *Cache, m *MemSource) {
	t.Helper()
	fresh := &Cache{Source: m}
	if err := fresh.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	gp, ge := c.Stats()
	wp, we := fresh.Stats()
	if gp != wp || ge != we {
		t.Errorf("%s: %d people and %d events cached, want %d and %d", what, gp, ge, wp, we)
	}
	for id := range m.People {
		got, _ := c.Stored(id)
		want, _ := fresh.Stored(id)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s:\ngot  %+v\nwant %+v", what, id, got, want)
		}
	}
}

func TestCacheSyncReadsTails(t *testing.T) {
	m := &MemSource{People: map[string]StoredJourney{}}
	m.Add("a", []journeys.Touch{MakeTouch("view", "pv", 10, "email", ""), MakeTouch("cart", "cart", 20, "", "")},
		[]EventDetail{detail("p1", "x"), detail("", int64(2))})
	m.SetFields("a", map[string]any{"events": int64(2), journeys.TraitPrefix + "plan": "pro"})
	m.Add("b", []journeys.Touch{MakeTouch("view", "pv", 15, "", ""), MakeTouch("view", "pv", 40, "", "")}, nil)
	m.Add("anon1", []journeys.Touch{MakeTouch("view", "pv", 70, "", "")}, []EventDetail{detail("p2", 1.5)})
	m.Add("anon2", []journeys.Touch{MakeTouch("view", "pv", 5, "", "")}, nil)
	m.Put("empty")
	c := &Cache{Source: m}
	ctx := context.Background()
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name                string
		change              func()
		wantTails, wantRead int // people whose tail, whose whole journey, the sync reads
	}{
		{"nothing changed", func() {}, 0, 0},
		{"appended", func() {
			m.Add("a", []journeys.Touch{MakeTouch("buy", "buy", 30, "ads", "mobile")}, []EventDetail{detail("p1", true)})
		}, 1, 0},
		{"appended at the same time", func() {
			m.Add("b", []journeys.Touch{MakeTouch("", "ping", 40, "", "")}, nil)
		}, 1, 0},
		{"fields only", func() {
			m.SetFields("a", map[string]any{"events": int64(3), "hmm_state": "engaged", "p_convert": 0.25})
		}, 1, 0},
		{"fields and events", func() {
			m.SetFields("b", map[string]any{"hmm_state": "new"})
			m.Add("b", []journeys.Touch{MakeTouch("buy", "buy", 60, "", "")}, []EventDetail{detail("p3", "y")})
		}, 1, 0},
		{"first event", func() { m.Add("empty", []journeys.Touch{MakeTouch("view", "pv", 1, "", "")}, nil) }, 1, 0},
		{"late event spliced in", func() {
			m.Add("a", []journeys.Touch{MakeTouch("view", "pv", 12, "", "")}, nil)
		}, 1, 1},
		{"merged after the end", func() { m.Merge("b", "anon1") }, 1, 0},
		{"merged before the end", func() { m.Merge("a", "anon2") }, 1, 1},
		{"deleted", func() { delete(m.People, "empty") }, 0, 0},
		{"restepped", func() {
			m.Restep("b", func(t journeys.Touch) string { return "step_" + t.Name })
		}, 1, 1},
		{"fewer events", func() {
			j := m.People["a"]
			j.Touches, j.Details, j.Touched = j.Touches[:2], j.Details[:2], m.tick()
			m.People["a"] = j
		}, 1, 1},
		{"a new person", func() { m.Add("c", []journeys.Touch{MakeTouch("view", "pv", 3, "", "")}, nil) }, 0, 1},
	}
	for _, st := range steps {
		before := c.snap.Load()
		held := map[string]StoredJourney{}
		for _, id := range before.ids {
			held[id], _ = before.stored(id)
		}
		st.change()
		m.reads, m.tails = 0, 0
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if m.tails != st.wantTails || m.reads != st.wantRead {
			t.Errorf("%s: the sync read %d tails and %d journeys, want %d and %d", st.name, m.tails, m.reads, st.wantTails, st.wantRead)
		}
		sameAsLoaded(t, st.name, c, m)
		for id, want := range held { // the snapshot a reader may hold is unchanged
			if got, _ := before.stored(id); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: the previous snapshot's %s changed:\ngot  %+v\nwant %+v", st.name, id, got, want)
			}
		}
	}
}
