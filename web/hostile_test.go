package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
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

// storedUnder counts the events stored for people whose id starts with
// prefix.
func storedUnder(t *testing.T, store *graph.Store, prefix string) int {
	t.Helper()
	set, err := store.Touches(context.Background(), journeys.TouchQuery{Filter: journeys.Filter{PersonPrefix: prefix}, Every: true})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	n := 0
	for set.Next() {
		n += len(set.At().Touches)
	}
	if err := set.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHostilePayloads sends hostile payloads to the real server on the real
// Neo4j. Each row says what it answers (status and a fragment of the
// message), how many events it stored under its own prefix (the good
// items beside the bad one, never a mangled copy of the bad one), and
// afterwards the journey, friction and attribution reports still answer.
func TestHostilePayloads(t *testing.T) {
	store := graphtest.Open(t)
	run := graphtest.RunID(t)
	t0 := time.Date(2021, 4, 1, 10, 0, 0, 0, time.UTC)
	in := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	if _, err := in.Ingest(context.Background(), shopper(run+"shopper", t0, 20)); err != nil {
		t.Fatal(err)
	}
	base := apiServer(t, store)

	// The rows' bodies name people with {P}: the row's own prefix.
	good := func(i int) string {
		return fmt.Sprintf(`{"userId":"{P}good","event":"product_view","timestamp":"2021-04-01T11:%02d:00Z","messageId":"{P}m%d"}`, i, i)
	}
	around := func(bad string) string { return "[" + good(1) + "," + bad + "," + good(2) + "]" }
	item := func(fields string) string {
		return `{"userId":"{P}bad","event":"purchase","timestamp":"2021-04-01T12:00:00Z",` + fields + `}`
	}
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	tests := []struct {
		name, path, encoding string
		body                 string
		status               int
		want                 string // fragment of the answer
		stored               int    // events stored under the row's prefix
	}{
		{"good batch", "/api/v1/events", "", "[" + good(1) + "," + good(2) + "]", 200, `"accepted":2`, 2},
		{"price NaN as a string", "/api/v1/events", "", around(item(`"properties":{"price":"NaN"}`)), 200,
			`{"row":1,"field":"properties.price","problem":"NaN is not a finite number"}`, 2},
		{"revenue Infinity", "/api/v1/events", "", around(item(`"properties":{"revenue":"Infinity"}`)), 200, `"field":"properties.revenue"`, 2},
		{"number beyond float64", "/api/v1/events", "", around(item(`"properties":{"score":1e999}`)), 200,
			`"field":"properties.score","problem":"+Inf is not a finite number"`, 2},
		{"user id of 8 KB", "/api/v1/events", "", around(`{"userId":"{P}` + strings.Repeat("u", 8<<10) + `","event":"x","timestamp":"2021-04-01T12:00:00Z"}`), 200,
			`"field":"userId","problem":"is 8`, 2},
		{"event name of 60 KB", "/api/v1/events", "", around(item(`"event":"` + strings.Repeat("e", 60<<10) + `"`)), 200,
			`"field":"event","problem":"is 61440 bytes (max 200)"`, 2},
		{"message id of 16 KB", "/api/v1/events", "", around(item(`"messageId":"` + strings.Repeat("m", 16<<10) + `"`)), 200, `"field":"messageId"`, 2},
		{"user id not UTF-8", "/api/v1/events", "", around("{\"userId\":\"{P}bad\xff\",\"event\":\"x\",\"timestamp\":\"2021-04-01T12:00:00Z\"}"), 200,
			`"field":"userId","problem":"is not valid UTF-8"`, 2},
		{"lone surrogate in the user id", "/api/v1/events", "", around(`{"userId":"{P}bad\udc00","event":"x","timestamp":"2021-04-01T12:00:00Z"}`), 200,
			`"field":"userId","problem":"is not valid UTF-8"`, 2},
		{"control character in the user id", "/api/v1/events", "", around(`{"userId":"{P}bad\u0000","event":"x","timestamp":"2021-04-01T12:00:00Z"}`), 200,
			`"problem":"holds a control character (U+0000)"`, 2},
		{"properties of 40 KB", "/api/v1/events", "", around(item(`"properties":{"blob":"` + strings.Repeat("x", 40<<10) + `"}`)), 200,
			`"field":"properties","problem":"are 409`, 2},
		{"properties nested 20,000 deep: the body cannot be read", "/api/v1/events", "", around(item(`"properties":{"a":` + deep + `}`)), 400, `exceeded max depth`, 0},
		{"nothing usable", "/api/v1/events", "", `[{},{}]`, 400, `"message":"no usable event in the batch"`, 0},
		{"5 MiB of empty objects", "/api/v1/events", "", "[" + strings.Repeat("{},", (5<<20-100)/3) + "{}]", 400,
			`the first 100 are listed)","details":[`, 0},
		{"body over 5 MiB", "/api/v1/events", "", "[" + strings.Repeat(" ", 5<<20) + "]", 413, `"code":"too_large"`, 0},
		{"gzip batch", "/api/v1/events", "gzip", "[" + good(1) + "," + good(2) + "]", 200, `"accepted":2`, 2},
		{"gzip bomb", "/v1/batch", "gzip", `{"batch":[` + strings.Repeat(" ", 64<<20) + `]}`, 413, `inflates to more than 5242880 bytes`, 0},
		{"unsupported encoding", "/api/v1/events", "br", "[" + good(1) + "]", 400, `Content-Encoding: \"br\" is not supported`, 0},
		{"single track with NaN value", "/v1/track", "", `{"userId":"{P}bad","event":"purchase","timestamp":"2021-04-01T12:00:00Z","properties":{"value":"-Infinity"}}`, 400,
			`"field":"properties.value"`, 0},
		{"identify with an infinite trait", "/v1/identify", "", `{"userId":"{P}bad","timestamp":"2021-04-01T12:00:00Z","traits":{"ltv":1e400}}`, 400,
			`"field":"traits.ltv"`, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := fmt.Sprintf("%sr%02d-", run, i)
			body := []byte(strings.ReplaceAll(tt.body, "{P}", prefix))
			if tt.encoding == "gzip" {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(body)
				zw.Close()
				body = buf.Bytes()
			}
			status, answer := call(t, http.MethodPost, base+tt.path, "wk", tt.encoding, bytes.NewReader(body))
			if status != tt.status || !strings.Contains(answer, tt.want) {
				t.Errorf("answer %d %.400s, want %d with %s", status, answer, tt.status, tt.want)
			}
			if len(answer) > 16<<10 {
				t.Errorf("answer of %d bytes, want at most 16 KiB", len(answer))
			}
			if n := storedUnder(t, store, prefix); n != tt.stored {
				t.Errorf("%d events stored under the row's prefix, want %d", n, tt.stored)
			}
			reportsAnswer(t, base, run, run+"shopper")
		})
	}
}
