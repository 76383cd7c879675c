package graph_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

// errorTally counts the kinds an ErrorCounter is told of.
type errorTally struct {
	mu sync.Mutex
	n  map[string]int
}

func (e *errorTally) CountNeo4jError(kind string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == nil {
		e.n = map[string]int{}
	}
	e.n[kind]++
}

func (e *errorTally) get(kind string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n[kind]
}

// TestNeo4jErrorsCounted: the store tells its ErrorCounter of the
// transactions Neo4j failed, by kind, and not of its own answers.
func TestNeo4jErrorsCounted(t *testing.T) {
	graphtest.Open(t) // skips or fails like every integration test
	ctx := context.Background()
	tally := &errorTally{}
	cfg := graphtest.Config()
	cfg.Errors = tally
	s, err := graph.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	prefix := graphtest.RunID(t)
	write(t, s, ev(prefix+"p", "view", 1))
	if _, _, err := s.Journey(ctx, prefix+"nobody", 10); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Fatalf("journey of nobody: %v, want not found", err)
	}
	// An event under p's id sent for q: the constraint refuses the first
	// attempt, the second finds the duplicate; nothing failed.
	taken := ev(prefix+"q", "open", 2)
	taken.ID = ev(prefix+"p", "view", 1).ID
	if got := write(t, s, taken); got.Duplicates != 1 {
		t.Fatalf("an id of another person: got %+v, want 1 duplicate", got)
	}
	if tally.n != nil {
		t.Fatalf("counted %v after good queries, a not-found answer and an id of another person, want nothing", tally.n)
	}

	if _, _, err := s.Journey(ctx, prefix+"p", -1); err == nil { // Neo4j refuses LIMIT -1
		t.Fatal("a negative limit reached Neo4j and was not refused")
	}
	if got := tally.get(graph.ErrQuery); got != 1 {
		t.Errorf("query errors = %d after a refused query, want 1 (%v)", got, tally.n)
	}

	past, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, _, err := s.Journey(past, prefix+"p", 10); err == nil {
		t.Fatal("a read past its deadline succeeded")
	}
	if got := tally.get(graph.ErrTimeout); got != 1 {
		t.Errorf("timeouts = %d after a read past its deadline, want 1 (%v)", got, tally.n)
	}

	down := cfg
	down.URI, down.MaxRetry = "bolt://127.0.0.1:1", 100*time.Millisecond
	if _, err := graph.Open(ctx, down); journeys.ErrorCode(err) != journeys.EUNAVAILABLE {
		t.Fatalf("open on a closed port: %v, want unavailable", err)
	}
	if got := tally.get(graph.ErrUnavailable); got != 1 {
		t.Errorf("unavailable = %d after Neo4j could not be reached, want 1 (%v)", got, tally.n)
	}
}
