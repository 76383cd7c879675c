package chart

import (
	"strings"
	"testing"
)

func TestDrift(t *testing.T) {
	num := func(v float64) *float64 { return &v }
	tests := []struct {
		name      string
		days      []DriftDay
		threshold float64
		over      int // days marked above the threshold
	}{
		{"drift_shift", []DriftDay{{"Mar 1", 100, nil}, {"Mar 2", 100, num(0)}, {"Mar 3", 104, num(0.05)},
			{"Mar 4", 98, num(0.6)}, {"Mar 5", 120, num(0.7)}}, 0.2, 2},
		{"drift_gap", []DriftDay{{"Mar 1", 10, num(0.1)}, {"Mar 2", 0, nil}, {"Mar 3", 12, num(0.1)}}, 0.2, 0},
		{"drift_escaped", []DriftDay{{"<b>x</b>", 5, num(0.3)}}, 0.25, 1},
		{"drift_empty", nil, 0.2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Drift(tt.days, tt.threshold, "size and PSI")
			noRawText(t, got)
			if n := strings.Count(string(got), `class="dot psi over"`); n != tt.over {
				t.Errorf("%d days marked over the threshold, want %d", n, tt.over)
			}
			golden(t, tt.name, got)
		})
	}
}
