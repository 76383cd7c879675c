package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// TestSegmentPageSurvival: a segment's page draws its survival curve; a
// large segment's page waits for the form's Draw; a bad form value is
// shown in the section.
func TestSegmentPageSurvival(t *testing.T) {
	f := survivalFake()
	f.segs["cart"] = journeys.Segment{Name: "cart", Members: 4}
	f.segs["big"] = journeys.Segment{Name: "big", Members: autoSurvivalMembers + 1}
	f.survival["big"] = f.survival["cart"]
	s := New(Config{}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(f, f), WithApp(AppConfig{Passwords: []string{"pw"}}, nil))
	session := s.app.auth.newSession("pw")
	tests := []struct {
		name, path string
		want, not  []string
	}{
		{"drawn", "/app/segments/cart", []string{`<svg class="chart survival"`, `class="km curve-0"`, `<h2>Time to purchase</h2>`},
			[]string{`id="survival-waiting"`, `id="survival-logrank"`}},
		{"vs", "/app/segments/cart?vs=vip&step=purchase", []string{`class="km curve-1"`, `id="survival-logrank"`, `value="vip"`}, nil},
		{"large waits", "/app/segments/big", []string{`id="survival-waiting">20,001 members: press Draw`}, []string{`<svg class="chart survival"`}},
		{"large drawn when asked", "/app/segments/big?step=purchase", []string{`<svg class="chart survival"`}, []string{`id="survival-waiting"`}},
		{"bad from", "/app/segments/cart?from=birth", []string{`id="survival-error">from: &#34;birth&#34; is not entry or first_seen<`},
			[]string{`<svg class="chart survival"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.path, nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("status %d:\n%s", w.Code, body)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			for _, not := range tt.not {
				if strings.Contains(body, not) {
					t.Errorf("page has %s", not)
				}
			}
		})
	}
}
