package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Propensity draws n people ("p00000"...) over four blocks of length
// block, the first starting 2 blocks before cutoff, with a planted
// purchase propensity. In each block a person views products and clicks
// emails at a rate of their own that drifts from block to block, and
// browses pages at random; whether they purchase in the next block depends
// only on the product views and email clicks of this one:
//
//	P(purchase in block b+1) = σ(−3.5 + 1.3 log1p(product views in b) + 1.1 log1p(email clicks in b)).
//
// Each block ends (an hour before its end) with a page view or an email
// open at random, so the last steps before a cutoff are noise: the
// chain-state propensity, which sees only them, ranks people no better
// than chance, and a model of the counts does much better.
func Propensity(n int, seed uint64, cutoff time.Time, block time.Duration) []journeys.TouchSequence {
	rng := rand.New(rand.NewPCG(seed, 16))
	start := cutoff.Add(-2 * block)
	poisson := func(l float64) int {
		k, p := 0, math.Exp(-l)
		for s := p; rng.Float64() > s; s += p {
			k++
			p *= l / float64(k)
		}
		return k
	}
	out := make([]journeys.TouchSequence, n)
	for i := range out {
		seq := journeys.TouchSequence{Person: fmt.Sprintf("p%05d", i)}
		base := rng.NormFloat64() * 0.8
		add := func(step string, b int) {
			at := start.Add(time.Duration(b)*block + time.Duration(rng.Float64()*float64(block-2*time.Hour)))
			seq.Touches = append(seq.Touches, journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: at.UnixMilli()}})
		}
		buy := false
		for b := 0; b < 4; b++ {
			if buy {
				add("purchase", b)
			}
			rate := math.Exp(base + rng.NormFloat64()*0.6)
			views, clicks := poisson(rate), poisson(0.6*rate)
			for range views {
				add("product_view", b)
			}
			for range clicks {
				add("email_click", b)
			}
			for range poisson(2) {
				add("page_view", b)
			}
			end := start.Add(time.Duration(b+1)*block - time.Hour)
			step := "page_view"
			if rng.IntN(2) == 0 {
				step = "email_open"
			}
			seq.Touches = append(seq.Touches, journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: end.UnixMilli()}})
			z := -3.5 + 1.3*math.Log1p(float64(views)) + 1.1*math.Log1p(float64(clicks))
			buy = rng.Float64() < 1/(1+math.Exp(-z))
		}
		slices.SortStableFunc(seq.Touches, func(a, b journeys.Touch) int { return int(a.TS - b.TS) })
		out[i] = seq
	}
	return out
}
