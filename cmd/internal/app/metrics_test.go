package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/metrics"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/webhook"
	"github.com/journeygraph/journeygraph/web"
)

// TestMetricsAfterRealWork wires the services with metrics over the real
// Neo4j, does real work (a batch with a bad row, a read, a segment save
// whose entry is delivered to a webhook, cache syncs) and checks that the
// scraped series moved by what was done.
func TestMetricsAfterRealWork(t *testing.T) {
	store := graphtest.Open(t)
	run := graphtest.RunID(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := metrics.New()
	allow, err := webhook.ParseAllowList("127.0.0.1/32") // the test's receiver
	if err != nil {
		t.Fatal(err)
	}
	a := New(store, Config{Rules: journeys.DefaultStepRules(), Cache: true, CachePrefix: run, WebhookPrefix: run, Metrics: m,
		WebhookAllow: allow})
	if err := a.Cache.Load(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{WriteKeys: []string{"wk"}, ReadKeys: []string{"rk"}}, a.Segmenting, store, store,
		web.WithMetrics(m)))
	defer srv.Close()
	got := func(t *testing.T) string {
		t.Helper()
		status, body := call(t, "GET", srv.URL+"/metrics", "rk", "")
		if status != http.StatusOK {
			t.Fatalf("scrape: %d %s", status, body)
		}
		return body
	}

	person := run + "u"
	status, body := call(t, "POST", srv.URL+"/api/v1/events", "wk", fmt.Sprintf(`[
	  {"type":"track","userId":%[1]q,"event":"product_view","timestamp":"2024-05-01T10:00:00Z"},
	  {"type":"track","userId":%[1]q,"event":"add_to_cart","timestamp":"2024-05-01T10:05:00Z"},
	  {"type":"track","event":"add_to_cart","timestamp":"2024-05-01T10:05:00Z"}]`, person))
	if status != http.StatusOK || !strings.Contains(body, `"accepted":2`) {
		t.Fatalf("POST events: %d %s, want 2 accepted, 1 rejected", status, body)
	}
	if status, body = call(t, "GET", srv.URL+"/api/v1/people/"+person+"/journey", "rk", ""); status != http.StatusOK {
		t.Fatalf("journey: %d %s", status, body)
	}
	if status, _ = call(t, "GET", srv.URL+"/metrics", "", ""); status != http.StatusUnauthorized {
		t.Errorf("/metrics without a key: %d, want 401", status)
	}
	scraped := got(t)
	expect(t, scraped, map[string]float64{
		`journeygraph_events_total{outcome="accepted"}`:                                                     2,
		`journeygraph_events_total{outcome="duplicate"}`:                                                    0,
		`journeygraph_events_total{outcome="rejected"}`:                                                     1,
		`journeygraph_ingest_batch_duration_seconds_count`:                                                  1,
		`journeygraph_http_requests_total{method="POST",route="/api/v1/events",status="200"}`:               1,
		`journeygraph_http_requests_total{method="GET",route="/api/v1/people/:id/journey",status="200"}`:    1,
		`journeygraph_http_requests_total{method="GET",route="/metrics",status="401"}`:                      1,
		`journeygraph_http_request_duration_seconds_count{method="GET",route="/api/v1/people/:id/journey"}`: 1,
	})
	if strings.Contains(scraped, person) {
		t.Error("a raw path (the person's id) became a label value")
	}

	// A segment whose one member is delivered to a webhook.
	var received = make(chan struct{}, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
		select {
		case received <- struct{}{}:
		default:
		}
	}))
	defer receiver.Close()
	seg, err := journeys.ParseSegment([]byte(`{"name":"` + run + `carts","where":{"did":"add_to_cart"}}`))
	if err != nil {
		t.Fatal(err)
	}
	hook, err := store.CreateWebhook(ctx, journeys.Webhook{ID: run + "hook", URL: receiver.URL, Segment: seg.Name, Events: []string{journeys.KindEntered}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = store.DeleteWebhook(context.Background(), hook.ID)
		_ = store.DeleteSegment(context.Background(), seg.Name)
	})
	if _, err := store.SaveSegment(ctx, seg, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Everyone the cache holds: the test's people.
	if res, err := a.Segmenter.Refresh(ctx, []string{seg.Name}, journeys.SegmentScope{Prefix: run}, "test", time.Time{}); err != nil || res[0].Entered != 1 {
		t.Fatalf("refresh: %+v %v, want 1 entered", res, err)
	}
	go a.Webhooks.Run(ctx)
	// The outcome is counted once the store recorded it: wait for the
	// count, then check the record.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(got(t), "\n"+`journeygraph_webhook_deliveries_total{outcome="delivered"} 1`+"\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no delivery counted in 30 s:\n%s", got(t))
		}
		select {
		case <-received:
		case <-time.After(50 * time.Millisecond):
		}
	}
	if ds, err := store.Deliveries(ctx, hook.ID, 10); err != nil || len(ds) != 1 || ds[0].Status != journeys.DeliveryDelivered {
		t.Fatalf("deliveries %+v, %v; want the one delivered", ds, err)
	}
	if err := a.Cache.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	scraped = got(t)
	expect(t, scraped, map[string]float64{
		`journeygraph_segment_members{segment="` + seg.Name + `"}`:                                       1,
		`journeygraph_segment_evaluation_duration_seconds_count{scope="all",segment="` + seg.Name + `"}`: 1,
		`journeygraph_webhook_deliveries_total{outcome="delivered"}`:                                     1,
		`journeygraph_webhook_queue_age_seconds_count`:                                                   1,
		`journeygraph_journey_cache_people`:                                                              1,
		`journeygraph_journey_cache_events`:                                                              2,
	})
	if lag := value(t, scraped, "journeygraph_journey_cache_lag_seconds"); lag < 0 || lag > 30 {
		t.Errorf("cache lag %v s just after a sync, want a few seconds at most", lag)
	}

	// Deleting the segment drops its series.
	if err := a.Segmenter.Delete(ctx, seg.Name); err != nil {
		t.Fatal(err)
	}
	if scraped = got(t); strings.Contains(scraped, `segment="`+seg.Name+`"`) {
		t.Errorf("the deleted segment's series remain:\n%s", scraped)
	}
}

// call makes one request with the key as a bearer token.
func call(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// expect checks the scraped value of each series.
func expect(t *testing.T, scraped string, want map[string]float64) {
	t.Helper()
	for series, w := range want {
		if got := value(t, scraped, series); got != w {
			t.Errorf("%s = %v, want %v", series, got, w)
		}
	}
}

// value returns the value of one series (its name and labels as the text
// format writes them) in a scrape.
func value(t *testing.T, scraped, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(scraped, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	t.Errorf("no series %s in the scrape", series)
	return -1
}
