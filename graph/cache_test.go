package graph_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// readSequences drains a sequence stream.
func readSequences(t *testing.T, r journeys.SequenceReader, f journeys.Filter) []journeys.Sequence {
	t.Helper()
	set, err := r.Sequences(context.Background(), f, true)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var out []journeys.Sequence
	for set.Next() {
		s := set.At()
		out = append(out, journeys.Sequence{Person: s.Person, Events: slices.Clone(s.Events)})
	}
	if err := set.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readTouches drains a touch stream.
func readTouches(t *testing.T, r journeys.TouchReader, q journeys.TouchQuery) []journeys.TouchSequence {
	t.Helper()
	set, err := r.Touches(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var out []journeys.TouchSequence
	for set.Next() {
		s := set.At()
		out = append(out, journeys.TouchSequence{Person: s.Person, Touches: slices.Clone(s.Touches)})
	}
	if err := set.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameStreams checks that the cache streams exactly what the store streams.
func sameStreams(t *testing.T, what string, s *graph.Store, c *inmem.Cache, run string) {
	t.Helper()
	filters := []journeys.Filter{
		{PersonPrefix: run},
		{PersonPrefix: run, From: t0.Add(2 * time.Minute), To: t0.Add(5 * time.Minute)},
		{PersonPrefix: run, Channel: "email"},
		{PersonPrefix: run, Device: "mobile"},
	}
	for _, f := range filters {
		got, want := readSequences(t, c, f), readSequences(t, s, f)
		if len(want) == 0 {
			t.Fatalf("%s: the store streams nothing for %+v: the test is empty", what, f)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: sequences of %+v:\ncache %+v\nstore %+v", what, f, got, want)
		}
		for _, q := range []journeys.TouchQuery{{Filter: f}, {Filter: f, Events: []string{"ping"}}, {Filter: f, Events: []string{"ping"}, Steps: true}, {Filter: f, Every: true}} {
			got, want := readTouches(t, c, q), readTouches(t, s, q)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: touches of %+v:\ncache %+v\nstore %+v", what, q, got, want)
			}
		}
	}
}

func TestCacheFollowsTheStore(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	src := func(person, name string, minutes int, channel, device string) journeys.Event {
		e := ev(person, name, minutes)
		e.Channel, e.Device, e.Value = channel, device, float64(minutes)
		return e
	}
	a, b, anon, gone := run+"a", run+"b", run+"anon", run+"gone"
	ping := ev(a, "ping", 2)
	ping.Step = "" // excluded by the rules: only a touch query by name reads it
	write(t, s, src(a, "view", 1, "email", "mobile"), ping, src(a, "cart", 3, "ads", "desktop"),
		src(b, "view", 4, "email", "desktop"), src(gone, "view", 2, "email", "mobile"))
	c := &inmem.Cache{Source: s, Prefix: run}
	ctx := context.Background()
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	sameStreams(t, "loaded", s, c, run)

	x := src(anon, "view", 0, "email", "mobile")
	x.Anonymous = true
	identify := journeys.Event{Type: journeys.TypeIdentify, Name: journeys.NameIdentify, Person: b, PreviousID: anon, Time: t0.Add(6 * time.Minute)}
	identify.ID = journeys.EventID(b, identify.Name, identify.Time, nil)
	changes := []struct {
		name string
		do   func()
		full bool // a person goes: a prefixed cache finds it by a full sync
	}{
		{"appended", func() { write(t, s, src(a, "buy", 7, "email", "mobile")) }, false},
		{"late event", func() { write(t, s, src(b, "cart", 3, "email", "mobile")) }, false},
		{"anonymous person", func() { write(t, s, x) }, false},
		{"merged by identify", func() { write(t, s, identify) }, true},
		{"erased", func() {
			if _, err := s.DeletePeople(ctx, []string{gone}); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"restepped", func() {
			rules := journeys.StepRules{Rules: []journeys.StepRule{{Label: "browse", Event: "view"}}}
			if _, _, err := s.Restep(ctx, rules, run); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, ch := range changes {
		ch.do()
		if ch.full {
			if err := c.SyncFull(ctx); err != nil {
				t.Fatal(err)
			}
		}
		sameStreams(t, ch.name, s, c, run)
	}
	if people, events := c.Stats(); people != 2 || events != 8 {
		t.Errorf("cache holds %d people and %d events, want 2 and 8 (a: 4; b with anon's view: 4)", people, events)
	}
}
