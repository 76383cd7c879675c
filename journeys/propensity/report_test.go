package propensity

import (
	"testing"

	"github.com/journeygraph/journeygraph/markov/logit"
)

// TestExpect: the figures are those of the score people hold (the model's
// when it won and wrote its scores, else the chain's), at the largest
// validated threshold at or below the one asked (the lowest, with a note,
// under all of them).
func TestExpect(t *testing.T) {
	rows := func(scale float64) []logit.Threshold {
		var out []logit.Threshold
		for i, th := range logit.DefaultThresholds {
			out = append(out, logit.Threshold{Threshold: th, Precision: scale * float64(i+1) / 10, Recall: 1 - float64(i)/10, Predicted: 100 - 10*i})
		}
		return out
	}
	model, chain := Validation{Thresholds: rows(1)}, &Validation{Thresholds: rows(0.5)}
	tests := []struct {
		name      string
		r         Report
		atLeast   float64
		ok        bool
		source    string
		threshold float64
		precision float64
		note      bool
	}{
		{"model won and wrote", Report{Winner: "model", Written: 5, Version: 3, Model: model, Chain: chain}, 0.7, true, "model", 0.7, 0.7, false},
		{"between thresholds", Report{Winner: "model", Written: 5, Model: model, Chain: chain}, 0.75, true, "model", 0.7, 0.7, false},
		{"model won, nothing written", Report{Winner: "model", Model: model, Chain: chain}, 0.7, true, "chain", 0.7, 0.35, false},
		{"chain won", Report{Winner: "chain", Written: 5, Model: model, Chain: chain}, 0.3, true, "chain", 0.3, 0.15, false},
		{"under every threshold", Report{Winner: "model", Written: 5, Model: model}, 0.05, true, "model", 0.1, 0.1, true},
		{"no chain validated", Report{Winner: "chain", Model: model}, 0.7, false, "chain", 0, 0, false},
	}
	for _, tc := range tests {
		e, ok := tc.r.Expect(tc.atLeast)
		if ok != tc.ok || e.Source != tc.source || e.Threshold != tc.threshold || e.Precision != tc.precision || (e.Note != "") != tc.note {
			t.Errorf("%s: Expect(%g) = %+v, %v; want ok %v, source %s, threshold %g, precision %g, note %v",
				tc.name, tc.atLeast, e, ok, tc.ok, tc.source, tc.threshold, tc.precision, tc.note)
		}
	}
}
