package survival

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultAlpha is the confidence band's alpha: a 95% band, lifelines'
// default.
const DefaultAlpha = 0.05

// Curve is a Kaplan–Meier fit: one row per timeline time (0, then every
// distinct duration, ascending). See the package doc for the formulas.
type Curve struct {
	Times    []float64 // the timeline
	AtRisk   []int     // nᵢ: people at risk just before Times[i]
	Events   []int     // dᵢ: events at Times[i]
	Censored []int     // cᵢ: people censored at Times[i]
	Survival []float64 // S(Times[i])
	Variance []float64 // Greenwood's variance of Survival[i]
	Lower    []float64 // the band's lower edge at Times[i]
	Upper    []float64 // the band's upper edge at Times[i]
	// Median is the first time at which Survival ≤ 0.5; +Inf when the
	// curve never gets there.
	Median float64
	Alpha  float64 // the band is a (1 − Alpha) interval
	People int     // the number of (duration, observed) pairs
	Count  int     // the number of events observed
}

// ErrEmpty is returned when there is nobody to estimate from.
var ErrEmpty = errors.New("survival: no durations")

// table is the life table of one sample over a timeline.
type table struct {
	times           []float64
	atRisk, d, cens []int
}

// lifeTable counts events and censorings at each time of the timeline
// (every time in durations must be on it) and the people at risk.
func lifeTable(times, durations []float64, observed []bool) table {
	t := table{times: times, atRisk: make([]int, len(times)), d: make([]int, len(times)), cens: make([]int, len(times))}
	for k, x := range durations {
		i := sort.SearchFloat64s(times, x)
		if observed[k] {
			t.d[i]++
		} else {
			t.cens[i]++
		}
	}
	n := len(durations)
	for i := range times {
		t.atRisk[i] = n
		n -= t.d[i] + t.cens[i]
	}
	return t
}

// timeline returns 0 and the distinct durations, sorted.
func timeline(durations ...[]float64) []float64 {
	times := []float64{0}
	for _, ds := range durations {
		times = append(times, ds...)
	}
	slices.Sort(times)
	return slices.Compact(times)
}

// check returns an error for a duration that is negative, NaN or infinite.
func check(durations []float64, observed []bool) error {
	if len(durations) != len(observed) {
		panic(fmt.Sprintf("survival: %d durations, %d observed flags", len(durations), len(observed)))
	}
	for i, x := range durations {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("survival: duration %d is %g, not a finite number ≥ 0", i, x)
		}
	}
	return nil
}

// KaplanMeier fits the Kaplan–Meier curve of the people whose durations
// and observed flags are given (observed[i] false: censored at
// durations[i]), with a (1 − alpha) band (alpha 0: DefaultAlpha). It
// returns ErrEmpty for no durations and an error for a duration that is
// negative or not finite; it panics when the two slices differ in length
// or alpha is not in (0, 1).
func KaplanMeier(durations []float64, observed []bool, alpha float64) (*Curve, error) {
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	if !(alpha > 0 && alpha < 1) {
		panic(fmt.Sprintf("survival: alpha %g not in (0, 1)", alpha))
	}
	if err := check(durations, observed); err != nil {
		return nil, err
	}
	if len(durations) == 0 {
		return nil, ErrEmpty
	}
	lt := lifeTable(timeline(durations), durations, observed)
	m := len(lt.times)
	c := &Curve{Times: lt.times, AtRisk: lt.atRisk, Events: lt.d, Censored: lt.cens,
		Survival: make([]float64, m), Variance: make([]float64, m), Lower: make([]float64, m), Upper: make([]float64, m),
		Median: math.Inf(1), Alpha: alpha, People: len(durations)}
	z := distuv.UnitNormal.Quantile(1 - alpha/2)
	var logS, sq float64
	for i := range m {
		n, d := float64(lt.atRisk[i]), float64(lt.d[i])
		c.Count += lt.d[i]
		logS += math.Log(n-d) - math.Log(n)
		if n > d {
			sq += d / (n * (n - d))
		}
		s := math.Exp(logS)
		c.Survival[i] = s
		c.Variance[i] = s * s * sq
		c.Lower[i], c.Upper[i] = band(s, sq, z)
		if math.IsInf(c.Median, 1) && s <= 0.5 {
			c.Median = lt.times[i]
		}
	}
	return c, nil
}

// band is the exponential Greenwood interval of S = s with Greenwood sum
// sq and normal quantile z.
func band(s, sq, z float64) (lower, upper float64) {
	switch {
	case s == 0:
		return 0, 0
	case s == 1:
		return 1, 1
	}
	v := math.Log(s)
	w := z * math.Sqrt(sq) / v
	return math.Exp(-math.Exp(math.Log(-v) - w)), math.Exp(-math.Exp(math.Log(-v) + w))
}

// At returns S(t): the survival of the last timeline time ≤ t (1 before
// the first).
func (c *Curve) At(t float64) float64 {
	i := sort.Search(len(c.Times), func(i int) bool { return c.Times[i] > t })
	if i == 0 {
		return 1
	}
	return c.Survival[i-1]
}
