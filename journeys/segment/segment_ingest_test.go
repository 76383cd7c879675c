package segment

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// heldIngester writes nothing: each Ingest waits for release, then
// reports the events' people as touched.
type heldIngester struct{ release chan struct{} }

func (h heldIngester) Ingest(_ context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	<-h.release
	var res journeys.WriteResult
	for _, e := range events {
		res.People = append(res.People, e.Person)
	}
	return res, nil
}

// roundsEngine evaluates everyone in scope into the segment and records
// each round's people.
type roundsEngine struct {
	everyone
	mu     sync.Mutex
	rounds [][]string
}

func (e *roundsEngine) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	e.mu.Lock()
	e.rounds = append(e.rounds, slices.Clone(scope.People))
	e.mu.Unlock()
	return scope.People, nil
}

func (e *roundsEngine) last() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.rounds) == 0 {
		return nil
	}
	return e.rounds[len(e.rounds)-1]
}

// TestHookLeavesPeopleBeingWritten: a queued person whose events are being
// written when a round starts is left for the round after that write,
// which queues them again; the others are evaluated at once. A person
// written without a break is evaluated after maxDeferrals rounds all the
// same.
func TestHookLeavesPeopleBeingWritten(t *testing.T) {
	segs := []journeys.Segment{{Name: "s", Version: 1, Where: journeys.Condition{Did: &journeys.Match{Step: "view"}}}}
	e := &roundsEngine{}
	held := heldIngester{release: make(chan struct{})}
	si := NewSegmentingIngester(held, &Segmenter{Store: listStore{segs: segs}, Engine: e})
	ctx := context.Background()
	write := func(person string) chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, err := si.Ingest(ctx, []journeys.Event{{Person: person, Name: "view", Time: time.Now()}}); err != nil {
				t.Error(err)
			}
		}()
		for { // until the write is under way
			si.mu.Lock()
			n := si.writing[person]
			si.mu.Unlock()
			if n > 0 {
				return done
			}
			time.Sleep(time.Millisecond)
		}
	}

	si.Enqueue([]string{"x", "y"}) // an earlier write touched them
	done := write("x")             // x's next events are being written
	if err := si.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.last(); !slices.Equal(got, []string{"y"}) {
		t.Fatalf("round while x is written: %v, want [y]", got)
	}
	held.release <- struct{}{}
	<-done
	if err := si.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.last(); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("round after x's write: %v, want [x]", got)
	}

	// x written without a break: left out maxDeferrals times, then
	// evaluated while written.
	si.Enqueue([]string{"x"})
	done = write("x")
	before := len(e.rounds)
	for range maxDeferrals {
		if err := si.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.rounds) != before {
		t.Fatalf("x evaluated within %d rounds of a write in progress: %v", maxDeferrals, e.rounds[before:])
	}
	if err := si.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.last(); len(e.rounds) != before+1 || !slices.Equal(got, []string{"x"}) {
		t.Errorf("round %d: %v, want x evaluated after %d rounds left out", len(e.rounds), got, maxDeferrals)
	}
	held.release <- struct{}{}
	<-done
}
