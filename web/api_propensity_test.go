package web

import (
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/propensity"
)

func TestPropensityRoute(t *testing.T) {
	m := &clusterModels{}
	srv := New(Config{ReadKeys: []string{"r"}, WriteKeys: []string{"w"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
		WithPropensity(&propensity.Service{Models: m}))
	get := func(path, auth string) (int, string) {
		w := do(srv, "GET", path, auth, "")
		return w.Code, w.Body.String()
	}
	if code, body := get("/api/v1/propensity", "Bearer r"); code != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("before a fit: %d %s, want 404", code, body)
	}
	m.current = &journeys.ModelRecord{Kind: "propensity_convert", Version: 3,
		Meta: `{"target":"convert","model":{"auc":0.81,"thresholds":[{"threshold":0.5,"precision":0.6,"recall":0.4}]},"chain":{"auc":0.55},"winner":"model","written":12}`}
	for _, tt := range []struct {
		name, path, auth string
		status           int
		want             string
	}{
		{"latest report", "/api/v1/propensity", "Bearer r", 200, `"model":{"auc":0.81,`},
		{"its version", "/api/v1/propensity?target=convert", "Bearer r", 200, `"version":3`},
		{"the chain beside it", "/api/v1/propensity", "Bearer r", 200, `"chain":{"auc":0.55`},
		{"unknown target", "/api/v1/propensity?target=churn", "Bearer r", 400, `"field":"target"`},
		{"other scope", "/api/v1/propensity?person_prefix=x", "Bearer r", 404, `"code":"not_found"`},
		{"needs the read role", "/api/v1/propensity", "Bearer w", 403, `needs the read role`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := get(tt.path, tt.auth); code != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("GET %s = %d %s, want %d with %s", tt.path, code, body, tt.status, tt.want)
			}
		})
	}
	bare := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{})
	if w := do(bare, "GET", "/api/v1/propensity", "Bearer r", ""); w.Code != 404 {
		t.Errorf("without WithPropensity: %d, want 404", w.Code)
	}
}

// TestPreviewShowsPropensityExpectation: a preview of a definition with a
// propensity block says the precision and recall its threshold can be
// expected to give, from the stored validation of the score people hold;
// without a stored validation, or without the block, nothing.
func TestPreviewShowsPropensityExpectation(t *testing.T) {
	m := &clusterModels{}
	f := &fakeSegments{segs: map[string]journeys.Segment{}}
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
		WithSegments(f, f), WithPropensity(&propensity.Service{Models: m}))
	preview := func(where string) string {
		w := do(srv, "POST", "/api/v1/segments/preview", "Bearer r", `{"name": "x", "where": `+where+`}`)
		if w.Code != 200 {
			t.Fatalf("preview %s: %d %s", where, w.Code, w.Body)
		}
		return w.Body.String()
	}
	block := `{"all": [{"did": "product_view"}, {"propensity": "convert", "at_least": 0.75}]}`
	if body := preview(block); strings.Contains(body, `"propensity":[`) {
		t.Errorf("before a fit: %s", body)
	}
	m.current = &journeys.ModelRecord{Kind: "propensity_convert", Version: 3,
		Meta: `{"target":"convert","horizon":"30d","model":{"auc":0.81,"thresholds":[{"threshold":0.5,"precision":0.4,"recall":0.7,"predicted":90},{"threshold":0.7,"precision":0.6,"recall":0.4,"predicted":30}]},"chain":{"auc":0.55},"winner":"model","written":12}`}
	want := `"propensity":[{"target":"convert","at_least":0.75,"threshold":0.7,"precision":0.6,"recall":0.4,"predicted":30,"source":"model","version":3,"horizon":"30d"`
	if body := preview(block); !strings.Contains(body, want) {
		t.Errorf("with a validated model: %s\nwant %s", body, want)
	}
	if body := preview(`{"did": "product_view"}`); strings.Contains(body, `"propensity":[`) {
		t.Errorf("without a propensity block: %s", body)
	}
}
