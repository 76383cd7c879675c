package segment

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// BatchIngester stores a batch of events (an *Ingester).
type BatchIngester interface {
	Ingest(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error)
}

// SegmentingIngester wraps an ingester so that the people a write touched
// are re-evaluated against every segment.
//
// The evaluation is queued, not done inside Ingest: the ingest answer keeps
// its speed whatever the number of segments, and a burst of batches
// coalesces into one evaluation of the union of their people (a single
// worker, Run, drains the queue as soon as something is in it, so the delay
// to a webhook is one evaluation round). The queue is in memory: people
// queued when the process dies are caught up by the scheduled full
// refresh, which serve runs at start and on an interval.
type SegmentingIngester struct {
	Ingester BatchIngester
	Segments *Segmenter
	OnError  func(error) // evaluation errors (the ingest itself succeeded); nil drops them

	mu      sync.Mutex
	pending map[string]bool
	wake    chan struct{}
}

// NewSegmentingIngester returns the wrapper; start its worker with Run.
func NewSegmentingIngester(in BatchIngester, sg *Segmenter) *SegmentingIngester {
	return &SegmentingIngester{Ingester: in, Segments: sg, pending: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// Ingest writes the events, then queues the people the write touched (also
// after a partial failure: the committed batches did touch them).
func (si *SegmentingIngester) Ingest(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	res, err := si.Ingester.Ingest(ctx, events)
	si.Enqueue(res.People)
	return res, err
}

// Enqueue queues people for re-evaluation.
func (si *SegmentingIngester) Enqueue(people []string) {
	if len(people) == 0 {
		return
	}
	si.mu.Lock()
	for _, p := range people {
		si.pending[p] = true
	}
	si.mu.Unlock()
	select {
	case si.wake <- struct{}{}:
	default:
	}
}

// Run evaluates queued people until ctx ends.
func (si *SegmentingIngester) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-si.wake:
		}
		if err := si.Flush(ctx); err != nil && si.OnError != nil && ctx.Err() == nil {
			si.OnError(err)
		}
	}
}

// Flush evaluates the queued people now. When a refresh fails they are
// queued again, unless every failure is a segment's own fault (Transient):
// the other segments were refreshed, and trying again would only fail
// again.
func (si *SegmentingIngester) Flush(ctx context.Context) error {
	si.mu.Lock()
	people := make([]string, 0, len(si.pending))
	for p := range si.pending {
		people = append(people, p)
	}
	si.pending = map[string]bool{}
	si.mu.Unlock()
	if len(people) == 0 {
		return nil
	}
	sort.Strings(people)
	_, err := si.Segments.Refresh(ctx, nil, journeys.SegmentScope{People: people}, "ingest", time.Time{})
	if Transient(err) {
		si.mu.Lock()
		for _, p := range people {
			si.pending[p] = true
		}
		si.mu.Unlock()
	}
	return err
}
