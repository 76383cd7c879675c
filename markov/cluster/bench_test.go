package cluster

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// planted returns n points in d dimensions drawn around k centres (unit
// normal noise, centres 4 apart on random axes), with their groups.
func planted(n, d, k int, seed uint64) (*mat.Dense, []int) {
	rnd := rand.New(rand.NewPCG(seed, 0xbe))
	centres := make([]float64, k*d)
	for c := 0; c < k; c++ {
		for j := 0; j < d; j++ {
			centres[c*d+j] = float64(rnd.IntN(3) - 1)
		}
		centres[c*d+c%d] += 3
	}
	x := mat.NewDense(n, d, nil)
	truth := make([]int, n)
	raw := x.RawMatrix().Data
	for i := 0; i < n; i++ {
		c := rnd.IntN(k)
		truth[i] = c
		for j := 0; j < d; j++ {
			raw[i*d+j] = centres[c*d+j] + rnd.NormFloat64()
		}
	}
	return x, truth
}

// BenchmarkLloyd1M times Lloyd's iterations on 1M × 20 planted points
// (k = 8) from k-means++ seeds: the per-iteration cost of the full fit.
//
//	go test -run '^$' -bench Lloyd1M -benchtime 3x ./markov/cluster/
func BenchmarkLloyd1M(b *testing.B) {
	x, _ := planted(1_000_000, 20, 8, 1)
	init := Seed(x, 8, rand.NewPCG(1, 2))
	for b.Loop() {
		km := Lloyd(x, init, Options{})
		b.ReportMetric(float64(km.Iter), "iter")
	}
}

// BenchmarkChoose1M times Choose (k = 2..10, 4 restarts) on 1M × 20
// planted points (k = 6).
//
//	go test -run '^$' -bench Choose1M -benchtime 3x ./markov/cluster/
func BenchmarkChoose1M(b *testing.B) {
	x, _ := planted(1_000_000, 20, 6, 1)
	for b.Loop() {
		if _, err := Choose(x, 2, 10, Options{Restarts: 4}, rand.NewPCG(1, 2)); err != nil {
			b.Fatal(err)
		}
	}
}
