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
//
// A queued person whose events are being written again when a round
// starts is left for the round after that write (at most maxDeferrals
// times in a row): that write queues them anew, and a membership change of
// theirs would only wait for its lock on the person.
type SegmentingIngester struct {
	Ingester BatchIngester
	Segments *Segmenter
	OnError  func(error) // evaluation errors (the ingest itself succeeded); nil drops them

	mu      sync.Mutex
	pending map[string]int // queued people → rounds they were left out of
	writing map[string]int // people → writes of their events in progress
	wake    chan struct{}
}

// maxDeferrals bounds the rounds in a row a queued person is left out of
// while their events are being written: a person written without a break
// is evaluated all the same.
const maxDeferrals = 3

// NewSegmentingIngester returns the wrapper; start its worker with Run.
func NewSegmentingIngester(in BatchIngester, sg *Segmenter) *SegmentingIngester {
	return &SegmentingIngester{Ingester: in, Segments: sg, pending: map[string]int{}, writing: map[string]int{},
		wake: make(chan struct{}, 1)}
}

// Ingest writes the events, then queues the people the write touched (also
// after a partial failure: the committed batches did touch them). While it
// writes, their people count as being written (Flush leaves them out).
func (si *SegmentingIngester) Ingest(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	people := writtenPeople(events)
	si.mu.Lock()
	for _, p := range people {
		si.writing[p]++
	}
	si.mu.Unlock()
	res, err := si.Ingester.Ingest(ctx, events)
	si.mu.Lock()
	for _, p := range people {
		if si.writing[p]--; si.writing[p] <= 0 {
			delete(si.writing, p)
		}
	}
	si.mu.Unlock()
	si.Enqueue(res.People)
	si.signal() // people left out for this write, should it have touched none
	return res, err
}

// writtenPeople are the people events name (their person and, for an
// identify, the id it merges), once each.
func writtenPeople(events []journeys.Event) []string {
	seen := make(map[string]bool, len(events))
	var out []string
	for _, e := range events {
		for _, p := range []string{e.Person, e.PreviousID} {
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// Enqueue queues people for re-evaluation.
func (si *SegmentingIngester) Enqueue(people []string) {
	if len(people) == 0 {
		return
	}
	si.mu.Lock()
	for _, p := range people {
		if _, ok := si.pending[p]; !ok {
			si.pending[p] = 0
		}
	}
	si.mu.Unlock()
	si.signal()
}

// signal wakes the worker.
func (si *SegmentingIngester) signal() {
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

// Flush evaluates the queued people now, but those whose events are being
// written (see SegmentingIngester). When a refresh fails they are queued
// again, unless every failure is a segment's own fault (Transient): the
// other segments were refreshed, and trying again would only fail again.
func (si *SegmentingIngester) Flush(ctx context.Context) error {
	si.mu.Lock()
	people := make([]string, 0, len(si.pending))
	for p, left := range si.pending {
		if si.writing[p] > 0 && left < maxDeferrals {
			si.pending[p] = left + 1
			continue
		}
		people = append(people, p)
		delete(si.pending, p)
	}
	si.mu.Unlock()
	if len(people) == 0 {
		return nil
	}
	sort.Strings(people)
	_, err := si.Segments.Refresh(ctx, nil, journeys.SegmentScope{People: people}, "ingest", time.Time{})
	if Transient(err) {
		// Queued again for the next round, which the next write starts
		// (not at once: Neo4j may be down).
		si.mu.Lock()
		for _, p := range people {
			if _, ok := si.pending[p]; !ok {
				si.pending[p] = 0
			}
		}
		si.mu.Unlock()
	}
	return err
}
