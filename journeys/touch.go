package journeys

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Touch is one event of a person's journey as the chain analyses (friction,
// attribution) and the hidden-state models read it: its step ("" when the
// step rules exclude it), time and sender session (StepEvent), its raw type,
// name and URL (what the step rules read), its marketing source, device and
// value.
type Touch struct {
	StepEvent
	Type     string
	Name     string
	URL      string
	Channel  string
	Campaign string
	Device   string
	Value    float64
}

// TouchSequence is one person's touches in chain order: by time, then id.
type TouchSequence struct {
	Person  string
	Touches []Touch
}

// TouchSet iterates over touch sequences, one person at a time (in person
// id order), so that an analysis never holds every event at once. At is
// valid until the next call to Next. Close releases the stream and may be
// called at any point.
type TouchSet interface {
	Next() bool
	At() TouchSequence
	Err() error
	Close() error
}

// TouchQuery says which events to stream. Events are kept as Filter says
// (time range, channel, device, person-id prefix) and when they have a step
// (Events empty, or Steps set) or their name or step is one of Events, or
// always with Every.
type TouchQuery struct {
	Filter Filter
	Events []string
	Steps  bool // with Events: also every event that has a step
	Every  bool // every event, excluded ones (Step "") too
}

// AllSteps reports whether every event with a step is read.
func (q TouchQuery) AllSteps() bool { return len(q.Events) == 0 || q.Steps }

// TouchReader streams touch sequences. Touches returns, and the set's Err
// reports, errors with code EUNAVAILABLE when the store cannot be reached.
type TouchReader interface {
	Touches(ctx context.Context, q TouchQuery) (TouchSet, error)
}

// Touchpoint says what one element of a conversion path is.
type Touchpoint string

// Touchpoints of conversion paths.
const (
	// ByStep makes every event's step a touch.
	ByStep Touchpoint = "step"
	// ByChannel makes every session a touch, labelled with the channel of
	// its first event (NoSource when it has none).
	ByChannel Touchpoint = "channel"
	// ByCampaign is ByChannel with campaigns.
	ByCampaign Touchpoint = "campaign"
)

// NoSource labels a session whose first event has no channel or campaign.
const NoSource = "(none)"

// Defaults of PathOptions.
const (
	DefaultConversion  = "purchase"
	DefaultUnsubscribe = "unsubscribe"
	// NoUnsubscribe as PathOptions.Unsubscribe disables the unsubscribe
	// state.
	NoUnsubscribe = "-"
)

// PathOptions say how a person's touches become conversion paths, the
// journeys of an absorbing Markov chain.
//
// The touches are cut into units: sessions (a gap longer than
// SessionTimeout, or a change of sender session id, starts a new one) or
// the person's whole journey. A unit converts when it reaches the
// Conversion step: its path is what came before the first conversion and
// its value is the sum of the values of all its conversion events. A unit
// that reaches the Unsubscribe step first ends there, unconverted, with
// that step last on its path. The path's elements are steps, or one
// channel (campaign) per session of the unit up to the one that converts.
type PathOptions struct {
	Unit           Unit          `json:"unit"`                 // session (default for steps) or journey (default for channels and campaigns)
	By             Touchpoint    `json:"by"`                   // step (default), channel or campaign
	Conversion     string        `json:"conversion"`           // DefaultConversion when ""
	Unsubscribe    string        `json:"unsubscribe"`          // DefaultUnsubscribe when "", none when NoUnsubscribe
	SessionTimeout time.Duration `json:"session_timeout_ns"`   // DefaultSessionTimeout when 0
	Collapse       bool          `json:"collapse,omitempty"`   // merge consecutive identical touches
	MinLength      int           `json:"min_length,omitempty"` // paths with fewer touches are skipped (0: none)
}

// Normalize fills the defaults and validates o (an *Error with code
// EINVALID naming the field).
func (o *PathOptions) Normalize() error {
	switch o.By {
	case "":
		o.By = ByStep
	case ByStep, ByChannel, ByCampaign:
	default:
		return InvalidField("by", "unknown touchpoint %s (want step, channel or campaign)", Quote(string(o.By)))
	}
	if o.Unit == "" && o.By != ByStep {
		o.Unit = UnitJourney
	}
	u, err := ParseUnit("unit", o.Unit)
	if err != nil {
		return err
	}
	o.Unit = u
	if o.Conversion == "" {
		o.Conversion = DefaultConversion
	}
	if o.Unsubscribe == "" {
		o.Unsubscribe = DefaultUnsubscribe
	}
	if err := ValidStep("conversion", o.Conversion); err != nil {
		return err
	}
	if err := ValidStep("unsubscribe", o.Unsubscribe); err != nil {
		return err
	}
	if o.Unsubscribe == o.Conversion {
		return InvalidField("unsubscribe", "equals the conversion step %s", Quote(o.Conversion))
	}
	if o.SessionTimeout < 0 {
		return InvalidField("session_timeout", "negative")
	}
	if o.SessionTimeout == 0 {
		o.SessionTimeout = DefaultSessionTimeout
	}
	if o.MinLength < 0 {
		return InvalidField("min_length", "negative")
	}
	return nil
}

// UnsubscribeStep returns the unsubscribe step, "" when disabled.
func (o PathOptions) UnsubscribeStep() string {
	if o.Unsubscribe == NoUnsubscribe {
		return ""
	}
	return o.Unsubscribe
}

// ConversionPath is one unit of a person's journey as a chain journey.
type ConversionPath struct {
	Person       string
	Steps        []string // touches in order (steps, or channels/campaigns)
	Channel      string   // channel of the unit's first event
	Converted    bool
	Unsubscribed bool    // the path ends with the unsubscribe step
	Value        float64 // sum of the finite values of the unit's conversion events
	// SkippedValues counts the conversion values left out of Value: NaN
	// or ±Inf (stored unchecked by an older version), or a sum that would
	// overflow.
	SkippedValues int
	Start, End    int64 // epoch ms of the unit's first and last event
}

// Paths cuts seq into conversion paths (see PathOptions, which must be
// normalized) and calls fn with each; the path and its Steps are reused
// between calls. Touches without a step are ignored.
func (o PathOptions) Paths(seq TouchSequence, fn func(*ConversionPath)) {
	o.PathsInto(seq, &ConversionPath{}, fn)
}

// PathsInto is Paths cutting every path into p, whose Steps' array it reuses.
func (o PathOptions) PathsInto(seq TouchSequence, p *ConversionPath, fn func(*ConversionPath)) {
	timeout := o.SessionTimeout.Milliseconds()
	unsub := o.UnsubscribeStep()
	p.Person = seq.Person
	ts := seq.Touches
	if slices.ContainsFunc(ts, func(t Touch) bool { return t.Step == "" }) {
		ts = slices.DeleteFunc(slices.Clone(ts), func(t Touch) bool { return t.Step == "" })
	}
	for start := 0; start < len(ts); {
		end := start + 1
		for end < len(ts) && (o.Unit == UnitJourney || !NewSession(ts[end-1], ts[end], timeout)) {
			end++
		}
		o.unitPath(p, ts[start:end], timeout, unsub)
		if len(p.Steps) >= o.MinLength && (len(p.Steps) > 0 || p.Converted) {
			fn(p)
		}
		start = end
	}
}

// unitPath fills p from the touches of one unit.
func (o PathOptions) unitPath(p *ConversionPath, unit []Touch, timeout int64, unsub string) {
	p.Steps = p.Steps[:0]
	p.Channel = unit[0].Channel
	p.Converted, p.Unsubscribed, p.Value, p.SkippedValues = false, false, 0, 0
	p.Start, p.End = unit[0].TS, unit[len(unit)-1].TS
	add := func(s string) {
		if o.Collapse && len(p.Steps) > 0 && p.Steps[len(p.Steps)-1] == s {
			return
		}
		p.Steps = append(p.Steps, s)
	}
	for i, t := range unit {
		if p.Unsubscribed {
			break
		}
		if !p.Converted && o.By != ByStep && (i == 0 || NewSession(unit[i-1], t, timeout)) {
			add(sourceLabel(o.By, t))
		}
		switch {
		case t.Step == o.Conversion:
			p.Converted = true
			if v := p.Value + t.Value; IsFinite(v) {
				p.Value = v
			} else {
				p.SkippedValues++
			}
		case p.Converted:
		case unsub != "" && t.Step == unsub:
			p.Unsubscribed = true
			p.Steps = append(p.Steps, unsub)
		case o.By == ByStep:
			add(t.Step)
		}
	}
}

// newSession reports whether b starts a new session after a.
func NewSession(a, b Touch, timeout int64) bool {
	return b.TS-a.TS > timeout || (a.Session != "" && b.Session != "" && a.Session != b.Session)
}

// sourceLabel is the touch of a session starting with t.
func sourceLabel(by Touchpoint, t Touch) string {
	s := t.Channel
	if by == ByCampaign {
		s = t.Campaign
	}
	if strings.TrimSpace(s) == "" {
		return NoSource
	}
	return s
}

// TouchParter is a TouchReader that can also stream a query in n parts:
// streams of disjoint sets of people which, together, are Touches' stream
// and can be read concurrently (the journey cache can).
type TouchParter interface {
	TouchParts(ctx context.Context, q TouchQuery, n int) ([]TouchSet, error)
}

// OpenTouchParts opens q in n parts when r can split it, else in one.
func OpenTouchParts(ctx context.Context, r TouchReader, q TouchQuery, n int) ([]TouchSet, error) {
	if tp, ok := r.(TouchParter); ok {
		return tp.TouchParts(ctx, q, n)
	}
	set, err := r.Touches(ctx, q)
	if err != nil {
		return nil, err
	}
	return []TouchSet{set}, nil
}
