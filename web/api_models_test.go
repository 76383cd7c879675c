package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
)

// fakeModels is a hand-written ChainReporter and ModelService that records
// the last query it was asked.
type fakeModels struct {
	friction    chain.FrictionQuery
	attribution chain.AttributionQuery
	fit         journeys.ModelQuery
	scope       string
	renamed     string
	err         error
}

func (f *fakeModels) Friction(_ context.Context, q chain.FrictionQuery) (chain.FrictionReport, error) {
	f.friction = q
	if err := q.Normalize(); err != nil {
		return chain.FrictionReport{}, err
	}
	return chain.FrictionReport{Query: q, People: 3,
		Edges: []chain.EdgeFriction{{From: "view", To: "cart", Traffic: 3, Delta: -0.5, Lost: 1.5}}}, f.err
}

func (f *fakeModels) Attribution(_ context.Context, q chain.AttributionQuery) (chain.AttributionReport, error) {
	f.attribution = q
	if err := q.Normalize(); err != nil {
		return chain.AttributionReport{}, err
	}
	return chain.AttributionReport{Query: q, Conversions: 2}, f.err
}

func (f *fakeModels) Fit(_ context.Context, q journeys.ModelQuery) (chain.ModelView, error) {
	f.fit = q
	return chain.ModelView{Kind: "hmm", Version: 4, Current: true}, f.err
}

func (f *fakeModels) Current(_ context.Context, scope string) (chain.ModelView, error) {
	f.scope = scope
	if scope == "none-" {
		return chain.ModelView{}, journeys.Errorf(journeys.ENOTFOUND, "no hmm model fitted for scope %q", scope)
	}
	return chain.ModelView{Kind: "hmm", Scope: scope, Version: 4}, f.err
}

func (f *fakeModels) RenameState(_ context.Context, scope string, index int, label string) (chain.ModelView, error) {
	f.renamed = label
	return chain.ModelView{States: []chain.StateView{{Index: index, Label: label}}}, f.err
}

func (f *fakeModels) Person(_ context.Context, id string) (chain.PersonSummary, error) {
	state, p := "engaged", 0.25
	return chain.PersonSummary{Person: journeys.Person{ID: id, FirstSeen: time.Unix(0, 0).UTC()},
		Model: journeys.PersonModel{Person: id, State: &state, PConvert: &p}}, f.err
}

func TestModelRoutes(t *testing.T) {
	fm := &fakeModels{}
	srv := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}, MaxBodyBytes: 2048}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithModels(fm, fm))
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		want                           string // substring of the body
	}{
		{"friction", "GET", "/api/v1/friction?unit=journey&improbable=5&person_prefix=t-", "Bearer r", "", 200, `"unit":"journey","conversion":"purchase","unsubscribe":"unsubscribe","min_length":3,"improbable":5`},
		{"friction edges only", "GET", "/api/v1/friction?edges_only=true&person_prefix=t-", "Bearer r", "", 200, `"edges_only":true},"people":3`},
		{"friction bad number", "GET", "/api/v1/friction?edges=x", "Bearer r", "", 400, `"message":"edges: \"x\" is not a whole number"`},
		{"friction bad unit", "GET", "/api/v1/friction?unit=week", "Bearer r", "", 400, `unknown unit`},
		{"friction needs a key", "GET", "/api/v1/friction", "", "", 401, `"code":"unauthorized"`},
		{"attribution by campaign", "GET", "/api/v1/attribution?by=campaign", "Bearer r", "", 200, `"by":"campaign","unit":"journey"`},
		{"attribution bad by", "GET", "/api/v1/attribution?by=page", "Bearer r", "", 400, `unknown touchpoint`},
		{"fit with the admin key", "POST", "/api/v1/models", "Bearer a", `{"states":3,"events":["email_open","page_view"]}`, 201, `"version":4`},
		{"fit refuses the read key", "POST", "/api/v1/models", "Bearer r", `{}`, 403, `needs the admin role; this key has the read role`},
		{"fit refuses unknown fields", "POST", "/api/v1/models", "Bearer a", `{"k":3}`, 400, `"code":"invalid"`},
		{"current model", "GET", "/api/v1/models/current?person_prefix=t-", "Bearer r", "", 200, `"scope":"t-"`},
		{"no current model", "GET", "/api/v1/models/current?person_prefix=none-", "Bearer r", "", 404, `"code":"not_found"`},
		{"rename", "PATCH", "/api/v1/models/current/states/1", "Bearer a", `{"label":"window shoppers"}`, 200, `"label":"window shoppers"`},
		{"rename bad index", "PATCH", "/api/v1/models/current/states/x", "Bearer a", `{"label":"a"}`, 400, `index`},
		{"rename needs the admin key", "PATCH", "/api/v1/models/current/states/1", "Bearer r", `{"label":"a"}`, 403, `forbidden`},
		{"person summary", "GET", "/api/v1/people/u1", "Bearer r", "", 200, `"model":{"person":"u1","hmm_state":"engaged","hmm_state_p":null,"p_convert":0.25`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(srv, tt.method, tt.path, tt.auth, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%s %s = %d %s, want %d with %s", tt.method, tt.path, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	do(srv, "GET", "/api/v1/friction?person_prefix=t-&channel=email", "Bearer r", "")
	if fm.friction.Filter.PersonPrefix != "t-" || fm.friction.Filter.Channel != "email" || len(fm.fit.Events) != 2 || fm.renamed != "window shoppers" {
		t.Errorf("queries passed on: %+v, %+v, %q", fm.friction.Filter, fm.fit, fm.renamed)
	}
	fm.err = journeys.Errorf(journeys.EUNAVAILABLE, "neo4j down")
	if w := do(srv, "GET", "/api/v1/attribution", "Bearer r", ""); w.Code != 503 {
		t.Errorf("store down: %d %s, want 503", w.Code, w.Body)
	}
	bare := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{})
	if w := do(bare, "GET", "/api/v1/friction", "Bearer r", ""); w.Code != 404 {
		t.Errorf("without WithModels: %d, want 404", w.Code)
	}
}
