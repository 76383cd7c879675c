package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/propensity"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// public marks the routes that need no key or sign-in.
const public Role = 0

// routeRoles is the role every route of the server needs. A route
// registered without an entry here fails TestEveryRouteChecksItsRole:
// decide its role, register it on the group that checks it, and add it.
var routeRoles = map[string]Role{
	"GET /":                                      public,
	"GET /healthz":                               public,
	"GET /readyz":                                public,
	"GET /login":                                 public,
	"POST /login":                                public,
	"GET /static/*filepath":                      public,
	"HEAD /static/*filepath":                     public,
	"POST /api/v1/events":                        RoleIngest,
	"POST /v1/alias":                             RoleIngest,
	"POST /v1/batch":                             RoleIngest,
	"POST /v1/identify":                          RoleIngest,
	"POST /v1/page":                              RoleIngest,
	"POST /v1/screen":                            RoleIngest,
	"POST /v1/track":                             RoleIngest,
	"GET /api/v1/attribution":                    RoleRead,
	"GET /api/v1/friction":                       RoleRead,
	"GET /api/v1/models/current":                 RoleRead,
	"GET /api/v1/clusters":                       RoleRead,
	"GET /api/v1/clusters/current":               RoleRead,
	"POST /api/v1/clusters":                      RoleAdmin,
	"GET /api/v1/propensity":                     RoleRead,
	"PUT /api/v1/clusters/:version/:index":       RoleAdmin,
	"GET /api/v1/paths":                          RoleRead,
	"GET /api/v1/paths/people":                   RoleRead,
	"GET /api/v1/transitions":                    RoleRead,
	"POST /api/v1/funnels":                       RoleRead,
	"POST /api/v1/funnels/dropped":               RoleRead,
	"GET /api/v1/people/:id":                     RoleRead,
	"GET /api/v1/people/:id/journey":             RoleRead,
	"GET /api/v1/people/:id/segments":            RoleRead,
	"GET /api/v1/segments":                       RoleRead,
	"GET /api/v1/segments/:name":                 RoleRead,
	"GET /api/v1/segments/:name/history":         RoleRead,
	"GET /api/v1/segments/:name/changes":         RoleRead,
	"GET /api/v1/segment-overlap":                RoleRead,
	"GET /api/v1/segment-overlap/members":        RoleRead,
	"GET /api/v1/segments/:name/members":         RoleRead,
	"GET /api/v1/segments/:name/members.csv":     RoleRead,
	"GET /api/v1/segments/:name/uplift":          RoleRead,
	"GET /api/v1/segments/:name/survival":        RoleRead,
	"GET /api/v1/segments/:name/drift":           RoleRead,
	"GET /api/v1/segments/:name/preview":         RoleRead,
	"POST /api/v1/segments/preview":              RoleRead,
	"GET /api/v1/segment-vocabulary":             RoleRead,
	"GET /api/v1/step-rules":                     RoleRead,
	"POST /api/v1/step-rules/preview":            RoleRead,
	"DELETE /api/v1/people/:id":                  RoleAdmin,
	"POST /api/v1/segments":                      RoleAdmin,
	"PUT /api/v1/segments/:name":                 RoleAdmin,
	"DELETE /api/v1/segments/:name":              RoleAdmin,
	"POST /api/v1/segments/:name/refresh":        RoleAdmin,
	"PUT /api/v1/step-rules":                     RoleAdmin,
	"POST /api/v1/models":                        RoleAdmin,
	"PATCH /api/v1/models/current/states/:index": RoleAdmin,
	"GET /api/v1/webhooks":                       RoleAdmin,
	"GET /api/v1/webhooks/:id":                   RoleAdmin,
	"GET /api/v1/webhooks/:id/deliveries":        RoleAdmin,
	"POST /api/v1/webhooks":                      RoleAdmin,
	"DELETE /api/v1/webhooks/:id":                RoleAdmin,
	"POST /api/v1/webhooks/:id/test":             RoleAdmin,
	"GET /app":                                   RoleRead,
	"POST /app/logout":                           RoleRead,
	"GET /app/people":                            RoleRead,
	"GET /app/people/:id":                        RoleRead,
	"GET /app/map":                               RoleRead,
	"GET /app/funnels":                           RoleRead,
	"GET /app/friction":                          RoleRead,
	"GET /app/attribution":                       RoleRead,
	"GET /app/states":                            RoleRead,
	"GET /app/paths":                             RoleRead,
	"GET /app/clusters":                          RoleRead,
	"POST /app/clusters/rename":                  RoleAdmin,
	"POST /app/clusters/segment":                 RoleAdmin,
	"POST /app/paths/rules":                      RoleRead, // saving: saveRoles
	"GET /app/segments":                          RoleRead,
	"GET /app/segment-overlap":                   RoleRead,
	"GET /app/segments/new":                      RoleRead,
	"POST /app/segments/new":                     RoleRead, // saving: saveRoles
	"GET /app/segments/:name":                    RoleRead,
	"POST /app/segments/:name":                   RoleRead, // saving: saveRoles
	"GET /app/segments/:name/members.csv":        RoleRead,
	"GET /app/segment-vocabulary":                RoleRead,
	"POST /app/segment-preview":                  RoleRead,
	"POST /app/map/segment":                      RoleAdmin,
	"POST /app/funnels/segment":                  RoleAdmin,
	"POST /app/states/rename":                    RoleAdmin,
	"GET /app/webhooks":                          RoleAdmin,
	"POST /app/webhooks":                         RoleAdmin,
	"POST /app/webhooks/:id/test":                RoleAdmin,
}

// saveRoles is the role the forms that preview or save need to save
// (action=save).
var saveRoles = map[string]Role{
	"POST /app/paths/rules":    RoleAdmin,
	"POST /app/segments/new":   RoleAdmin,
	"POST /app/segments/:name": RoleAdmin,
}

// fullServer serves every optional surface, over fakes, with the ingest
// key "w", the read key "r", the admin key "a" and the UI password "pw".
func fullServer(t *testing.T) *Server {
	t.Helper()
	book := &ingest.Rulebook{Store: &memRuleStore{}, Restep: &countRestep{}, Touches: fakeTouches{}}
	if _, err := book.Open(context.Background(), journeys.StepRules{}); err != nil {
		t.Fatal(err)
	}
	f := &fakeSegments{segs: map[string]journeys.Segment{"vip": {Name: "vip", BuiltIn: true, Version: 1}}}
	fm := &fakeModels{}
	st := &fakeStore{journey: func(string) (journeys.Person, []journeys.JourneyEvent, error) {
		return journeys.Person{}, nil, journeys.Errorf(journeys.ENOTFOUND, "no one")
	}}
	srv := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, st, st,
		WithSegments(f, f), WithWebhooks(fakeHooks{}, fakeSender{}), WithStepRules(book), WithErasure(&fakeEraser{}),
		WithModels(fm, fm), WithClusters(&profile.Profiler{Touches: fakeTouches{}}), WithPropensity(&propensity.Service{}), WithDrift(fakeDrift{}), WithApp(AppConfig{Passwords: []string{"pw"}}, emptyOverview{}))
	srv.SetAnalyst(&report.Analytics{Store: &fakeSequences{}})
	return srv
}

// emptyOverview answers an overview of no events.
type emptyOverview struct{}

func (emptyOverview) Overview(_ context.Context, from, to time.Time, _ string, _ time.Duration) (journeys.Overview, error) {
	return journeys.Overview{From: from, To: to}, nil
}
func (emptyOverview) DataRange(context.Context) (time.Time, time.Time, error) {
	return time.Time{}, time.Time{}, nil
}

// caller is who sends a request: an API key, or a web app session opened
// with a password (the same keys, or the UI password).
type caller struct {
	name    string
	secret  string // "" for no credential
	apiRole Role   // as an API key
	appRole Role   // as a web app password
}

// roleOn is c's role on path.
func (c caller) roleOn(path string) Role {
	if strings.HasPrefix(path, "/app") {
		return c.appRole
	}
	return c.apiRole
}

var callers = []caller{
	{"nobody", "", 0, 0},
	{"ingest key", "w", RoleIngest, RoleIngest},
	{"read key", "r", RoleRead, RoleRead},
	{"admin key", "a", RoleAdmin, RoleAdmin},
	{"UI password", "pw", 0, RoleAdmin}, // not an API key
}

// try sends method path as c would, with form as the body of a form post
// (the session's CSRF token added), and says whether the route let it
// through: a 401 or 403 naming the role, or a redirect to the sign-in page,
// is a refusal; any other answer is the handler's.
func try(t *testing.T, srv *Server, c caller, method, path string, form url.Values) (bool, string) {
	t.Helper()
	app := strings.HasPrefix(path, "/app")
	cookie := ""
	if app && c.secret != "" {
		cookie = srv.app.auth.newSession(c.secret)
	}
	var req *http.Request
	switch {
	case app && method != http.MethodGet:
		form = cloneValues(form)
		if sess, ok := srv.app.auth.session(cookie); ok {
			form.Set("csrf", srv.app.auth.csrfToken(sess.nonce))
		}
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case path == "/login" && method == http.MethodPost:
		req = httptest.NewRequest(method, path, strings.NewReader(url.Values{"password": {"pw"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		req = httptest.NewRequest(method, path, strings.NewReader("{}"))
	}
	if c.secret != "" {
		if app {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		} else {
			req.Header.Set("Authorization", "Bearer "+c.secret)
		}
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	body := w.Body.String()
	switch {
	case w.Code == http.StatusUnauthorized && strings.Contains(body, `"code":"unauthorized"`),
		w.Code == http.StatusForbidden && strings.Contains(body, "needs the "),
		w.Code == http.StatusSeeOther && strings.HasPrefix(w.Header().Get("Location"), "/login?next="):
		return false, body
	}
	return true, body
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// concrete fills a route's parameters.
func concrete(path string) string {
	r := strings.NewReplacer(":name", "vip", ":id", "u1", ":index", "1", "*filepath", "app.css")
	return r.Replace(path)
}

// TestEveryRouteChecksItsRole walks every route gin has registered with
// every kind of caller: each is let through exactly when its role allows
// the route's (routeRoles), and, on the forms that preview or save, saving
// exactly when it allows saveRoles.
func TestEveryRouteChecksItsRole(t *testing.T) {
	srv := fullServer(t)
	seen := map[string]bool{}
	for _, r := range srv.router.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		need, ok := routeRoles[key]
		if !ok {
			t.Errorf("route %s has no role in routeRoles: register it on the group of its role and add it", key)
			continue
		}
		for _, c := range callers {
			role := c.roleOn(r.Path)
			want := need == public || role.Allows(need)
			if got, body := try(t, srv, c, r.Method, concrete(r.Path), url.Values{"action": {"preview"}}); got != want {
				t.Errorf("%s by the %s (%s role): let through %v, want %v (route needs %s):\n%.300s", key, c.name, role, got, want, need, body)
			}
			if save, ok := saveRoles[key]; ok {
				want := role.Allows(save)
				if got, body := try(t, srv, c, r.Method, concrete(r.Path), url.Values{"action": {"save"}}); got != want {
					t.Errorf("%s action=save by the %s (%s role): let through %v, want %v (saving needs %s):\n%.300s", key, c.name, role, got, want, save, body)
				}
			}
		}
	}
	for key := range routeRoles {
		if !seen[key] {
			t.Errorf("routeRoles names %s, which is not registered", key)
		}
	}
}

func TestRoleAllows(t *testing.T) {
	tests := []struct {
		have, need Role
		want       bool
	}{
		{RoleAdmin, RoleAdmin, true},
		{RoleAdmin, RoleRead, true},
		{RoleAdmin, RoleIngest, true},
		{RoleRead, RoleRead, true},
		{RoleRead, RoleIngest, false},
		{RoleRead, RoleAdmin, false},
		{RoleIngest, RoleIngest, true},
		{RoleIngest, RoleRead, false},
		{RoleIngest, RoleAdmin, false},
		{RoleIngest | RoleRead, RoleRead, true},
		{RoleIngest | RoleRead, RoleAdmin, false},
		{0, RoleRead, false},
		{RoleAdmin, 0, false},
	}
	for _, tt := range tests {
		if got := tt.have.Allows(tt.need); got != tt.want {
			t.Errorf("%s.Allows(%s) = %v, want %v", tt.have, tt.need, got, tt.want)
		}
	}
}

// TestKeyInSeveralLists: a key named in the write and read lists holds
// both roles, and still not the admin's.
func TestKeyInSeveralLists(t *testing.T) {
	srv := New(Config{WriteKeys: []string{"k"}, ReadKeys: []string{"k"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
		WithErasure(&fakeEraser{}))
	if w := do(srv, "POST", "/api/v1/events", "Bearer k", "["+good+"]"); w.Code != 200 {
		t.Errorf("send events: %d %s", w.Code, w.Body)
	}
	if w := do(srv, "DELETE", "/api/v1/people/u1", "Bearer k", ""); w.Code != 403 || !strings.Contains(w.Body.String(), "this key has the ingest+read role") {
		t.Errorf("erase: %d %s, want 403 naming the key's roles", w.Code, w.Body)
	}
}

// TestReadSignInShowsNoChangeForms: the app shows the read role no form
// or link it would be refused, and shows them to the admin role.
func TestReadSignInShowsNoChangeForms(t *testing.T) {
	srv := fullServer(t)
	pages := []struct{ path, adminOnly string }{
		{"/app", `href="/app/webhooks"`},
		{"/app/segments/new", `id="save"`},
		{"/app/paths", `id="save-rules"`},
	}
	for _, p := range pages {
		for _, c := range []struct {
			password string
			want     bool
		}{{"r", false}, {"a", true}, {"pw", true}} {
			req := httptest.NewRequest(http.MethodGet, p.path, nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: srv.app.auth.newSession(c.password)})
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if got := strings.Contains(w.Body.String(), p.adminOnly); w.Code != http.StatusOK || got != c.want {
				t.Errorf("GET %s signed in with %q: %d, shows %s: %v, want %v", p.path, c.password, w.Code, p.adminOnly, got, c.want)
			}
		}
	}
}
