package propensity

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// touchReader is a fake journeys.TouchReader over fixed sequences that
// keeps, as the stores do, the touches in the query's time range and the
// people under its prefix.
type touchReader struct{ seqs []journeys.TouchSequence }

func (r *touchReader) Touches(_ context.Context, q journeys.TouchQuery) (journeys.TouchSet, error) {
	from, to := q.Filter.Range()
	var out []journeys.TouchSequence
	for _, s := range r.seqs {
		if !strings.HasPrefix(s.Person, q.Filter.PersonPrefix) {
			continue
		}
		var ts []journeys.Touch
		for _, t := range s.Touches {
			if t.TS >= from && t.TS < to {
				ts = append(ts, t)
			}
		}
		if len(ts) > 0 {
			out = append(out, journeys.TouchSequence{Person: s.Person, Touches: ts})
		}
	}
	return &touchSet{seqs: out, i: -1}, nil
}

type touchSet struct {
	seqs []journeys.TouchSequence
	i    int
}

func (s *touchSet) Next() bool                 { s.i++; return s.i < len(s.seqs) }
func (s *touchSet) At() journeys.TouchSequence { return s.seqs[s.i] }
func (s *touchSet) Err() error                 { return nil }
func (s *touchSet) Close() error               { return nil }

var (
	cutoff = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) // T1
	month  = 30 * 24 * time.Hour
	now    = cutoff.Add(2*month + time.Hour)
)

// planted draws n people over four 30-day blocks before and after the
// cutoff. In each block a person views products and clicks emails at a
// rate of their own that drifts from block to block, and browses pages
// at random; whether they purchase in the next block depends only on the
// product views and email clicks of this one:
//
//	P(purchase in block b+1) = σ(−3.5 + 1.3 log1p(product views in b) + 1.1 log1p(email clicks in b)).
//
// The last step before a cutoff is noise (a page view or an email open), so
// the chain-state propensity, which only sees the last steps, ranks people
// worse than the counts do.
func planted(n int, seed uint64) []journeys.TouchSequence {
	rng := rand.New(rand.NewPCG(seed, 16))
	start := cutoff.Add(-2 * month)
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
			at := start.Add(time.Duration(b)*month + time.Duration(rng.Float64()*float64(month-2*time.Hour)))
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
			// The block's last event: noise.
			end := start.Add(time.Duration(b+1)*month - time.Hour)
			step := "page_view"
			if rng.IntN(2) == 0 {
				step = "email_open"
			}
			seq.Touches = append(seq.Touches, journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: end.UnixMilli()}})
			z := -3.5 + 1.3*math.Log1p(float64(views)) + 1.1*math.Log1p(float64(clicks))
			buy = rng.Float64() < 1/(1+math.Exp(-z))
		}
		slices.SortFunc(seq.Touches, func(a, b journeys.Touch) int { return int(a.TS - b.TS) })
		out[i] = seq
	}
	return out
}

func TestPlantedTruthBeatsChain(t *testing.T) {
	s := &Service{Touches: &touchReader{seqs: planted(4000, 1)}, Now: func() time.Time { return now }}
	rep, err := s.Fit(context.Background(), Query{Cutoff: cutoff, Horizon: month})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Chain == nil {
		t.Fatal("no chain-state propensity to compare with")
	}
	t.Logf("train %+v test %+v: model AUC %.3f log-loss %.3f; chain AUC %.3f log-loss %.3f",
		rep.Train, rep.Test, rep.Model.AUC, rep.Model.LogLoss, rep.Chain.AUC, rep.Chain.LogLoss)
	if rep.Model.AUC <= rep.Chain.AUC+0.05 {
		t.Errorf("out-of-time AUC: model %.3f, chain %.3f: want the model ahead by more than 0.05", rep.Model.AUC, rep.Chain.AUC)
	}
	if rep.Winner != "model" {
		t.Errorf("winner = %q, want model", rep.Winner)
	}
	// The planted features carry the largest weights.
	top := []string{rep.Coefficients[0].Feature, rep.Coefficients[1].Feature}
	slices.Sort(top)
	if want := []string{"step_email_click_30d", "step_product_view_30d"}; !slices.Equal(top, want) {
		t.Errorf("largest coefficients %v, want %v (all: %+v)", top, want, rep.Coefficients)
	}
	// Calibrated on the test window: each decile's mean prediction near its observed rate.
	for i, b := range rep.Model.Calibration {
		if math.Abs(b.Predicted-b.Observed) > 0.08 {
			t.Errorf("decile %d: predicted %.3f, observed %.3f", i, b.Predicted, b.Observed)
		}
	}
}
