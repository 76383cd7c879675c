package drift

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/markov/psi"
)

// Defaults and limits of a Query.
const (
	DefaultDays = 30
	MaxDays     = 365
)

// SegmentReader reads segments and their membership history (graph.Store):
// Segment returns ENOTFOUND for an unknown name.
type SegmentReader interface {
	Segment(ctx context.Context, name string) (journeys.Segment, error)
	Segments(ctx context.Context) ([]journeys.Segment, error)
	History(ctx context.Context, segment string, q journeys.HistoryQuery) ([]journeys.HistoryEntry, error)
}

// VectorSource computes behaviour vectors at several dates in one pass
// (profile.Profiler).
type VectorSource interface {
	VectorsAt(ctx context.Context, q profile.DatesQuery) ([]*profile.Vectors, error)
}

// AlertStore keeps each segment's drift state (graph.Store). DriftStates
// returns the state of every checked segment by name; RecordDrift
// stores a check of seg on day with figures f and, when a figure crossed
// its threshold since the previous check, queues one segment.drifted
// delivery per subscribed webhook in the same transaction, returning the
// figures alerted on (journeys.NextDriftState). Both return EUNAVAILABLE
// when the store cannot be reached.
type AlertStore interface {
	DriftStates(ctx context.Context) (map[string]journeys.DriftState, error)
	RecordDrift(ctx context.Context, seg journeys.Segment, day time.Time, f journeys.DriftFigures) ([]string, error)
}

// Monitor computes segments' drift and runs the daily check.
type Monitor struct {
	Segments SegmentReader
	Vectors  VectorSource
	Alerts   AlertStore       // needed by Check only
	Now      func() time.Time // the segments' clock; time.Now when nil
	// PersonPrefix limits the behaviour vectors to the people whose id
	// starts with it (a test's run id); "" is everyone.
	PersonPrefix string

	mu   sync.Mutex
	memo map[memoKey]journeys.DriftFigures // figures of past days (see series)
}

// Query asks for a segment's drift on each of Days days up to At (see
// Points).
type Query struct {
	Segment string
	Days    int       // DefaultDays when 0
	At      time.Time // the last point; now when zero
}

// FeaturePSI is the PSI of one behaviour feature.
type FeaturePSI struct {
	Feature string  `json:"feature"`
	PSI     float64 `json:"psi"`
}

// Report is a segment's drift: its figures at the end of each day before
// At's (oldest first) and at At (see Points), the PSI of each feature at
// At, and the figures crossing the thresholds at At. The figures of past
// days are computed once per definition version and kept by the Monitor:
// events that arrive late with old times do not change them.
type Report struct {
	Segment    string                  `json:"segment"`
	Thresholds journeys.Drift          `json:"thresholds"`
	At         time.Time               `json:"at"`
	Series     []journeys.DriftFigures `json:"series"`
	Features   []FeaturePSI            `json:"features"` // at At, largest first
	Crossed    []string                `json:"crossed"`  // at At
	// State is the daily check's last finding (nil before the first).
	State *journeys.DriftState `json:"state,omitempty"`
}

func (m *Monitor) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

// Report returns q's drift report: ENOTFOUND for an unknown segment,
// EINVALID naming days outside 1..MaxDays.
func (m *Monitor) Report(ctx context.Context, q Query) (Report, error) {
	if q.Days == 0 {
		q.Days = DefaultDays
	}
	if q.Days < 1 || q.Days > MaxDays {
		return Report{}, journeys.Errorf(journeys.EINVALID, "days: %d is not from 1 to %d", q.Days, MaxDays)
	}
	if q.At.IsZero() {
		q.At = m.now()
	}
	seg, err := m.Segments.Segment(ctx, q.Segment)
	if err != nil {
		return Report{}, err
	}
	series, features, err := m.series(ctx, seg, Points(q.At, q.Days))
	if err != nil {
		return Report{}, err
	}
	th := seg.Drift.Thresholds()
	rep := Report{Segment: seg.Name, Thresholds: th, At: q.At.UTC(), Series: series, Features: features,
		Crossed: th.Crossed(series[len(series)-1])}
	if rep.Crossed == nil {
		rep.Crossed = []string{}
	}
	if m.Alerts != nil {
		states, err := m.Alerts.DriftStates(ctx)
		if err != nil {
			return Report{}, err
		}
		if st, ok := states[seg.Name]; ok {
			rep.State = &st
		}
	}
	return rep, nil
}

// Points are the times of a series of days days up to at: the end (UTC
// midnight) of each of the days−1 days before at's day, then at itself.
func Points(at time.Time, days int) []time.Time {
	at = at.UTC()
	midnight := at.Truncate(24 * time.Hour)
	out := make([]time.Time, days)
	for i := range days - 1 {
		out[i] = midnight.AddDate(0, 0, i-(days-1)+1)
	}
	out[days-1] = at
	return out
}

// memoKey names the figures of one past point of a segment's definition.
type memoKey struct {
	segment string
	version int
	point   int64
}

// maxMemo bounds the figures kept: past the bound they are all dropped.
const maxMemo = 100_000

// series returns seg's figures at points and the PSI of each feature at
// the last point. The figures of the earlier points (whole past days) are
// computed once per segment version and kept; the last one (now) always.
func (m *Monitor) series(ctx context.Context, seg journeys.Segment, points []time.Time) ([]journeys.DriftFigures, []FeaturePSI, error) {
	out := make([]journeys.DriftFigures, len(points))
	var missing []int
	m.mu.Lock()
	for i, p := range points[:len(points)-1] {
		if f, ok := m.memo[memoKey{seg.Name, seg.Version, p.UnixMilli()}]; ok {
			out[i] = f
			continue
		}
		missing = append(missing, i)
	}
	m.mu.Unlock()
	missing = append(missing, len(points)-1)
	ask := make([]time.Time, len(missing))
	for k, i := range missing {
		ask[k] = points[i]
	}
	figs, features, err := m.figures(ctx, seg, ask)
	if err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.memo == nil || len(m.memo) > maxMemo {
		m.memo = map[memoKey]journeys.DriftFigures{}
	}
	for k, i := range missing {
		out[i] = figs[k]
		if i < len(points)-1 {
			m.memo[memoKey{seg.Name, seg.Version, points[i].UnixMilli()}] = figs[k]
		}
	}
	return out, features, nil
}

// Checked is what the daily check found for one segment.
type Checked struct {
	Segment string                `json:"segment"`
	Figures journeys.DriftFigures `json:"figures"`
	Alerted []string              `json:"alerted"` // the figures a segment.drifted event was queued for
}

// Check runs the daily drift check of the segments named (every stored
// one when names is nil) that were not checked yet today (UTC, by the
// monitor's clock): it computes their figures now and records them
// (AlertStore.RecordDrift), which queues the alerts. It goes on after a
// segment's error and returns the first.
func (m *Monitor) Check(ctx context.Context, names []string) ([]Checked, error) {
	at := m.now()
	day := at.Truncate(24 * time.Hour)
	var segs []journeys.Segment
	if names == nil {
		var err error
		if segs, err = m.Segments.Segments(ctx); err != nil {
			return nil, fmt.Errorf("drift check: %w", err)
		}
	} else {
		for _, n := range names {
			seg, err := m.Segments.Segment(ctx, n)
			if err != nil {
				return nil, fmt.Errorf("drift check: %w", err)
			}
			segs = append(segs, seg)
		}
	}
	states, err := m.Alerts.DriftStates(ctx)
	if err != nil {
		return nil, fmt.Errorf("drift check: %w", err)
	}
	var out []Checked
	var first error
	for _, seg := range segs {
		if st, ok := states[seg.Name]; ok && !day.After(st.Day) {
			continue // checked today
		}
		series, _, err := m.figures(ctx, seg, []time.Time{at})
		if err == nil {
			var alerted []string
			if alerted, err = m.Alerts.RecordDrift(ctx, seg, day, series[0]); err == nil {
				out = append(out, Checked{Segment: seg.Name, Figures: series[0], Alerted: alerted})
				continue
			}
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if first == nil {
			first = fmt.Errorf("drift check of %q: %w", seg.Name, err)
		}
	}
	return out, first
}

// figures computes seg's figures at each of points (ascending), and the
// PSI of each feature at the last point.
func (m *Monitor) figures(ctx context.Context, seg journeys.Segment, points []time.Time) ([]journeys.DriftFigures, []FeaturePSI, error) {
	th := seg.Drift.Thresholds()
	refs := make([]time.Time, len(points))
	for i, p := range points {
		refs[i] = th.ReferenceFor(p)
	}
	// The times to sample, each once: the points and their references.
	var times []time.Time
	index := map[int64]int{}
	for _, t := range append(slices.Clone(points), refs...) {
		if _, ok := index[t.UnixMilli()]; !ok {
			index[t.UnixMilli()] = len(times)
			times = append(times, t)
		}
	}
	last := slices.MaxFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	hist, err := m.Segments.History(ctx, seg.Name, journeys.HistoryQuery{To: last.Add(time.Millisecond), Limit: math.MaxInt32})
	if err != nil {
		return nil, nil, fmt.Errorf("drift of %q: %w", seg.Name, err)
	}
	spans := memberSpans(hist)
	sizes := make([]int, len(times))
	for i, t := range times {
		ms := t.UnixMilli()
		for _, ss := range spans {
			if member(ss, ms) {
				sizes[i]++
			}
		}
	}
	vecs, err := m.Vectors.VectorsAt(ctx, profile.DatesQuery{Dates: times, PersonPrefix: m.PersonPrefix,
		Keep: func(i int, person string) bool { return member(spans[person], times[i].UnixMilli()) }})
	if err != nil {
		return nil, nil, fmt.Errorf("drift of %q: %w", seg.Name, err)
	}
	out := make([]journeys.DriftFigures, len(points))
	var features []FeaturePSI
	for i, p := range points {
		a, r := index[p.UnixMilli()], index[refs[i].UnixMilli()]
		f := journeys.DriftFigures{At: p.UTC(), Reference: refs[i].UTC(), Size: sizes[a], ReferenceSize: sizes[r]}
		if f.ReferenceSize > 0 {
			c := float64(f.Size-f.ReferenceSize) / float64(f.ReferenceSize)
			f.SizeChange = &c
		}
		per := featurePSI(vecs[r], vecs[a])
		if len(per) > 0 {
			f.PSI, f.Feature = &per[0].PSI, per[0].Feature
		}
		out[i] = f
		if i == len(points)-1 {
			features = per
		}
	}
	if features == nil {
		features = []FeaturePSI{}
	}
	return out, features, nil
}

// featurePSI returns the PSI of each fixed feature of actual against
// reference, largest first (ties by name); nil when either has no people.
func featurePSI(reference, actual *profile.Vectors) []FeaturePSI {
	if reference.X == nil || actual.X == nil {
		return nil
	}
	fs := profile.FixedFeatures()
	out := make([]FeaturePSI, 0, len(fs))
	for j, f := range fs {
		r, err := psi.Compare(column(reference, j), column(actual, j))
		if err != nil {
			return nil
		}
		out = append(out, FeaturePSI{Feature: f.Name, PSI: r.Index})
	}
	slices.SortStableFunc(out, func(a, b FeaturePSI) int {
		if a.PSI != b.PSI {
			if a.PSI > b.PSI {
				return -1
			}
			return 1
		}
		if a.Feature < b.Feature {
			return -1
		}
		return 1
	})
	return out
}

func column(v *profile.Vectors, j int) []float64 {
	n, _ := v.X.Dims()
	out := make([]float64, n)
	for i := range out {
		out[i] = v.X.At(i, j)
	}
	return out
}

// span is one stay in the segment: entered at From, left at To (exclusive;
// MaxInt64 while a member).
type span struct{ from, to int64 }

// memberSpans turns a segment's history (any order) into each person's
// stays: an entry opens one, the next exit closes it.
func memberSpans(hist []journeys.HistoryEntry) map[string][]span {
	h := slices.Clone(hist)
	slices.SortStableFunc(h, func(a, b journeys.HistoryEntry) int { return a.At.Compare(b.At) })
	out := map[string][]span{}
	for _, e := range h {
		ss := out[e.Person]
		open := len(ss) > 0 && ss[len(ss)-1].to == math.MaxInt64
		switch {
		case e.Kind == journeys.KindEntered && !open:
			out[e.Person] = append(ss, span{from: e.At.UnixMilli(), to: math.MaxInt64})
		case e.Kind == journeys.KindLeft && open:
			ss[len(ss)-1].to = e.At.UnixMilli()
		}
	}
	return out
}

// member reports whether a person with stays ss was a member at ms.
func member(ss []span, ms int64) bool {
	for _, s := range ss {
		if s.from <= ms && ms < s.to {
			return true
		}
	}
	return false
}
