package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// TestEmailPlaybookSegments plants subscribers and decoys for the email
// programme's built-ins and evaluates the built-in definitions on the real
// graph: at_risk_subscribers (engaged 90 to 30 days ago, no open nor click
// since, however much we mailed them or they browsed; or a high
// P(unsubscribe)) and sunset (≥ 5 sends in 90 days, none opened or
// clicked).
func TestEmailPlaybookSegments(t *testing.T) {
	s := graphtest.Open(t)
	prefix := graphtest.RunID(t)
	asOf := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	opens := []float64{80, 60, 40} // engaged before: 3 opens 90 to 30 days ago
	six := []float64{85, 70, 55, 40, 25, 10}
	ids := plantPeople(t, s, prefix, asOf, map[string]planted{
		// at_risk_subscribers
		"risk_mailed_browsing":  {"email_open": opens, "email_sent": {20, 10, 2}, "page_view": {5}, "product_view": {3}},
		"risk_quiet":            {"email_open": opens},
		"risk_opened_last_week": {"email_open": {80, 60, 40, 6}, "email_sent": {7}},
		"risk_clicked":          {"email_open": opens, "email_click": {12}},
		"risk_unsubscribed":     {"email_open": opens, "unsubscribe": {35}},
		"risk_two_opens":        {"email_open": {80, 40}, "email_sent": {20}},
		"risk_too_old":          {"email_open": {100, 95, 40}},
		"risk_score":            {"page_view": {3}},
		"risk_score_low":        {"page_view": {3}},
		"risk_score_unsub":      {"page_view": {3}, "unsubscribe": {10}},
		// sunset
		"sunset_six":          {"email_sent": six},
		"sunset_six_browsing": {"email_sent": six, "page_view": {3, 30}},
		"sunset_old_open":     {"email_sent": six, "email_open": {120}},
		"sunset_one_click":    {"email_sent": six, "email_click": {30}},
		"sunset_one_open":     {"email_sent": six, "email_open": {89}},
		"sunset_four":         {"email_sent": {85, 55, 25, 10}},
		"sunset_old_sends":    {"email_sent": {150, 140, 130, 85, 10}},
		"sunset_unsubscribed": {"email_sent": six, "unsubscribe": {50}},
	})
	p := func(x float64) *float64 { return &x }
	if err := s.SetPersonScores(context.Background(), []journeys.PersonScores{
		{Person: ids["risk_score"], PUnsubscribe: p(0.7)}, {Person: ids["risk_score_low"], PUnsubscribe: p(0.69)},
		{Person: ids["risk_score_unsub"], PUnsubscribe: p(0.9)},
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		segment.SegmentAtRiskSubscribers: {"risk_mailed_browsing", "risk_quiet", "risk_score"},
		segment.SegmentSunset:            {"sunset_old_open", "sunset_six", "sunset_six_browsing"},
	}
	for _, seg := range segment.BuiltInSegments() {
		w, ok := want[seg.Name]
		if !ok {
			continue
		}
		delete(want, seg.Name)
		t.Run(seg.Name, func(t *testing.T) {
			where, _ := json.Marshal(seg.Where)
			if got := evaluate(t, s, prefix, ids, string(where), asOf, defaultOutbound); !slices.Equal(got, w) {
				t.Errorf("got %v, want %v", got, w)
			}
		})
	}
	if len(want) > 0 {
		t.Errorf("no built-in segment %v", want)
	}
}
