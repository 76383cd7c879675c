package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// survivalFake holds two segments: cart (4 people: done after 1, 2 and 4
// days, one censored at as_of) and vip (3 people, one of them also in
// cart).
func survivalFake() *fakeSegments {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	return &fakeSegments{segs: map[string]journeys.Segment{"cart": {Name: "cart"}, "vip": {Name: "vip"}, "empty": {Name: "empty"}},
		survival: map[string][]journeys.SurvivalTime{
			"cart": {{Person: "a", Start: t0, Done: day(1)}, {Person: "b", Start: t0, Done: day(2)}, {Person: "c", Start: t0},
				{Person: "d", Start: day(2), Done: day(6)}},
			"vip": {{Person: "a", Start: t0, Done: day(1)}, {Person: "x", Start: t0}, {Person: "y", Start: t0}},
		}}
}

func TestSegmentSurvivalRoute(t *testing.T) {
	f := survivalFake()
	s := New(Config{ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(f, f))
	tests := []struct {
		name, path string
		status     int
		contains   []string
	}{
		{"curve", "/api/v1/segments/cart/survival?as_of=2024-03-11T00:00:00Z", http.StatusOK, []string{
			`"segment":"cart","step":"purchase","from":"entry","as_of":"2024-03-11T00:00:00Z","unit":"days","alpha":0.05`,
			`"people":4,"done":3,"censored":1,"median_days":2,`,
			`{"days":0,"survival":1,"lower":1,"upper":1,"variance":0,"at_risk":4,"events":0}`,
			`"logrank":null`}},
		{"vs", "/api/v1/segments/cart/survival?as_of=2024-03-11T00:00:00Z&vs=vip&step=unsubscribe&from=first_seen", http.StatusOK, []string{
			`"vs":"vip","step":"unsubscribe","from":"first_seen"`, `{"segment":"vip","people":3,"done":1,"censored":2,"median_days":null,`,
			`"logrank":{"statistic":`, `"df":1,"p_value":`, `"overlap":1}`, `"note":"1 person is in both segments`}},
		{"empty", "/api/v1/segments/empty/survival", http.StatusOK, []string{`"people":0,"done":0,"censored":0,"median_days":null,"points":[]`,
			`"note":"nobody entered the segment before as_of"`}},
		{"bad from", "/api/v1/segments/cart/survival?from=birth", http.StatusBadRequest, []string{`from: \"birth\" is not entry or first_seen`}},
		{"bad as_of", "/api/v1/segments/cart/survival?as_of=soon", http.StatusBadRequest, []string{`as_of:`}},
		{"vs itself", "/api/v1/segments/cart/survival?vs=cart", http.StatusBadRequest, []string{`vs: \"cart\" is the segment itself`}},
		{"unknown vs", "/api/v1/segments/cart/survival?vs=nope", http.StatusNotFound, []string{`vs: no segment \"nope\"`}},
		{"unknown segment", "/api/v1/segments/nope/survival", http.StatusNotFound, []string{"not_found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, "GET", tt.path, "Bearer r", "")
			for _, want := range tt.contains {
				if w.Code != tt.status || !strings.Contains(w.Body.String(), want) {
					t.Errorf("got %d %s, want %d containing %s", w.Code, w.Body.String(), tt.status, want)
				}
			}
		})
	}
}
