package survival

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// LogRankTest is the log-rank comparison of two groups' survival (see the
// package doc for the formulas).
type LogRankTest struct {
	Statistic float64 // Z²/V, chi-square with DF degrees of freedom under the null
	DF        int     // 1
	PValue    float64 // P(χ²₁ ≥ Statistic)
	// Observed and Expected are each group's events and those expected
	// were both groups' hazards equal.
	Observed, Expected [2]float64
}

// LogRank compares group A (durationsA, observedA) with group B. It
// returns ErrEmpty when either group is empty and an error for a duration
// that is negative or not finite; it panics when a group's two slices
// differ in length.
func LogRank(durationsA []float64, observedA []bool, durationsB []float64, observedB []bool) (LogRankTest, error) {
	if err := check(durationsA, observedA); err != nil {
		return LogRankTest{}, err
	}
	if err := check(durationsB, observedB); err != nil {
		return LogRankTest{}, err
	}
	if len(durationsA) == 0 || len(durationsB) == 0 {
		return LogRankTest{}, ErrEmpty
	}
	times := timeline(durationsA, durationsB)
	a, b := lifeTable(times, durationsA, observedA), lifeTable(times, durationsB, observedB)
	t := LogRankTest{DF: 1}
	var v float64
	for i := range times {
		na, nb := float64(a.atRisk[i]), float64(b.atRisk[i])
		da, db := float64(a.d[i]), float64(b.d[i])
		n, d := na+nb, da+db
		if n == 0 || d == 0 {
			continue
		}
		t.Observed[0] += da
		t.Observed[1] += db
		t.Expected[0] += na * d / n
		t.Expected[1] += nb * d / n
		if n > 1 {
			v += na * nb * d * (n - d) / (n * n * (n - 1))
		}
	}
	if z := t.Observed[0] - t.Expected[0]; v > 0 {
		t.Statistic = z * z / v
	}
	t.PValue = distuv.ChiSquared{K: 1}.Survival(t.Statistic)
	if math.IsNaN(t.PValue) {
		t.PValue = 1
	}
	return t, nil
}
