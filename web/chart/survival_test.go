package chart

import (
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys/survival"
)

func TestSurvival(t *testing.T) {
	median := 2.0
	cart := survival.Curve{Segment: "cart", People: 4, Done: 3, Censored: 1, MedianDays: &median, Points: []survival.Point{
		{Days: 0, Survival: 1, Lower: 1, Upper: 1, AtRisk: 4},
		{Days: 1, Survival: 0.75, Lower: 0.128, Upper: 0.961, AtRisk: 4, Events: 1},
		{Days: 2, Survival: 0.5, Lower: 0.058, Upper: 0.845, AtRisk: 3, Events: 1},
		{Days: 4, Survival: 0.25, Lower: 0.009, Upper: 0.665, AtRisk: 2, Events: 1},
		{Days: 10, Survival: 0.25, Lower: 0.009, Upper: 0.665, AtRisk: 1},
	}}
	vip := survival.Curve{Segment: "vip", People: 3, Done: 1, Censored: 2, Points: []survival.Point{
		{Days: 0, Survival: 1, Lower: 1, Upper: 1, AtRisk: 3},
		{Days: 1, Survival: 2. / 3, Lower: 0.05, Upper: 0.95, AtRisk: 3, Events: 1},
		{Days: 7.25, Survival: 2. / 3, Lower: 0.05, Upper: 0.95, AtRisk: 2},
	}}
	tests := []struct {
		name   string
		curves []survival.Curve
		title  string
	}{
		{"survival_one", []survival.Curve{cart}, "time to purchase"},
		{"survival_two", []survival.Curve{cart, vip}, "time to purchase"},
		{"survival_empty", []survival.Curve{{Segment: "cart", Points: []survival.Point{}}}, "time to purchase"},
		{"survival_at_zero", []survival.Curve{{Segment: "now", People: 1, Points: []survival.Point{{Days: 0, Survival: 1, Lower: 1, Upper: 1, AtRisk: 1}}}}, "t"},
		{"survival_escaped", []survival.Curve{{Segment: "<b>x</b>", People: 1, Points: vip.Points}}, `<b>"t"</b>`},
		{"survival_long_name", []survival.Curve{{Segment: strings.Repeat("long-", 20), People: 1, Points: vip.Points}}, "t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Survival(tt.curves, tt.title)
			noRawText(t, got)
			golden(t, tt.name, got)
		})
	}
	// The step line of cart: flat to day 1, down to 75%, flat to day 2, …
	got := string(Survival([]survival.Curve{cart}, "t"))
	if n := strings.Count(got, `class="km curve-0"`); n != 1 || !strings.Contains(got, `class="band curve-0"`) ||
		!strings.Contains(got, `class="median curve-0"`) || !strings.Contains(got, "cart (median 2 days)") {
		t.Errorf("want one curve with its band, median dot and legend:\n%s", got)
	}
}

func TestFormatDays(t *testing.T) {
	for _, tt := range []struct {
		d    float64
		want string
	}{{0, "0"}, {7, "7"}, {2.25, "2.3"}, {0.04, "0"}, {365.5, "365.5"}} {
		if got := FormatDays(tt.d); got != tt.want {
			t.Errorf("FormatDays(%g) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
