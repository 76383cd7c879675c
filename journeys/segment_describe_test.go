package journeys_test

import (
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name, where, want string
	}{
		{"cart abandoners", `{"not_followed": {"first": "add_to_cart", "then": "purchase"}, "within": "7d", "after": "last"}`,
			"did add_to_cart in the last 7 days and did not purchase after the last add_to_cart"},
		{"not followed, any, gap", `{"not_followed": {"first": "checkout", "then": "purchase"}, "after": "any", "gap": "1d"}`,
			"did checkout at least once not followed by purchase within 1 day"},
		{"not followed, each", `{"not_followed": {"first": "checkout", "then": "purchase"}, "after": "each", "within": "30d"}`,
			"did checkout in the last 30 days and never purchase after any of them"},
		{"hyper engaged", `{"all": [{"did": "email_open", "within": "7d"}, {"count": "email_click", "min": 2, "within": "7d"}]}`,
			"did email_open in the last 7 days and did email_click at least 2 times in the last 7 days"},
		{"same product", `{"count": "product_view", "same": "product", "min": 3, "within": "7d"}`,
			"did product_view at least 3 times for the same product in the last 7 days"},
		{"count between", `{"count": "email_click", "min": 2, "max": 9, "within": "12h"}`,
			"did email_click between 2 and 9 times in the last 12 hours"},
		{"count at most", `{"count": "purchase", "max": 1}`, "did purchase at most 1 time"},
		{"nested any and not", `{"all": [{"did_not": "unsubscribe"}, {"any": [{"all": [{"count": "email_open", "min": 3, "ago": {"from": "90d", "to": "30d"}}, {"did_not": {"steps": ["email_open", "email_click"]}, "within": "30d"}]}, {"propensity": "unsubscribe", "at_least": 0.7}]}]}`,
			"did not unsubscribe and ((did email_open at least 3 times between 90 days and 30 days ago and did not (email_open or email_click) in the last 30 days) or has P(unsubscribe) at least 0.7)"},
		{"not", `{"not": {"did": "purchase"}}`, "not (did purchase)"},
		{"sequence", `{"sequence": ["product_view", "add_to_cart", "checkout"], "gap": "1h30m", "within": "7d"}`,
			"did product_view, then add_to_cart, then checkout, first to last within 1 hour 30 minutes in the last 7 days"},
		{"last seen", `{"last_seen": {"more_than": "30d"}}`, "was last seen more than 30 days ago"},
		{"first seen", `{"first_seen": {"within": "1d"}}`, "was first seen in the last 1 day"},
		{"last", `{"last": "purchase", "more_than": "90d"}`, "last did purchase more than 90 days ago"},
		{"state", `{"state": "browsers"}`, `is in hidden state "browsers"`},
		{"states", `{"states": ["a", "b"]}`, `is in hidden state "a" or "b"`},
		{"rate", `{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 0.3, "at_most": 0.9, "within": "90d", "min_base": 5}`,
			"email_open per email_sent at least 30% and at most 90% in the last 90 days (over at least 5 email_sent)"},
		{"person and traits", `{"person": {"events": {"gte": 100}, "traits.country": {"in": ["BE", "FR"]}}}`,
			`has events ≥ 100 and traits.country is one of "BE", "FR"`},
		{"event with where", `{"did": {"event": "Order Completed", "where": {"channel": "email", "value": {"gt": 10}}}}`,
			`did event "Order Completed" with channel is "email" and value > 10`},
		{"anything", `{"did_not": "*", "within": "30d"}`, "did nothing in the last 30 days"},
		{"people", `{"people": ["u1", "u2", "u3"]}`, "is one of 3 listed people"},
		{"one person", `{"people": ["u1"]}`, `is "u1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := journeys.ParseSegment([]byte(`{"name": "s", "where": ` + tt.where + `}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := journeys.Describe(seg.Where); got != tt.want {
				t.Errorf("Describe(%s)\n got  %q\n want %q", tt.where, got, tt.want)
			}
		})
	}
}
