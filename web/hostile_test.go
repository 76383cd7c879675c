package web_test

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/web"
)

// apiServer serves the JSON API on the real store, with the chain reports
// reading Neo4j.
func apiServer(t *testing.T, store *graph.Store) string {
	t.Helper()
	srv := web.New(web.Config{WriteKeys: []string{"wk"}, ReadKeys: []string{"rk"}},
		&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}, store, store,
		web.WithModels(&chain.Chains{Store: store}, &chain.HiddenStates{Touches: store, Models: store, People: store}))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// call sends a request with a key and returns the status and body.
func call(t *testing.T, method, u, key, encoding string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// reportsAnswer checks that the journey of person and the friction and
// attribution reports of the run's people answer 200 with a JSON body, and
// returns the bodies by name.
func reportsAnswer(t *testing.T, base, run, person string) map[string]string {
	t.Helper()
	pp := "person_prefix=" + url.QueryEscape(run)
	out := map[string]string{}
	for name, path := range map[string]string{
		"journey":     "/api/v1/people/" + url.PathEscape(person) + "/journey",
		"friction":    "/api/v1/friction?" + pp,
		"attribution": "/api/v1/attribution?by=channel&" + pp,
		"by step":     "/api/v1/attribution?by=step&" + pp,
	} {
		status, body := call(t, http.MethodGet, base+path, "rk", "", nil)
		if status != http.StatusOK || !strings.HasPrefix(body, "{") {
			t.Errorf("%s after hostile input: %d %.300s, want 200 with a report", name, status, body)
		}
		out[name] = body
	}
	return out
}

// shopper is a converting journey for person starting at t0, with value.
func shopper(person string, t0 time.Time, value float64) []journeys.Event {
	var events []journeys.Event
	for i, name := range []string{"product_view", "add_to_cart", "checkout", "purchase"} {
		e := journeys.Event{Type: journeys.TypeTrack, Person: person, Name: name, Time: t0.Add(time.Duration(i) * time.Minute), Channel: "email"}
		if name == "purchase" {
			e.Value = value
		}
		e.ID = person + "-" + name
		events = append(events, e)
	}
	return events
}

// TestReportsSurviveStoredNonFiniteValues: values an older version stored
// unchecked (NaN, ±Inf, written here straight through the store) do not
// make the reports fail for everyone: they are left out of the value sums
// and counted, and the person's journey still answers.
func TestReportsSurviveStoredNonFiniteValues(t *testing.T) {
	store := graphtest.Open(t)
	run := graphtest.RunID(t)
	t0 := time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC)
	var events []journeys.Event
	events = append(events, shopper(run+"nan", t0, math.NaN())...)
	events = append(events, shopper(run+"inf", t0, math.Inf(1))...)
	events = append(events, shopper(run+"fine", t0, 20)...)
	in := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	if _, err := in.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	base := apiServer(t, store)
	got := reportsAnswer(t, base, run, run+"nan")
	if !strings.Contains(got["attribution"], `"value":20`) || !strings.Contains(got["attribution"], `"skipped_values":2`) {
		t.Errorf("attribution = %.600s, want the finite value 20 and 2 values skipped", got["attribution"])
	}
	if !strings.Contains(got["journey"], `"skipped_values":1`) || !strings.Contains(got["journey"], `"purchase"`) {
		t.Errorf("journey = %.600s, want its events and 1 value skipped", got["journey"])
	}
}
