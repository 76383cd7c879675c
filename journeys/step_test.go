package journeys

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStepRulesStep(t *testing.T) {
	rs := StepRules{Rules: []StepRule{
		{Event: "heartbeat", Exclude: true},
		{Label: "email", Event: "email_*"},
		{Label: "checkout", URL: "*/checkout/*"},
		{Label: "product_view", Event: "page_view", URL: `re:^/p/\d+$`},
		{Label: "page_view_again", Event: "page_view", URL: `re:^/p/\d+$`}, // never reached: first match wins
		{Label: "help", URL: "re:(?i)/help"},
		{Label: "home", Event: "page_view", URL: "https://shop.example/"},
	}}
	tests := []struct {
		name  string
		event Event
		label string
		keep  bool
	}{
		{"no rule matches: the name", Event{Name: "signup"}, "signup", true},
		{"excluded", Event{Name: "heartbeat"}, "", false},
		{"wildcard event", Event{Name: "email_open"}, "email", true},
		{"wildcard needs the prefix", Event{Name: "my_email_open"}, "my_email_open", true},
		{"url wildcard on full url", Event{Name: "page_view", URL: "https://shop.example/checkout/pay"}, "checkout", true},
		{"url wildcard needs the slashes", Event{Name: "page_view", URL: "https://shop.example/checkout"}, "page_view", true},
		{"regex on the path", Event{Name: "page_view", URL: "https://shop.example/p/42"}, "product_view", true},
		{"regex on a bare path", Event{Name: "page_view", URL: "/p/42"}, "product_view", true},
		{"regex anchored", Event{Name: "page_view", URL: "https://shop.example/p/42/reviews"}, "page_view", true},
		{"event and url both required", Event{Name: "click", URL: "/p/42"}, "click", true},
		{"no url, url rule skipped", Event{Name: "page_view"}, "page_view", true},
		{"unanchored regex", Event{Name: "page_view", URL: "https://shop.example/HELP/faq"}, "help", true},
		{"exact url", Event{Name: "page_view", URL: "https://shop.example/"}, "home", true},
		{"case-sensitive", Event{Name: "Email_open"}, "Email_open", true},
	}
	if err := rs.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			label, keep := rs.Step(tt.event)
			if label != tt.label || keep != tt.keep {
				t.Errorf("Step = %q, %v, want %q, %v", label, keep, tt.label, tt.keep)
			}
		})
	}
}

func TestStepRulesValidate(t *testing.T) {
	tests := []struct {
		name    string
		rules   []StepRule
		message string
		details int
	}{
		{"bad regex", []StepRule{{Label: "a", Event: "x"}, {Label: "b", Event: "y"}, {Label: "c", URL: "re:(unclosed"}},
			"step rules: rules[2].url: bad regex \"(unclosed\": error parsing regexp: missing closing ): `(unclosed`", 1},
		{"no pattern", []StepRule{{Label: "a"}}, "step rules: rules[0]: needs an event or a url pattern", 1},
		{"no label", []StepRule{{Event: "x"}}, "step rules: rules[0].label: missing (a rule that does not exclude needs a label)", 1},
		{"several problems", []StepRule{{Event: "x"}, {Label: "b", URL: "re:["}}, "step rules: rules[0].label: missing (a rule that does not exclude needs a label) (and 1 more problem)", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := StepRules{Rules: tt.rules}.Validate()
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Validate() = %v, want an *Error", err)
			}
			if e.Code != EINVALID || e.Message != tt.message || len(e.Details) != tt.details {
				t.Errorf("Validate() = %s %q with %d details, want %s %q with %d", e.Code, e.Message, len(e.Details), EINVALID, tt.message, tt.details)
			}
		})
	}
	if err := DefaultStepRules().Validate(); err != nil {
		t.Errorf("DefaultStepRules().Validate() = %v", err)
	}
	if err := (StepRules{}).Validate(); err != nil {
		t.Errorf("StepRules{}.Validate() = %v", err)
	}
}

func TestDefaultStepRules(t *testing.T) {
	rs := DefaultStepRules()
	tests := []struct {
		event Event
		label string
		keep  bool
	}{
		{Event{Name: "Product Viewed"}, "product_view", true},
		{Event{Name: "product_view"}, "product_view", true},
		{Event{Name: "Product Added"}, "add_to_cart", true},
		{Event{Name: "Checkout Step Viewed"}, "checkout", true},
		{Event{Name: "Order Completed"}, "purchase", true},
		{Event{Name: "Email Opened"}, "email_open", true},
		{Event{Name: "Unsubscribed"}, "unsubscribe", true},
		{Event{Name: "page_view", URL: "https://shop.example/checkout/shipping"}, "checkout", true},
		{Event{Name: "page_view", URL: "https://shop.example/checkout/complete?order=1"}, "purchase", true},
		{Event{Name: "page_view", URL: "https://shop.example/"}, "page_view", true},
		{Event{Name: "identify"}, "", false},
		{Event{Name: "alias"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.event.Name+" "+tt.event.URL, func(t *testing.T) {
			label, keep := rs.Step(tt.event)
			if label != tt.label || keep != tt.keep {
				t.Errorf("Step = %q, %v, want %q, %v", label, keep, tt.label, tt.keep)
			}
		})
	}
}

func TestStepRulesApply(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	ev := func(person, name, session string, min int) Event {
		return Event{Person: person, Name: name, Session: session, Time: t0.Add(time.Duration(min) * time.Minute)}
	}
	in := func() []Event {
		return []Event{
			ev("a", "page_view", "s1", 0), ev("b", "page_view", "", 0), ev("a", "page_view", "s1", 1),
			ev("a", "identify", "s1", 2), ev("a", "page_view", "s1", 3), ev("a", "Product Added", "s1", 4),
			ev("a", "page_view", "s2", 5), ev("b", "page_view", "", 6),
		}
	}
	steps := func(events []Event) []string {
		var out []string
		for _, e := range events {
			out = append(out, e.Person+":"+e.Step)
		}
		return out
	}
	rs := DefaultStepRules()
	if got, want := steps(rs.Apply(in())), []string{"a:page_view", "b:page_view", "a:page_view", "a:page_view", "a:add_to_cart", "a:page_view", "b:page_view"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Apply = %v, want %v", got, want)
	}
	rs.CollapseRepeats = true
	// Repeats collapse per person and session; the excluded identify does not break a run.
	if got, want := steps(rs.Apply(in())), []string{"a:page_view", "b:page_view", "a:add_to_cart", "a:page_view"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Apply with CollapseRepeats = %v, want %v", got, want)
	}
}

func TestStepRulesJSON(t *testing.T) {
	var rs StepRules
	in := `{"rules":[{"label":"email","event":"email_*"},{"url":"*/admin/*","exclude":true}],"collapse_repeats":true}`
	if err := json.Unmarshal([]byte(in), &rs); err != nil {
		t.Fatal(err)
	}
	want := StepRules{Rules: []StepRule{{Label: "email", Event: "email_*"}, {URL: "*/admin/*", Exclude: true}}, CollapseRepeats: true}
	if !reflect.DeepEqual(rs, want) {
		t.Errorf("got %+v, want %+v", rs, want)
	}
}

func ExampleStepRules() {
	rules := StepRules{Rules: []StepRule{
		{Event: "identify", Exclude: true},
		{Label: "email", Event: "email_*"},
		{Label: "checkout", URL: "*/checkout/*"},
		{Label: "product", Event: "page_view", URL: `re:^/p/\d+$`},
	}}
	if err := rules.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range []Event{
		{Name: "email_click"},
		{Name: "page_view", URL: "https://shop.example/p/42"},
		{Name: "page_view", URL: "https://shop.example/checkout/pay"},
		{Name: "page_view", URL: "https://shop.example/about"},
		{Name: "identify"},
	} {
		label, keep := rules.Step(e)
		fmt.Printf("%s %s -> %q keep=%v\n", e.Name, e.URL, label, keep)
	}
	bad := StepRules{Rules: []StepRule{{Label: "p", URL: "re:^/p/(\\d+$"}}}
	fmt.Println(bad.Validate())
	// Output:
	// email_click  -> "email" keep=true
	// page_view https://shop.example/p/42 -> "product" keep=true
	// page_view https://shop.example/checkout/pay -> "checkout" keep=true
	// page_view https://shop.example/about -> "page_view" keep=true
	// identify  -> "" keep=false
	// step rules: rules[0].url: bad regex "^/p/(\\d+$": error parsing regexp: missing closing ): `^/p/(\d+$`
}

func TestParseStepRules(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // the error, or "" for rules
	}{
		{"rules", `{"rules": [{"label": "product", "url": "*/p/*"}], "collapse_repeats": true}`, ""},
		{"misspelt key", `{"rules": [{"lable": "product", "url": "*/p/*"}]}`, `rules: not valid step rules JSON: json: unknown field "lable"`},
		{"more after the object", `{"rules": []} {"rules": []}`, "rules: not valid step rules JSON: more after the rules object"},
		{"not JSON", `rules: []`, "rules: not valid step rules JSON: invalid character 'r' looking for beginning of value"},
		{"a rule without a pattern", `{"rules": [{"label": "x"}]}`, "rules[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := ParseStepRules([]byte(tt.text))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want == "" && (len(rs.Rules) != 1 || rs.Rules[0].Label != "product" || !rs.CollapseRepeats):
				t.Errorf("rules %+v", rs)
			case tt.want != "" && (err == nil || ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestStepRulesOutbound(t *testing.T) {
	tests := []struct {
		name     string
		outbound []string
		want     []string // OutboundSteps
		problems []string // Validate's details
	}{
		{"nil: the defaults", nil, []string{"email_sent"}, nil},
		{"empty: none", []string{}, []string{}, nil},
		{"sorted, as given", []string{"sms_sent", "push_sent", "email_sent"}, []string{"email_sent", "push_sent", "sms_sent"}, nil},
		{"bad entries", []string{"email_sent", " ", "*", "email_sent", strings.Repeat("x", 201)}, nil, []string{
			"outbound[1]: empty", `outbound[2]: "*" is any event`, `outbound[3]: "email_sent" is listed twice (also outbound[0])`,
			"outbound[4]: longer than 200 bytes"}},
		{"too many", make([]string, 101), nil, []string{"outbound: 101 steps, more than 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := StepRules{Rules: []StepRule{{Label: "a", Event: "x"}}, Outbound: tt.outbound}
			err := rs.Validate()
			if tt.problems == nil {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				if got := rs.OutboundSteps(); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("OutboundSteps() = %#v, want %#v", got, tt.want)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || len(e.Details) != len(tt.problems) {
				t.Fatalf("Validate() = %v, want %d problems", err, len(tt.problems))
			}
			for i, d := range e.Details {
				if !strings.HasPrefix(d.Error(), tt.problems[i]) {
					t.Errorf("problem %d = %q, want %q...", i, d.Error(), tt.problems[i])
				}
			}
		})
	}
	if got := (OutboundFunc)(nil).Steps(); !reflect.DeepEqual(got, DefaultOutbound) {
		t.Errorf("nil OutboundFunc: %v, want %v", got, DefaultOutbound)
	}
}

// TestDefaultOutbound: the default rules' outbound steps are steps they
// produce, and the marketer's sends map onto them.
func TestDefaultOutbound(t *testing.T) {
	rs := DefaultStepRules()
	if !reflect.DeepEqual(rs.OutboundSteps(), DefaultOutbound) {
		t.Errorf("DefaultStepRules().OutboundSteps() = %v, want %v", rs.OutboundSteps(), DefaultOutbound)
	}
	for _, name := range []string{"Email Sent", "Email Delivered", "email_sent"} {
		if step, _ := rs.Step(Event{Name: name}); !slices.Contains(rs.Outbound, step) {
			t.Errorf("%s -> %q, not outbound", name, step)
		}
	}
	for _, name := range []string{"Email Opened", "Email Link Clicked", "page_view", "Order Completed"} {
		if step, _ := rs.Step(Event{Name: name}); slices.Contains(rs.Outbound, step) {
			t.Errorf("%s -> %q is outbound", name, step)
		}
	}
	DefaultStepRules().Outbound[0] = "changed"
	if DefaultOutbound[0] != "email_sent" {
		t.Error("DefaultStepRules shares DefaultOutbound")
	}
}

func TestParseStepRulesOutbound(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // Outbound; nil: absent
		err        string
	}{
		{"absent", `{"rules": []}`, nil, ""},
		{"listed", `{"rules": [], "outbound": ["push_sent", "email_sent"]}`, []string{"push_sent", "email_sent"}, ""},
		{"empty", `{"rules": [], "outbound": []}`, []string{}, ""},
		{"invalid", `{"rules": [], "outbound": ["email_sent", ""]}`, nil, "step rules: outbound[1]: empty"},
		{"not a list", `{"rules": [], "outbound": "email_sent"}`, nil, "not valid step rules JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := ParseStepRules([]byte(tt.text))
			if tt.err != "" {
				if err == nil || ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(rs.Outbound, tt.want) {
				t.Fatalf("Outbound = %#v, %v; want %#v", rs.Outbound, err, tt.want)
			}
			// Saved and loaded as JSON (graph keeps the marshalled rules), the
			// difference between absent (defaults) and empty (none) survives.
			b, err := json.Marshal(SavedStepRules{StepRules: rs, Version: 2})
			if err != nil {
				t.Fatal(err)
			}
			var back SavedStepRules
			if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.Outbound, tt.want) || back.Version != 2 {
				t.Errorf("round trip of %s: %#v, %v", b, back, err)
			}
		})
	}
}
