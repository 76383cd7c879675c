package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/survival"
)

// TestSurvivalPlanted: people seen on day 0 enter a segment on day 1 (one
// on day 3) and purchase after known delays; one leaves the segment before
// purchasing, one purchased only before entering, one only after as_of.
// The report from the real store has the curve's steps, censoring and
// median those delays make, from entry and from first seen.
func TestSurvivalPlanted(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	const day = 24 * 60 // minutes
	p := func(i string) string { return prefix + i }
	// Every person is first seen at t0 (day 0).
	for _, id := range []string{"p0", "p1", "p3", "p4", "p5", "p6", "p7"} {
		write(t, s, ev(p(id), "visit", 0))
	}
	write(t, s,
		ev(p("p0"), "purchase", 2*day),  // entered day 1: 1 day
		ev(p("p1"), "purchase", 3*day),  // 2 days
		ev(p("p3"), "purchase", 6*day),  // 5 days
		ev(p("p5"), "purchase", 5*day),  // 4 days, after leaving on day 3: still counts
		ev(p("p6"), "purchase", 2*day),  // before entering on day 3: does not count from entry
		ev(p("p7"), "purchase", 12*day), // after as_of: censored
		ev(p("p4"), "email_open", 4*day))
	name := prefix + "surv"
	t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), name) })
	seg, err := s.SaveSegment(ctx, journeys.Segment{Name: name, Where: journeys.Condition{People: []string{p("p0")}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d int) time.Time { return t0.Add(time.Duration(d) * 24 * time.Hour) }
	apply(t, s, seg, at(1), journeys.KindEntered, p("p0"), p("p1"), p("p3"), p("p4"), p("p5"), p("p7"))
	apply(t, s, seg, at(3), journeys.KindLeft, p("p5"))
	apply(t, s, seg, at(3), journeys.KindEntered, p("p6"))
	apply(t, s, seg, at(6), journeys.KindEntered, p("p5")) // re-entry: counted once, from the first

	tests := []struct {
		from   string
		days   []float64 // the points: 0, each event time, the last time
		surv   []float64
		done   int
		median float64
	}{
		// From entry: events at 1, 2, 4, 5; censored p4 and p7 at 9, p6 at 7.
		{survival.FromEntry, []float64{0, 1, 2, 4, 5, 9}, []float64{1, 6. / 7, 5. / 7, 4. / 7, 3. / 7, 3. / 7}, 4, 5},
		// From first seen (day 0): p6's purchase on day 2 counts.
		{survival.FromFirstSeen, []float64{0, 2, 3, 5, 6, 10}, []float64{1, 5. / 7, 4. / 7, 3. / 7, 2. / 7, 2. / 7}, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			rep, err := survival.Compute(ctx, s, s, survival.Query{Segment: name, From: tt.from, AsOf: at(10)})
			if err != nil {
				t.Fatal(err)
			}
			c := rep.Curves[0]
			if c.People != 7 || c.Done != tt.done || c.Censored != 7-tt.done {
				t.Errorf("people %d done %d censored %d, want 7, %d, %d", c.People, c.Done, c.Censored, tt.done, 7-tt.done)
			}
			if c.MedianDays == nil || *c.MedianDays != tt.median {
				t.Errorf("median %v, want %g days", c.MedianDays, tt.median)
			}
			if len(c.Points) != len(tt.days) {
				t.Fatalf("points %+v, want at %v", c.Points, tt.days)
			}
			for i, pt := range c.Points {
				if pt.Days != tt.days[i] || !approx(pt.Survival, tt.surv[i]) || pt.Lower > pt.Survival || pt.Upper < pt.Survival {
					t.Errorf("point %d = %+v, want S(%g) = %.4f inside its band", i, pt, tt.days[i], tt.surv[i])
				}
			}
		})
	}
	if rep, err := survival.Compute(ctx, s, s, survival.Query{Segment: name, Vs: prefix + "nope"}); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("vs an unknown segment: %+v %v, want ENOTFOUND", rep, err)
	}
}

// apply records people entering or leaving seg at at.
func apply(t *testing.T, s *graph.Store, seg journeys.Segment, at time.Time, kind string, people ...string) {
	t.Helper()
	var changes []journeys.MembershipChange
	for _, p := range people {
		changes = append(changes, journeys.MembershipChange{ID: journeys.NewID(), Kind: kind, Segment: seg.Name, Version: seg.Version,
			Person: p, At: at, Reason: []byte(`{}`), Payload: []byte(`{}`)})
	}
	if applied, err := s.ApplyMembership(context.Background(), seg, at, changes); err != nil || len(applied) != len(changes) {
		t.Fatalf("apply %s %v: %d applied, %v", kind, people, len(applied), err)
	}
}

func approx(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
