package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestSegmentUpliftRoute(t *testing.T) {
	f := &fakeSegments{segs: map[string]journeys.Segment{
		"cart":  {Name: "cart", Holdout: &journeys.Holdout{Share: 0.5, Salt: "s"}},
		"plain": {Name: "plain"},
	}}
	// 4 treated (2 converted), 2 control (none converted).
	for i, o := range []struct{ control, converted bool }{{false, true}, {false, true}, {false, false}, {false, false}, {true, false}, {true, false}} {
		f.outcomes = append(f.outcomes, journeys.EntryOutcome{Person: string(rune('a' + i)), Control: o.control, Converted: o.converted})
	}
	s := New(Config{ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(f, f))
	tests := []struct {
		name, path string
		status     int
		contains   []string
	}{
		{"report", "/api/v1/segments/cart/uplift?days=3&step=email_click", http.StatusOK, []string{
			`"holdout":{"share":0.5,"salt":"s"}`, `"step":"email_click","days":3`,
			`"treated":{"people":4,"converted":2,"rate":0.5}`, `"control":{"people":2,"converted":0,"rate":0}`,
			`"stats":{"difference":0.5,`}},
		{"defaults", "/api/v1/segments/cart/uplift", http.StatusOK, []string{`"step":"purchase","days":7`}},
		{"bad days", "/api/v1/segments/cart/uplift?days=0", http.StatusBadRequest, []string{`days: \"0\" is not a whole number from 1 to 365`}},
		{"bad from", "/api/v1/segments/cart/uplift?from=yesterday", http.StatusBadRequest, []string{`from:`}},
		{"to before from", "/api/v1/segments/cart/uplift?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", http.StatusBadRequest, []string{`to:`, `is not after from`}},
		{"unknown segment", "/api/v1/segments/nope/uplift", http.StatusNotFound, []string{"not_found"}},
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
	// Without a holdout every entry is treated: no statistics, and a note.
	f.outcomes = f.outcomes[:4]
	w := do(s, "GET", "/api/v1/segments/plain/uplift", "Bearer r", "")
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, `"stats":null`) || !strings.Contains(body, "keeps no control group") {
		t.Errorf("no holdout: %d %s, want no stats and a note", w.Code, body)
	}
}

// TestMembersAndChangesMarkControl: the member list and the change feed
// say which people are in the control group, for the tools that mirror a
// segment.
func TestMembersAndChangesMarkControl(t *testing.T) {
	f := &fakeSegments{segs: map[string]journeys.Segment{"cart": {Name: "cart", Holdout: &journeys.Holdout{Share: 0.1}}},
		members: []journeys.Member{{Person: "a", Control: true}, {Person: "b"}},
		changes: []journeys.SegmentChange{{Seq: 1, Kind: journeys.KindEntered, Person: "a", Control: true}, {Seq: 2, Kind: journeys.KindEntered, Person: "b"}}}
	s := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(f, f))
	for path, want := range map[string]string{
		"/api/v1/segments/cart/members": `"person":"a","since":"0001-01-01T00:00:00Z","version":0,"control":true},{"person":"b","since":"0001-01-01T00:00:00Z","version":0}]`,
		"/api/v1/segments/cart/changes": `"person":"a","at":"0001-01-01T00:00:00Z","version":0,"control":true},{"seq":2`,
	} {
		if w := do(s, "GET", path, "Bearer r", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s, want %s", path, w.Code, w.Body.String(), want)
		}
	}
}
