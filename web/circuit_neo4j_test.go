package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/web"
)

// switchStore sends every call to the real store it holds now: Neo4j
// "comes back" when it is switched from an unreachable store to the live one.
type switchStore struct{ cur atomic.Pointer[graph.Store] }

func (s *switchStore) Ping(ctx context.Context) error { return s.cur.Load().Ping(ctx) }
func (s *switchStore) Journey(ctx context.Context, id string, limit int) (journeys.Person, []journeys.JourneyEvent, error) {
	return s.cur.Load().Journey(ctx, id, limit)
}

// silentListener accepts connections and never answers: a Neo4j that hangs.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestUnreachableNeo4jFailsFast: while the store cannot be reached (a port
// that accepts and never answers, or a closed one), requests are answered
// 503 with Retry-After by the circuit, not after the driver's 30 s of
// retries; when the live Neo4j answers the circuit's ping, they are served
// again.
func TestUnreachableNeo4jFailsFast(t *testing.T) {
	live := graphtest.Open(t)
	person := graphtest.RunID(t) + "p"
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	in := &ingest.Ingester{Store: live, Rules: journeys.DefaultStepRules()}
	if _, err := in.Ingest(context.Background(), []journeys.Event{{ID: journeys.EventID(person, "view", at, nil),
		Type: journeys.TypeTrack, Person: person, Name: "view", Time: at}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		addr func(*testing.T) string
	}{{"silent", silentListener}, {"closed port", closedPort}} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := graphtest.Config()
			cfg.URI, cfg.MaxRetry = "bolt://"+tt.addr(t), 0 // the driver's default retries: 30 s
			dead, err := graph.Dial(cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { dead.Close(context.Background()) })
			sw := &switchStore{}
			sw.cur.Store(dead)
			circuit := web.NewCircuit(sw, web.CircuitConfig{})
			ctx, stopRun := context.WithCancel(context.Background())
			t.Cleanup(stopRun)
			ran := make(chan struct{})
			go func() { circuit.Run(ctx); close(ran) }()
			srv := web.New(web.Config{ReadKeys: []string{"rk"}}, in, sw, sw, web.WithCircuit(circuit))
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			// Well under the driver's retries: without the circuit the
			// request is still waiting when the client gives up.
			client := &http.Client{Timeout: 15 * time.Second}
			get := func() (*http.Response, string) {
				t.Helper()
				req, _ := http.NewRequest("GET", ts.URL+"/api/v1/people/"+person+"/journey", nil)
				req.Header.Set("Authorization", "Bearer rk")
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("GET journey with Neo4j unreachable: %v", err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp, string(b)
			}
			for i := range 2 { // in flight when the circuit opens, then while open
				start := time.Now()
				resp, body := get()
				t.Logf("request %d answered %d after %v", i, resp.StatusCode, time.Since(start).Round(time.Millisecond))
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, `"unavailable"`) {
					t.Fatalf("request %d with Neo4j unreachable: %d (Retry-After %q) %s, want 503 with Retry-After", i, resp.StatusCode, resp.Header.Get("Retry-After"), body)
				}
			}
			if !circuit.Open() {
				t.Fatal("the circuit is closed while Neo4j is unreachable")
			}

			// Neo4j is back: the next ping (here by hand, Run stopped so that
			// no ping of the dead store is still under way) closes the circuit.
			stopRun()
			<-ran
			sw.cur.Store(live)
			if err := circuit.Probe(context.Background()); err != nil || circuit.Open() {
				t.Fatalf("Probe against the live Neo4j = %v (open %v), want the circuit closed", err, circuit.Open())
			}
			if resp, body := get(); resp.StatusCode != http.StatusOK || !strings.Contains(body, person) {
				t.Errorf("after Neo4j came back: %d %s, want the journey", resp.StatusCode, body)
			}
		})
	}
}
