package report

import (
	"context"
	"fmt"

	"github.com/journeygraph/journeygraph/journeys"
)

// Analytics answers the journey reports (paths, transitions, funnels) by
// streaming step sequences from the store, one person at a time, and
// counting them with the step rules' collapsing. Its methods return errors
// with code EINVALID for a bad query (naming the field) and EUNAVAILABLE
// when the store cannot be reached.
type Analytics struct {
	Store journeys.SequenceReader
	Rules journeys.StepRules
	// Book, when set, gives the rules instead of Rules: its current ones.
	Book           RuleSource
	SessionTimeout journeys.Duration // DefaultSessionTimeout when 0
}

// RuleSource gives the step rules in force (ingest.Rulebook does).
type RuleSource interface {
	Current() journeys.SavedStepRules
}

// rules returns the step rules in force.
func (a *Analytics) rules() journeys.StepRules {
	if a.Book != nil {
		return a.Book.Current().StepRules
	}
	return a.Rules
}

// Paths returns the top paths of q.
func (a *Analytics) Paths(ctx context.Context, q PathQuery) (PathReport, error) {
	if err := q.Normalize(); err != nil {
		return PathReport{}, err
	}
	pc := NewPathCounter(q, a.rules(), a.SessionTimeout)
	if err := a.each(ctx, q.Filter, q.Unit == journeys.UnitSession, pc.Add); err != nil {
		return PathReport{}, fmt.Errorf("paths: %w", err)
	}
	return pc.Report(), nil
}

// Transitions returns the transition graph of q.
func (a *Analytics) Transitions(ctx context.Context, q TransitionQuery) (TransitionReport, error) {
	if err := q.Normalize(); err != nil {
		return TransitionReport{}, err
	}
	tc := NewTransitionCounter(q, a.rules(), a.SessionTimeout)
	if err := a.each(ctx, q.Filter, q.Unit == journeys.UnitSession, tc.Add); err != nil {
		return TransitionReport{}, fmt.Errorf("transitions: %w", err)
	}
	return tc.Report(), nil
}

// Funnel returns the per-step answer of f.
func (a *Analytics) Funnel(ctx context.Context, f Funnel) (FunnelReport, error) {
	if err := f.Normalize(); err != nil {
		return FunnelReport{}, err
	}
	fc := NewFunnelCounter(f, a.rules(), a.SessionTimeout, 0)
	if err := a.each(ctx, f.Filter, a.rules().CollapseRepeats, fc.Add); err != nil {
		return FunnelReport{}, fmt.Errorf("funnel: %w", err)
	}
	return fc.Report(), nil
}

// FunnelDropped returns a page of the people who dropped at q.Step.
func (a *Analytics) FunnelDropped(ctx context.Context, q DroppedQuery) (DroppedPage, error) {
	if err := q.Normalize(); err != nil {
		return DroppedPage{}, err
	}
	fc := NewFunnelCounter(q.Funnel, a.rules(), a.SessionTimeout, q.Step)
	if err := a.each(ctx, q.Funnel.Filter, a.rules().CollapseRepeats, fc.Add); err != nil {
		return DroppedPage{}, fmt.Errorf("funnel dropped: %w", err)
	}
	return fc.Dropped(q.Offset, q.Limit), nil
}

// each streams the sequences of f into add.
func (a *Analytics) each(ctx context.Context, f journeys.Filter, withSessions bool, add func(journeys.Sequence)) error {
	set, err := a.Store.Sequences(ctx, f, withSessions)
	if err != nil {
		return err
	}
	for set.Next() {
		add(set.At())
	}
	if err := set.Err(); err != nil {
		set.Close()
		return err
	}
	return set.Close()
}
