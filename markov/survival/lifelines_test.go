package survival_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/journeygraph/journeygraph/markov/survival"
)

// sample is one group of testdata/lifelines.json.
type sample struct {
	Durations []float64 `json:"durations"`
	Observed  []bool    `json:"observed"`
}

// fit is lifelines' KaplanMeierFitter on a sample.
type fit struct {
	Times    []float64 `json:"times"`
	Survival []float64 `json:"survival"`
	Lower    []float64 `json:"lower"`
	Upper    []float64 `json:"upper"`
	Variance []float64 `json:"variance"`
	Median   *float64  `json:"median"` // null: not reached
}

// dataset is one case of testdata/lifelines.json, written by
// scripts/peers/survival_lifelines.py.
type dataset struct {
	Name    string  `json:"name"`
	Alpha   float64 `json:"alpha"`
	A       sample  `json:"a"`
	B       *sample `json:"b"`
	KMA     fit     `json:"km_a"`
	KMB     *fit    `json:"km_b"`
	LogRank *struct {
		Statistic float64 `json:"statistic"`
		PValue    float64 `json:"p_value"`
	} `json:"logrank"`
}

func readGolden(t *testing.T) []dataset {
	t.Helper()
	b, err := os.ReadFile("testdata/lifelines.json")
	if err != nil {
		t.Fatal(err)
	}
	var ds []dataset
	if err := json.Unmarshal(b, &ds); err != nil {
		t.Fatal(err)
	}
	if len(ds) < 8 {
		t.Fatalf("%d datasets, want the peer's", len(ds))
	}
	return ds
}

// tol is the agreement asked of every number: lifelines and this package
// do the same arithmetic in the same order.
const tol = 1e-9

func near(got, want float64) bool {
	return got == want || math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func equalSlice(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !near(got[i], want[i]) {
			t.Errorf("%s[%d] = %.15g, want %.15g", what, i, got[i], want[i])
		}
	}
}

func checkFit(t *testing.T, s sample, want fit, alpha float64) {
	t.Helper()
	c, err := survival.KaplanMeier(s.Durations, s.Observed, alpha)
	if err != nil {
		t.Fatal(err)
	}
	equalSlice(t, "times", c.Times, want.Times)
	equalSlice(t, "survival", c.Survival, want.Survival)
	equalSlice(t, "lower", c.Lower, want.Lower)
	equalSlice(t, "upper", c.Upper, want.Upper)
	equalSlice(t, "variance", c.Variance, want.Variance)
	switch {
	case want.Median == nil && !math.IsInf(c.Median, 1):
		t.Errorf("median = %g, want +Inf (not reached)", c.Median)
	case want.Median != nil && c.Median != *want.Median:
		t.Errorf("median = %g, want %g", c.Median, *want.Median)
	}
}

// TestKaplanMeierMatchesLifelines: the curve, band, Greenwood variance and
// median equal lifelines' KaplanMeierFitter on every golden dataset.
func TestKaplanMeierMatchesLifelines(t *testing.T) {
	for _, d := range readGolden(t) {
		t.Run(d.Name, func(t *testing.T) {
			checkFit(t, d.A, d.KMA, d.Alpha)
			if d.B != nil {
				checkFit(t, *d.B, *d.KMB, d.Alpha)
			}
		})
	}
}

// TestLogRankMatchesLifelines: the statistic and p-value equal lifelines'
// logrank_test on every two-group golden dataset.
func TestLogRankMatchesLifelines(t *testing.T) {
	for _, d := range readGolden(t) {
		if d.B == nil {
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			got, err := survival.LogRank(d.A.Durations, d.A.Observed, d.B.Durations, d.B.Observed)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got.Statistic, d.LogRank.Statistic) || !near(got.PValue, d.LogRank.PValue) {
				t.Errorf("statistic %.15g p %.15g, want %.15g p %.15g", got.Statistic, got.PValue, d.LogRank.Statistic, d.LogRank.PValue)
			}
			if got.DF != 1 {
				t.Errorf("df = %d, want 1", got.DF)
			}
			if o, e := got.Observed[0]+got.Observed[1], got.Expected[0]+got.Expected[1]; math.Abs(o-e) > 1e-9 {
				t.Errorf("observed %g, expected %g in all: want equal", o, e)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name      string
		durations []float64
		observed  []bool
		want      string
	}{
		{"negative", []float64{1, -2}, []bool{true, true}, "survival: duration 1 is -2, not a finite number ≥ 0"},
		{"NaN", []float64{math.NaN()}, []bool{true}, "survival: duration 0 is NaN, not a finite number ≥ 0"},
		{"infinite", []float64{math.Inf(1)}, []bool{false}, "survival: duration 0 is +Inf, not a finite number ≥ 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := survival.KaplanMeier(tt.durations, tt.observed, 0); err == nil || err.Error() != tt.want {
				t.Errorf("KaplanMeier: %v, want %q", err, tt.want)
			}
			if _, err := survival.LogRank([]float64{1}, []bool{true}, tt.durations, tt.observed); err == nil || err.Error() != tt.want {
				t.Errorf("LogRank: %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := survival.KaplanMeier(nil, nil, 0); !errors.Is(err, survival.ErrEmpty) {
		t.Errorf("no durations: %v, want ErrEmpty", err)
	}
	if _, err := survival.LogRank([]float64{1}, []bool{true}, nil, nil); !errors.Is(err, survival.ErrEmpty) {
		t.Errorf("empty group: %v, want ErrEmpty", err)
	}
}

func TestAt(t *testing.T) {
	c, err := survival.KaplanMeier([]float64{1, 2, 3, 4}, []bool{true, true, true, true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ t, want float64 }{{-1, 1}, {0, 1}, {0.5, 1}, {1, 0.75}, {2.5, 0.5}, {9, 0}} {
		if got := c.At(tt.t); !near(got, tt.want) {
			t.Errorf("At(%g) = %g, want %g", tt.t, got, tt.want)
		}
	}
}
