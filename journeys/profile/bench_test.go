package profile

import (
	"context"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

// shopTouches are the journeys of synth.Shop's 1M events (about 102,000
// people), as touch sequences in person order.
func shopTouches(b *testing.B) []journeys.TouchSequence {
	b.Helper()
	g := synth.NewShop(synth.ShopConfig{Seed: 15, Events: 1_000_000})
	var seqs []journeys.TouchSequence
	for g.Next() {
		evs := g.At()
		ts := make([]journeys.Touch, len(evs))
		for i, e := range evs {
			ts[i] = journeys.Touch{StepEvent: journeys.StepEvent{Step: e.Name, TS: e.Time.UnixMilli(), Session: e.Session},
				Type: e.Type, Name: e.Name, Channel: e.Channel, Device: e.Device, Value: e.Value}
		}
		seqs = append(seqs, journeys.TouchSequence{Person: evs[0].Person, Touches: ts})
	}
	return seqs
}

var benchAsOf = time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)

// BenchmarkDiscover times behaviour vectors and k-means over 1M events of
// synth.Shop (about 102,000 people): vectors alone, then Discover (vectors,
// scaling, k-means for k = 2..10 with 4 restarts each, silhouettes on a
// 2,000-person sample, profiles).
//
//	go test -run '^$' -bench Discover -benchtime 3x ./journeys/profile/
func BenchmarkDiscover(b *testing.B) {
	p := &Profiler{Touches: &touchReader{seqs: shopTouches(b)}}
	ctx := context.Background()
	b.Run("vectors", func(b *testing.B) {
		for b.Loop() {
			v, err := p.Vectors(ctx, VectorQuery{AsOf: benchAsOf})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(v.People)), "people")
		}
	})
	b.Run("k=2-10", func(b *testing.B) {
		for b.Loop() {
			d, err := p.Discover(ctx, Query{AsOf: benchAsOf, KMin: 2, KMax: 10, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(d.People), "people")
			b.ReportMetric(float64(d.K), "k")
		}
	})
}
