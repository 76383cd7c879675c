package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSafeNext(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/app", "/app"},
		{"/app/segments/vip?saved=2", "/app/segments/vip?saved=2"},
		{"/app/people/a%2Fb", "/app/people/a%2Fb"},
		{"/app/map?step=view#x", "/app/map?step=view#x"},
		{"", "/app"},
		{"/app/../\\evil.com", "/app"}, // the issue's: answered Location: /\evil.com
		{"/app/..\\evil.com", "/app"},
		{"/app/%5cevil.com", "/app"},
		{"/app/../evil", "/app"},
		{"/app/..%2f..%2fevil", "/app"},
		{"/app/../../", "/app"},
		{"//evil.com/app", "/app"},
		{"/\\evil.com/app", "/app"},
		{"\\\\evil.com", "/app"},
		{"https://evil.com/app", "/app"},
		{"javascript:alert(1)", "/app"},
		{"app", "/app"},
		{"/appx", "/app"},
		{"/login", "/app"},
		{"/app\r\nSet-Cookie: x=1", "/app"},
		{"/app/\tx", "/app"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// authServer is the app with the ingest key "w", the read key "r", the
// admin key "a" and the UI password "pw", on a clock the test moves.
func authServer(clock *time.Time) *Server {
	return New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}, Now: func() time.Time { return *clock }},
		&fakeIngester{}, &fakeStore{}, &fakeStore{}, WithApp(AppConfig{Passwords: []string{"pw"}, Secret: "s"}, emptyOverview{}))
}

// signIn posts the sign-in form from the client address ip.
func signIn(srv *Server, ip, password, next string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"password": {password}, "next": {next}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = ip + ":40000"
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	return w
}

func sessionOf(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie in %d %v", w.Code, w.Header())
	return nil
}

func TestSignInRedirectsOnlyInsideTheApp(t *testing.T) {
	clock := now
	srv := authServer(&clock)
	for next, want := range map[string]string{"/app/../\\evil.com": "/app", "//evil.com": "/app", "/app/funnels?steps=a,b": "/app/funnels?steps=a,b"} {
		if w := signIn(srv, "192.0.2.1", "pw", next); w.Code != http.StatusSeeOther || w.Header().Get("Location") != want {
			t.Errorf("next=%q: %d Location %q, want 303 to %q", next, w.Code, w.Header().Get("Location"), want)
		}
	}
}

func TestSignInThrottlesWrongPasswords(t *testing.T) {
	clock := now
	srv := authServer(&clock)
	for i := 0; i < signInBurst; i++ {
		if w := signIn(srv, "192.0.2.1", "guess", "/app"); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, w.Code)
		}
	}
	w := signIn(srv, "192.0.2.1", "guess", "/app")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "6" || !strings.Contains(w.Body.String(), "try again in 6 s") {
		t.Fatalf("wrong password %d: %d Retry-After %q, want 429 and 6 s:\n%s", signInBurst+1, w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	// Throttled, even the right password is not tried (no guessing on).
	if w := signIn(srv, "192.0.2.1", "pw", "/app"); w.Code != http.StatusTooManyRequests {
		t.Errorf("right password while throttled: %d, want 429", w.Code)
	}
	// Other clients are not held up.
	if w := signIn(srv, "192.0.2.2", "pw", "/app"); w.Code != http.StatusSeeOther {
		t.Errorf("another address: %d, want 303", w.Code)
	}
	// One token comes back every signInRefill: one more guess, then wait again.
	clock = clock.Add(signInRefill)
	if w := signIn(srv, "192.0.2.1", "guess", "/app"); w.Code != http.StatusUnauthorized {
		t.Errorf("after %s: %d, want 401 (one more try)", signInRefill, w.Code)
	}
	if w := signIn(srv, "192.0.2.1", "guess", "/app"); w.Code != http.StatusTooManyRequests {
		t.Errorf("the try after it: %d, want 429", w.Code)
	}
	clock = clock.Add(signInRefill / 2)
	if w := signIn(srv, "192.0.2.1", "guess", "/app"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "3" {
		t.Errorf("half a refill later: %d Retry-After %q, want 429 and 3", w.Code, w.Header().Get("Retry-After"))
	}
	clock = clock.Add(signInRefill / 2)
	if w := signIn(srv, "192.0.2.1", "pw", "/app"); w.Code != http.StatusSeeOther {
		t.Errorf("right password once a token is back: %d, want 303", w.Code)
	}
}

func TestSignInThrottleKeepsBoundedState(t *testing.T) {
	clock := now
	th := newSignInThrottle(func() time.Time { return clock })
	for i := 0; i < signInClients; i++ {
		th.fail(fmt.Sprint("client-", i))
	}
	// The map is full of recent failures: a new client shares one bucket.
	for i := 0; i < signInBurst; i++ {
		th.fail(fmt.Sprint("new-", i))
	}
	if th.wait("another-new") == 0 || len(th.buckets) > signInClients+1 {
		t.Errorf("full throttle: wait %v, %d buckets; want new clients to share one exhausted bucket", th.wait("another-new"), len(th.buckets))
	}
	// Once the old buckets have refilled, they are dropped for new clients.
	clock = clock.Add(signInBurst * signInRefill)
	th.fail("late")
	if th.wait("late") != 0 || len(th.buckets) != 1 {
		t.Errorf("after refilling: wait %v, %d buckets; want only the new client's", th.wait("late"), len(th.buckets))
	}
}

func TestSignOutRevokesTheSession(t *testing.T) {
	clock := now
	srv := authServer(&clock)
	cookie := sessionOf(t, signIn(srv, "192.0.2.1", "r", "/app"))
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/app", nil)
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	if w := get(); w.Code != http.StatusOK {
		t.Fatalf("signed in: %d, want 200", w.Code)
	}
	sess, _ := srv.app.auth.session(cookie.Value)
	req := httptest.NewRequest(http.MethodPost, "/app/logout", strings.NewReader(url.Values{"csrf": {srv.app.auth.csrfToken(sess.nonce)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d, want 303", w.Code)
	}
	// The cookie copied before signing out no longer works.
	if w := get(); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("copied cookie after sign-out: %d to %q, want a redirect to the sign-in", w.Code, w.Header().Get("Location"))
	}
	// The revocation is forgotten once the session would have expired anyway.
	clock = clock.Add(sessionTTL + time.Second)
	srv.app.auth.revoke(session{nonce: "other", exp: clock.Unix()})
	if n := len(srv.app.auth.revoked); n != 1 {
		t.Errorf("%d revocations kept, want 1 (the expired one dropped)", n)
	}
}

func TestSignInRoles(t *testing.T) {
	clock := now
	srv := authServer(&clock)
	// The ingest key, which sits in browsers, does not sign in.
	if w := signIn(srv, "192.0.2.1", "w", "/app"); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "only sends events") {
		t.Errorf("ingest key: %d, want 403 saying it only sends events:\n%s", w.Code, w.Body)
	}
	for password, want := range map[string]Role{"r": RoleRead, "a": RoleAdmin, "pw": RoleAdmin} {
		sess, ok := srv.app.auth.session(sessionOf(t, signIn(srv, "192.0.2.1", password, "/app")).Value)
		if !ok || sess.role != want {
			t.Errorf("signed in with %q: role %s (%v), want %s", password, sess.role, ok, want)
		}
	}
	// A session ends with its key: the same secret, without the read key.
	v := srv.app.auth.newSession("r")
	other := New(Config{AdminKeys: []string{"a"}, Now: func() time.Time { return clock }}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
		WithApp(AppConfig{Secret: "s"}, emptyOverview{}))
	if _, ok := other.app.auth.session(v); ok {
		t.Error("a session of a key no longer configured still works")
	}
	if _, ok := other.app.auth.session(other.app.auth.newSession("a")); !ok {
		t.Error("a session of a configured key does not work")
	}
}
