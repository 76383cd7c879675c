package profile

import (
	"strings"
	"testing"
)

func TestSuggestLabel(t *testing.T) {
	none := []Value{{Feature: "step_purchase_30d", Value: 0}, {Feature: "value_90d", Value: 0}}
	some := []Value{{Feature: "step_purchase_30d", Value: 1.2}, {Feature: "value_90d", Value: 80}}
	for _, tc := range []struct {
		name     string
		distinct []Value
		centroid []Value
		want     string
	}{
		{"recent high-value buyers", []Value{{Feature: "recency_days", Z: -1.5}, {Feature: "value_90d", Z: 2}, {Feature: "step_purchase_30d", Z: 1.2}}, some, "recent high-value buyers"},
		{"email clickers, no purchase", []Value{{Feature: "email_click_rate_90d", Z: 2.5}, {Feature: "step_email_open_30d", Z: 1.9}, {Feature: "email_sent_90d", Z: 1}}, none, "email clickers, no purchase"},
		{"clicks over opens", []Value{{Feature: "email_open_rate_90d", Z: 1.4}, {Feature: "email_click_rate_90d", Z: 1.4}}, none, "email clickers, no purchase"},
		{"buyers over browsers", []Value{{Feature: "step_product_view_30d", Z: 0.8}, {Feature: "step_add_to_cart_30d", Z: 0.8}, {Feature: "step_purchase_30d", Z: 0.8}}, some, "buyers"},
		{"one adjective per kind", []Value{{Feature: "events_30d", Z: -1.2}, {Feature: "events_90d", Z: 1.2}, {Feature: "step_email_open_30d", Z: 1.2}}, none, "occasional email openers, no purchase"},
		{"clickers who buy", []Value{{Feature: "email_click_rate_90d", Z: 2.5}}, some, "email clickers"},
		{"lapsed", []Value{{Feature: "recency_days", Z: 1.8}, {Feature: "events_90d", Z: -1.1}, {Feature: "sessions_90d", Z: -1}}, none, "lapsed occasional people"},
		{"channel", []Value{{Feature: "channel_share_ads", Z: 2}, {Feature: "step_product_view_30d", Z: 1}}, none, "browsers from ads, no purchase"},
		{"low signs are no nouns", []Value{{Feature: "step_purchase_30d", Z: -1}, {Feature: "email_open_rate_90d", Z: -1}}, none, "people"},
		{"nothing stands out", []Value{{Feature: "value_90d", Z: 0}}, none, "people"},
		{"rounding stands out for nothing", []Value{{Feature: "hmm_p_state_buy", Z: 1}, {Feature: "recency_days", Z: 6.7e-16}, {Feature: "events_30d", Z: 2.2e-16}}, some, "people likely in state buy"},
	} {
		if got := SuggestLabel(tc.distinct, tc.centroid); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDistinct(t *testing.T) {
	// f and g are rounding (a feature constant over everyone): never distinct.
	c := []Value{{Feature: "a", Z: 0.5}, {Feature: "b", Z: -2}, {Feature: "f", Z: 6.7e-16}, {Feature: "c", Z: 1}, {Feature: "d", Z: -1}, {Feature: "e", Z: 0.4}, {Feature: "g", Z: 0}}
	for _, tc := range []struct {
		n    int
		want string
	}{{3, "b c d"}, {2, "b c d"}, {1, "b"}, {4, "b c d a"}, {9, "b c d a e"}} {
		var got []string
		for _, v := range distinct(c, tc.n) {
			got = append(got, v.Feature)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("distinct(%d): got %v, want %s (ties with the n-th kept)", tc.n, got, tc.want)
		}
	}
}

func TestParseKRange(t *testing.T) {
	for _, tc := range []struct {
		in       string
		min, max int
		ok       bool
	}{
		{"2-8", 2, 8, true}, {" 3 - 5 ", 3, 5, true}, {"4", 4, 4, true},
		{"", 0, 0, false}, {"2-", 0, 0, false}, {"a-b", 0, 0, false}, {"2-8-9", 0, 0, false},
	} {
		lo, hi, err := ParseKRange(tc.in)
		if (err == nil) != tc.ok || lo != tc.min || hi != tc.max {
			t.Errorf("ParseKRange(%q): got %d, %d, %v, want %d, %d, ok %v", tc.in, lo, hi, err, tc.min, tc.max, tc.ok)
		}
	}
}

func TestQueryValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		q     Query
		field string
	}{
		{"k from 1", Query{KMin: 1, KMax: 4}, "k"},
		{"k too large", Query{KMin: 2, KMax: MaxK + 1}, "k"},
		{"backwards", Query{KMin: 5, KMax: 3}, "k"},
		{"restarts", Query{KMin: 2, KMax: 3, Restarts: MaxRestarts + 1}, "restarts"},
		{"min size", Query{KMin: 2, KMax: 3, MinSize: -1}, "min_size"},
		{"good", Query{KMin: 2, KMax: 8}, ""},
	} {
		err := tc.q.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: got %v, want no error", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: got %v, want an error naming %s", tc.name, err, tc.field)
		}
	}
}
