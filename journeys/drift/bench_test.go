package drift_test

import (
	"context"
	"hash/fnv"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

// memTouches is an in-memory journeys.TouchReader over fixed sequences
// (the query's time filter is left to the profiler, which stops at as_of).
type memTouches struct{ seqs []journeys.TouchSequence }

func (m memTouches) Touches(context.Context, journeys.TouchQuery) (journeys.TouchSet, error) {
	return &memSet{seqs: m.seqs, i: -1}, nil
}

type memSet struct {
	seqs []journeys.TouchSequence
	i    int
}

func (s *memSet) Next() bool                 { s.i++; return s.i < len(s.seqs) }
func (s *memSet) At() journeys.TouchSequence { return s.seqs[s.i] }
func (s *memSet) Err() error                 { return nil }
func (s *memSet) Close() error               { return nil }

// BenchmarkReport times a 30-day drift report over synth.Shop's 1M events
// (about 102,000 people), half of them members (by a hash of the id),
// entered before the first reference: first, every point (30 points and
// their 30 references: 60 dates of vectors in one pass, 16 features' PSI
// at each point); again, with the past days kept by the Monitor.
//
//	go test -run '^$' -bench Report -benchtime 3x ./journeys/drift/
func BenchmarkReport(b *testing.B) {
	g := synth.NewShop(synth.ShopConfig{Seed: 15, Events: 1_000_000})
	var seqs []journeys.TouchSequence
	var hist []journeys.HistoryEntry
	entered := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for g.Next() {
		evs := g.At()
		ts := make([]journeys.Touch, len(evs))
		for i, e := range evs {
			ts[i] = journeys.Touch{StepEvent: journeys.StepEvent{Step: e.Name, TS: e.Time.UnixMilli(), Session: e.Session},
				Type: e.Type, Name: e.Name, Channel: e.Channel, Device: e.Device, Value: e.Value}
		}
		p := evs[0].Person
		seqs = append(seqs, journeys.TouchSequence{Person: p, Touches: ts})
		h := fnv.New32a()
		h.Write([]byte(p))
		if h.Sum32()%2 == 0 {
			hist = append(hist, journeys.HistoryEntry{Person: p, Kind: journeys.KindEntered, At: entered})
		}
	}
	segs := &fakeSegments{segs: map[string]journeys.Segment{"half": {Name: "half"}}, history: hist}
	vecs := &profile.Profiler{Touches: memTouches{seqs}}
	at := time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
	report := func(b *testing.B, m *drift.Monitor) {
		rep, err := m.Report(context.Background(), drift.Query{Segment: "half", At: at})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Series[len(rep.Series)-1].Size), "members")
	}
	b.Run("first", func(b *testing.B) { // every day computed
		for b.Loop() {
			report(b, &drift.Monitor{Segments: segs, Vectors: vecs})
		}
	})
	b.Run("again", func(b *testing.B) { // the past days kept: now and its reference
		m := &drift.Monitor{Segments: segs, Vectors: vecs}
		report(b, m)
		for b.Loop() {
			report(b, m)
		}
	})
}
