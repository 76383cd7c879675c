package graph_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

// The chain benchmarks run on generated journeys (synth.Shop, as bench
// analytics does) under a fixed person prefix, loaded once and kept between
// runs (delete them with DeletePrefix("bench-chains-shop-1000000-") or
// scripts/neo4j.sh reset). Run:
//
//	JOURNEYGRAPH_BENCH_EVENTS=1000000 go test ./graph -run '^$' -bench 'Chains' -benchtime 3x -timeout 60m
//
// The size defaults to 1,000,000 events; the first run spends a few minutes
// loading them.

// benchChains loads (once) about n generated events and returns the scope.
func benchChains(b *testing.B) (*graph.Store, journeys.Filter) {
	b.Helper()
	n := 1_000_000
	if v := os.Getenv("JOURNEYGRAPH_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("JOURNEYGRAPH_BENCH_EVENTS: %v", err)
		}
	}
	s := graphtest.Open(b)
	prefix := "bench-chains-shop-" + strconv.Itoa(n) + "-"
	ctx := context.Background()
	lastID := prefix + "done"
	if _, _, err := s.Journey(ctx, lastID, 1); err == nil {
		return s, journeys.Filter{PersonPrefix: prefix}
	}
	start := time.Now()
	in := &ingest.Ingester{Store: s, Rules: journeys.DefaultStepRules(), BatchSize: 5000}
	gen := synth.NewShop(synth.ShopConfig{Seed: 1, Prefix: prefix, Events: n})
	var batch []journeys.Event
	flush := func() {
		if _, err := in.Ingest(ctx, batch); err != nil {
			b.Fatalf("load: %v", err)
		}
		batch = batch[:0]
	}
	total, people := 0, 0
	for gen.Next() {
		batch = append(batch, gen.At()...)
		total, people = total+len(gen.At()), people+1
		if len(batch) >= 20000 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	done := journeys.Event{Type: journeys.TypeTrack, ID: lastID + "-e", Person: lastID, Name: "marker", Time: time.Unix(0, 0)}
	if _, err := in.Ingest(ctx, []journeys.Event{done}); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d events of %d people in %v", total, people, time.Since(start))
	return s, journeys.Filter{PersonPrefix: prefix}
}

// BenchmarkChainsStream measures reading every touch sequence.
func BenchmarkChainsStream(b *testing.B) {
	s, f := benchChains(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		set, err := s.Touches(ctx, journeys.TouchQuery{Filter: f})
		if err != nil {
			b.Fatal(err)
		}
		people, events := 0, 0
		for set.Next() {
			people++
			events += len(set.At().Touches)
		}
		if err := set.Err(); err != nil {
			b.Fatal(err)
		}
		set.Close()
		b.ReportMetric(float64(events), "events")
		b.ReportMetric(float64(people), "people")
	}
}

// BenchmarkChainsFriction measures the friction report (one read of every
// touch, the chain fit, absorbing analysis and scoring).
func BenchmarkChainsFriction(b *testing.B) {
	s, f := benchChains(b)
	c := &chain.Chains{Store: s}
	for b.Loop() {
		if _, err := c.Friction(context.Background(), chain.FrictionQuery{Filter: f}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChainsAttribution measures channel attribution over journeys.
func BenchmarkChainsAttribution(b *testing.B) {
	s, f := benchChains(b)
	c := &chain.Chains{Store: s}
	for b.Loop() {
		if _, err := c.Attribution(context.Background(), chain.AttributionQuery{Filter: f, By: journeys.ByChannel}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChainsFitDecode measures a 4-state HMM fit (3 restarts) and the
// decode and write of every person, reporting the two phases.
func BenchmarkChainsFitDecode(b *testing.B) {
	s, f := benchChains(b)
	hs := &chain.HiddenStates{Touches: s, Models: s, People: s}
	b.Cleanup(func() { _ = s.DeleteModels(context.Background(), f.PersonPrefix) })
	for b.Loop() {
		v, err := hs.Fit(context.Background(), journeys.ModelQuery{Filter: f, States: 4})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(v.Fit.FitSeconds, "fit-s")
		b.ReportMetric(v.Fit.DecodeSeconds, "decode-s")
		b.ReportMetric(float64(v.Fit.People), "people")
	}
}

// BenchmarkChainsInMemory runs the friction and attribution reports on the
// same generated journeys held in memory: the analysis cost without Neo4j.
func BenchmarkChainsInMemory(b *testing.B) {
	g := synth.NewShop(synth.ShopConfig{Seed: 1, Prefix: "mem-", Events: 1_000_000})
	rules := journeys.DefaultStepRules()
	var seqs []journeys.TouchSequence
	for g.Next() {
		sq := journeys.TouchSequence{}
		for _, e := range g.At() {
			step, _ := rules.Step(e)
			sq.Person = e.Person
			sq.Touches = append(sq.Touches, journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: e.Time.UnixMilli()},
				Name: e.Name, Channel: e.Channel, Campaign: e.Campaign, Value: e.Value})
		}
		seqs = append(seqs, sq)
	}
	c := &chain.Chains{Store: memTouches{seqs}}
	b.Run("friction", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Friction(context.Background(), chain.FrictionQuery{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("attribution", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Attribution(context.Background(), chain.AttributionQuery{By: journeys.ByChannel}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
