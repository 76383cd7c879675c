package propensity

import (
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Targets of a propensity model.
const (
	TargetConvert     = "convert"
	TargetUnsubscribe = "unsubscribe"
)

// DefaultHorizon is the window after a cutoff in which a label is looked for.
const DefaultHorizon = 30 * 24 * time.Hour

// Query configures a fit.
type Query struct {
	// Target is TargetConvert (default) or TargetUnsubscribe.
	Target string
	// Step is the step that labels the target (journeys.DefaultConversion or
	// journeys.DefaultUnsubscribe when "").
	Step string
	// Horizon is H (DefaultHorizon when 0; from 1 day to 365 days).
	Horizon time.Duration
	// Cutoff is T1, the training cutoff: the model learns from the vectors
	// at T1 and the labels in [T1, T1+H), and is tested on the vectors at
	// T2 = T1 + H and the labels in [T2, T2+H). Now − 2H when zero; T2+H
	// must not be after now.
	Cutoff time.Time
	// PersonPrefix scopes the people (and the model: one current model per
	// target and prefix).
	PersonPrefix string
	// C is the inverse L2 regularisation strength (1 when 0).
	C float64
	// Save stores the model and its report, and writes the scores on people
	// when the model validates better than the chain-state propensity.
	Save bool
}

// Normalize fills the defaults at now and validates q (an *Error with
// code EINVALID naming the field).
func (q *Query) Normalize(now time.Time) error {
	switch q.Target {
	case "":
		q.Target = TargetConvert
	case TargetConvert, TargetUnsubscribe:
	default:
		return journeys.InvalidField("target", "unknown target %s (want convert or unsubscribe)", journeys.Quote(q.Target))
	}
	if q.Step == "" {
		q.Step = journeys.DefaultConversion
		if q.Target == TargetUnsubscribe {
			q.Step = journeys.DefaultUnsubscribe
		}
	}
	if err := journeys.ValidStep("step", q.Step); err != nil {
		return err
	}
	if q.Horizon == 0 {
		q.Horizon = DefaultHorizon
	}
	if q.Horizon < 24*time.Hour || q.Horizon > 365*24*time.Hour {
		return journeys.InvalidField("horizon", "%s is not from 1 day to 365 days", q.Horizon)
	}
	if q.Cutoff.IsZero() {
		q.Cutoff = now.Add(-2 * q.Horizon)
	}
	q.Cutoff = q.Cutoff.UTC()
	if end := q.Cutoff.Add(2 * q.Horizon); end.After(now) {
		return journeys.InvalidField("cutoff", "%s plus twice the horizon (%s) is after now: the test window is not over", q.Cutoff.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if q.C == 0 {
		q.C = 1
	}
	if !(q.C > 0) {
		return journeys.InvalidField("c", "%g is not positive", q.C)
	}
	return nil
}

// Kind is the model kind of a target.
func Kind(target string) string { return journeys.ModelKindPropensity + target }
