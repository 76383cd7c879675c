package graph_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// The cache sync benchmark: people with 77 events each (email-heavy, with
// stored properties) under a fixed prefix, loaded once and kept between
// runs (DeletePrefix("bench-cachesync-<people>-") removes them). Each
// iteration appends one event to every person and times the quick sync
// that follows, for a source that reads whole journeys again ("reread",
// what the cache did before tail reads) and for the store itself
// ("tails"). Run:
//
//	go test ./graph -run '^$' -bench CacheSyncAppends -benchtime 5x
//
// JOURNEYGRAPH_BENCH_PEOPLE sets the people (default 2,000).

// benchCacheSync loads (once) people × 77 events and returns the prefix.
func benchCacheSync(b *testing.B, s *graph.Store, people int) string {
	b.Helper()
	prefix := "bench-cachesync-" + strconv.Itoa(people) + "-"
	ctx := context.Background()
	if n, err := s.PeopleCount(ctx, prefix); err == nil && n == people {
		return prefix
	}
	var batch []journeys.Event
	for p := range people {
		id := fmt.Sprintf("%sp%06d", prefix, p)
		for k := range 77 {
			name := [...]string{"email_open", "email_click", "page_view", "email_open", "add_to_cart"}[k%5]
			t := t0.Add(time.Duration(k) * time.Hour)
			props := map[string]any{"campaign_id": "c" + strconv.Itoa(k%7), "score": k}
			batch = append(batch, journeys.Event{ID: journeys.EventID(id, name, t, props), Type: journeys.TypeTrack,
				Person: id, Name: name, Step: name, Time: t, Channel: "email", Campaign: "spring", Properties: props})
		}
		if len(batch) >= 20000 || p == people-1 {
			if _, err := s.WriteEvents(ctx, batch); err != nil {
				b.Fatalf("load: %v", err)
			}
			batch = batch[:0]
		}
	}
	return prefix
}

// rereadSource hides the store's tail reads: the cache reads the whole
// journey of every changed person again.
type rereadSource struct{ inmem.JourneySource }

func BenchmarkCacheSyncAppends(b *testing.B) {
	people := 2000
	if v := os.Getenv("JOURNEYGRAPH_BENCH_PEOPLE"); v != "" {
		var err error
		if people, err = strconv.Atoi(v); err != nil {
			b.Fatalf("JOURNEYGRAPH_BENCH_PEOPLE: %v", err)
		}
	}
	s := graphtest.Open(b)
	prefix := benchCacheSync(b, s, people)
	ctx := context.Background()
	round := int(time.Now().Unix() % 100000) // new event ids on every run
	for _, bc := range []struct {
		name string
		src  inmem.JourneySource
	}{{"reread", rereadSource{s}}, {"tails", s}} {
		b.Run(bc.name, func(b *testing.B) {
			c := &inmem.Cache{Source: bc.src, Prefix: prefix}
			if err := c.Load(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				round++
				batch := make([]journeys.Event, 0, people)
				t := t0.Add(time.Duration(1000+round) * time.Hour)
				for p := range people {
					id := fmt.Sprintf("%sp%06d", prefix, p)
					batch = append(batch, journeys.Event{ID: journeys.EventID(id, "email_open", t, nil), Type: journeys.TypeTrack,
						Person: id, Name: "email_open", Step: "email_open", Time: t, Channel: "email"})
				}
				if _, err := s.WriteEvents(ctx, batch); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := c.Sync(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			_, events := c.Stats()
			b.ReportMetric(float64(events)/float64(people), "events/person")
		})
	}
}
