package graph_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

// defaultOutbound are the outbound steps of the default step rules, with
// which the graph tests compile segments.
var defaultOutbound = journeys.DefaultStepRules().OutboundSteps()

// evAgo builds a track event of step, days before asOf.
func evAgo(asOf time.Time, person, step string, days float64) journeys.Event {
	t := asOf.Add(-time.Duration(days * float64(24*time.Hour))).Truncate(time.Millisecond)
	return journeys.Event{ID: journeys.EventID(person, step, t, nil), Type: journeys.TypeTrack,
		Person: person, Name: step, Step: step, Time: t}
}

// planted is one person's events as step → days before as_of.
type planted map[string][]float64

// plantPeople writes each person's events under prefix and returns the ids
// (prefix + name) by name.
func plantPeople(t *testing.T, s *graph.Store, prefix string, asOf time.Time, people map[string]planted) map[string]string {
	t.Helper()
	ids := map[string]string{}
	var events []journeys.Event
	for name, steps := range people {
		ids[name] = prefix + name
		for step, days := range steps {
			for _, d := range days {
				events = append(events, evAgo(asOf, prefix+name, step, d))
			}
		}
	}
	write(t, s, events...)
	return ids
}

// evaluate compiles where with outbound and returns the names of its
// members among ids, sorted, checking that a prefix scope and a people
// scope agree.
func evaluate(t *testing.T, s *graph.Store, prefix string, ids map[string]string, where string, asOf time.Time, outbound []string) []string {
	t.Helper()
	seg, err := journeys.ParseSegment([]byte(`{"name": "t", "where": ` + where + `}`))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	p := seg.Compile(asOf, outbound)
	all := make([]string, 0, len(ids))
	names := map[string]string{}
	for name, id := range ids {
		all = append(all, id)
		names[id] = name
	}
	slices.Sort(all)
	var got []string
	for i, scope := range []journeys.SegmentScope{{Prefix: prefix}, {Prefix: prefix, People: all}} {
		members, err := s.EvaluateSegment(context.Background(), p, scope)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		var out []string
		for _, id := range members {
			out = append(out, names[id])
		}
		slices.Sort(out)
		if i > 0 && !slices.Equal(out, got) {
			t.Errorf("%s: people scope %v, prefix scope %v", where, out, got)
		}
		got = out
	}
	return got
}

// TestSegmentOutboundExclusion: on the real graph, "*", last_seen,
// first_seen and "did nothing" read the person's own events only; the
// emails sent to them do not count, unless no step is outbound.
func TestSegmentOutboundExclusion(t *testing.T) {
	s := graphtest.Open(t)
	prefix := graphtest.RunID(t)
	asOf := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	ids := plantPeople(t, s, prefix, asOf, map[string]planted{
		"mailed_silent":  {"email_sent": {3, 20}, "page_view": {60}},    // silent for 30 days, however much we mail
		"active":         {"page_view": {3}, "email_sent": {4}},         // browsed 3 days ago
		"new_after_mail": {"email_sent": {20, 10}, "product_view": {2}}, // mailed before their first visit
		"only_mailed":    {"email_sent": {5, 40}},                       // never did anything
		"pushed_silent":  {"push_sent": {2}, "page_view": {45}},         // outbound only under custom rules
	})
	tests := []struct {
		name, where string
		outbound    []string
		want        []string
	}{
		{"did nothing in 30d", `{"all": [{"did": "*"}, {"did_not": "*", "within": "30d"}]}`, defaultOutbound,
			[]string{"mailed_silent"}},
		{"did nothing in 30d, nothing outbound", `{"all": [{"did": "*"}, {"did_not": "*", "within": "30d"}]}`, nil, nil},
		{"did nothing in 30d, push outbound too", `{"all": [{"did": "*"}, {"did_not": "*", "within": "30d"}]}`,
			[]string{"email_sent", "push_sent"}, []string{"mailed_silent", "pushed_silent"}},
		{"did anything", `{"did": "*"}`, defaultOutbound, []string{"active", "mailed_silent", "new_after_mail", "pushed_silent"}},
		{"last seen more than 30d ago", `{"last_seen": {"more_than": "30d"}}`, defaultOutbound, []string{"mailed_silent"}},
		{"last seen more than 30d ago, push outbound", `{"last_seen": {"more_than": "30d"}}`, []string{"email_sent", "push_sent"},
			[]string{"mailed_silent", "pushed_silent"}},
		{"last seen within 7d", `{"last_seen": {"within": "7d"}}`, defaultOutbound, []string{"active", "new_after_mail", "pushed_silent"}},
		{"last seen within 7d, push outbound", `{"last_seen": {"within": "7d"}}`, []string{"email_sent", "push_sent"},
			[]string{"active", "new_after_mail"}},
		{"first seen within 7d (new)", `{"first_seen": {"within": "7d"}}`, defaultOutbound, []string{"active", "new_after_mail"}},
		{"first seen within 7d, nothing outbound", `{"first_seen": {"within": "7d"}}`, nil, []string{"active"}},
		{"count of any", `{"count": "*", "min": 1, "max": 1, "within": "30d"}`, defaultOutbound, []string{"active", "new_after_mail", "pushed_silent"}},
		{"count of any, nothing outbound", `{"count": "*", "min": 1, "max": 1, "within": "30d"}`, nil, []string{"only_mailed", "pushed_silent"}},
		{"named outbound step still matches", `{"did": "email_sent", "within": "7d"}`, defaultOutbound, []string{"active", "mailed_silent", "only_mailed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate(t, s, prefix, ids, tt.where, asOf, tt.outbound); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// The explanation of "new" shows the person's own events, not the mail.
	seg := journeys.Segment{Name: "new", Where: journeys.Condition{FirstSeen: &journeys.Recency{Within: durationOf(7 * 24 * time.Hour)}}}
	why, err := s.Explain(context.Background(), []string{ids["new_after_mail"]}, seg.Compile(asOf, defaultOutbound).Leaves())
	if err != nil {
		t.Fatal(err)
	}
	if evs := why[ids["new_after_mail"]].Events; len(evs) != 1 || evs[0].Step != "product_view" {
		t.Errorf("explained events %+v, want the product view alone", evs)
	}
}

func durationOf(d time.Duration) *journeys.Duration {
	x := journeys.Duration(d)
	return &x
}

// TestSegmentRate checks the rate block's Cypher on the real graph: the
// ratio of two counts in the window, its bounds included, the base.
func TestSegmentRate(t *testing.T) {
	s := graphtest.Open(t)
	prefix := graphtest.RunID(t)
	asOf := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	sends := []float64{5, 14, 23, 32, 41, 50, 59, 68, 77, 86} // 10 in the last 90 days, 3 of them 60 to 120 days ago
	ids := plantPeople(t, s, prefix, asOf, map[string]planted{
		"rate_40":    {"email_sent": sends, "email_open": {2, 10, 20, 30}},
		"rate_30":    {"email_sent": sends, "email_open": {3, 13, 33}}, // exactly at 0.3
		"rate_20":    {"email_sent": sends, "email_open": {4, 44}},
		"small_base": {"email_sent": {5, 14, 23, 32}, "email_open": {6, 15, 24, 33}}, // 100%, but 4 sends
		"old_opens":  {"email_sent": sends, "email_open": {100, 101, 102, 103}},      // 0 in 90 days; 4 / 3 from 120 to 60 days ago
		"no_sends":   {"email_open": {3, 4, 5}},
		"over_one":   {"email_sent": {5, 14, 23, 32, 41}, "email_open": {1, 2, 3, 4, 6, 7}},
		"browser":    {"email_open": {3, 4}, "page_view": {1, 2, 5, 6}},
	})
	playbook := `{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 0.3, "within": "90d", "min_base": 5}`
	tests := []struct {
		name, where string
		want        []string
	}{
		{"open rate ≥ 30% of ≥ 5 sends", playbook, []string{"over_one", "rate_30", "rate_40"}},
		{"and at most 100%", `{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 0.3, "at_most": 1, "within": "90d", "min_base": 5}`,
			[]string{"rate_30", "rate_40"}},
		{"at most 25%, any base", `{"rate": {"of": "email_open", "per": "email_sent"}, "at_most": 0.25, "within": "90d"}`,
			[]string{"old_opens", "rate_20"}},
		{"not the playbook's (no base is no rate)", `{"not": ` + playbook + `}`,
			[]string{"browser", "no_sends", "old_opens", "rate_20", "small_base"}},
		{"ago window", `{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 1, "ago": {"from": "120d", "to": "60d"}, "min_base": 3}`,
			[]string{"old_opens"}},
		{"per any own event (sends are not theirs)", `{"rate": {"of": "email_open", "per": "*"}, "at_most": 0.5, "within": "90d"}`,
			[]string{"browser"}},
		{"of steps, per a raw name", `{"rate": {"of": {"steps": ["email_open", "page_view"]}, "per": {"event": "email_sent"}}, "at_least": 0.35, "within": "90d", "min_base": 5}`,
			[]string{"over_one", "rate_40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate(t, s, prefix, ids, tt.where, asOf, defaultOutbound); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// The explanation of a rate member is its of events.
	seg, _ := journeys.ParseSegment([]byte(`{"name": "t", "where": ` + playbook + `}`))
	why, err := s.Explain(context.Background(), []string{ids["rate_30"]}, seg.Compile(asOf, defaultOutbound).Leaves())
	if err != nil {
		t.Fatal(err)
	}
	if evs := why[ids["rate_30"]].Events; len(evs) != 3 || evs[0].Step != "email_open" {
		t.Errorf("explained events %+v, want the 3 opens", evs)
	}
}
