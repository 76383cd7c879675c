package journeys

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseStepRules: any input is refused with an *Error (code invalid)
// whose details each name a field, or parses into rules that validate,
// survive a JSON round trip and give every event a step label that may be
// stored on it (CheckText as an id, at most 200 bytes). The seeds run with
// every go test.
func FuzzParseStepRules(f *testing.F) {
	def, _ := json.Marshal(DefaultStepRules())
	f.Add(def)
	f.Add([]byte(`{"rules":[{"label":"checkout","url":"*/checkout/*"},{"label":"help","url":"re:^/help(/|$)","exclude":true}],"collapse_repeats":true,"outbound":["email_sent","push_sent"]}`))
	f.Add([]byte(`{"rules":[{"label":"x","url":"re:("},{"event":"a"},{"label":"\u0000"}],"outbound":["*",""]}`))
	f.Add([]byte(`{"rules":[{"lable":"x","event":"a"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseStepRules(b)
		if err != nil {
			var jerr *Error
			if !errors.As(err, &jerr) || jerr.Code != EINVALID || len(jerr.Details) == 0 {
				t.Fatalf("error %T %v, want an *Error with code invalid and details", err, err)
			}
			for _, d := range jerr.Details {
				if d.Field == "" || d.Problem == "" {
					t.Fatalf("detail %+v: want a field and a problem", d)
				}
			}
			return
		}
		if err := rs.Validate(); err != nil {
			t.Fatalf("parsed rules do not validate: %v", err)
		}
		b1, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		rs2, err := ParseStepRules(b1)
		if err != nil || !reflect.DeepEqual(rs, rs2) {
			t.Fatalf("round trip of %s: %+v, %v", b1, rs2, err)
		}
		for _, e := range []Event{{Name: "page_view", URL: "https://shop.example/checkout/1"}, {Name: "a", URL: "/help"}, {Name: "Product Viewed"}} {
			if label, keep := rs.Step(e); keep && label != e.Name {
				if p := CheckText(label, maxSegmentString, true); p != "" || label == "" {
					t.Fatalf("rule label %q: %s", label, p)
				}
			}
		}
	})
}

// TestStepRuleLabelsAreStorable: a label is stored on every event it
// matches (and indexed with the person and id), so one that is too long,
// not UTF-8 or holding a control character is refused with its field.
func TestStepRuleLabelsAreStorable(t *testing.T) {
	for _, tt := range []struct{ name, label, want string }{
		{"too long", stringOf('x', 201), "rules[0].label: is 201 bytes (max 200)"},
		{"not UTF-8", "a\xffb", "rules[0].label: is not valid UTF-8"},
		{"control character", "a\nb", "rules[0].label: holds a control character (U+000A)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := StepRules{Rules: []StepRule{{Label: tt.label, Event: "a"}}}.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want %s", err, tt.want)
			}
		})
	}
	if err := (StepRules{Rules: []StepRule{{Label: stringOf('x', 200), Event: "a"}}}).Validate(); err != nil {
		t.Errorf("a label of 200 bytes: %v", err)
	}
}

func stringOf(c byte, n int) string { return strings.Repeat(string(c), n) }
