package graph_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// TestStaticSegmentMembers evaluates people blocks on the real graph: a
// segment with a people list has exactly those members that exist, alone
// and combined with all/any/not, for a prefix or a list of people, and an
// id full of Cypher is only an id.
func TestStaticSegmentMembers(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	a, b, c := prefix+"a", prefix+"b", prefix+"c"
	evil := prefix + `"}) MATCH (n) DETACH DELETE n //`
	write(t, s, ev(a, "purchase", 0), ev(b, "product_view", 1), ev(c, "purchase", 2), ev(evil, "product_view", 3))
	ghost := prefix + "ghost" // listed, never seen
	tests := []struct {
		name  string
		where journeys.Condition
		want  []string
	}{
		{"the listed people who exist", journeys.Condition{People: []string{a, c, evil, ghost, "elsewhere"}}, []string{a, c, evil}},
		{"all: listed and bought", journeys.Condition{All: []journeys.Condition{
			{People: []string{a, b, evil}}, {Did: &journeys.Match{Step: "purchase"}}}}, []string{a}},
		{"any: listed or bought", journeys.Condition{Any: []journeys.Condition{
			{People: []string{b}}, {Did: &journeys.Match{Step: "purchase"}}}}, []string{a, b, c}},
		{"not listed", journeys.Condition{All: []journeys.Condition{
			{Did: &journeys.Match{Step: "*"}}, {Not: &journeys.Condition{People: []string{a, evil}}}}}, []string{b, c}},
		{"two lists", journeys.Condition{All: []journeys.Condition{
			{People: []string{a, b, c}}, {People: []string{b, c, evil}}}}, []string{b, c}},
	}
	asOf := t0.Add(24 * time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg := journeys.Segment{Name: "s", Where: tt.where}
			if err := seg.Validate(); err != nil {
				t.Fatal(err)
			}
			p := seg.Compile(asOf, defaultOutbound)
			slices.Sort(tt.want)
			for _, scope := range []journeys.SegmentScope{
				{Prefix: prefix},
				{Prefix: prefix, People: []string{a, prefix + "b", c, evil, ghost}},
				{People: []string{c, evil}},
			} {
				got, err := s.EvaluateSegment(ctx, p, scope)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, id := range tt.want {
					if scope.People == nil || slices.Contains(scope.People, id) {
						want = append(want, id)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("scope %+v:\n got %q\nwant %q", scope.People, got, want)
				}
			}
		})
	}
	// The hostile id changed nothing: everyone is still there.
	for _, id := range []string{a, b, c, evil} {
		if p, _, err := s.Journey(ctx, id, 10); err != nil || p.Events != 1 {
			t.Errorf("%q after the queries: %+v, %v", id, p, err)
		}
	}
}

// TestStaticSegmentSaved saves a static segment through the Segmenter (as
// the web app does): its members are the listed people who exist, and the
// reasons recorded count the list rather than copy it.
func TestStaticSegmentSaved(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	name := strings.TrimSuffix(prefix, "-") + ".static"
	t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), name) })
	a, b := prefix+"a", prefix+`b'}) DETACH DELETE n`
	write(t, s, ev(a, "purchase", 0), ev(b, "product_view", 1))
	now := t0.Add(time.Hour)
	sg := &segment.Segmenter{Store: s, Now: func() time.Time { return now }}
	saved, res, err := sg.Save(ctx, journeys.StaticSegment(name, "from a test", []string{b, a, prefix + "ghost", a}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Members != 2 || res.Entered != 2 || res.Warning != "" || saved.Version != 1 {
		t.Errorf("save: %+v (version %d), want 2 members entered and no warning", res, saved.Version)
	}
	got, err := s.Segment(ctx, name)
	if err != nil || got.Members != 2 || !slices.Equal(got.Where.People, []string{a, b, prefix + "ghost"}) {
		t.Errorf("stored: %+v, %v", got, err)
	}
	members, err := s.MembersAt(ctx, name, now.Add(time.Minute), "", 10)
	if err != nil || len(members) != 2 || members[0].Person != a || members[1].Person != b {
		t.Fatalf("members: %+v, %v", members, err)
	}
	if r := string(members[0].Reason); !strings.Contains(r, `"definition":{"people":{"count":3}}`) || strings.Contains(r, "ghost") {
		t.Errorf("reason %s, want the list counted, not copied", r)
	}
}
