package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// fakeIngester records batches and answers with err when set.
type fakeIngester struct {
	got []journeys.Event
	err error
}

func (f *fakeIngester) Ingest(_ context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	if f.err != nil {
		return journeys.WriteResult{}, f.err
	}
	f.got = append(f.got, events...)
	return journeys.WriteResult{Accepted: len(events)}, nil
}

// fakeStore answers journeys and pings.
type fakeStore struct {
	pingErr error
	journey func(id string) (journeys.Person, []journeys.JourneyEvent, error)
}

func (f *fakeStore) Ping(context.Context) error { return f.pingErr }
func (f *fakeStore) Journey(_ context.Context, id string, _ int) (journeys.Person, []journeys.JourneyEvent, error) {
	return f.journey(id)
}

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func newTestServer(in *fakeIngester, st *fakeStore) *Server {
	return New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}, MaxBodyBytes: 2048, Now: func() time.Time { return now }}, in, st, st)
}

func do(s *Server, method, path, auth, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

const good = `{"type":"track","userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:00Z"}`

func TestIngestAnswers(t *testing.T) {
	tests := []struct {
		name, path, auth, body string
		ingestErr              error
		status                 int
		want                   string // substring of the body
	}{
		{"array", "/api/v1/events", "Bearer w", "[" + good + "]", nil, 200, `"accepted":1`},
		{"batch object", "/api/v1/events", "Bearer w", `{"batch":[` + good + `]}`, nil, 200, `"accepted":1`},
		{"bad rows reported, good kept", "/api/v1/events", "Bearer w",
			`[` + good + `,{"type":"track","event":"x","timestamp":"2024-05-01T10:00:00Z"}]`, nil, 200,
			`"rejected":[{"row":1,"field":"userId`},
		{"nothing usable", "/api/v1/events", "Bearer w", `[{"type":"track","userId":"u"}]`, nil, 400, `"code":"invalid"`},
		{"malformed JSON", "/api/v1/events", "Bearer w", `[{`, nil, 400, `"code":"invalid"`},
		{"too large", "/api/v1/events", "Bearer w", "[" + strings.Repeat(good+",", 40) + good + "]", nil, 413, `"code":"too_large"`},
		{"no key", "/api/v1/events", "", "[" + good + "]", nil, 401, `"code":"unauthorized"`},
		{"read key cannot send events", "/api/v1/events", "Bearer r", "[" + good + "]", nil, 403, `"code":"forbidden"`},
		{"unknown key", "/api/v1/events", "Bearer nope", "[" + good + "]", nil, 401, `"code":"unauthorized"`},
		{"admin key sends events", "/api/v1/events", "Bearer a", "[" + good + "]", nil, 200, `"accepted":1`},
		{"store down", "/api/v1/events", "Bearer w", "[" + good + "]",
			journeys.Errorf(journeys.EUNAVAILABLE, "neo4j down"), 503, `retry later`},
		{"segment track with basic auth", "/v1/track", "Basic dzo=", // "w:"
			`{"userId":"u1","event":"checkout","timestamp":"2024-05-01T10:00:00Z"}`, nil, 200, `"accepted":1`},
		{"segment identify", "/v1/identify", "Bearer w",
			`{"userId":"u1","anonymousId":"a1","timestamp":"2024-05-01T10:00:00Z"}`, nil, 200, `"accepted":1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &fakeIngester{err: tt.ingestErr}
			w := do(newTestServer(in, &fakeStore{}), http.MethodPost, tt.path, tt.auth, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Fatalf("got %d %s, want %d containing %s", w.Code, w.Body, tt.status, tt.want)
			}
			if tt.status == 503 && w.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if tt.status != 200 && len(in.got) != 0 {
				t.Errorf("events reached the store on a %d answer", tt.status)
			}
		})
	}
}

func TestSegmentIdentifyKeepsItsType(t *testing.T) {
	in := &fakeIngester{}
	w := do(newTestServer(in, &fakeStore{}), http.MethodPost, "/v1/identify", "Bearer w",
		`{"userId":"u1","anonymousId":"a1","timestamp":"2024-05-01T10:00:00Z"}`)
	if w.Code != 200 || len(in.got) != 1 {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	if e := in.got[0]; e.Type != journeys.TypeIdentify || e.Person != "u1" || e.PreviousID != "a1" {
		t.Errorf("event = %+v, want identify of u1 merging a1", e)
	}
}

func TestJourneyAndHealth(t *testing.T) {
	t1 := now.Add(-2 * time.Hour)
	st := &fakeStore{journey: func(id string) (journeys.Person, []journeys.JourneyEvent, error) {
		if id != "u1" {
			return journeys.Person{}, nil, journeys.Errorf(journeys.ENOTFOUND, "person %q not found", id)
		}
		return journeys.Person{ID: "u1", Events: 3}, []journeys.JourneyEvent{
			{Event: journeys.Event{Name: "view", Step: "view", Time: t1}},
			{Event: journeys.Event{Name: "cart", Step: "cart", Time: t1.Add(time.Minute)}, GapSeconds: 60},
			{Event: journeys.Event{Name: "buy", Step: "buy", Time: t1.Add(time.Hour)}, GapSeconds: 3540},
		}, nil
	}}
	s := newTestServer(&fakeIngester{}, st)

	w := do(s, http.MethodGet, "/api/v1/people/u1/journey", "Bearer r", "")
	var j journeys.Journey
	if err := json.Unmarshal(w.Body.Bytes(), &j); err != nil || w.Code != 200 {
		t.Fatalf("journey: %d %s (%v)", w.Code, w.Body, err)
	}
	if len(j.Sessions) != 2 || j.Sessions[0].Events != 2 || j.Sessions[1].Steps[0] != "buy" {
		t.Errorf("sessions = %+v, want [view cart] [buy] (the hour gap splits them)", j.Sessions)
	}
	for _, tt := range []struct {
		path, auth string
		status     int
	}{
		{"/api/v1/people/nobody/journey", "Bearer r", 404},
		{"/api/v1/people/u1/journey?limit=0", "Bearer r", 400},
		{"/api/v1/people/u1/journey", "", 401},
		{"/healthz", "", 200},
		{"/readyz", "", 200},
		{"/no/such/route", "", 404},
	} {
		if w := do(s, http.MethodGet, tt.path, tt.auth, ""); w.Code != tt.status {
			t.Errorf("GET %s: %d %s, want %d", tt.path, w.Code, w.Body, tt.status)
		}
	}
	st.pingErr = journeys.Errorf(journeys.EUNAVAILABLE, "down")
	if w := do(s, http.MethodGet, "/readyz", "", ""); w.Code != 503 {
		t.Errorf("readyz with the store down: %d, want 503", w.Code)
	}
}
