package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/journeygraph/journeygraph/journeys"
)

// Each server has its own registry: building two Sets does not panic on a
// duplicate registration, and what one counts the other does not.
func TestSetsAreIndependent(t *testing.T) {
	a, b := New(), New()
	a.ObserveEvents(1, 0, 0)
	if got := testutil.ToFloat64(b.events.WithLabelValues("accepted")); got != 0 {
		t.Errorf("second set's accepted = %v, want 0", got)
	}
}

func TestObserveRequest(t *testing.T) {
	tests := []struct {
		name, method, route string
		status              int
		want                string // the counter's labels
	}{
		{"a route template", "GET", "/api/v1/people/:id/journey", 200, `method="GET",route="/api/v1/people/:id/journey",status="200"`},
		{"an error status", "POST", "/api/v1/events", 503, `method="POST",route="/api/v1/events",status="503"`},
		{"a made-up method", "BREW", "unmatched", 404, `method="other",route="unmatched",status="404"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.ObserveRequest(tt.method, tt.route, tt.status, 30*time.Millisecond)
			body := scrape(t, s)
			if want := "journeygraph_http_requests_total{" + tt.want + "} 1"; !strings.Contains(body, want) {
				t.Errorf("scrape lacks %s:\n%s", want, grep(body, "journeygraph_http_requests_total"))
			}
			if want := "journeygraph_http_request_duration_seconds_count{method="; !strings.Contains(body, want) {
				t.Errorf("scrape lacks the duration histogram")
			}
		})
	}
}

func TestObserveEventsAndIngest(t *testing.T) {
	s := New()
	s.ObserveEvents(2, 0, 1)
	s.ObserveEvents(0, 2, 1)
	s.ObserveIngest(20 * time.Millisecond)
	for outcome, want := range map[string]float64{"accepted": 2, "duplicate": 2, "rejected": 2} {
		if got := testutil.ToFloat64(s.events.WithLabelValues(outcome)); got != want {
			t.Errorf("events %s = %v, want %v", outcome, got, want)
		}
	}
	if n := testutil.CollectAndCount(s.ingestDuration); n != 1 {
		t.Errorf("ingest histograms = %d, want 1", n)
	}
	if body := scrape(t, s); !strings.Contains(body, "journeygraph_ingest_batch_duration_seconds_count 1") {
		t.Errorf("scrape lacks one ingest batch:\n%s", grep(body, "journeygraph_ingest"))
	}
}

func TestObserveEvaluation(t *testing.T) {
	s := New()
	s.ObserveEvaluation("vip", true, 12, time.Millisecond)
	s.ObserveEvaluation("vip", false, 1, time.Millisecond) // some people: not the segment's size
	s.ObserveEvaluation("new", true, 3, time.Millisecond)
	if got := testutil.ToFloat64(s.segmentMembers.WithLabelValues("vip")); got != 12 {
		t.Errorf("vip members = %v, want 12 (from the evaluation for everyone)", got)
	}
	body := scrape(t, s)
	for _, want := range []string{
		`journeygraph_segment_evaluation_duration_seconds_count{scope="all",segment="vip"} 1`,
		`journeygraph_segment_evaluation_duration_seconds_count{scope="people",segment="vip"} 1`,
		`journeygraph_segment_members{segment="new"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	s.ForgetSegment("vip")
	body = scrape(t, s)
	if strings.Contains(body, `segment="vip"`) || !strings.Contains(body, `segment="new"`) {
		t.Errorf("after deleting vip, its series remain or new's went:\n%s", grep(body, "segment="))
	}
}

func TestCountNeo4jError(t *testing.T) {
	s := New()
	s.CountNeo4jError("unavailable")
	s.CountNeo4jError("unavailable")
	if got := testutil.ToFloat64(s.neo4jErrors.WithLabelValues("unavailable")); got != 2 {
		t.Errorf("unavailable = %v, want 2", got)
	}
}

// fakeCache is a journey cache's size and last sync.
type fakeCache struct {
	people, events int
	last           time.Time
}

func (f *fakeCache) Stats() (int, int)   { return f.people, f.events }
func (f *fakeCache) LastSync() time.Time { return f.last }

func TestWatchCache(t *testing.T) {
	s := New()
	c := &fakeCache{}
	s.WatchCache(c)
	lag := func() float64 {
		t.Helper()
		mfs, err := s.reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "journeygraph_journey_cache_lag_seconds" {
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("no lag gauge")
		return 0
	}
	if l := lag(); l < 0 || l > 60 {
		t.Errorf("lag before the first load = %v s, want the time since WatchCache (small)", l)
	}
	c.people, c.events, c.last = 2, 5, time.Now().Add(-time.Hour)
	if l := lag(); l < 3600 || l > 3660 {
		t.Errorf("lag = %v s, want about an hour since the last sync", l)
	}
	body := scrape(t, s)
	for _, want := range []string{"journeygraph_journey_cache_people 2", "journeygraph_journey_cache_events 5"} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

// fakeOutbox claims the deliveries it holds and fails finishing when err
// is set.
type fakeOutbox struct {
	claim []journeys.Delivery
	err   error
}

func (f *fakeOutbox) ClaimDeliveries(context.Context, journeys.Claim) ([]journeys.Delivery, error) {
	return f.claim, nil
}
func (f *fakeOutbox) FinishDelivery(context.Context, journeys.Delivery) error { return f.err }

func TestOutbox(t *testing.T) {
	s := New()
	store := &fakeOutbox{claim: []journeys.Delivery{{ID: "a", CreatedAt: time.Now().Add(-2 * time.Second)}}}
	out := s.Outbox(store)
	ds, err := out.ClaimDeliveries(context.Background(), journeys.Claim{Now: time.Now(), Lease: time.Second, Limit: 10})
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v %v", ds, err)
	}
	body := scrape(t, s)
	if !strings.Contains(body, "journeygraph_webhook_queue_age_seconds_count 1") ||
		!strings.Contains(body, `journeygraph_webhook_queue_age_seconds_bucket{le="1"} 0`) ||
		!strings.Contains(body, `journeygraph_webhook_queue_age_seconds_bucket{le="2.5"} 1`) {
		t.Errorf("queue age: want one delivery about 2 s old:\n%s", grep(body, "queue_age"))
	}
	tests := []struct{ status, outcome string }{
		{journeys.DeliveryDelivered, "delivered"},
		{journeys.DeliveryPending, "retry"},
		{journeys.DeliveryFailed, "failed"},
		{journeys.DeliveryCancelled, "cancelled"},
		{"weird", "other"},
	}
	for _, tt := range tests {
		if err := out.FinishDelivery(context.Background(), journeys.Delivery{Status: tt.status}); err != nil {
			t.Fatal(err)
		}
		if got := testutil.ToFloat64(s.deliveries.WithLabelValues(tt.outcome)); got != 1 {
			t.Errorf("status %s: %s = %v, want 1", tt.status, tt.outcome, got)
		}
	}
	store.err = errors.New("neo4j down")
	if err := out.FinishDelivery(context.Background(), journeys.Delivery{Status: journeys.DeliveryDelivered}); err == nil {
		t.Error("the store's error was lost")
	}
	if got := testutil.ToFloat64(s.deliveries.WithLabelValues("delivered")); got != 1 {
		t.Errorf("delivered = %v after an outcome the store did not record, want 1", got)
	}
}

// scrape answers a scrape of s and returns the text.
func scrape(t *testing.T, s *Set) string {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", w.Code, w.Body)
	}
	return w.Body.String()
}

// grep returns the lines of body containing s.
func grep(body, s string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// BenchmarkObserveRequest is the cost the metrics add to one request.
func BenchmarkObserveRequest(b *testing.B) {
	s := New()
	for b.Loop() {
		s.ObserveRequest("GET", "/api/v1/people/:id/journey", 200, 3*time.Millisecond)
	}
}

// BenchmarkScrape is the cost of one scrape with every series of a busy
// server: 40 routes, 20 segments.
func BenchmarkScrape(b *testing.B) {
	s := New()
	for i := range 40 {
		s.ObserveRequest("GET", "/route/"+strconv.Itoa(i), 200, time.Millisecond)
	}
	for i := range 20 {
		s.ObserveEvaluation("segment"+strconv.Itoa(i), true, i, time.Millisecond)
	}
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	}
}
