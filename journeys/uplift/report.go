package uplift

import (
	"context"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Defaults and limits of a Query.
const (
	DefaultStep = "purchase"
	DefaultDays = 7
	MaxDays     = 365
)

// Query asks for a segment's uplift: the people who entered it in [From,
// To) (zero: unbounded), converted meaning an event of step Step within
// Days days of their entry.
type Query struct {
	Segment  string
	From, To time.Time
	Step     string // DefaultStep when ""
	Days     int    // DefaultDays when 0
}

// Report is a segment's uplift: treated against control, and the
// statistics when both groups have people.
type Report struct {
	Segment string            `json:"segment"`
	Holdout *journeys.Holdout `json:"holdout"` // the segment's current holdout (null: none)
	From    time.Time         `json:"from,omitzero"`
	To      time.Time         `json:"to,omitzero"`
	Step    string            `json:"step"`
	Days    int               `json:"days"`
	Treated Group             `json:"treated"`
	Control Group             `json:"control"`
	Stats   *Stats            `json:"stats"` // null when a group is empty
	// Note says why Stats is null, or what to bear in mind.
	Note string `json:"note,omitempty"`
}

// SegmentGetter reads a segment's definition (graph.Store); ENOTFOUND for
// an unknown name.
type SegmentGetter interface {
	Segment(ctx context.Context, name string) (journeys.Segment, error)
}

// OutcomeReader reads what followed each entry into a segment
// (graph.Store).
type OutcomeReader interface {
	EntryOutcomes(ctx context.Context, q journeys.OutcomeQuery) ([]journeys.EntryOutcome, error)
}

// Validate fills a Query's defaults and checks it: EINVALID naming the
// field for days outside 1..MaxDays, a step that is not a name, or a
// window that ends before it starts.
func (q *Query) Validate() error {
	if q.Step == "" {
		q.Step = DefaultStep
	}
	if q.Days == 0 {
		q.Days = DefaultDays
	}
	switch {
	case q.Days < 1 || q.Days > MaxDays:
		return journeys.Errorf(journeys.EINVALID, "days: %d is not from 1 to %d", q.Days, MaxDays)
	case len(q.Step) > 200:
		return journeys.Errorf(journeys.EINVALID, "step: longer than 200 bytes")
	case !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To):
		return journeys.Errorf(journeys.EINVALID, "to: %s is not after from %s", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	return nil
}

// Compute returns q.Segment's uplift report: ENOTFOUND for an unknown
// segment, EINVALID for a bad query (Query.Validate).
func Compute(ctx context.Context, segs SegmentGetter, outcomes OutcomeReader, q Query) (Report, error) {
	if err := q.Validate(); err != nil {
		return Report{}, err
	}
	seg, err := segs.Segment(ctx, q.Segment)
	if err != nil {
		return Report{}, err
	}
	rows, err := outcomes.EntryOutcomes(ctx, journeys.OutcomeQuery{Segment: q.Segment, From: q.From, To: q.To, Step: q.Step,
		Within: time.Duration(q.Days) * 24 * time.Hour})
	if err != nil {
		return Report{}, err
	}
	var n, x [2]int // [treated, control]
	for _, r := range rows {
		i := 0
		if r.Control {
			i = 1
		}
		n[i]++
		if r.Converted {
			x[i]++
		}
	}
	rep := Report{Segment: seg.Name, Holdout: seg.Holdout, From: q.From, To: q.To, Step: q.Step, Days: q.Days,
		Treated: NewGroup(n[0], x[0]), Control: NewGroup(n[1], x[1])}
	if st, ok := Compare(rep.Treated, rep.Control); ok {
		rep.Stats = &st
	}
	switch {
	case rep.Stats != nil:
	case seg.Holdout == nil && n[1] == 0:
		rep.Note = "the segment keeps no control group: give it a holdout ({\"share\": 0.1}) to measure uplift"
	case n[0]+n[1] == 0:
		rep.Note = "nobody entered the segment in the window"
	default:
		rep.Note = "one group is empty: nothing to compare"
	}
	return rep, nil
}
