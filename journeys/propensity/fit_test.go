package propensity

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
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

// planted is synth.Propensity around cutoff, in 30-day blocks.
func planted(n int, seed uint64) []journeys.TouchSequence {
	return synth.Propensity(n, seed, cutoff, month)
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
