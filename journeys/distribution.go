package journeys

import (
	"math"
	"slices"
)

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted values: the smallest value v such that at least p% of the values
// are <= v, that is sorted[ceil(p/100 × n) − 1]. It is always an observed
// value (the median of an even count is the lower middle one). It returns
// NaN for no values.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(rank, 1), n)-1]
}

// Bucket is one bar of a time histogram: the values in (previous UpToS,
// UpToS]; the last bucket has UpToS 0 and holds everything longer.
type Bucket struct {
	Label  string  `json:"label"`
	UpToS  float64 `json:"up_to_s"` // upper bound in seconds, inclusive; 0 for the open last bucket
	People int     `json:"people"`
}

// histogramBounds are the upper bounds of the time-to-convert histogram:
// minute, 5 minutes, 15 minutes, hour, 6 hours, day, 3 days, week, 30 days,
// then everything longer.
var histogramBounds = []struct {
	label string
	upTo  float64
}{
	{"≤1m", 60}, {"≤5m", 300}, {"≤15m", 900}, {"≤1h", 3600}, {"≤6h", 6 * 3600},
	{"≤1d", 86400}, {"≤3d", 3 * 86400}, {"≤7d", 7 * 86400}, {"≤30d", 30 * 86400}, {">30d", 0},
}

// Histogram counts values (seconds) into the fixed buckets ≤1m, ≤5m, ≤15m,
// ≤1h, ≤6h, ≤1d, ≤3d, ≤7d, ≤30d and >30d. Every bucket is returned, empty
// ones included, so that charts line up.
func Histogram(values []float64) []Bucket {
	out := make([]Bucket, len(histogramBounds))
	for i, b := range histogramBounds {
		out[i] = Bucket{Label: b.label, UpToS: b.upTo}
	}
	for _, v := range values {
		i := 0
		for i < len(out)-1 && v > out[i].UpToS {
			i++
		}
		out[i].People++
	}
	return out
}

// Distribution summarises durations in seconds: count, nearest-rank median
// and 90th percentile (see Percentile), mean and histogram.
type Distribution struct {
	Count   int      `json:"count"`
	MedianS float64  `json:"median_s"`
	P90S    float64  `json:"p90_s"`
	MeanS   float64  `json:"mean_s"`
	Buckets []Bucket `json:"buckets"`
}

// Summarise returns the Distribution of values (seconds); it sorts values
// in place. No values give a zero count and zero statistics.
func Summarise(values []float64) Distribution {
	d := Distribution{Count: len(values), Buckets: Histogram(values)}
	if len(values) == 0 {
		return d
	}
	slices.Sort(values)
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	d.MedianS = Percentile(values, 50)
	d.P90S = Percentile(values, 90)
	d.MeanS = sum / float64(len(values))
	return d
}
