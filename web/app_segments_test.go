package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestSizeTrend(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2030, 1, d, 10, 0, 0, 0, time.UTC) }
	h := []journeys.HistoryEntry{ // newest first
		{Kind: journeys.KindLeft, At: day(3)},
		{Kind: journeys.KindEntered, At: day(3)},
		{Kind: journeys.KindEntered, At: day(2)},
		{Kind: journeys.KindEntered, At: day(1)},
	}
	tests := []struct {
		name      string
		truncated bool
		want      []int // sizes at the end of each day
	}{
		{"whole history", false, []int{1, 2, 2}},
		{"cut history drops its oldest day", true, []int{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, d := range sizeTrend(2, h, tt.truncated) {
				got = append(got, d.Size)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sizes = %v, want %v", got, tt.want)
			}
		})
	}
	if pts := trendPoints(sizeTrend(2, h, false)); len(pts) != 4 || pts[0].Value != 0 {
		t.Errorf("trend points = %v, want a zero start and three days", pts)
	}
}

// fakeHooks is a journeys.WebhookStore with nothing stored.
type fakeHooks struct{}

func (fakeHooks) CreateWebhook(_ context.Context, w journeys.Webhook) (journeys.Webhook, error) {
	w.ID, w.Secret = "wh_1", "s3"
	return w, nil
}
func (fakeHooks) Webhook(context.Context, string) (journeys.Webhook, error) {
	return journeys.Webhook{}, journeys.Errorf(journeys.ENOTFOUND, "webhook not found")
}
func (fakeHooks) Webhooks(context.Context) ([]journeys.Webhook, error) { return nil, nil }
func (fakeHooks) DeleteWebhook(context.Context, string) error          { return nil }
func (fakeHooks) Deliveries(context.Context, string, int) ([]journeys.Delivery, error) {
	return nil, nil
}
func (fakeHooks) RecordDelivery(context.Context, journeys.Delivery) error { return nil }

// fakeSender answers every send with 204.
type fakeSender struct{}

func (fakeSender) Send(context.Context, journeys.Delivery) (int, error) {
	return http.StatusNoContent, nil
}

// CheckDestination allows every destination.
func (fakeSender) CheckDestination(context.Context, string) error { return nil }

func TestSegmentPages(t *testing.T) {
	f := &fakeSegments{segs: map[string]journeys.Segment{"vip": {Name: "vip", BuiltIn: true, Version: 1}}}
	s := New(Config{}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(f, f), WithWebhooks(fakeHooks{}, fakeSender{}),
		WithApp(AppConfig{Passwords: []string{"pw"}}, nil))
	session := s.app.auth.newSession("pw")
	sess, _ := s.app.auth.session(session)
	csrf := s.app.auth.csrfToken(sess.nonce)
	page := func(method, path string, form url.Values) (int, string) {
		var req *http.Request
		if form == nil {
			req = httptest.NewRequest(method, path, nil)
		} else {
			form.Set("csrf", csrf)
			req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	tests := []struct {
		name, method, path string
		form               url.Values
		status             int
		contains           string
	}{
		{"built-in is read-only", "GET", "/app/segments/vip", nil, http.StatusOK, "built in, read-only"},
		{"unknown segment", "GET", "/app/segments/nope", nil, http.StatusNotFound, "not found"},
		{"bad JSON in place", "POST", "/app/segments/new", url.Values{"definition": {"{"}, "action": {"preview"}}, http.StatusBadRequest, `id="editor-error"`},
		{"path-named problems", "POST", "/app/segments/new", url.Values{"definition": {`{"name":"x","where":{"did":"a","within":"7x"}}`}, "action": {"save"}},
			http.StatusBadRequest, "<code>where.within</code>"},
		{"name exists", "POST", "/app/segments/new", url.Values{"definition": {`{"name":"vip","where":{"did":"a"}}`}, "action": {"save"}},
			http.StatusConflict, "exists"},
		{"name differs from the page", "POST", "/app/segments/vip", url.Values{"definition": {`{"name":"x","where":{"did":"a"}}`}, "action": {"preview"}},
			http.StatusBadRequest, "differs"},
		{"preview", "POST", "/app/segments/new", url.Values{"definition": {`{"name":"x","where":{"did":"a"}}`}}, http.StatusOK, `id="preview-count">3<`},
		{"preview reads the definition", "POST", "/app/segments/new", url.Values{"definition": {`{"name":"x","where":{"did":"a","within":"7d"}}`}},
			http.StatusOK, `id="preview-reading">People who did a in the last 7 days.<`},
		{"editor serves the builder", "GET", "/app/segments/new", nil, http.StatusOK, `<script src="/static/builder.js"></script>`},
		{"bad as_of", "POST", "/app/segments/new", url.Values{"definition": {`{"name":"x","where":{"did":"a"}}`}, "as_of": {"soon"}}, http.StatusBadRequest, "as_of"},
		{"save goes to the segment", "POST", "/app/segments/new", url.Values{"definition": {`{"name":"x","where":{"did":"a"}}`}, "action": {"save"}},
			http.StatusSeeOther, ""},
		{"webhook problems", "POST", "/app/webhooks", url.Values{"url": {"ftp://x"}, "segment": {"*"}}, http.StatusBadRequest, "<code>url</code>"},
		{"secret shown once", "POST", "/app/webhooks", url.Values{"url": {"https://example.com/h"}, "segment": {"vip"}, "events": {"entered"}},
			http.StatusOK, `<code id="secret">s3</code>`},
		{"form needs the CSRF token", "POST", "/app/webhooks/wh_1/test", nil, http.StatusForbidden, "CSRF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := page(tt.method, tt.path, tt.form)
			if code != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("got %d, want %d containing %q:\n%s", code, tt.status, tt.contains, body)
			}
		})
	}
}
