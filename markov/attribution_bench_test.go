package markov

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// Run with scripts/peers/attribution_bench.sh to compare with
// ChannelAttribution in the same run.

// BenchmarkAttribution: parse Data.csv from memory, fit, factorize, all
// removal effects and heuristics (what ChannelAttribution's markov_model
// does on the same file, by simulation).
func BenchmarkAttribution(b *testing.B) {
	data := attrData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Attribute(NewPathReader(bytes.NewReader(data)), Options{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAttributionRemovalEffects500x50: absorbing analysis and all
// removal effects of a random chain of 500 states in 50 channels.
func BenchmarkAttributionRemovalEffects500x50(b *testing.B) {
	c := attrRandomChain(b, 500, 50, 20, rand.NewPCG(7, 8))
	b.ResetTimer()
	for b.Loop() {
		a, err := c.Absorbing()
		if err != nil {
			b.Fatal(err)
		}
		rs, err := a.RemovalEffects(attrChannelOf)
		if err != nil {
			b.Fatal(err)
		}
		if len(rs) != 50 {
			b.Fatalf("got %d removals", len(rs))
		}
	}
}

// BenchmarkAttributionRemovalDirect500x50 is the naive reference: one
// factorization of a modified system per channel.
func BenchmarkAttributionRemovalDirect500x50(b *testing.B) {
	c := attrRandomChain(b, 500, 50, 20, rand.NewPCG(7, 8))
	sets := c.removalSets(attrChannelOf)
	b.ResetTimer()
	for b.Loop() {
		for _, s := range sets {
			attrDirect(b, c, s)
		}
	}
}
