package graph_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

func TestOverviewCountsPerDay(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	// A range no other test writes to: a random day between 1975 and 1985.
	day0 := time.Date(1975, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rand.IntN(3650))
	at := func(person, step string, hours float64) journeys.Event {
		tm := day0.Add(time.Duration(hours * float64(time.Hour)))
		return journeys.Event{ID: journeys.EventID(run+person, step, tm, nil), Type: journeys.TypeTrack,
			Person: run + person, Name: step, Step: step, Time: tm}
	}
	write(t, s,
		at("a", "product_view", 1), at("a", "add_to_cart", 1.1), // day 1, a: session 1
		at("a", "product_view", 5), at("a", "purchase", 5.2), //       a: session 2, converts
		at("b", "product_view", 2),                              //                                 b
		at("b", "product_view", 25), at("c", "add_to_cart", 30), //   day 2: b (new session), c
	)
	// Neo4j and the journey cache (what the server's overview reads) agree.
	readers := []struct {
		name string
		r    journeys.OverviewReader
	}{{"store", s}, {"cache", &inmem.Cache{Source: s, Prefix: run}}}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) { checkOverview(t, rd.r, day0) })
	}
	first, last, err := readers[1].r.DataRange(context.Background())
	if err != nil || !first.Equal(day0.Add(time.Hour)) || !last.Equal(day0.Add(30*time.Hour)) {
		t.Errorf("cache data range = %v to %v (%v), want %v to %v", first, last, err, day0.Add(time.Hour), day0.Add(30*time.Hour))
	}
}

func checkOverview(t *testing.T, r journeys.OverviewReader, day0 time.Time) {
	o, err := r.Overview(context.Background(), day0, day0.AddDate(0, 0, 3), "purchase", 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if o.Events != 7 || o.People != 3 || o.Sessions != 5 || o.Converters != 1 {
		t.Errorf("totals = %d events, %d people, %d sessions, %d converters; want 7, 3, 5, 1",
			o.Events, o.People, o.Sessions, o.Converters)
	}
	if got, want := o.ConversionRate, 1.0/3; got != want {
		t.Errorf("conversion rate = %v, want %v", got, want)
	}
	want := []journeys.DayStats{
		{Day: day0, Events: 5, People: 2, Sessions: 3, Converters: 1},
		{Day: day0.AddDate(0, 0, 1), Events: 2, People: 2, Sessions: 2},
		{Day: day0.AddDate(0, 0, 2)},
	}
	if len(o.Days) != len(want) {
		t.Fatalf("days = %+v, want %+v", o.Days, want)
	}
	for i := range want {
		if !o.Days[i].Day.Equal(want[i].Day) || o.Days[i].Events != want[i].Events || o.Days[i].People != want[i].People ||
			o.Days[i].Sessions != want[i].Sessions || o.Days[i].Converters != want[i].Converters {
			t.Errorf("day %d = %+v, want %+v", i, o.Days[i], want[i])
		}
	}
}
