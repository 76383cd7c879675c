package web

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// urlHooks is a journeys.WebhookStore whose webhooks are the URLs of urls
// (by id); it keeps the recorded test sends.
type urlHooks struct {
	fakeHooks
	urls     map[string]string
	mu       sync.Mutex
	recorded []journeys.Delivery
}

func (h *urlHooks) Webhook(_ context.Context, id string) (journeys.Webhook, error) {
	u, ok := h.urls[id]
	if !ok {
		return journeys.Webhook{}, journeys.Errorf(journeys.ENOTFOUND, "webhook not found")
	}
	return journeys.Webhook{ID: id, URL: u, Secret: "s3", Segment: "*", Events: []string{journeys.KindEntered}}, nil
}

func (h *urlHooks) RecordDelivery(_ context.Context, d journeys.Delivery) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recorded = append(h.recorded, d)
	return nil
}

// appPage returns a function that makes a request to s's app signed in
// with the password "pw", with the CSRF token on forms.
func appPage(s *Server) func(method, path string, form url.Values) (int, string) {
	session := s.app.auth.newSession("pw")
	sess, _ := s.app.auth.session(session)
	csrf := s.app.auth.csrfToken(sess.nonce)
	return func(method, path string, form url.Values) (int, string) {
		form.Set("csrf", csrf)
		req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
}

// TestWebhookDestinationChecked: registering a webhook to an internal
// address is refused in the API and the app, naming the field, unless the
// operator's allow list allows it.
func TestWebhookDestinationChecked(t *testing.T) {
	newServer := func(allow string) *Server {
		a, err := webhook.ParseAllowList(allow)
		if err != nil {
			t.Fatal(err)
		}
		return New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
			WithWebhooks(fakeHooks{}, &webhook.Dispatcher{Allow: a}), WithApp(AppConfig{Passwords: []string{"pw"}}, nil))
	}
	tests := []struct {
		name, allow, url string
		status           int
		contains         string
	}{
		{"cloud metadata", "", "http://169.254.169.254/latest/meta-data/", http.StatusBadRequest, "169.254.169.254 is a link-local address"},
		{"loopback port", "", "http://127.0.0.1:7687/", http.StatusBadRequest, "127.0.0.1 is a loopback address"},
		{"private", "", "http://10.0.0.5/h", http.StatusBadRequest, "10.0.0.5 is a private address"},
		{"public address", "", "https://93.184.215.14/h", http.StatusCreated, `"id":"wh_1"`},
		{"allowed loopback", "127.0.0.1/32", "http://127.0.0.1:7687/", http.StatusCreated, `"id":"wh_1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(tt.allow)
			w := do(s, "POST", "/api/v1/webhooks", "Bearer a", `{"url":"`+tt.url+`","segment":"*"}`)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.contains) {
				t.Errorf("API: got %d %s, want %d containing %q", w.Code, w.Body, tt.status, tt.contains)
			}
			if tt.status == http.StatusBadRequest && !strings.Contains(w.Body.String(), `"field":"url"`) {
				t.Errorf("API: %s does not name the field url", w.Body)
			}
			code, body := appPage(s)("POST", "/app/webhooks", url.Values{"url": {tt.url}, "segment": {"*"}, "events": {"entered"}})
			switch {
			case tt.status == http.StatusBadRequest && (code != tt.status || !strings.Contains(body, "<code>url</code>") || !strings.Contains(body, tt.contains)):
				t.Errorf("app: got %d, want %d naming url and %q:\n%s", code, tt.status, tt.contains, body)
			case tt.status != http.StatusBadRequest && (code != http.StatusOK || !strings.Contains(body, `<code id="secret">s3</code>`)):
				t.Errorf("app: got %d, want the webhook registered:\n%s", code, body)
			}
		})
	}
}

// TestWebhookTestSendHidesWhatAnswered: a test send to a closed port and
// to one that accepts and hangs up answer the same in the API, the app and
// the delivery log, so a test send cannot map what listens where.
func TestWebhookTestSendHidesWhatAnswered(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/h"
	closed.Close()
	hangUp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hangUp.Close()
	go func() {
		for {
			c, err := hangUp.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	hooks := &urlHooks{urls: map[string]string{"wh_closed": closedURL, "wh_eof": "http://" + hangUp.Addr().String() + "/h"}}
	allow, _ := webhook.ParseAllowList("127.0.0.1/32")
	s := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
		WithWebhooks(hooks, &webhook.Dispatcher{Allow: allow}), WithApp(AppConfig{Passwords: []string{"pw"}}, nil))
	page := appPage(s)
	const want = "could not deliver (no HTTP answer)"
	for _, id := range []string{"wh_closed", "wh_eof"} {
		w := do(s, "POST", "/api/v1/webhooks/"+id+"/test", "Bearer a", "")
		if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, `"error":"`+want+`"`) || !strings.Contains(body, `"ok":false`) {
			t.Errorf("%s: API answered %d %s, want the generic error", id, w.Code, body)
		}
		code, body := page("POST", "/app/webhooks/"+id+"/test", url.Values{})
		if code != http.StatusOK || !strings.Contains(body, "failed: "+want) {
			t.Errorf("%s: app answered %d, want the generic error:\n%s", id, code, body)
		}
	}
	hooks.mu.Lock()
	defer hooks.mu.Unlock()
	if len(hooks.recorded) != 4 {
		t.Fatalf("recorded %d test sends, want 4", len(hooks.recorded))
	}
	for _, d := range hooks.recorded {
		if d.Status != journeys.DeliveryFailed || d.LastError != want || d.LastStatus != 0 {
			t.Errorf("recorded %s: %s %q %d, want failed with the generic error", d.Webhook, d.Status, d.LastError, d.LastStatus)
		}
	}
}
