package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// pageServer is a server with the app, the analyst over seqs and, when fm
// is not nil, the model services; it returns a signed-in session and its
// CSRF token.
func pageServer(t *testing.T, seqs []journeys.Sequence, fm *fakeModels) (*Server, *http.Cookie, string) {
	t.Helper()
	opts := []Option{WithApp(AppConfig{Passwords: []string{"pw"}}, nil)}
	if fm != nil {
		opts = append(opts, WithModels(fm, fm))
	}
	st := &fakeStore{}
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, st, st, opts...)
	srv.SetAnalyst(&report.Analytics{Store: &fakeSequences{seqs: seqs}})
	v := srv.app.auth.newSession("pw")
	sess, _ := srv.app.auth.session(v)
	return srv, &http.Cookie{Name: sessionCookie, Value: v}, srv.app.auth.csrfToken(sess.nonce)
}

func getPage(srv *Server, cookie *http.Cookie, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(cookie)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	return w
}

// TestMapMarksFrictionEdges: the map's friction option marks the friction
// report's edges, asking it for its edges only.
func TestMapMarksFrictionEdges(t *testing.T) {
	fm := &fakeModels{}
	srv, cookie, _ := pageServer(t, []journeys.Sequence{steps("a", "view", "cart", "buy"), steps("b", "view", "cart")}, fm)
	w := getPage(srv, cookie, "/app/map?step=view&depth=3&friction=1&unit=journey")
	for _, want := range []string{`class="band friction"`, `data-from="view" data-to="cart"`, "friction: 1.5 conversions lost", "Orange bands"} {
		if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("status %d, page lacks %q:\n%s", w.Code, want, w.Body)
		}
	}
	if q := fm.friction; !q.EdgesOnly || q.Unit != journeys.UnitJourney || q.Edges != mapFrictionEdges {
		t.Errorf("friction asked %+v, want edges only, unit journey, %d edges", q, mapFrictionEdges)
	}
	if strings.Contains(getPage(srv, cookie, "/app/map?step=view&depth=3").Body.String(), "band friction") {
		t.Error("the map marks friction without the option")
	}
}

func TestAnalyticsPages(t *testing.T) {
	seqs := []journeys.Sequence{
		steps("a", "view", "cart", "buy"), steps("b", "view", "cart"), steps("c", "view"), steps("d", "<i>odd</i>"),
	}
	srv, cookie, _ := pageServer(t, seqs, &fakeModels{})
	tests := []struct {
		name, path string
		status     int
		want       []string
	}{
		{"map first steps", "/app/map", 200, []string{`id="map-people">4<`, `<svg class="sankey"`, "view: 3 people (75.0%)", "&lt;i&gt;odd&lt;/i&gt;"}},
		{"map from a step", "/app/map?step=view&depth=3", 200, []string{"Journeys from view", "view → cart: 2 people (66.7%)", "cart → buy: 1 people (33.3%)"}},
		{"map to a step", "/app/map?step=buy&dir=to&depth=4", 200, []string{"Journeys to buy", "(start): 1 people"}},
		{"map node", "/app/map?step=view&depth=3&node=1:cart", 200, []string{`id="through"`, "/app/funnels?order=strict&amp;steps=view%2Ccart%2Cbuy"}},
		{"map bad depth", "/app/map?depth=9", 400, []string{"depth: 9 is not from 1 to 6"}},
		{"map to without step", "/app/map?dir=to", 400, []string{"choose the step"}},
		{"funnel form", "/app/funnels", 200, []string{`name="steps"`}},
		{"funnel", "/app/funnels?steps=view,cart,buy&order=ordered", 200, []string{
			`<td class="people">3</td>`, `<td class="people">2</td>`, `<td class="dropoff">1</td>`, `<td class="fromfirst">33.3%</td>`, "1 dropped"}},
		{"funnel dropped", "/app/funnels?steps=view,cart,buy&at=1", 200, []string{"Dropped before cart: 1 people", `href="/app/people/c"`}},
		{"funnel bad window", "/app/funnels?steps=view,cart&window=soon", 400, []string{"window:"}},
		{"funnel one step", "/app/funnels?steps=view", 400, []string{"steps: 1 steps"}},
		{"friction", "/app/friction?person_prefix=t-", 200, []string{`id="fr-people">3<`, `name="person_prefix" value="t-"`}},
		{"attribution", "/app/attribution", 200, []string{`id="attr-channel"`, `id="attr-campaign"`, `id="attr-step"`}},
		{"states", "/app/states?person_prefix=p-", 200, []string{"Model v4"}},
		{"states none fitted", "/app/states?person_prefix=none-", 200, []string{"No model has been fitted"}},
		{"states bad min_p", "/app/states?min_p=2", 400, []string{"min_p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := getPage(srv, cookie, tt.path)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d:\n%s", w.Code, tt.status, w.Body)
			}
			for _, want := range tt.want {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("page lacks %q:\n%s", want, w.Body)
				}
			}
		})
	}
}

func TestAnalyticsPagesWithoutServices(t *testing.T) {
	srv, cookie, _ := pageServer(t, nil, nil)
	srv.analyst = nil
	for _, p := range []string{"/app/friction", "/app/attribution", "/app/states"} {
		if w := getPage(srv, cookie, p); w.Code != 200 || !strings.Contains(w.Body.String(), "not enabled") {
			t.Errorf("%s: %d, want 200 with a message:\n%s", p, w.Code, w.Body)
		}
	}
	for _, p := range []string{"/app/map", "/app/funnels?steps=a,b"} {
		if w := getPage(srv, cookie, p); w.Code != 404 || !strings.Contains(w.Body.String(), "reports are not enabled") {
			t.Errorf("%s: %d, want 404 with a message:\n%s", p, w.Code, w.Body)
		}
	}
}

func TestRenameStateForm(t *testing.T) {
	fm := &fakeModels{}
	srv, cookie, csrf := pageServer(t, nil, fm)
	post := func(form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/app/states/rename", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	if w := post(url.Values{"index": {"0"}, "label": {"x"}}); w.Code != http.StatusForbidden || fm.renamed != "" {
		t.Errorf("without CSRF: %d (renamed %q), want 403", w.Code, fm.renamed)
	}
	w := post(url.Values{"csrf": {csrf}, "person_prefix": {"p-"}, "index": {"1"}, "label": {"browsers"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/app/states?person_prefix=p-" || fm.renamed != "browsers" {
		t.Errorf("rename: %d to %q (renamed %q)", w.Code, w.Header().Get("Location"), fm.renamed)
	}
	if w := post(url.Values{"csrf": {csrf}, "index": {"x"}, "label": {"y"}}); w.Code != 400 {
		t.Errorf("bad index: %d, want 400", w.Code)
	}
}

func TestFunnelDroppedPages(t *testing.T) {
	var seqs []journeys.Sequence
	for i := range pageDroppedSize + 7 {
		seqs = append(seqs, steps(fmt.Sprintf("p%03d", i), "view"))
	}
	seqs = append(seqs, steps("z", "view", "cart"))
	srv, cookie, _ := pageServer(t, seqs, nil)
	w := getPage(srv, cookie, "/app/funnels?steps=view,cart&at=1")
	next := "/app/funnels?at=1&amp;offset=50&amp;order=ordered&amp;steps=view%2Ccart&amp;window=#dropped"
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "57 people") || !strings.Contains(body, next) || strings.Contains(body, "p050") {
		t.Fatalf("first page: %d, want 57 people, 50 listed and a next link %q:\n%s", w.Code, next, body)
	}
	w = getPage(srv, cookie, "/app/funnels?steps=view,cart&at=1&offset=50")
	if body := w.Body.String(); !strings.Contains(body, "p056") || strings.Contains(body, "p049") || !strings.Contains(body, "← previous") || strings.Contains(body, "next →") {
		t.Errorf("second page lists the wrong people or links:\n%s", body)
	}
}
