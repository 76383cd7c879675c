package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// idStore is an EventWriter keeping ids only, as idempotent as the real
// store: an id stored already, or repeated in a batch, is a duplicate. Its
// first write blocks until release is closed, so that a test can queue
// batches behind it.
type idStore struct {
	mu      sync.Mutex
	ids     map[string]bool
	calls   [][]string      // ids of each write, in write order
	entered map[string]bool // ids of the writes begun
	active  int
	most    int // most writes at once
	fail    error
	release chan struct{}
	started bool // a write has begun: only the first one waits for release
}

func newIDStore(stored ...string) *idStore {
	s := &idStore{ids: map[string]bool{}, entered: map[string]bool{}, release: make(chan struct{})}
	for _, id := range stored {
		s.ids[id] = true
	}
	return s
}

func (s *idStore) WriteEvents(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	s.mu.Lock()
	s.active++
	s.most = max(s.most, s.active)
	for _, e := range events {
		s.entered[e.ID] = true
	}
	first := !s.started
	s.started = true
	s.mu.Unlock()
	if first {
		<-s.release
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	var call []string
	for _, e := range events {
		call = append(call, e.ID)
	}
	s.calls = append(s.calls, call)
	if s.fail != nil {
		return journeys.WriteResult{}, s.fail
	}
	if err := ctx.Err(); err != nil {
		return journeys.WriteResult{}, err
	}
	var res journeys.WriteResult
	seen := map[string]bool{}
	for _, e := range events {
		switch {
		case seen[e.ID]:
			res.Duplicates++
		case s.ids[e.ID]:
			res.Duplicates++
			res.Stored = append(res.Stored, e.ID)
		default:
			res.Accepted++
			res.People = append(res.People, e.Person)
		}
		seen[e.ID] = true
	}
	for id := range seen {
		s.ids[id] = true
	}
	return res, nil
}

func (s *idStore) writes() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// evs returns events with the given ids, of person "p-" + id.
func evs(ids ...string) []journeys.Event {
	out := make([]journeys.Event, len(ids))
	for i, id := range ids {
		out[i] = journeys.Event{ID: id, Person: "p-" + id, Name: "page_view"}
	}
	return out
}

// outcome is what one caller of the Coalescer got.
type outcome struct {
	res journeys.WriteResult
	err error
}

// queued starts WriteEvents of each batch once the one before is queued
// or in a write of s (so that the queue's order is the batches' order) and
// returns a function waiting for their outcomes.
func queued(t *testing.T, c *Coalescer, s *idStore, ctx context.Context, batches ...[]journeys.Event) func() []outcome {
	t.Helper()
	out := make([]outcome, len(batches))
	var wg sync.WaitGroup
	for i, b := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].res, out[i].err = c.WriteEvents(ctx, b)
		}()
		waitFor(t, func() bool {
			s.mu.Lock()
			begun := s.entered[b[0].ID]
			s.mu.Unlock()
			c.mu.Lock()
			defer c.mu.Unlock()
			return begun || slices.ContainsFunc(c.pending, func(p *pendingBatch) bool { return &p.events[0] == &b[0] })
		})
	}
	return func() []outcome { wg.Wait(); return out }
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCoalescerMergesWaitingBatches(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		stored    []string // ids stored before
		batchSize int
		batches   [][]string // after a first batch {"a"} that holds the writer
		writes    [][]string // the writes after the first one
		counts    [][2]int   // accepted, duplicates of each batch
	}{
		{name: "all waiting batches in one write", batches: [][]string{{"b", "c"}, {"d"}, {"e", "f"}},
			writes: [][]string{{"b", "c", "d", "e", "f"}}, counts: [][2]int{{2, 0}, {1, 0}, {2, 0}}},
		{name: "each caller counts its own stored ids", stored: []string{"c", "e"}, batches: [][]string{{"b", "c"}, {"d"}, {"e", "f"}},
			writes: [][]string{{"b", "c", "d", "e", "f"}}, counts: [][2]int{{1, 1}, {1, 0}, {1, 1}}},
		{name: "a repeat within a batch is its duplicate", batches: [][]string{{"b", "b", "c"}, {"d"}},
			writes: [][]string{{"b", "b", "c", "d"}}, counts: [][2]int{{2, 1}, {1, 0}}},
		{name: "batches sharing an id are written apart, the first accepts it", batches: [][]string{{"b", "c"}, {"c", "d"}, {"e"}},
			writes: [][]string{{"b", "c"}, {"c", "d", "e"}}, counts: [][2]int{{2, 0}, {1, 1}, {1, 0}}},
		{name: "no write past the batch size", batchSize: 3, batches: [][]string{{"b", "c"}, {"d"}, {"e", "f"}},
			writes: [][]string{{"b", "c", "d"}, {"e", "f"}}, counts: [][2]int{{2, 0}, {1, 0}, {2, 0}}},
		{name: "a batch over the size is written alone", batchSize: 2, batches: [][]string{{"b", "c", "d"}, {"e"}},
			writes: [][]string{{"b", "c", "d"}, {"e"}}, counts: [][2]int{{3, 0}, {1, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newIDStore(tc.stored...)
			c := &Coalescer{Writer: s, Writers: 1, BatchSize: tc.batchSize}
			batches := [][]journeys.Event{evs("a")}
			for _, b := range tc.batches {
				batches = append(batches, evs(b...))
			}
			wait := queued(t, c, s, ctx, batches...)
			close(s.release)
			got := wait()
			if w := s.writes()[1:]; fmt.Sprint(w) != fmt.Sprint(tc.writes) {
				t.Errorf("writes %v, want %v", w, tc.writes)
			}
			for i, want := range tc.counts {
				o := got[i+1]
				if o.err != nil || o.res.Accepted != want[0] || o.res.Duplicates != want[1] {
					t.Errorf("batch %v: accepted %d, duplicates %d, %v; want %d, %d", tc.batches[i], o.res.Accepted, o.res.Duplicates, o.err, want[0], want[1])
				}
			}
		})
	}
}

func TestCoalescerPeopleOfTheMergedWrite(t *testing.T) {
	s := newIDStore()
	c := &Coalescer{Writer: s, Writers: 1}
	wait := queued(t, c, s, context.Background(), evs("a"), evs("b"), evs("c"))
	close(s.release)
	got := wait()
	for i, o := range got[1:] {
		if !slices.Contains(o.res.People, "p-b") || !slices.Contains(o.res.People, "p-c") {
			t.Errorf("batch %d: people %v, want those of the merged write (p-b, p-c)", i+1, o.res.People)
		}
	}
}

func TestCoalescerFailsEveryBatchOfAFailedWrite(t *testing.T) {
	s := newIDStore()
	s.fail = errors.New("neo4j down")
	c := &Coalescer{Writer: s, Writers: 1}
	wait := queued(t, c, s, context.Background(), evs("a"), evs("b"), evs("c"))
	close(s.release)
	for i, o := range wait() {
		if !errors.Is(o.err, s.fail) || o.res.Accepted != 0 {
			t.Errorf("batch %d: %+v, %v; want the write's error and nothing accepted", i, o.res, o.err)
		}
	}
}

func TestCoalescerDropsABatchCancelledWhileWaiting(t *testing.T) {
	s := newIDStore()
	c := &Coalescer{Writer: s, Writers: 1}
	ctx, cancel := context.WithCancel(context.Background())
	wait := queued(t, c, s, context.Background(), evs("a"))
	waitCancelled := queued(t, c, s, ctx, evs("b"))
	waitOther := queued(t, c, s, context.Background(), evs("c"))
	cancel()
	got := waitCancelled()
	close(s.release)
	wait()
	other := waitOther()
	if !errors.Is(got[0].err, context.Canceled) {
		t.Errorf("cancelled batch: %v, want context.Canceled", got[0].err)
	}
	if other[0].err != nil || other[0].res.Accepted != 1 {
		t.Errorf("batch behind it: %+v, %v", other[0].res, other[0].err)
	}
	if w := fmt.Sprint(s.writes()); w != "[[a] [c]]" {
		t.Errorf("writes %s, want [[a] [c]]: the cancelled batch is never written", w)
	}
}

func TestCoalescerRunsAtMostWritersAtOnce(t *testing.T) {
	s := newIDStore()
	close(s.release)
	c := &Coalescer{Writer: s, Writers: 2, BatchSize: 3}
	var wg sync.WaitGroup
	total := journeys.WriteResult{}
	var mu sync.Mutex
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every other caller resends the previous one's events.
			id := fmt.Sprintf("e%d", i-i%2)
			r, err := c.WriteEvents(context.Background(), evs(id, id+"x"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
			}
			total.Add(r)
		}()
	}
	wg.Wait()
	if s.most > 2 {
		t.Errorf("%d writes at once, want at most 2", s.most)
	}
	if total.Accepted != 40 || total.Duplicates != 40 {
		t.Errorf("accepted %d, duplicates %d; want 40 and 40", total.Accepted, total.Duplicates)
	}
}

func TestCoalescerWritesALargeBatchAtOnce(t *testing.T) {
	s := newIDStore()
	c := &Coalescer{Writer: s, Writers: 1, Alone: 3}
	wait := queued(t, c, s, context.Background(), evs("a"), evs("b"))
	// The merged writes are held; a batch of Alone events is not queued
	// behind them.
	res, err := c.WriteEvents(context.Background(), evs("c", "d", "e"))
	if err != nil || res.Accepted != 3 {
		t.Errorf("large batch: %+v, %v", res, err)
	}
	if n := c.Waiting(); n != 1 {
		t.Errorf("%d batches waiting, want 1 (b)", n)
	}
	close(s.release)
	wait()
	if w := fmt.Sprint(s.writes()); w != "[[c d e] [a] [b]]" {
		t.Errorf("writes %s, want [[c d e] [a] [b]]", w)
	}
}
