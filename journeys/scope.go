package journeys

import (
	"context"
	"math"
	"strings"
	"time"
)

// Filter says which events an analysis (paths, transitions, funnels) looks
// at. Events are kept when their time is in [From, To) and their channel and
// device equal Channel and Device (when set); sequences are then built from
// the kept events only, so a device filter shows journeys as seen on that
// device. Events that the step rules exclude (no step) are never part of a
// sequence.
type Filter struct {
	From    time.Time `json:"from,omitzero"` // inclusive; no lower bound when zero
	To      time.Time `json:"to,omitzero"`   // exclusive; no upper bound when zero
	Channel string    `json:"channel,omitempty"`
	Device  string    `json:"device,omitempty"`
	// PersonPrefix keeps the people whose id starts with it: ids namespaced
	// by source ("msnbc-") or the run id of an integration test.
	PersonPrefix string `json:"person_prefix,omitempty"`
	// Segment keeps the people who are members of this segment now (see
	// InSegment).
	Segment string `json:"segment,omitempty"`
}

// Validate returns an *Error with code EINVALID when To is not after From.
func (f Filter) Validate() error {
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return InvalidField("to", "%s is not after from (%s)", f.To.Format(time.RFC3339), f.From.Format(time.RFC3339))
	}
	return nil
}

// Range returns From and To as epoch milliseconds, with math.MinInt64 and
// math.MaxInt64 standing for no bound.
func (f Filter) Range() (from, to int64) {
	from, to = math.MinInt64, math.MaxInt64
	if !f.From.IsZero() {
		from = f.From.UnixMilli()
	}
	if !f.To.IsZero() {
		to = f.To.UnixMilli()
	}
	return from, to
}

// Unit is what a path or a transition is counted over: one session or a
// person's whole journey.
type Unit string

// Units of analysis.
const (
	UnitSession Unit = "session" // split after the session timeout or a change of sender session id
	UnitJourney Unit = "journey" // a person's whole history in the filter
)

// parseUnit accepts "" (session), "session" and "journey".
func ParseUnit(field string, u Unit) (Unit, error) {
	switch u {
	case "":
		return UnitSession, nil
	case UnitSession, UnitJourney:
		return u, nil
	}
	return "", InvalidField(field, "unknown unit %s (want session or journey)", Quote(string(u)))
}

// StepEvent is one event of a step sequence.
type StepEvent struct {
	Step    string // the step label (never empty: excluded events are left out)
	TS      int64  // epoch milliseconds
	Session string // the sender's session id, "" when none
}

// Sequence is one person's step events in chain order: by time, then id.
type Sequence struct {
	Person string
	Events []StepEvent
}

// SequenceSet iterates over sequences, one person at a time, so that an
// analysis never holds every event at once. At is valid until the next call
// to Next. Close releases the stream and may be called at any point.
type SequenceSet interface {
	Next() bool
	At() Sequence
	Err() error
	Close() error
}

// SequenceReader streams the step sequences of the people with events in a
// filter. Sequences returns, and the set's Err reports, errors with code
// EUNAVAILABLE when the store cannot be reached. withSessions asks for the
// sender session ids (left "" otherwise, which saves transfer).
type SequenceReader interface {
	Sequences(ctx context.Context, f Filter, withSessions bool) (SequenceSet, error)
}

// splitter turns a sequence into units of analysis: it splits sessions (a
// gap longer than the timeout, or two different sender session ids) and,
// when collapse is set, drops an event that repeats the step of the previous
// one in the same session (as StepRules.Apply does at ingest).
type Splitter struct {
	unit     Unit
	timeout  int64 // milliseconds
	collapse bool
	buf      []StepEvent
}

func NewSplitter(unit Unit, timeout time.Duration, collapse bool) *Splitter {
	if timeout <= 0 {
		timeout = DefaultSessionTimeout
	}
	return &Splitter{unit: unit, timeout: timeout.Milliseconds(), collapse: collapse}
}

// units calls fn with each unit of events in order (a slice reused between
// calls and between sequences).
func (sp *Splitter) Units(events []StepEvent, fn func(unit []StepEvent)) {
	sp.buf = sp.buf[:0]
	for i, e := range events {
		newSession := i > 0 && (e.TS-events[i-1].TS > sp.timeout ||
			(e.Session != "" && events[i-1].Session != "" && e.Session != events[i-1].Session))
		if newSession && sp.unit == UnitSession && len(sp.buf) > 0 {
			fn(sp.buf)
			sp.buf = sp.buf[:0]
		}
		if sp.collapse && i > 0 && !newSession && e.Step == events[i-1].Step {
			continue
		}
		sp.buf = append(sp.buf, e)
	}
	if len(sp.buf) > 0 {
		fn(sp.buf)
	}
}

// invalidField returns an EINVALID *Error for one field of a request, its
// message "field: problem" and its one detail naming the field.
func InvalidField(field, format string, args ...any) *Error {
	d := RowErrorf(field, format, args...)
	return &Error{Code: EINVALID, Message: d.Error(), Details: []RowError{d}}
}

// validStep checks a step label given in a request.
func ValidStep(field, step string) *Error {
	if strings.TrimSpace(step) == "" {
		return InvalidField(field, "empty step")
	}
	if len(step) > 200 {
		return InvalidField(field, "step longer than 200 bytes")
	}
	return nil
}

// NoSegment returns an *Error with code EINVALID when f names a segment:
// readers that cannot filter by segment call it rather than ignore one
// (InSegment resolves segments in front of them).
func (f Filter) NoSegment() error {
	if f.Segment != "" {
		return InvalidField("segment", "this reader cannot filter by segment (wrap it in segment.InSegment)")
	}
	return nil
}
