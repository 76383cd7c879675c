package web

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// fakeMetrics records what it is told and answers scrapes with "scraped".
type fakeMetrics struct {
	mu       sync.Mutex
	requests []string // "METHOD route status"
	events   [][3]int
	ingests  int
}

func (f *fakeMetrics) ObserveRequest(method, route string, status int, _ time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, method+" "+route+" "+http.StatusText(status))
}

func (f *fakeMetrics) ObserveEvents(accepted, duplicates, rejected int) {
	f.events = append(f.events, [3]int{accepted, duplicates, rejected})
}

func (f *fakeMetrics) ObserveIngest(time.Duration) { f.ingests++ }

func (f *fakeMetrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	_, _ = w.Write([]byte("scraped"))
}

func (f *fakeMetrics) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return ""
	}
	return f.requests[len(f.requests)-1]
}

func TestMetricsObserveRequests(t *testing.T) {
	fm := &fakeMetrics{}
	st := &fakeStore{journey: func(id string) (journeys.Person, []journeys.JourneyEvent, error) {
		return journeys.Person{ID: id}, nil, nil
	}}
	s := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, Now: func() time.Time { return now }},
		&fakeIngester{}, st, st, WithMetrics(fm))
	tests := []struct {
		name, method, path, auth, body string
		want                           string // the request observed
	}{
		{"the route's template, not the path", "GET", "/api/v1/people/u-1234/journey", "Bearer r", "", "GET /api/v1/people/:id/journey OK"},
		{"an unknown path", "GET", "/wp-admin/u-1234", "", "", "GET unmatched Not Found"},
		{"refused by its key", "POST", "/api/v1/events", "Bearer r", "[" + good + "]", "POST /api/v1/events Forbidden"},
		{"a batch", "POST", "/api/v1/events", "Bearer w", "[" + good + "," + good[:len(good)-1] + `,"messageId":"m2"},{"type":"track"}]`, "POST /api/v1/events OK"},
		{"nothing usable", "POST", "/api/v1/events", "Bearer w", `[{"type":"track"}]`, "POST /api/v1/events Bad Request"},
		{"metrics without a key", "GET", "/metrics", "", "", "GET /metrics Unauthorized"},
		{"metrics with a write (ingest) key", "GET", "/metrics", "Bearer w", "", "GET /metrics Forbidden"},
		{"metrics with a read key", "GET", "/metrics", "Bearer r", "", "GET /metrics OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, tt.method, tt.path, tt.auth, tt.body)
			if got := fm.last(); got != tt.want {
				t.Errorf("observed %q (answer %d %s), want %q", got, w.Code, w.Body, tt.want)
			}
			if strings.HasPrefix(tt.want, "GET /metrics OK") && w.Body.String() != "scraped" {
				t.Errorf("/metrics answered %q, want the scrape", w.Body)
			}
		})
	}
	// The batch: 2 good events and 1 bad row; then a batch of 1 bad row
	// only, which stores nothing.
	if want := [][3]int{{2, 0, 1}, {0, 0, 1}}; len(fm.events) != 2 || fm.events[0] != want[0] || fm.events[1] != want[1] {
		t.Errorf("events observed %v, want %v", fm.events, want)
	}
	if fm.ingests != 1 {
		t.Errorf("ingest timings %d, want 1 (the batch that reached the store)", fm.ingests)
	}
}

func TestNoMetricsRouteWithoutMetrics(t *testing.T) {
	s := newTestServer(&fakeIngester{}, &fakeStore{})
	if w := do(s, "GET", "/metrics", "Bearer r", ""); w.Code != http.StatusNotFound {
		t.Errorf("GET /metrics on a server without metrics: %d, want 404", w.Code)
	}
}
