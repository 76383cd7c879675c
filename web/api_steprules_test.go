package web

import (
	"context"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// memRuleStore keeps saved step rules in memory.
type memRuleStore struct{ saved journeys.SavedStepRules }

func (m *memRuleStore) LoadStepRules(context.Context) (journeys.SavedStepRules, error) {
	return m.saved, nil
}

func (m *memRuleStore) SaveStepRules(_ context.Context, r journeys.SavedStepRules) error {
	if r.Version != m.saved.Version+1 {
		return journeys.Errorf(journeys.ECONFLICT, "not the next version")
	}
	m.saved = r
	return nil
}

// countRestep counts the resteps asked for.
type countRestep struct{ n int }

func (c *countRestep) Restep(context.Context, journeys.StepRules, string) (int, int, error) {
	c.n++
	return 3, 1, nil
}

// fakeTouches serves fixed touch sequences.
type fakeTouches struct{ seqs []journeys.TouchSequence }

func (f fakeTouches) Touches(context.Context, journeys.TouchQuery) (journeys.TouchSet, error) {
	return &fakeTouchSet{seqs: f.seqs, i: -1}, nil
}

type fakeTouchSet struct {
	seqs []journeys.TouchSequence
	i    int
}

func (s *fakeTouchSet) Next() bool                 { s.i++; return s.i < len(s.seqs) }
func (s *fakeTouchSet) At() journeys.TouchSequence { return s.seqs[s.i] }
func (s *fakeTouchSet) Err() error                 { return nil }
func (s *fakeTouchSet) Close() error               { return nil }

func TestStepRuleRoutes(t *testing.T) {
	page := func(url string, ts int64) journeys.Touch {
		return journeys.Touch{StepEvent: journeys.StepEvent{Step: "page_view", TS: ts}, Type: "page", Name: "page_view", URL: url}
	}
	touches := fakeTouches{seqs: []journeys.TouchSequence{
		{Person: "a", Touches: []journeys.Touch{page("https://x/p/1", 0), page("https://x/cart", 60000)}},
	}}
	restep := &countRestep{}
	book := &ingest.Rulebook{Store: &memRuleStore{}, Restep: restep, Touches: touches}
	if _, err := book.Open(context.Background(), journeys.StepRules{}); err != nil {
		t.Fatal(err)
	}
	srv := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithStepRules(book))
	rules := `{"rules": [{"label": "product", "url": "*/p/*"}, {"label": "cart", "url": "*/cart"}]`
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		want                           string
	}{
		{"get", "GET", "/api/v1/step-rules", "Bearer r", "", 200, `"version":1`},
		{"preview", "POST", "/api/v1/step-rules/preview", "Bearer r", `{"rules": ` + rules + `}, "paths": {"unit": "journey"}}`, 200,
			`"steps":["product","cart","(exit)"]`},
		{"preview of a bad rule", "POST", "/api/v1/step-rules/preview", "Bearer r", `{"rules": {"rules": [{"label": "x", "url": "re:("}]}, "paths": {}}`, 400,
			`"field":"rules[0].url"`},
		{"put needs the admin key", "PUT", "/api/v1/step-rules", "Bearer r", rules + `, "version": 1}`, 403, `forbidden`},
		{"put without a version", "PUT", "/api/v1/step-rules", "Bearer a", rules + `}`, 400, `"field":"version"`},
		{"put", "PUT", "/api/v1/step-rules", "Bearer a", rules + `, "version": 1}`, 200, `"version":2`},
		{"put from a stale version", "PUT", "/api/v1/step-rules", "Bearer a", rules + `, "version": 1}`, 409, `version 1 was edited, but version 2 is current`},
		{"put what get answered", "PUT", "/api/v1/step-rules", "Bearer a", rules + `, "version": 2, "restep": {"version": 2}}`, 200, `"version":3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(srv, tt.method, tt.path, tt.auth, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%s %s = %d %s, want %d with %s", tt.method, tt.path, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	book.Wait()
	if st := book.Status(); restep.n < 1 || st.Version != 3 || st.Running || st.Changed != 1 {
		t.Errorf("%d resteps, status %+v; want the last save's restep done", restep.n, st)
	}
}
