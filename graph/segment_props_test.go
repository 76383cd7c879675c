package graph_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

// TestSegmentsOnPropsAndTraits evaluates segments comparing event
// properties ("props.k") and person traits ("traits.k") on the real graph.
func TestSegmentsOnPropsAndTraits(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	a, b, c := prefix+"a", prefix+"b", prefix+"c"
	buy := func(person string, minutes int, props map[string]any) journeys.Event {
		e := ev(person, "purchase", minutes)
		e.Properties = props
		return e
	}
	identify := func(person string, minutes int, traits map[string]any) journeys.Event {
		e := journeys.Event{Type: journeys.TypeIdentify, Name: journeys.NameIdentify, Person: person,
			Time: t0.Add(time.Duration(minutes) * time.Minute), Properties: traits}
		e.ID = journeys.EventID(person, e.Name, e.Time, traits)
		return e
	}
	write(t, s,
		buy(a, 1, map[string]any{"plan": "pro", "seats": int64(5), "gift": true}),
		buy(b, 2, map[string]any{"plan": "free", "seats": 1.0}),
		buy(c, 3, map[string]any{"plan": "pro", "seats": int64(2), "x]) DETACH DELETE e //": "evil"}),
		identify(a, 4, map[string]any{"country": "FR", "email": "a@example.com"}),
		identify(b, 5, map[string]any{"country": "DE"}),
	)
	// A later identify adds a trait and changes one: traits merge. An
	// earlier one arriving late only fills in a trait a lacked.
	write(t, s, identify(a, 6, map[string]any{"country": "BE", "vip": true}))
	write(t, s, identify(a, 2, map[string]any{"country": "ES", "plan": "gold"}))
	pa, _, err := s.Journey(ctx, a, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"country":"BE","email":"a@example.com","plan":"gold","vip":true}`; pa.Traits != want {
		t.Errorf("a's traits %s, want %s", pa.Traits, want)
	}
	tests := []struct {
		name, where string
		want        []string
	}{
		{"bought on the pro plan", `{"did": {"step": "purchase", "where": {"props.plan": "pro"}}}`, []string{a, c}},
		{"at least 3 seats", `{"did": {"step": "purchase", "where": {"props.seats": {"gte": 3}}}}`, []string{a}},
		{"fewer than 3 seats (ints and floats alike)", `{"did": {"step": "purchase", "where": {"props.seats": {"lt": 3}}}}`, []string{b, c}},
		{"a gift", `{"did": {"step": "purchase", "where": {"props.gift": true}}}`, []string{a}},
		{"a property nobody has", `{"did": {"step": "purchase", "where": {"props.coupon": {"ne": "x"}}}}`, nil},
		{"latest country", `{"person": {"traits.country": {"in": ["BE", "DE"]}}}`, []string{a, b}},
		{"merged trait", `{"all": [{"person": {"traits.vip": true}}, {"person": {"traits.email": {"contains": "@example"}}}]}`, []string{a}},
		{"not FR any more", `{"person": {"traits.country": "FR"}}`, nil},
		{"not ES: that identify was older", `{"person": {"traits.country": "ES"}}`, nil},
		{"filled in by the older identify", `{"person": {"traits.plan": "gold"}}`, []string{a}},
	}
	asOf := t0.Add(24 * time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := journeys.ParseSegment([]byte(`{"name": "s", "where": ` + tt.where + `}`))
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.EvaluateSegment(ctx, seg.Compile(asOf, defaultOutbound), journeys.SegmentScope{Prefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("members = %q, want %q", got, tt.want)
			}
		})
	}
}
