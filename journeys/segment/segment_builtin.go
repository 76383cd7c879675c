package segment

import (
	"fmt"

	"github.com/journeygraph/journeygraph/journeys"
)

// Built-in playbook segments. Their exact definitions are the JSON below
// (also tabulated in journeys/segments.md); steps are the canonical
// vocabulary of DefaultStepRules.
//
//	cart_abandoners        added to cart in the last 7 days, and no purchase after the last of those adds
//	prospects_to_relaunch  the same product viewed ≥ 3 times in the last 7 days, and no purchase in those 7 days
//	hyper_engaged          an email opened in the last 7 days, and ≥ 2 email clicks in those 7 days
//	at_risk_subscribers    not unsubscribed, and either (≥ 3 email opens 90 to 30 days ago and no event at all
//	                       in the last 30 days) or P(unsubscribe) ≥ 0.7
//	never_engaged          received an email, and never opened nor clicked one
//	unsubscribed           unsubscribed (ever, up to as_of)
//	vip                    ≥ 3 purchases in the last 365 days
//	new                    first seen in the last 7 days
const (
	SegmentCartAbandoners      = "cart_abandoners"
	SegmentProspectsToRelaunch = "prospects_to_relaunch"
	SegmentHyperEngaged        = "hyper_engaged"
	SegmentAtRiskSubscribers   = "at_risk_subscribers"
	SegmentNeverEngaged        = "never_engaged"
	SegmentUnsubscribed        = "unsubscribed"
	SegmentVIP                 = "vip"
	SegmentNew                 = "new"
)

// builtInDefinitions are the playbook segments as the JSON a user would send.
var builtInDefinitions = []string{
	`{"name": "cart_abandoners",
	  "description": "Added to cart in the last 7 days, and no purchase after the last of those adds.",
	  "where": {"not_followed": {"first": "add_to_cart", "then": "purchase"}, "within": "7d", "after": "last"}}`,
	`{"name": "prospects_to_relaunch",
	  "description": "The same product viewed at least 3 times in the last 7 days, and no purchase in those 7 days.",
	  "where": {"all": [
	    {"count": "product_view", "same": "product", "min": 3, "within": "7d"},
	    {"did_not": "purchase", "within": "7d"}]}}`,
	`{"name": "hyper_engaged",
	  "description": "Opened an email in the last 7 days and clicked at least 2 emails in those 7 days.",
	  "where": {"all": [
	    {"did": "email_open", "within": "7d"},
	    {"count": "email_click", "min": 2, "within": "7d"}]}}`,
	`{"name": "at_risk_subscribers",
	  "description": "Not unsubscribed, and either engaged before (at least 3 email opens 90 to 30 days ago) but silent for 30 days (no event at all), or P(unsubscribe) at least 0.7.",
	  "where": {"all": [
	    {"did_not": "unsubscribe"},
	    {"any": [
	      {"all": [
	        {"count": "email_open", "min": 3, "ago": {"from": "90d", "to": "30d"}},
	        {"did_not": "*", "within": "30d"}]},
	      {"propensity": "unsubscribe", "at_least": 0.7}]}]}}`,
	`{"name": "never_engaged",
	  "description": "Received at least one email, and never opened nor clicked any.",
	  "where": {"all": [
	    {"did": "email_sent"},
	    {"did_not": {"steps": ["email_open", "email_click"]}}]}}`,
	`{"name": "unsubscribed",
	  "description": "Unsubscribed (at any time up to as_of).",
	  "where": {"did": "unsubscribe"}}`,
	`{"name": "vip",
	  "description": "At least 3 purchases in the last 365 days.",
	  "where": {"count": "purchase", "min": 3, "within": "365d"}}`,
	`{"name": "new",
	  "description": "First seen (first behavioural event) in the last 7 days.",
	  "where": {"first_seen": {"within": "7d"}}}`,
}

// BuiltInSegments returns the playbook segments, marked BuiltIn, in a fixed
// order. It panics if one of them is invalid (a programming error the tests
// catch).
func BuiltInSegments() []journeys.Segment {
	out := make([]journeys.Segment, 0, len(builtInDefinitions))
	for _, d := range builtInDefinitions {
		s, err := journeys.ParseSegment([]byte(d))
		if err != nil {
			panic(fmt.Sprintf("journeys: built-in segment: %v", err))
		}
		s.BuiltIn = true
		out = append(out, s)
	}
	return out
}
