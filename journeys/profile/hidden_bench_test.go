package profile

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
	"github.com/journeygraph/journeygraph/markov"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkHiddenStateFeatures times what the hidden-state features add
// over synth.Shop's 1M events (about 102,000 people) with a 4-state model
// over every step: the behaviour vectors without and with them, and the
// placing of every person by a clustering without and with them (what a
// cluster segment's evaluation does per person).
//
//	go test -run '^$' -bench HiddenStateFeatures -benchtime 3x ./journeys/profile/
func BenchmarkHiddenStateFeatures(b *testing.B) {
	g := synth.NewShop(synth.ShopConfig{Seed: 15, Events: 1_000_000})
	var seqs []journeys.TouchSequence
	steps := map[string]bool{}
	for g.Next() {
		evs := g.At()
		ts := make([]journeys.Touch, len(evs))
		for i, e := range evs {
			ts[i] = journeys.Touch{StepEvent: journeys.StepEvent{Step: e.Name, TS: e.Time.UnixMilli(), Session: e.Session},
				Type: e.Type, Name: e.Name, Channel: e.Channel, Value: e.Value}
			steps[e.Name] = true
		}
		seqs = append(seqs, journeys.TouchSequence{Person: evs[0].Person, Touches: ts})
	}
	asOf := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	ms := newModels()
	storeRandomHMM(b, ms, 4, slices.Sorted(func(yield func(string) bool) {
		for s := range steps {
			if !yield(s) {
				return
			}
		}
	}))
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		models ModelStore
	}{{"vectors", nil}, {"vectors+hmm", ms}} {
		p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: tc.models}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				v, err := p.Vectors(ctx, VectorQuery{AsOf: asOf})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(v.Features)), "features")
			}
		})
	}
	for _, tc := range []struct {
		name   string
		models *models
	}{{"assign", newModels()}, {"assign+hmm", ms}} {
		p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: tc.models}
		if _, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 4, KMax: 4, Seed: 1, Save: true, Restarts: 1}); err != nil {
			b.Fatal(err)
		}
		a, err := p.Assigner(ctx, journeys.ClusterRef{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				for _, s := range seqs {
					a.Assign(s, asOf)
				}
			}
			b.ReportMetric(float64(len(seqs)), "people")
		})
	}
}

// storeRandomHMM stores a seeded random model of k states over symbols as
// the current hidden-state model of everyone.
func storeRandomHMM(b *testing.B, ms *models, k int, symbols []string) {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	dist := func(n int) []float64 {
		p := make([]float64, n)
		sum := 0.0
		for i := range p {
			p[i] = 0.1 + r.Float64()
			sum += p[i]
		}
		for i := range p {
			p[i] /= sum
		}
		return p
	}
	a, e := mat.NewDense(k, k, nil), mat.NewDense(k, len(symbols), nil)
	for i := range k {
		a.SetRow(i, dist(k))
		e.SetRow(i, dist(len(symbols)))
	}
	h, err := markov.NewHMM(dist(k), a, e)
	if err != nil {
		b.Fatal(err)
	}
	h.SymbolNames = symbols
	hj, err := json.Marshal(h)
	if err != nil {
		b.Fatal(err)
	}
	v, _ := ms.CreateModel(context.Background(), journeys.ModelRecord{Kind: journeys.ModelKindHMM, HMM: string(hj), Meta: `{"query": {}}`})
	if err := ms.FinishModel(context.Background(), journeys.ModelKindHMM, "", v, nil); err != nil {
		b.Fatal(err)
	}
}
