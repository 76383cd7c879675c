package ingest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// recordingWriter is a fake store that records the batches it is given.
type recordingWriter struct {
	mu      sync.Mutex
	batches [][]journeys.Event
	failAt  int // fail the n-th batch (1-based) when > 0
}

func (w *recordingWriter) WriteEvents(_ context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.batches = append(w.batches, slices.Clone(events))
	if w.failAt > 0 && len(w.batches) == w.failAt {
		return journeys.WriteResult{}, journeys.Errorf(journeys.EUNAVAILABLE, "down")
	}
	return journeys.WriteResult{Accepted: len(events)}, nil
}

func TestChunkByPerson(t *testing.T) {
	mk := func(people ...string) []journeys.Event {
		var out []journeys.Event
		for i, p := range people {
			out = append(out, journeys.Event{ID: fmt.Sprint(i), Person: p})
		}
		return out
	}
	tests := []struct {
		name   string
		events []journeys.Event
		size   int
		want   []int // chunk lengths
	}{
		{"cut between people", mk("a", "a", "b", "b", "c"), 3, []int{2, 3}},
		{"exact fit", mk("a", "a", "b", "b"), 2, []int{2, 2}},
		{"one person longer than a batch", mk("a", "a", "a", "a", "b"), 2, []int{2, 2, 1}},
		{"empty", nil, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, c := range chunkByPerson(tt.events, tt.size) {
				got = append(got, len(c))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("chunk sizes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIngestSplitsDedupesAndLabels(t *testing.T) {
	w := &recordingWriter{}
	in := &Ingester{Store: w, Rules: journeys.DefaultStepRules(), BatchSize: 1000, Writers: 2}
	var events []journeys.Event
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for p := 0; p < 30; p++ {
		for i := 0; i < 50; i++ {
			events = append(events, journeys.Event{ID: fmt.Sprintf("%d-%d", p, i), Person: fmt.Sprintf("p%02d", p),
				Name: "product_view", Time: t0.Add(time.Duration(50-i) * time.Minute)})
		}
	}
	events = append(events, events[0]) // a repeat
	res, err := in.Ingest(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 1500 || res.Duplicates != 1 {
		t.Errorf("result = %+v, want 1500 accepted, 1 duplicate", res)
	}
	if len(w.batches) != 2 {
		t.Fatalf("%d batches, want 2 (1500 events over 2 writers)", len(w.batches))
	}
	owner := map[string]int{}
	for bi, b := range w.batches {
		for i, e := range b {
			if e.Step != "product_view" {
				t.Fatalf("event %s has step %q, want product_view", e.ID, e.Step)
			}
			if o, ok := owner[e.Person]; ok && o != bi {
				t.Fatalf("person %s split across batches", e.Person)
			}
			owner[e.Person] = bi
			if i > 0 && b[i-1].Person == e.Person && e.Time.Before(b[i-1].Time) {
				t.Fatalf("batch %d not sorted by time within %s", bi, e.Person)
			}
		}
	}
}

func TestIngestStopsAtFirstError(t *testing.T) {
	w := &recordingWriter{failAt: 1}
	in := &Ingester{Store: w, BatchSize: 500, Writers: 1}
	var events []journeys.Event
	for i := 0; i < 2000; i++ {
		events = append(events, journeys.Event{ID: fmt.Sprint(i), Person: fmt.Sprintf("p%04d", i)})
	}
	_, err := in.Ingest(context.Background(), events)
	if journeys.ErrorCode(err) != journeys.EUNAVAILABLE {
		t.Fatalf("error = %v, want unavailable", err)
	}
	if len(w.batches) > 2 {
		t.Errorf("%d batches sent after the first failed, want the rest cancelled", len(w.batches))
	}
}

func TestIngestCancelledIsAnError(t *testing.T) {
	var events []journeys.Event
	for i := 0; i < 2000; i++ {
		events = append(events, journeys.Event{ID: fmt.Sprint(i), Person: fmt.Sprintf("p%04d", i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The writer ignores the context: whether a batch reaches it or the
	// feed sees the cancellation first is up to the scheduler, and either
	// way Ingest must not report unsent events as stored.
	for attempt := 0; attempt < 50; attempt++ {
		w := &recordingWriter{}
		in := &Ingester{Store: w, BatchSize: 500, Writers: 1}
		res, err := in.Ingest(ctx, events)
		stored := 0
		for _, b := range w.batches {
			stored += len(b)
		}
		if err == nil && stored < len(events) {
			t.Fatalf("attempt %d: no error, yet %d of %d events written (result %+v)", attempt, stored, len(events), res)
		}
	}
}
