package drift_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/journeys/profile"
)

var day0 = time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)

func at(days int) time.Time { return day0.AddDate(0, 0, days) }

// fakeSegments holds segments and one history for every segment.
type fakeSegments struct {
	segs    map[string]journeys.Segment
	history []journeys.HistoryEntry
}

func (f *fakeSegments) Segment(_ context.Context, name string) (journeys.Segment, error) {
	s, ok := f.segs[name]
	if !ok {
		return s, journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", name)
	}
	return s, nil
}

func (f *fakeSegments) Segments(context.Context) ([]journeys.Segment, error) {
	var out []journeys.Segment
	for _, s := range f.segs {
		out = append(out, s)
	}
	return out, nil
}

func (f *fakeSegments) History(_ context.Context, _ string, q journeys.HistoryQuery) ([]journeys.HistoryEntry, error) {
	var out []journeys.HistoryEntry
	for _, h := range f.history {
		if h.At.Before(q.To) {
			out = append(out, h)
		}
	}
	return out, nil
}

// fakeVectors gives each kept person the value of recency_days that
// value says (every other feature 0).
type fakeVectors struct {
	value func(person string, at time.Time) float64
}

func (f fakeVectors) VectorsAt(_ context.Context, q profile.DatesQuery) ([]*profile.Vectors, error) {
	people := []string{"a", "b", "c", "d"}
	out := make([]*profile.Vectors, len(q.Dates))
	for i, d := range q.Dates {
		v := &profile.Vectors{AsOf: d, Features: profile.FixedFeatures()}
		var rows []float64
		for _, p := range people {
			if q.Keep(i, p) {
				row := make([]float64, len(v.Features))
				row[0] = f.value(p, d)
				v.People, rows = append(v.People, p), append(rows, row...)
			}
		}
		if len(v.People) > 0 {
			v.X = mat.NewDense(len(v.People), len(v.Features), rows)
		}
		out[i] = v
	}
	return out, nil
}

// fakeAlerts records the checks it is given and alerts on every crossing.
type fakeAlerts struct {
	states   map[string]journeys.DriftState
	recorded []string
}

func (f *fakeAlerts) DriftStates(context.Context) (map[string]journeys.DriftState, error) {
	return f.states, nil
}

func (f *fakeAlerts) RecordDrift(_ context.Context, seg journeys.Segment, day time.Time, fig journeys.DriftFigures) ([]string, error) {
	f.recorded = append(f.recorded, seg.Name)
	next, alert := journeys.NextDriftState(f.states[seg.Name], day, seg.Drift.Thresholds().Crossed(fig))
	f.states[seg.Name] = next
	return alert, nil
}

func entry(person string, days int, kind string) journeys.HistoryEntry {
	return journeys.HistoryEntry{Person: person, Kind: kind, At: at(days)}
}

func TestReportSizesFromHistory(t *testing.T) {
	ref := journeys.Duration(2 * 24 * time.Hour)
	segs := &fakeSegments{segs: map[string]journeys.Segment{"s": {Name: "s", Drift: &journeys.Drift{Reference: &ref}}},
		history: []journeys.HistoryEntry{ // any order, as the store's newest first
			entry("c", 3, journeys.KindEntered), entry("a", 2, journeys.KindLeft), entry("b", 1, journeys.KindEntered),
			entry("a", 0, journeys.KindEntered), entry("a", 4, journeys.KindEntered), entry("d", 9, journeys.KindEntered),
		}}
	m := &drift.Monitor{Segments: segs, Vectors: fakeVectors{value: func(string, time.Time) float64 { return 1 }}}
	rep, err := m.Report(context.Background(), drift.Query{Segment: "s", Days: 5, At: at(4)})
	if err != nil {
		t.Fatal(err)
	}
	// The ends of days 0 to 3 (midnight after each), then at(4). Members:
	// a; a b; b (a left on day 2); b c; a b c (a back at at(4)).
	wantSize, wantRef := []int{1, 2, 1, 2, 3}, []int{0, 0, 1, 2, 1}
	points := drift.Points(at(4), 5)
	for i, f := range rep.Series {
		if f.Size != wantSize[i] || f.ReferenceSize != wantRef[i] || !f.At.Equal(points[i]) || !f.Reference.Equal(points[i].AddDate(0, 0, -2)) {
			t.Errorf("day %d: %+v, want size %d against %d two days before", i, f, wantSize[i], wantRef[i])
		}
		if (f.SizeChange == nil) != (wantRef[i] == 0) {
			t.Errorf("day %d: size change %v with reference size %d", i, f.SizeChange, wantRef[i])
		}
		if (f.PSI == nil) != (wantRef[i] == 0) || f.PSI != nil && *f.PSI != 0 {
			t.Errorf("day %d: psi %v, want 0 when there is a reference (same vectors), else none", i, f.PSI)
		}
	}
	if last := rep.Series[4]; *last.SizeChange != 2 || !reflect.DeepEqual(rep.Crossed, []string{journeys.DriftSizeChange}) {
		t.Errorf("last day: size change %v, crossed %v; want 2 (1 → 3) and size_change crossed", *last.SizeChange, rep.Crossed)
	}
	if len(rep.Features) != len(profile.FixedFeatures()) {
		t.Errorf("%d features' PSI, want %d", len(rep.Features), len(profile.FixedFeatures()))
	}
}

func TestReportErrors(t *testing.T) {
	m := &drift.Monitor{Segments: &fakeSegments{segs: map[string]journeys.Segment{"s": {Name: "s"}}}, Vectors: fakeVectors{}}
	tests := []struct {
		name string
		q    drift.Query
		code string
		msg  string
	}{
		{"days below 1", drift.Query{Segment: "s", Days: -1}, journeys.EINVALID, "days: -1 is not from 1 to 365"},
		{"days above 365", drift.Query{Segment: "s", Days: 400}, journeys.EINVALID, "days: 400 is not from 1 to 365"},
		{"unknown segment", drift.Query{Segment: "x"}, journeys.ENOTFOUND, `segment "x" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Report(context.Background(), tt.q)
			if journeys.ErrorCode(err) != tt.code || journeys.ErrorMessage(err) != tt.msg {
				t.Errorf("got %v (%s), want %s: %s", err, journeys.ErrorCode(err), tt.code, tt.msg)
			}
		})
	}
}

// TestCheckOncePerDayAndCrossing: a composition shift (recency 1 → 9 for
// everyone from day 3) alerts on the PSI on the day it is seen, once;
// a segment checked today is skipped.
func TestCheckOncePerDayAndCrossing(t *testing.T) {
	ref := journeys.Duration(24 * time.Hour)
	segs := &fakeSegments{segs: map[string]journeys.Segment{"s": {Name: "s", Drift: &journeys.Drift{Reference: &ref}}},
		history: []journeys.HistoryEntry{entry("a", -5, journeys.KindEntered), entry("b", -5, journeys.KindEntered)}}
	value := func(p string, t time.Time) float64 {
		if !t.Before(at(3)) {
			return 9
		}
		if p == "a" {
			return 1
		}
		return 2
	}
	alerts := &fakeAlerts{states: map[string]journeys.DriftState{}}
	var now time.Time
	m := &drift.Monitor{Segments: segs, Vectors: fakeVectors{value: value}, Alerts: alerts, Now: func() time.Time { return now }}
	var alerted []int
	for d := range 6 {
		now = at(d)
		checked, err := m.Check(context.Background(), nil)
		if err != nil || len(checked) != 1 {
			t.Fatalf("day %d: %+v %v, want one check", d, checked, err)
		}
		if len(checked[0].Alerted) > 0 {
			alerted = append(alerted, d)
		}
		if again, err := m.Check(context.Background(), nil); err != nil || len(again) != 0 {
			t.Fatalf("day %d, again: %+v %v, want nothing (checked today)", d, again, err)
		}
	}
	// Day 3 sees 9 against yesterday's 1 and 2; from day 4 both days are
	// 9 (PSI 0): it fell back, and there is no second shift.
	if !reflect.DeepEqual(alerted, []int{3}) || len(alerts.recorded) != 6 {
		t.Errorf("alerts on days %v (%d checks recorded), want day 3 only (6 checks)", alerted, len(alerts.recorded))
	}
}

func TestPoints(t *testing.T) {
	got := drift.Points(time.Date(2026, 3, 5, 6, 30, 0, 0, time.UTC), 3)
	want := []time.Time{time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 5, 6, 30, 0, 0, time.UTC)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := drift.Points(want[2], 1); len(got) != 1 || !got[0].Equal(want[2]) {
		t.Errorf("one day: got %v, want only at", got)
	}
}

// countingVectors counts the dates it is asked for.
type countingVectors struct {
	fakeVectors
	dates int
}

func (c *countingVectors) VectorsAt(ctx context.Context, q profile.DatesQuery) ([]*profile.Vectors, error) {
	c.dates += len(q.Dates)
	return c.fakeVectors.VectorsAt(ctx, q)
}

// TestReportKeepsPastDays: a second report of the same segment version
// computes only its last point (now) and its reference; a new version
// computes them all again.
func TestReportKeepsPastDays(t *testing.T) {
	segs := &fakeSegments{segs: map[string]journeys.Segment{"s": {Name: "s", Version: 1}},
		history: []journeys.HistoryEntry{entry("a", -40, journeys.KindEntered)}}
	v := &countingVectors{fakeVectors: fakeVectors{value: func(string, time.Time) float64 { return 1 }}}
	m := &drift.Monitor{Segments: segs, Vectors: v}
	first, err := m.Report(context.Background(), drift.Query{Segment: "s", Days: 10, At: at(0)})
	if err != nil || v.dates != 20 {
		t.Fatalf("first report: %d dates (%v), want 20", v.dates, err)
	}
	v.dates = 0
	second, err := m.Report(context.Background(), drift.Query{Segment: "s", Days: 10, At: at(0).Add(time.Hour)})
	if err != nil || v.dates != 2 {
		t.Fatalf("second report: %d dates (%v), want 2 (now and its reference)", v.dates, err)
	}
	if !reflect.DeepEqual(first.Series[:9], second.Series[:9]) {
		t.Errorf("past days differ between the reports")
	}
	segs.segs["s"] = journeys.Segment{Name: "s", Version: 2}
	v.dates = 0
	if _, err := m.Report(context.Background(), drift.Query{Segment: "s", Days: 10, At: at(0)}); err != nil || v.dates != 20 {
		t.Errorf("new version: %d dates (%v), want 20", v.dates, err)
	}
}
