package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// fakeVocabulary answers a fixed vocabulary, or an error.
type fakeVocabulary struct {
	v   journeys.Vocabulary
	err error
}

func (f fakeVocabulary) Vocabulary(context.Context) (journeys.Vocabulary, error) { return f.v, f.err }

// builderServer serves segments over fakes, with the given vocabulary
// (none when nil), the read key "r" and the UI password "pw"; it returns
// a signed-in session's cookie and CSRF token.
func builderServer(t *testing.T, vocab VocabularyReader) (*Server, *http.Cookie, string) {
	t.Helper()
	f := &fakeSegments{segs: map[string]journeys.Segment{}}
	opts := []Option{WithSegments(f, f), WithApp(AppConfig{Passwords: []string{"pw"}}, nil)}
	if vocab != nil {
		opts = append(opts, WithVocabulary(vocab))
	}
	st := &fakeStore{}
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, st, st, opts...)
	v := srv.app.auth.newSession("pw")
	sess, _ := srv.app.auth.session(v)
	return srv, &http.Cookie{Name: sessionCookie, Value: v}, srv.app.auth.csrfToken(sess.nonce)
}

// TestSegmentVocabulary: the builder's menus list the values seen plus the
// step rules' steps, from the API and the app alike.
func TestSegmentVocabulary(t *testing.T) {
	seen := journeys.NewVocabulary(map[string]bool{"custom_step": true}, map[string]bool{"Order Completed": true},
		map[string]bool{"plan": true}, map[string]bool{"country": true}, map[string]bool{"email": true},
		map[string]bool{"spring": true}, map[string]bool{"browsers": true})
	tests := []struct {
		name        string
		vocab       VocabularyReader
		app         bool // ask /app/segment-vocabulary signed in, else the API with the read key
		status      int
		steps       []string // some of the steps listed
		events      []string
		states      []string
		wantMessage string
	}{
		{"seen values and the rules' steps", fakeVocabulary{v: seen}, false, 200,
			[]string{"custom_step", "purchase", "add_to_cart", "email_open"}, []string{"Order Completed"}, []string{"browsers"}, ""},
		{"from the app", fakeVocabulary{v: seen}, true, 200, []string{"custom_step", "purchase"}, []string{"Order Completed"}, []string{"browsers"}, ""},
		{"no vocabulary: the rules' steps", nil, false, 200, []string{"purchase", "add_to_cart"}, []string{}, []string{}, ""},
		{"store down", fakeVocabulary{err: journeys.Errorf(journeys.EUNAVAILABLE, "neo4j down")}, false, 503, nil, nil, nil, "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cookie, _ := builderServer(t, tt.vocab)
			var w *httptest.ResponseRecorder
			if tt.app {
				w = getPage(srv, cookie, "/app/segment-vocabulary")
			} else {
				w = do(srv, http.MethodGet, "/api/v1/segment-vocabulary", "Bearer r", "")
			}
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 200 {
				if !strings.Contains(w.Body.String(), tt.wantMessage) {
					t.Errorf("body %s, want %q", w.Body, tt.wantMessage)
				}
				return
			}
			var got journeys.Vocabulary
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.steps {
				if !slices.Contains(got.Steps, s) {
					t.Errorf("steps %v lack %q", got.Steps, s)
				}
			}
			if !slices.IsSorted(got.Steps) || slices.Contains(got.Steps, "") {
				t.Errorf("steps %v: want sorted, without \"\"", got.Steps)
			}
			if !slices.Equal(got.Events, tt.events) || !slices.Equal(got.States, tt.states) {
				t.Errorf("events %v, states %v; want %v, %v", got.Events, got.States, tt.events, tt.states)
			}
			if got.EventFields["value"] != "number" || got.PersonFields["p_convert"] != "number" || len(got.SameFields) == 0 {
				t.Errorf("fixed fields missing: %+v", got)
			}
		})
	}
}

// TestSegmentPreviewJSON: the builder's live count answers the preview with
// the definition read as a sentence, or the path-named problem.
func TestSegmentPreviewJSON(t *testing.T) {
	const abandoners = `{"name": "x", "where": {"not_followed": {"first": "add_to_cart", "then": "purchase"}, "within": "7d"}}`
	tests := []struct {
		name   string
		form   url.Values // csrf "-" leaves it out
		status int
		want   []string // in the body
	}{
		{"good", url.Values{"definition": {abandoners}}, 200,
			[]string{`"count":3`, `"sample":["a","b","c"]`, `"reading":"did add_to_cart in the last 7 days and did not purchase after the last add_to_cart"`}},
		{"named by the stored segment", url.Values{"name": {"vip2"}, "definition": {`{"where": {"did": "purchase"}}`}}, 200,
			[]string{`"reading":"did purchase"`}},
		{"name differs", url.Values{"name": {"vip2"}, "definition": {abandoners}}, 400, []string{`name: \"x\" differs`}},
		{"bad window", url.Values{"definition": {`{"name": "x", "where": {"did": "purchase", "within": "7x"}}`}}, 400,
			[]string{`"field":"where.within"`, `is not a duration`}},
		{"bad as_of", url.Values{"definition": {abandoners}, "as_of": {"soon"}}, 400, []string{`as_of:`}},
		{"no CSRF token", url.Values{"definition": {abandoners}, "csrf": {"-"}}, 403, []string{"CSRF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cookie, csrf := builderServer(t, nil)
			if tt.form.Get("csrf") == "-" {
				tt.form.Del("csrf")
			} else {
				tt.form.Set("csrf", csrf)
			}
			req := httptest.NewRequest(http.MethodPost, "/app/segment-preview", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(cookie)
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			for _, s := range tt.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body %s\nlacks %s", w.Body, s)
				}
			}
		})
	}
	// The API's preview reads the definition too.
	srv, _, _ := builderServer(t, nil)
	w := do(srv, http.MethodPost, "/api/v1/segments/preview", "Bearer r", `{"name": "x", "where": {"did": "purchase", "within": "7d"}}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"reading":"did purchase in the last 7 days"`) {
		t.Errorf("API preview: %d %s", w.Code, w.Body)
	}
}
