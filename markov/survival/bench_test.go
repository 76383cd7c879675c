package survival_test

import (
	"math/rand/v2"
	"testing"

	"github.com/journeygraph/journeygraph/markov/survival"
)

// sampleOf returns n exponential delays (mean 10 days, rounded to the
// minute) censored at a uniform follow-up of up to 30 days: a segment's
// people as the report sees them.
func sampleOf(n int, seed uint64) ([]float64, []bool) {
	r := rand.New(rand.NewPCG(seed, 16))
	d, obs := make([]float64, n), make([]bool, n)
	for i := range n {
		t, c := r.ExpFloat64()*10, r.Float64()*30
		obs[i] = t <= c
		d[i] = float64(int(min(t, c)*1440)) / 1440
	}
	return d, obs
}

// BenchmarkKaplanMeier1M fits the curve of a million people.
func BenchmarkKaplanMeier1M(b *testing.B) {
	d, obs := sampleOf(1_000_000, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := survival.KaplanMeier(d, obs, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogRank1M compares two groups of half a million people.
func BenchmarkLogRank1M(b *testing.B) {
	da, oa := sampleOf(500_000, 1)
	db, ob := sampleOf(500_000, 2)
	b.ResetTimer()
	for b.Loop() {
		if _, err := survival.LogRank(da, oa, db, ob); err != nil {
			b.Fatal(err)
		}
	}
}
