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
