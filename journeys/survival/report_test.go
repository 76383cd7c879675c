package survival_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/survival"
)

// fakeStore holds segments and their rows; it records the last query.
type fakeStore struct {
	rows map[string][]journeys.SurvivalTime
	last journeys.SurvivalQuery
}

func (f *fakeStore) Segment(_ context.Context, name string) (journeys.Segment, error) {
	if _, ok := f.rows[name]; !ok {
		return journeys.Segment{}, journeys.Errorf(journeys.ENOTFOUND, "no segment %q", name)
	}
	return journeys.Segment{Name: name}, nil
}

func (f *fakeStore) SurvivalTimes(_ context.Context, q journeys.SurvivalQuery) ([]journeys.SurvivalTime, error) {
	f.last = q
	return f.rows[q.Segment], nil
}

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

func day(d float64) time.Time { return t0.Add(time.Duration(d * float64(24*time.Hour))) }

func newStore() *fakeStore {
	return &fakeStore{rows: map[string][]journeys.SurvivalTime{
		// Four people: done after 1 and 2 days, one still waiting (censored
		// at as_of, day 10), one entered on day 4 and done on day 8.
		"cart": {
			{Person: "a", Start: t0, Done: day(1)},
			{Person: "b", Start: t0, Done: day(2)},
			{Person: "c", Start: t0},
			{Person: "d", Start: day(4), Done: day(8)},
		},
		"vip":   {{Person: "a", Start: t0, Done: day(1)}, {Person: "x", Start: t0}},
		"empty": {},
	}}
}

func TestCompute(t *testing.T) {
	f := newStore()
	rep, err := survival.Compute(context.Background(), f, f, survival.Query{Segment: "cart", AsOf: day(10)})
	if err != nil {
		t.Fatal(err)
	}
	if f.last.Step != "purchase" || f.last.FromFirstSeen || !f.last.AsOf.Equal(day(10)) {
		t.Errorf("query %+v, want purchase from entry as of day 10", f.last)
	}
	if rep.Step != "purchase" || rep.From != "entry" || rep.Unit != "days" || rep.LogRank != nil || len(rep.Curves) != 1 {
		t.Fatalf("report %+v", rep)
	}
	c := rep.Curves[0]
	if c.People != 4 || c.Done != 3 || c.Censored != 1 || c.MedianDays == nil || *c.MedianDays != 2 {
		t.Errorf("curve %+v median %v, want 4 people, 3 done, median 2 days (S(2) = 0.5: lifelines takes the first time at or below 0.5)", c, c.MedianDays)
	}
	// Points: 0, 1, 2 and 4 (events); c censored at 10 is the last time.
	var days []float64
	for _, p := range c.Points {
		days = append(days, p.Days)
	}
	want := []float64{0, 1, 2, 4, 10}
	if len(days) != len(want) {
		t.Fatalf("points at %v, want %v", days, want)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("points at %v, want %v", days, want)
			break
		}
	}
	if s := c.Points[3].Survival; s < 0.2499 || s > 0.2501 {
		t.Errorf("S(4) = %g, want 0.25", s)
	}
}

func TestComputeVs(t *testing.T) {
	f := newStore()
	rep, err := survival.Compute(context.Background(), f, f, survival.Query{Segment: "cart", Vs: "vip", Step: "unsubscribe",
		From: "first_seen", AsOf: day(10)})
	if err != nil {
		t.Fatal(err)
	}
	if !f.last.FromFirstSeen || f.last.Step != "unsubscribe" {
		t.Errorf("query %+v, want unsubscribe from first seen", f.last)
	}
	if len(rep.Curves) != 2 || rep.Curves[1].Segment != "vip" || rep.LogRank == nil {
		t.Fatalf("report %+v, want two curves and a test", rep)
	}
	if rep.LogRank.Overlap != 1 || !strings.Contains(rep.Note, "1 person is in both segments") {
		t.Errorf("overlap %d note %q, want a in both", rep.LogRank.Overlap, rep.Note)
	}
	if rep.LogRank.PValue <= 0 || rep.LogRank.PValue > 1 || rep.LogRank.DF != 1 {
		t.Errorf("log-rank %+v", rep.LogRank)
	}

	rep, err = survival.Compute(context.Background(), f, f, survival.Query{Segment: "cart", Vs: "empty", AsOf: day(10)})
	if err != nil || rep.LogRank != nil || rep.Curves[1].People != 0 || !strings.Contains(rep.Note, "vs segment") {
		t.Errorf("vs an empty segment: %+v %v, want no test and a note", rep, err)
	}
}

func TestComputeErrors(t *testing.T) {
	tests := []struct {
		name string
		q    survival.Query
		code string
		want string
	}{
		{"bad from", survival.Query{Segment: "cart", From: "birth"}, journeys.EINVALID, `from: "birth" is not entry or first_seen`},
		{"long step", survival.Query{Segment: "cart", Step: strings.Repeat("x", 201)}, journeys.EINVALID, "step: longer than 200 bytes"},
		{"vs itself", survival.Query{Segment: "cart", Vs: "cart"}, journeys.EINVALID, `vs: "cart" is the segment itself`},
		{"unknown segment", survival.Query{Segment: "nope"}, journeys.ENOTFOUND, `no segment "nope"`},
		{"unknown vs", survival.Query{Segment: "cart", Vs: "nope"}, journeys.ENOTFOUND, `vs: no segment "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newStore()
			_, err := survival.Compute(context.Background(), f, f, tt.q)
			if journeys.ErrorCode(err) != tt.code || journeys.ErrorMessage(err) != tt.want {
				t.Errorf("got %v (%s), want %s %q", err, journeys.ErrorCode(err), tt.code, tt.want)
			}
		})
	}
}
