package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// overlapSegments is a SegmentReader of segments with fixed members.
type overlapSegments struct {
	SegmentReader
	segs map[string]journeys.Segment
	ids  map[string][]string
}

func (o overlapSegments) Segment(_ context.Context, name string) (journeys.Segment, error) {
	s, ok := o.segs[name]
	if !ok {
		return s, journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", name)
	}
	return s, nil
}

func (o overlapSegments) MembersPage(_ context.Context, name, after string, limit int) ([]journeys.Member, error) {
	var out []journeys.Member
	for _, id := range o.ids[name] {
		if id > after && len(out) < limit {
			out = append(out, journeys.Member{Person: id})
		}
	}
	return out, nil
}

func TestOverlapRoutes(t *testing.T) {
	did := func(step string) journeys.Condition { return journeys.Condition{Did: &journeys.Match{Step: step}} }
	o := overlapSegments{
		segs: map[string]journeys.Segment{"cart": {Name: "cart", Where: did("add_to_cart")}, "buy": {Name: "buy", Where: did("purchase")},
			"none": {Name: "none", Where: did("x")}},
		ids: map[string][]string{"cart": {"a", "b", "c", "d"}, "buy": {"c", "d", "e"}},
	}
	s := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
		WithSegments(&fakeSegments{}, o))
	tests := []struct {
		name, path string
		status     int
		contains   string
	}{
		{"matrix", "/api/v1/segment-overlap?names=cart,buy,none", http.StatusOK,
			`"pairs":[{"a":"cart","b":"buy","both":2,"only_a":2,"only_b":1,"jaccard":0.4},{"a":"cart","b":"none","both":0,"only_a":4,"only_b":0,"jaccard":0}`},
		{"one segment is not an overlap", "/api/v1/segment-overlap?names=cart", http.StatusBadRequest, "compare 2 to 12 segments"},
		{"unknown segment", "/api/v1/segment-overlap?names=cart,nope", http.StatusNotFound, "nope"},
		{"both, paged", "/api/v1/segment-overlap/members?a=cart&b=buy&limit=1", http.StatusOK, `"members":["c"],"next_after":"c"`},
		{"only a, after a cursor", "/api/v1/segment-overlap/members?a=cart&b=buy&op=only_a&after=a", http.StatusOK, `"members":["b"],"next_after":""`},
		{"a bad op", "/api/v1/segment-overlap/members?a=cart&b=buy&op=xor", http.StatusBadRequest, `op: \"xor\" is not`},
		{"needs a key", "/api/v1/segment-overlap?names=cart,buy", http.StatusUnauthorized, "missing API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := "Bearer r"
			if tt.status == http.StatusUnauthorized {
				auth = ""
			}
			w := do(s, "GET", tt.path, auth, "")
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.contains) {
				t.Errorf("got %d %s, want %d containing %s", w.Code, w.Body.String(), tt.status, tt.contains)
			}
		})
	}
	// The definition answered selects only_b: buy and not cart.
	w := do(s, "GET", "/api/v1/segment-overlap/members?a=cart&b=buy&op=only_b", "Bearer r", "")
	want := `"definition":{"name":"buy_not_cart","description":"in buy, not in cart","where":{"all":[{"did":"purchase"},{"not":{"did":"add_to_cart"}}]}},"members":["e"]`
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("only_b: %s, want %s", w.Body.String(), want)
	}
}
