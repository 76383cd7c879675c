package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// fakePinger answers pings with err, and reports each on pinged if set.
type fakePinger struct {
	err    error
	pinged chan struct{}
}

func (f *fakePinger) Ping(context.Context) error {
	err := f.err
	if f.pinged != nil {
		f.pinged <- struct{}{}
	}
	return err
}

// TestCircuitStates: the circuit's state machine, step by step. "cancels"
// says whether the step cancelled the requests in flight.
func TestCircuitStates(t *testing.T) {
	down := errors.New("down")
	type step struct {
		op       string // "trip", "ping ok", "ping fails"
		wantOpen bool
		cancels  bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"starts closed and stays closed while pings succeed", []step{{"ping ok", false, false}, {"ping ok", false, false}}},
		{"a failed ping opens it", []step{{"ping fails", true, true}}},
		{"a request's failure opens it", []step{{"trip", true, true}}},
		{"open stays open while pings fail", []step{{"trip", true, true}, {"ping fails", true, false}, {"trip", true, false}}},
		{"a successful ping closes it", []step{{"ping fails", true, true}, {"ping ok", false, false}}},
		{"it opens again after closing", []step{{"trip", true, true}, {"ping ok", false, false}, {"ping fails", true, true}, {"ping ok", false, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePinger{}
			c := NewCircuit(p, CircuitConfig{})
			if c.Open() {
				t.Fatal("a new circuit is open")
			}
			for i, s := range tt.steps {
				_, inFlight := c.state()
				before := inFlight.Err() != nil
				switch s.op {
				case "trip":
					c.Trip(down)
				case "ping ok":
					p.err = nil
					if err := c.Probe(context.Background()); err != nil {
						t.Fatalf("step %d: Probe = %v", i, err)
					}
				case "ping fails":
					p.err = down
					if err := c.Probe(context.Background()); !errors.Is(err, down) {
						t.Fatalf("step %d: Probe = %v, want %v", i, err, down)
					}
				}
				if got := c.Open(); got != s.wantOpen {
					t.Errorf("step %d (%s): open = %v, want %v", i, s.op, got, s.wantOpen)
				}
				if got := !before && inFlight.Err() != nil; got != s.cancels {
					t.Errorf("step %d (%s): requests in flight cancelled = %v, want %v", i, s.op, got, s.cancels)
				}
			}
		})
	}
}

// TestCircuitRunPingsOnEveryTick: Run pings once per tick of its ticker,
// each ping bounded by the interval, and returns when its context ends.
func TestCircuitRunPingsOnEveryTick(t *testing.T) {
	ticks := make(chan time.Time)
	p := &fakePinger{err: errors.New("down"), pinged: make(chan struct{})}
	var asked time.Duration
	c := NewCircuit(p, CircuitConfig{Interval: 250 * time.Millisecond, Ticker: func(d time.Duration) (<-chan time.Time, func()) {
		asked = d
		return ticks, func() {}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	for i := range 3 {
		ticks <- time.Time{}
		<-p.pinged
		if i == 0 {
			p.err = nil
		}
	}
	cancel()
	<-done
	if asked != 250*time.Millisecond {
		t.Errorf("ticker interval %v, want 250ms", asked)
	}
	if c.Open() {
		t.Error("open after the last ping succeeded")
	}
}

// blockingReader's Journey waits until its request is cancelled, as the
// driver does while it retries an unreachable Neo4j; if nothing cancels it,
// it gives up after a minute with an internal error (a failed test, not a
// hung one).
type blockingReader struct{ started chan struct{} }

func (b blockingReader) Journey(ctx context.Context, _ string, _ int) (journeys.Person, []journeys.JourneyEvent, error) {
	close(b.started)
	select {
	case <-ctx.Done():
		return journeys.Person{}, nil, journeys.Errorf(journeys.EUNAVAILABLE, "journey: %v", ctx.Err())
	case <-time.After(time.Minute):
		return journeys.Person{}, nil, journeys.Errorf(journeys.EINTERNAL, "the request was never cancelled")
	}
}

func TestCircuitGuardsRequests(t *testing.T) {
	st := &fakeStore{journey: func(id string) (journeys.Person, []journeys.JourneyEvent, error) {
		if id == "down" {
			return journeys.Person{}, nil, journeys.Errorf(journeys.EUNAVAILABLE, "neo4j unavailable")
		}
		return journeys.Person{ID: id}, nil, nil
	}}
	p := &fakePinger{}
	c := NewCircuit(p, CircuitConfig{})
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, st, st, WithCircuit(c),
		WithApp(AppConfig{Passwords: []string{"pw"}}, nil))

	if w := do(srv, "GET", "/api/v1/people/u1/journey", "Bearer r", ""); w.Code != http.StatusOK {
		t.Fatalf("closed: %d %s, want 200", w.Code, w.Body)
	}
	// A request that finds the store unavailable opens the circuit...
	if w := do(srv, "GET", "/api/v1/people/down/journey", "Bearer r", ""); w.Code != http.StatusServiceUnavailable || !c.Open() {
		t.Fatalf("store down: %d, open %v; want 503 and the circuit open", w.Code, c.Open())
	}
	// ... and then every request is answered 503 at once, the handler not called.
	st.journey = func(string) (journeys.Person, []journeys.JourneyEvent, error) {
		t.Error("handler called while the circuit is open")
		return journeys.Person{}, nil, nil
	}
	for _, path := range []string{"/api/v1/people/u1/journey", "/readyz", "/app/people/u1"} {
		w := do(srv, "GET", path, "Bearer r", "")
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("open, GET %s: %d (Retry-After %q), want 503 with Retry-After", path, w.Code, w.Header().Get("Retry-After"))
		}
	}
	if w := do(srv, "GET", "/api/v1/people/u1/journey", "Bearer r", ""); !strings.Contains(w.Body.String(), `"code":"unavailable"`) {
		t.Errorf("open: body %s, want the unavailable error", w.Body)
	}
	for _, path := range []string{"/healthz", "/login"} {
		if w := do(srv, "GET", path, "", ""); w.Code != http.StatusOK {
			t.Errorf("open, GET %s: %d, want 200 (it needs no store)", path, w.Code)
		}
	}
	// A successful ping closes it.
	st.journey = func(id string) (journeys.Person, []journeys.JourneyEvent, error) {
		return journeys.Person{ID: id}, nil, nil
	}
	if err := c.Probe(context.Background()); err != nil || c.Open() {
		t.Fatalf("Probe = %v, open %v; want closed", err, c.Open())
	}
	if w := do(srv, "GET", "/api/v1/people/u1/journey", "Bearer r", ""); w.Code != http.StatusOK {
		t.Errorf("closed again: %d %s, want 200", w.Code, w.Body)
	}
}

// TestCircuitCancelsRequestsInFlight: a request waiting on the store is
// answered 503 as soon as the circuit opens.
func TestCircuitCancelsRequestsInFlight(t *testing.T) {
	st := &fakeStore{}
	c := NewCircuit(st, CircuitConfig{})
	br := blockingReader{started: make(chan struct{})}
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, br, st, WithCircuit(c))
	answered := make(chan *httptest.ResponseRecorder)
	go func() { answered <- do(srv, "GET", "/api/v1/people/u1/journey", "Bearer r", "") }()
	<-br.started
	c.Trip(errors.New("ping failed"))
	if w := <-answered; w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("in flight when the circuit opened: %d (Retry-After %q), want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
}

// TestCircuitIgnoresClientsLeaving: a request the client cancelled does
// not open the circuit.
func TestCircuitIgnoresClientsLeaving(t *testing.T) {
	st := &fakeStore{}
	c := NewCircuit(st, CircuitConfig{})
	br := blockingReader{started: make(chan struct{})}
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, br, st, WithCircuit(c))
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/api/v1/people/u1/journey", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer r")
	done := make(chan struct{})
	go func() { srv.ServeHTTP(httptest.NewRecorder(), req); close(done) }()
	<-br.started
	cancel()
	<-done
	if c.Open() {
		t.Error("a client leaving opened the circuit")
	}
}
