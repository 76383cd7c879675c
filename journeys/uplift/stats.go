package uplift

import "math"

// Quantiles of the standard normal distribution used by Compare.
const (
	zAlpha = 1.959963984540054  // Φ⁻¹(0.975): two-sided 95%, alpha 0.05
	zPower = 0.8416212335729143 // Φ⁻¹(0.80): 80% power
)

// Group is one arm of the comparison: the people who entered the segment,
// how many of them converted, and the rate (0 when there are no people).
type Group struct {
	People    int     `json:"people"`
	Converted int     `json:"converted"`
	Rate      float64 `json:"rate"`
}

// NewGroup returns the group of people with converted conversions.
func NewGroup(people, converted int) Group {
	g := Group{People: people, Converted: converted}
	if people > 0 {
		g.Rate = float64(converted) / float64(people)
	}
	return g
}

// Stats compares treated with control (see the package doc for the
// formulas). Difference is treated's rate minus control's.
type Stats struct {
	Difference float64 `json:"difference"`
	CILow      float64 `json:"ci_low"`  // 95% interval of Difference
	CIHigh     float64 `json:"ci_high"` // 95% interval of Difference
	Z          float64 `json:"z"`
	PValue     float64 `json:"p_value"` // two-sided
	// SampleSize is the number of people per group needed to detect
	// Difference at 80% power, alpha 0.05; 0 when Difference is 0 (no
	// effect to detect).
	SampleSize int `json:"sample_size"`
}

// Compare returns the statistics of treated against control; ok is false
// when either group has no people (nothing to compare).
func Compare(treated, control Group) (Stats, bool) {
	if treated.People == 0 || control.People == 0 {
		return Stats{}, false
	}
	n1, n2 := float64(treated.People), float64(control.People)
	p1, p2 := treated.Rate, control.Rate
	d := p1 - p2
	st := Stats{Difference: d}
	se := math.Sqrt(p1*(1-p1)/n1 + p2*(1-p2)/n2)
	st.CILow, st.CIHigh = d-zAlpha*se, d+zAlpha*se
	pool := float64(treated.Converted+control.Converted) / (n1 + n2)
	if sp := math.Sqrt(pool * (1 - pool) * (1/n1 + 1/n2)); sp > 0 {
		st.Z = d / sp
	}
	st.PValue = math.Erfc(math.Abs(st.Z) / math.Sqrt2) // 2·(1 − Φ(|z|))
	st.SampleSize = SampleSize(p1, p2)
	return st, true
}

// SampleSize is the number of people per group needed to tell rates p1
// and p2 apart at 80% power with a two-sided alpha of 0.05 (the package
// doc's formula), rounded up; 0 when p1 = p2.
func SampleSize(p1, p2 float64) int {
	d := p1 - p2
	if d == 0 {
		return 0
	}
	pbar := (p1 + p2) / 2
	a := zAlpha*math.Sqrt(2*pbar*(1-pbar)) + zPower*math.Sqrt(p1*(1-p1)+p2*(1-p2))
	return int(math.Ceil(a * a / (d * d)))
}
