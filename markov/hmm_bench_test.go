package markov

import (
	"compress/gzip"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// hmmMSNBCPath is the full MSNBC dataset beside the repository checkout.
var hmmMSNBCPath = filepath.Join("..", "..", "shared", "datasets", "msnbc", "msnbc990928.seq.gz")

// hmmBenchSequences is the number of MSNBC sequences of BenchmarkBaumWelch,
// the same as scripts/peers/hmm_bench.sh gives hmmlearn.
const hmmBenchSequences = 100_000

// BenchmarkBaumWelch times one Baum–Welch iteration (parallel E-step over
// the first 100,000 MSNBC sequences, then M-step) with K=8 states, from the
// same kind of random start as the hmmlearn timing in
// scripts/peers/hmm_bench.sh. It is skipped if the dataset is absent.
func BenchmarkBaumWelch(b *testing.B) {
	f, err := os.Open(hmmMSNBCPath)
	if errors.Is(err, fs.ErrNotExist) {
		b.Skipf("dataset %s not found", hmmMSNBCPath)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	seqs, err := hmmReadMSNBC(zr, hmmBenchSequences)
	if err != nil {
		b.Fatal(err)
	}
	src := SymbolSequencesOf(seqs)
	h := NewRandomHMM(8, 17, rand.NewPCG(8, 8))
	s := NewHMMStats(8, 17)
	b.ResetTimer()
	for b.Loop() {
		s.Reset()
		if err := h.EStep(s, src, 0); err != nil {
			b.Fatal(err)
		}
		h.MStep(s, HMMPrior{})
	}
	b.ReportMetric(float64(s.Observations), "symbols")
}
