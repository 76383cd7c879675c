package report

import (
	"context"
	"fmt"

	"github.com/journeygraph/journeygraph/journeys"
)

// PreviewPaths answers q as if rules were in force: every event touches
// streams is read and given its step by rules, in memory; nothing is saved.
func PreviewPaths(ctx context.Context, touches journeys.TouchReader, rules journeys.StepRules, q PathQuery) (PathReport, error) {
	if err := rules.Validate(); err != nil {
		return PathReport{}, err
	}
	a := &Analytics{Store: Restepped{Touches: touches, Rules: rules}, Rules: rules}
	rep, err := a.Paths(ctx, q)
	if err != nil {
		return PathReport{}, fmt.Errorf("preview: %w", err)
	}
	return rep, nil
}

// Restepped is a SequenceReader that gives every event the step Rules say,
// whatever step it was stored with: the step sequences that rules would
// produce.
type Restepped struct {
	Touches journeys.TouchReader
	Rules   journeys.StepRules
}

// Sequences streams the step sequences of f under r.Rules.
func (r Restepped) Sequences(ctx context.Context, f journeys.Filter, withSessions bool) (journeys.SequenceSet, error) {
	set, err := r.Touches.Touches(ctx, journeys.TouchQuery{Filter: f, Every: true})
	if err != nil {
		return nil, err
	}
	return &resteppedSet{set: set, rules: r.Rules, sessions: withSessions}, nil
}

// resteppedSet maps a touch stream through step rules.
type resteppedSet struct {
	set      journeys.TouchSet
	rules    journeys.StepRules
	sessions bool
	cur      journeys.Sequence
}

func (it *resteppedSet) Next() bool {
	for it.set.Next() {
		ts := it.set.At()
		it.cur.Person, it.cur.Events = ts.Person, it.cur.Events[:0]
		for _, t := range ts.Touches {
			step, keep := it.rules.Step(journeys.Event{Type: t.Type, Name: t.Name, URL: t.URL})
			if !keep {
				continue
			}
			se := journeys.StepEvent{Step: step, TS: t.TS}
			if it.sessions {
				se.Session = t.Session
			}
			it.cur.Events = append(it.cur.Events, se)
		}
		if len(it.cur.Events) > 0 {
			return true
		}
	}
	return false
}

func (it *resteppedSet) At() journeys.Sequence { return it.cur }
func (it *resteppedSet) Err() error            { return it.set.Err() }
func (it *resteppedSet) Close() error          { return it.set.Close() }
