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
//	at_risk_subscribers    not unsubscribed, and either (≥ 3 email opens 90 to 30 days ago and no email open
//	                       nor click in the last 30 days, whatever else they or we did) or P(unsubscribe) ≥ 0.7
//	sunset                 not unsubscribed, ≥ 5 emails sent in the last 90 days, and no email open nor click
//	                       in those 90 days
//	never_engaged          received an email, and never opened nor clicked one
//	unsubscribed           unsubscribed (ever, up to as_of)
//	vip                    ≥ 3 purchases in the last 365 days
//	new                    first seen (first event of their own, not an email sent to them) in the last 7 days
const (
	SegmentCartAbandoners      = "cart_abandoners"
	SegmentProspectsToRelaunch = "prospects_to_relaunch"
	SegmentHyperEngaged        = "hyper_engaged"
	SegmentAtRiskSubscribers   = "at_risk_subscribers"
	SegmentSunset              = "sunset"
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
	  "description": "Not unsubscribed, and either engaged before (at least 3 email opens 90 to 30 days ago) but no email open nor click in the last 30 days (whether or not we kept mailing them or they browsed the site), or P(unsubscribe) at least 0.7.",
	  "where": {"all": [
	    {"did_not": "unsubscribe"},
	    {"any": [
	      {"all": [
	        {"count": "email_open", "min": 3, "ago": {"from": "90d", "to": "30d"}},
	        {"did_not": {"steps": ["email_open", "email_click"]}, "within": "30d"}]},
	      {"propensity": "unsubscribe", "at_least": 0.7}]}]}}`,
	`{"name": "sunset",
	  "description": "Not unsubscribed, sent at least 5 emails in the last 90 days, and no email opened or clicked in those 90 days (the sunset list).",
	  "where": {"all": [
	    {"did_not": "unsubscribe"},
	    {"count": "email_sent", "min": 5, "within": "90d"},
	    {"did_not": {"steps": ["email_open", "email_click"]}, "within": "90d"}]}}`,
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
	  "description": "First seen (first event of their own; emails sent to them do not count) in the last 7 days.",
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
