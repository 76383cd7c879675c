package survival

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	km "github.com/journeygraph/journeygraph/markov/survival"
)

// Defaults and values of a Query.
const (
	DefaultStep   = "purchase"
	FromEntry     = "entry"      // time counted from the person's first entry into the segment
	FromFirstSeen = "first_seen" // time counted from the person's first event
)

// Query asks for the survival curve of Segment's people until they do Step
// (DefaultStep when ""), counted From FromEntry (when "") or FromFirstSeen,
// as of AsOf (zero: now), and for a log-rank comparison with segment Vs
// when it is not "".
type Query struct {
	Segment string
	Vs      string
	Step    string
	From    string
	AsOf    time.Time
}

// Report is one or two survival curves (the segment's, then Vs's) and, for
// two, their log-rank test.
type Report struct {
	Segment string    `json:"segment"`
	Vs      string    `json:"vs,omitempty"`
	Step    string    `json:"step"`
	From    string    `json:"from"`
	AsOf    time.Time `json:"as_of"`
	Unit    string    `json:"unit"` // "days"
	Alpha   float64   `json:"alpha"`
	Curves  []Curve   `json:"curves"`
	LogRank *LogRank  `json:"logrank"` // null without Vs or when a curve is empty
	// Note says why a curve or the test is missing, or what to bear in
	// mind.
	Note string `json:"note,omitempty"`
}

// Curve is one segment's Kaplan–Meier curve.
type Curve struct {
	Segment  string `json:"segment"`
	People   int    `json:"people"`
	Done     int    `json:"done"`     // people who did the step by as_of
	Censored int    `json:"censored"` // people who had not
	// MedianDays is the first time at which the curve is at or below 0.5;
	// null when it never gets there (not reached).
	MedianDays *float64 `json:"median_days"`
	Points     []Point  `json:"points"`
}

// Point is the curve at one time: S(t), its (1 − alpha) band and
// Greenwood variance, and the life table's row.
type Point struct {
	Days     float64 `json:"days"`
	Survival float64 `json:"survival"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
	Variance float64 `json:"variance"`
	AtRisk   int     `json:"at_risk"`
	Events   int     `json:"events"`
}

// LogRank is the log-rank test of the two curves.
type LogRank struct {
	Statistic float64    `json:"statistic"` // chi-square, DF degrees of freedom
	DF        int        `json:"df"`
	PValue    float64    `json:"p_value"`
	Observed  [2]float64 `json:"observed"` // events in each group
	Expected  [2]float64 `json:"expected"` // events expected under equal hazards
	// Overlap is how many people are in both groups (counted in each):
	// the test assumes independent groups.
	Overlap int `json:"overlap"`
}

// SegmentGetter reads a segment's definition (graph.Store); ENOTFOUND for
// an unknown name.
type SegmentGetter interface {
	Segment(ctx context.Context, name string) (journeys.Segment, error)
}

// TimesReader reads when each of a segment's people started and did the
// step (graph.Store).
type TimesReader interface {
	SurvivalTimes(ctx context.Context, q journeys.SurvivalQuery) ([]journeys.SurvivalTime, error)
}

// Validate fills a Query's defaults (AsOf: now) and checks it: EINVALID
// naming the field for a from that is neither entry nor first_seen, a step
// that is too long, or vs naming the segment itself.
func (q *Query) Validate() error {
	if q.Step == "" {
		q.Step = DefaultStep
	}
	if q.From == "" {
		q.From = FromEntry
	}
	if q.AsOf.IsZero() {
		q.AsOf = time.Now()
	}
	q.AsOf = q.AsOf.UTC()
	switch {
	case q.From != FromEntry && q.From != FromFirstSeen:
		return journeys.Errorf(journeys.EINVALID, "from: %q is not %s or %s", q.From, FromEntry, FromFirstSeen)
	case len(q.Step) > 200:
		return journeys.Errorf(journeys.EINVALID, "step: longer than 200 bytes")
	case q.Vs != "" && q.Vs == q.Segment:
		return journeys.Errorf(journeys.EINVALID, "vs: %q is the segment itself", q.Vs)
	}
	return nil
}

// Compute returns q's report: ENOTFOUND for an unknown segment (or vs),
// EINVALID for a bad query (Query.Validate).
func Compute(ctx context.Context, segs SegmentGetter, times TimesReader, q Query) (Report, error) {
	if err := q.Validate(); err != nil {
		return Report{}, err
	}
	names := []string{q.Segment}
	if q.Vs != "" {
		names = append(names, q.Vs)
	}
	rep := Report{Segment: q.Segment, Vs: q.Vs, Step: q.Step, From: q.From, AsOf: q.AsOf, Unit: "days", Alpha: km.DefaultAlpha}
	var groups [][]journeys.SurvivalTime
	for i, name := range names {
		seg, err := segs.Segment(ctx, name)
		if err != nil {
			if i == 1 && journeys.ErrorCode(err) == journeys.ENOTFOUND {
				return Report{}, journeys.Errorf(journeys.ENOTFOUND, "vs: no segment %q", name)
			}
			return Report{}, err
		}
		rows, err := times.SurvivalTimes(ctx, journeys.SurvivalQuery{Segment: seg.Name, Step: q.Step, AsOf: q.AsOf,
			FromFirstSeen: q.From == FromFirstSeen})
		if err != nil {
			return Report{}, err
		}
		c, err := curve(seg.Name, rows, q.AsOf)
		if err != nil {
			return Report{}, err
		}
		rep.Curves = append(rep.Curves, c)
		groups = append(groups, rows)
	}
	switch {
	case len(groups) == 2 && len(groups[0]) > 0 && len(groups[1]) > 0:
		lr, err := logRank(groups[0], groups[1], q.AsOf)
		if err != nil {
			return Report{}, err
		}
		rep.LogRank = &lr
		if lr.Overlap > 0 {
			who := fmt.Sprintf("%d people are", lr.Overlap)
			if lr.Overlap == 1 {
				who = "1 person is"
			}
			rep.Note = who + " in both segments and counted in each: the log-rank test assumes independent groups"
		}
	case len(groups[0]) == 0:
		rep.Note = "nobody entered the segment before as_of"
	case len(groups) == 2:
		rep.Note = "nobody entered the vs segment before as_of: nothing to compare"
	}
	return rep, nil
}

// durations turns rows into days from start to the step, or to asOf for
// the censored.
func durations(rows []journeys.SurvivalTime, asOf time.Time) ([]float64, []bool) {
	d, obs := make([]float64, len(rows)), make([]bool, len(rows))
	for i, r := range rows {
		end := asOf
		if !r.Done.IsZero() {
			end, obs[i] = r.Done, true
		}
		d[i] = math.Max(0, float64(end.Sub(r.Start).Milliseconds())/float64(24*time.Hour/time.Millisecond))
	}
	return d, obs
}

// curve fits one segment's Kaplan–Meier curve; no points for no people.
func curve(name string, rows []journeys.SurvivalTime, asOf time.Time) (Curve, error) {
	c := Curve{Segment: name, People: len(rows), Points: []Point{}}
	if len(rows) == 0 {
		return c, nil
	}
	d, obs := durations(rows, asOf)
	fit, err := km.KaplanMeier(d, obs, km.DefaultAlpha)
	if err != nil {
		return Curve{}, fmt.Errorf("segment %s: %w", name, err)
	}
	c.Done, c.Censored = fit.Count, fit.People-fit.Count
	if !math.IsInf(fit.Median, 1) {
		m := fit.Median
		c.MedianDays = &m
	}
	last := len(fit.Times) - 1
	for i, t := range fit.Times {
		if i == 0 || i == last || fit.Events[i] > 0 {
			c.Points = append(c.Points, Point{Days: t, Survival: fit.Survival[i], Lower: fit.Lower[i], Upper: fit.Upper[i],
				Variance: fit.Variance[i], AtRisk: fit.AtRisk[i], Events: fit.Events[i]})
		}
	}
	return c, nil
}

// logRank compares two groups' rows and counts the people in both.
func logRank(a, b []journeys.SurvivalTime, asOf time.Time) (LogRank, error) {
	da, oa := durations(a, asOf)
	db, ob := durations(b, asOf)
	t, err := km.LogRank(da, oa, db, ob)
	if err != nil {
		return LogRank{}, fmt.Errorf("log-rank: %w", err)
	}
	in := make(map[string]bool, len(a))
	for _, r := range a {
		in[r.Person] = true
	}
	lr := LogRank{Statistic: t.Statistic, DF: t.DF, PValue: t.PValue, Observed: t.Observed, Expected: t.Expected}
	for _, r := range b {
		if in[r.Person] {
			lr.Overlap++
		}
	}
	return lr, nil
}
