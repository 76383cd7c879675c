package journeys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// StepRule maps matching events to a journey step, like a path-cleaning rule
// of a web analytics tool. An event matches when it matches every pattern the
// rule sets (at least one is required).
//
// Event is an exact name or a wildcard where "*" stands for any run of
// characters ("email_*"). URL is a wildcard ("*/checkout/*") or, with a "re:"
// prefix, a regular expression (RE2) that must match somewhere in the text
// unless anchored ("re:^/p/\\d+$"). A URL pattern is tried against the full
// URL and against its path alone, so both of those examples work on
// "https://shop.example/p/12". Matching is case-sensitive. An event without
// a URL matches no URL pattern.
type StepRule struct {
	Label   string `json:"label,omitempty"`   // the step; may be empty only when Exclude is set
	Event   string `json:"event,omitempty"`   // exact or wildcard "email_*"
	URL     string `json:"url,omitempty"`     // wildcard "*/checkout/*" or regex "re:^/p/\\d+$"
	Exclude bool   `json:"exclude,omitempty"` // drop matching events from journeys
}

// StepRules are ordered step rules: the first matching rule wins. With
// CollapseRepeats, Apply keeps only the first of consecutive events of a
// person (in one session) that map to the same step. Outbound classifies
// steps by whose event it is (see OutboundSteps). The zero StepRules maps
// every event to its name, with the outbound steps of DefaultStepRules.
type StepRules struct {
	Rules           []StepRule `json:"rules"`
	CollapseRepeats bool       `json:"collapse_repeats"`
	// Outbound lists the steps of the events the marketer's systems emit
	// to a person (an email sent or delivered, a push or SMS sent, an ad
	// impression): they are not the person's activity, so a segment's
	// "*", last_seen, first_seen and "did nothing" conditions leave them
	// out. nil (no "outbound" key, as in rules saved before it existed)
	// means DefaultOutbound; an empty list means no step is outbound.
	Outbound []string `json:"outbound"`
}

// Validate checks every rule and the outbound steps, and returns an *Error
// with code EINVALID whose message names the first problem ("step rules:
// rules[2].url: bad regex ...", then "(and N more problems)" if any) and
// whose Details list every problem, with Row the index of the rule (or of
// the outbound step, "outbound[1]").
func (rs StepRules) Validate() error {
	var details []RowError
	bad := func(i int, field, format string, args ...any) {
		details = append(details, RowError{Row: i, Field: fmt.Sprintf("rules[%d]%s", i, field), Problem: fmt.Sprintf(format, args...)})
	}
	for i, r := range rs.Rules {
		if r.Event == "" && r.URL == "" {
			bad(i, "", "needs an event or a url pattern")
		}
		if strings.TrimSpace(r.Label) == "" && !r.Exclude {
			bad(i, ".label", "missing (a rule that does not exclude needs a label)")
		} else if p := CheckText(r.Label, maxSegmentString, true); p != "" {
			bad(i, ".label", "%s", p) // stored (and indexed) on every event it matches
		}
		if r.Event != "" {
			if _, err := compilePattern(r.Event, false); err != nil {
				bad(i, ".event", "%v", err)
			}
		}
		if r.URL != "" {
			if _, err := compilePattern(r.URL, true); err != nil {
				bad(i, ".url", "%v", err)
			}
		}
	}
	details = append(details, validateOutbound(rs.Outbound)...)
	if len(details) == 0 {
		return nil
	}
	msg := "step rules: " + details[0].Error()
	if n := len(details) - 1; n == 1 {
		msg += " (and 1 more problem)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", n)
	}
	return &Error{Code: EINVALID, Message: msg, Details: details}
}

// Step returns the step label of e: the label of the first matching rule, or
// e.Name when no rule matches. keep is false when that rule excludes e.
// Rules are expected to be valid (see Validate); a rule with a bad pattern
// matches nothing.
func (rs StepRules) Step(e Event) (label string, keep bool) {
	for _, r := range rs.Rules {
		if r.matches(e) {
			return r.Label, !r.Exclude
		}
	}
	return e.Name, true
}

// Apply fills Step on each event, drops excluded events and, with
// CollapseRepeats, the repeats (see StepRules). Events must be in time order
// for each person (as SortEvents leaves them); the result reuses the input's
// backing array.
func (rs StepRules) Apply(events []Event) []Event {
	type last struct{ step, session string }
	prev := map[string]last{}
	out := events[:0]
	for _, e := range events {
		label, keep := rs.Step(e)
		if !keep {
			continue
		}
		e.Step = label
		if rs.CollapseRepeats {
			l, ok := prev[e.Person]
			if ok && l.step == label && l.session == e.Session {
				continue
			}
			prev[e.Person] = last{label, e.Session}
		}
		out = append(out, e)
	}
	return out
}

// DefaultStepRules returns rules for the event vocabulary page_view,
// product_view, add_to_cart, remove_from_cart, add_to_wishlist, checkout,
// purchase, signup, email_sent, email_open, email_click, unsubscribe: they map
// Segment's e-commerce and email spec names ("Product Viewed", "Order
// Completed", "Email Opened"...) onto it, turn page views of checkout
// and order-confirmation pages into those steps, and exclude identify and alias
// (identity, not behaviour). Names already in the vocabulary need no rule.
// Repeats are not collapsed: a third product view is a signal. The
// outbound steps are DefaultOutbound: email_sent ("Email Sent" and "Email
// Delivered") is what the marketer sent, not what the person did.
func DefaultStepRules() StepRules {
	return StepRules{Outbound: slices.Clone(DefaultOutbound), Rules: []StepRule{
		{Event: "identify", Exclude: true},
		{Event: "alias", Exclude: true},
		{Label: "purchase", Event: "page_view", URL: "*/checkout/complete*"},
		{Label: "purchase", Event: "page_view", URL: "*/order-confirmation*"},
		{Label: "checkout", Event: "page_view", URL: "*/checkout*"},
		{Label: "product_view", Event: "Product Viewed"},
		{Label: "product_view", Event: "Product Clicked"},
		{Label: "add_to_cart", Event: "Product Added"},
		{Label: "remove_from_cart", Event: "Product Removed"},
		{Label: "add_to_wishlist", Event: "Product Added to Wishlist"},
		{Label: "checkout", Event: "Checkout Started"},
		{Label: "checkout", Event: "Checkout Step *"},
		{Label: "checkout", Event: "Payment Info Entered"},
		{Label: "purchase", Event: "Order Completed"},
		{Label: "signup", Event: "Signed Up"},
		{Label: "signup", Event: "sign_up"},
		{Label: "email_sent", Event: "Email Sent"},
		{Label: "email_sent", Event: "Email Delivered"},
		{Label: "email_open", Event: "Email Opened"},
		{Label: "email_open", Event: "email_opened"},
		{Label: "email_click", Event: "Email Link Clicked"},
		{Label: "email_click", Event: "email_clicked"},
		{Label: "unsubscribe", Event: "Unsubscribed"},
		{Label: "unsubscribe", Event: "email_unsubscribed"},
	}}
}

// matches reports whether e matches every pattern r sets.
func (r StepRule) matches(e Event) bool {
	if r.Event == "" && r.URL == "" {
		return false
	}
	if r.Event != "" {
		re, err := compilePattern(r.Event, false)
		if err != nil || !re.MatchString(e.Name) {
			return false
		}
	}
	if r.URL != "" {
		if e.URL == "" {
			return false
		}
		re, err := compilePattern(r.URL, true)
		if err != nil {
			return false
		}
		if !re.MatchString(e.URL) {
			u, perr := url.Parse(e.URL)
			if perr != nil || u.Path == e.URL || !re.MatchString(u.Path) {
				return false
			}
		}
	}
	return true
}

// patterns caches compiled patterns: rules are few and events many.
var patterns sync.Map // patternKey -> *regexp.Regexp or error

type patternKey struct {
	pattern string
	regex   bool // "re:" allowed (URL patterns)
}

// compilePattern compiles a wildcard ("*" = any run) into an anchored
// regular expression, or a "re:" pattern as is when allowed.
func compilePattern(p string, allowRegex bool) (*regexp.Regexp, error) {
	key := patternKey{p, allowRegex}
	if v, ok := patterns.Load(key); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*regexp.Regexp), nil
	}
	var re *regexp.Regexp
	var err error
	if expr, ok := strings.CutPrefix(p, "re:"); ok && allowRegex {
		if re, err = regexp.Compile(expr); err != nil {
			err = fmt.Errorf("bad regex %s: %v", Quote(expr), err)
		}
	} else {
		parts := strings.Split(p, "*")
		for i, s := range parts {
			parts[i] = regexp.QuoteMeta(s)
		}
		re = regexp.MustCompile("(?s)^" + strings.Join(parts, ".*") + "$")
	}
	if err != nil {
		patterns.Store(key, err)
		return nil, err
	}
	patterns.Store(key, re)
	return re, nil
}

// LoadStepRules reads step rules from a JSON file (see ParseStepRules).
func LoadStepRules(path string) (StepRules, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return StepRules{}, Errorf(EINVALID, "steps: %v", err)
	}
	rs, err := ParseStepRules(b)
	if err != nil {
		return StepRules{}, Errorf(EINVALID, "steps: %s: %s", path, ErrorMessage(err))
	}
	return rs, nil
}

// ParseStepRules reads step rules written as JSON ({"rules": [...],
// "collapse_repeats": true, "outbound": ["email_sent"]}) and validates them. A key it does not know is
// an error, not ignored: a misspelt "lable" would drop the label silently.
func ParseStepRules(b []byte) (StepRules, error) {
	var rs StepRules
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return StepRules{}, InvalidField("rules", "not valid step rules JSON: %v", err)
	}
	if dec.More() {
		return StepRules{}, InvalidField("rules", "not valid step rules JSON: more after the rules object")
	}
	return rs, rs.Validate()
}
