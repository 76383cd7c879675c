package journeys_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestParseDrift(t *testing.T) {
	days := func(n int) *journeys.Duration { d := journeys.Duration(time.Duration(n) * 24 * time.Hour); return &d }
	pinned := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		drift   string
		want    journeys.Drift // Thresholds(), defaults filled
		problem string         // the first detail, "" when valid
	}{
		{"all keys", `{"size_change": 0.5, "psi": 0.1, "reference": "7d"}`, journeys.Drift{SizeChange: 0.5, PSI: 0.1, Reference: days(7)}, ""},
		{"defaults", `{}`, journeys.Drift{SizeChange: 0.25, PSI: 0.2, Reference: days(30)}, ""},
		{"pinned reference", `{"psi": 0.3, "reference_at": "2026-01-01T00:00:00Z"}`, journeys.Drift{SizeChange: 0.25, PSI: 0.3, ReferenceAt: &pinned}, ""},
		{"zero size change", `{"size_change": 0}`, journeys.Drift{}, `drift.size_change: 0 is not a threshold in (0, 100]`},
		{"negative psi", `{"psi": -0.2}`, journeys.Drift{}, `drift.psi: -0.2 is not a threshold in (0, 100]`},
		{"psi as text", `{"psi": "0.2"}`, journeys.Drift{}, `drift.psi: want a number`},
		{"reference not a duration", `{"reference": "a month"}`, journeys.Drift{}, `drift.reference: "a month" is not a duration (want 7d, 12h, 30m...)`},
		{"reference in hours", `{"reference": "36h"}`, journeys.Drift{}, `drift.reference: "36h" is not a whole number of days from 1d to 365d`},
		{"reference too long", `{"reference": "400d"}`, journeys.Drift{}, `drift.reference: "400d" is not a whole number of days from 1d to 365d`},
		{"reference_at not a time", `{"reference_at": "last spring"}`, journeys.Drift{}, `drift.reference_at: "last spring" is not a time (want RFC 3339, e.g. 2026-01-01T00:00:00Z)`},
		{"both references", `{"reference": "7d", "reference_at": "2026-01-01T00:00:00Z"}`, journeys.Drift{}, `drift.reference_at: give reference or reference_at, not both`},
		{"unknown key", `{"psi": 0.2, "pis": 0.1}`, journeys.Drift{}, `drift.pis: unknown key (want size_change, psi, reference, reference_at)`},
		{"not an object", `0.2`, journeys.Drift{}, `drift: want {"size_change": 0.25, "psi": 0.2, "reference": "30d"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := `{"name": "s", "drift": ` + tt.drift + `, "where": {"did": "purchase"}}`
			seg, err := journeys.ParseSegment([]byte(def))
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if got := seg.Drift.Thresholds(); !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got thresholds %s, want %s", js(got), js(tt.want))
				}
				if err := seg.Validate(); err != nil {
					t.Fatalf("round trip: %v", err)
				}
				return
			}
			e, ok := err.(*journeys.Error)
			if !ok || e.Code != journeys.EINVALID || len(e.Details) == 0 {
				t.Fatalf("got %v, want an EINVALID *Error with details", err)
			}
			if got := e.Details[0].Field + ": " + e.Details[0].Problem; got != tt.problem {
				t.Errorf("got %q, want %q", got, tt.problem)
			}
		})
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDriftReferenceAndCrossed(t *testing.T) {
	at := time.Date(2026, 3, 31, 6, 0, 0, 0, time.UTC)
	var none *journeys.Drift
	if got, want := none.Thresholds().ReferenceFor(at), at.AddDate(0, 0, -30); !got.Equal(want) {
		t.Errorf("default reference %v, want %v", got, want)
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name    string
		figures journeys.DriftFigures
		want    []string
	}{
		{"quiet", journeys.DriftFigures{SizeChange: f(0.1), PSI: f(0.05)}, nil},
		{"at the thresholds", journeys.DriftFigures{SizeChange: f(-0.25), PSI: f(0.2)}, nil},
		{"shrunk", journeys.DriftFigures{SizeChange: f(-0.3), PSI: f(0.05)}, []string{"size_change"}},
		{"both", journeys.DriftFigures{SizeChange: f(1), PSI: f(0.9)}, []string{"size_change", "psi"}},
		{"no figures", journeys.DriftFigures{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := none.Thresholds().Crossed(tt.figures); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextDriftState(t *testing.T) {
	d1 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d2, d3 := d1.AddDate(0, 0, 1), d1.AddDate(0, 0, 2)
	tests := []struct {
		name      string
		prev      journeys.DriftState
		day       time.Time
		crossed   []string
		wantAlert []string
		wantState []string
	}{
		{"first check, quiet", journeys.DriftState{}, d1, nil, nil, []string{}},
		{"first crossing", journeys.DriftState{Day: d1, Crossed: []string{}}, d2, []string{"psi"}, []string{"psi"}, []string{"psi"}},
		{"stays above: no new alert", journeys.DriftState{Day: d2, Crossed: []string{"psi"}}, d3, []string{"psi"}, nil, []string{"psi"}},
		{"a second figure crosses", journeys.DriftState{Day: d2, Crossed: []string{"psi"}}, d3, []string{"size_change", "psi"}, []string{"size_change"}, []string{"size_change", "psi"}},
		{"falls back", journeys.DriftState{Day: d2, Crossed: []string{"psi"}}, d3, nil, nil, []string{}},
		{"same day checked again", journeys.DriftState{Day: d2, Crossed: []string{}}, d2, []string{"psi"}, nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, alert := journeys.NextDriftState(tt.prev, tt.day, tt.crossed)
			if !reflect.DeepEqual(alert, tt.wantAlert) || !reflect.DeepEqual(next.Crossed, tt.wantState) {
				t.Errorf("got alert %v state %v, want %v and %v", alert, next.Crossed, tt.wantAlert, tt.wantState)
			}
		})
	}
}

func TestWebhookDriftedEvents(t *testing.T) {
	for _, seg := range []string{"cart", "*"} {
		w := journeys.Webhook{URL: "https://example.com/h", Segment: seg, Events: []string{journeys.KindDrifted}}
		if err := w.Validate(); err != nil {
			t.Errorf("segment %s: %v, want drifted accepted", seg, err)
		}
	}
}
