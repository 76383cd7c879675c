package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Funnel order modes.
const (
	OrderStrict  = "strict"  // each step is the very next step of the journey after the previous one
	OrderOrdered = "ordered" // the steps in order, other steps allowed between them
	OrderAny     = "any"     // all the steps, in any order
)

// Funnel limits and defaults.
const (
	MaxFunnelSteps      = 20
	DefaultFunnelWindow = journeys.Duration(30 * 24 * time.Hour)
	MaxFunnelWindow     = journeys.Duration(366 * 24 * time.Hour)
	DefaultDroppedLimit = 100
	MaxDroppedLimit     = 10000
)

// FunnelStep is one step of a funnel. In JSON it is an object or just the
// step label ("add_to_cart").
type FunnelStep struct {
	Step string `json:"step"`
	// Within bounds the time since the previous step (strict and ordered
	// orders only); 0 leaves only the funnel's Window.
	Within journeys.Duration `json:"within,omitzero"`
	// Optional marks a step people may skip (order ordered only; not the
	// first or last step): see Funnel.
	Optional bool `json:"optional,omitempty"`
}

// UnmarshalJSON accepts "label" or {"step": "label", "within": "1h"}.
func (s *FunnelStep) UnmarshalJSON(b []byte) error {
	var label string
	if err := json.Unmarshal(b, &label); err == nil {
		*s = FunnelStep{Step: label}
		return nil
	}
	type plain FunnelStep
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = FunnelStep(p)
	return nil
}

// ParseFunnelSteps reads steps written as a comma-separated list, an
// optional step marked with a trailing "?": "product_view, add_to_wishlist?,
// add_to_cart". Empty items are skipped.
func ParseFunnelSteps(text string) []FunnelStep {
	var out []FunnelStep
	for _, st := range strings.Split(text, ",") {
		st = strings.TrimSpace(st)
		name, optional := strings.CutSuffix(st, "?")
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, FunnelStep{Step: name, Optional: optional})
		}
	}
	return out
}

// Funnel is a funnel definition. A person enters at an event of the first
// step; the later steps must follow within Window of that entry, in the
// Order asked for, each within its step's Within of the previous one, and
// with none of the Exclude steps in between (a person who does one drops
// there). Funnels run over whole journeys in the Filter (sessions do not cut
// them), with repeats collapsed when the step rules say so.
//
// Each person is counted once per step. Every event of the first step starts
// an attempt; the person's attempt is the one that gets furthest, the
// earliest of those when several tie, and its times are the ones reported.
// Within an attempt each step is matched at its earliest event that still
// lets the funnel go furthest. In any order, the attempt reaching k steps is
// the shortest stretch of the journey, free of excluded steps, holding an
// event of each of the first k steps; its length must be within Window.
//
// Optional steps do not gate the funnel: the attempt is matched on the
// other (required) steps alone, and a person reaches an optional step when
// they reached the required step before it and did the optional one after
// that, before reaching the required step after it (or, when they did not,
// before the attempt's Window ended). An optional step's drop-off and
// conversion, and those of the required step after it, count from the
// required step before it; a Within after an optional step bounds the time
// since that previous required step.
type Funnel struct {
	Steps   []FunnelStep      `json:"steps"`
	Window  journeys.Duration `json:"window,omitzero"` // DefaultFunnelWindow when 0
	Order   string            `json:"order,omitempty"` // strict, ordered (default) or any
	Exclude []string          `json:"exclude,omitempty"`
	Filter  journeys.Filter   `json:"filter,omitzero"`
}

// Normalize fills the defaults and validates f. The error is an *Error with
// code EINVALID whose message names the first bad field
// ("steps[2].within: per-step windows need order strict or ordered") and
// whose Details list every problem.
func (f *Funnel) Normalize() error {
	if f.Order == "" {
		f.Order = OrderOrdered
	}
	if f.Window == 0 {
		f.Window = DefaultFunnelWindow
	}
	var details []journeys.RowError
	bad := func(row int, field, format string, args ...any) {
		details = append(details, journeys.RowError{Row: row, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if f.Order != OrderStrict && f.Order != OrderOrdered && f.Order != OrderAny {
		bad(0, "order", "unknown order mode %s (want strict, ordered or any)", journeys.Quote(f.Order))
	}
	if f.Window < 0 || f.Window > MaxFunnelWindow {
		bad(0, "window", "%s is not from 0 to %s", f.Window, MaxFunnelWindow)
	}
	if len(f.Steps) < 2 || len(f.Steps) > MaxFunnelSteps {
		bad(0, "steps", "%d steps: want 2 to %d", len(f.Steps), MaxFunnelSteps)
	}
	inFunnel := map[string]bool{}
	for i, s := range f.Steps {
		field := fmt.Sprintf("steps[%d]", i)
		if err := journeys.ValidStep(field+".step", s.Step); err != nil {
			details = append(details, journeys.RowError{Row: i, Field: field + ".step", Problem: err.Details[0].Problem})
		}
		inFunnel[s.Step] = true
		switch {
		case s.Within < 0 || s.Within > MaxFunnelWindow:
			bad(i, field+".within", "%s is not from 0 to %s", s.Within, MaxFunnelWindow)
		case s.Within != 0 && i == 0:
			bad(i, field+".within", "the first step has no previous step to be within")
		case s.Within != 0 && f.Order == OrderAny:
			bad(i, field+".within", "per-step windows need order strict or ordered")
		}
		switch {
		case !s.Optional:
		case f.Order != OrderOrdered:
			bad(i, field+".optional", "optional steps need order ordered")
		case i == 0 || i == len(f.Steps)-1:
			bad(i, field+".optional", "the first and last steps cannot be optional")
		}
	}
	for i, x := range f.Exclude {
		field := fmt.Sprintf("exclude[%d]", i)
		if err := journeys.ValidStep(field, x); err != nil {
			details = append(details, journeys.RowError{Row: i, Field: field, Problem: err.Details[0].Problem})
		} else if inFunnel[x] {
			bad(i, field, "%s is a step of the funnel", journeys.Quote(x))
		}
	}
	if err := f.Filter.Validate(); err != nil {
		e := err.(*journeys.Error)
		details = append(details, journeys.RowError{Field: "filter." + e.Details[0].Field, Problem: e.Details[0].Problem})
	}
	if len(details) == 0 {
		return nil
	}
	msg := details[0].Error()
	if n := len(details) - 1; n == 1 {
		msg += " (and 1 more problem)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", n)
	}
	return &journeys.Error{Code: journeys.EINVALID, Message: msg, Details: details}
}

// FunnelStepReport is one step of a funnel's answer.
type FunnelStepReport struct {
	Step   string `json:"step"`
	People int    `json:"people"` // people who reached this step
	// DropOff is the people who reached the previous step (the previous
	// required one) but not this one (0 for the first step): the people
	// FunnelDropped lists for this step.
	DropOff      int     `json:"drop_off"`
	Optional     bool    `json:"optional,omitempty"`
	FromPrevious float64 `json:"from_previous"` // People / previous (required) step's People (1 for the first)
	FromFirst    float64 `json:"from_first"`    // People / first step's People
	// TimeToConvert is the time from entering the funnel to reaching this
	// step, over the people who reached it; nil for the first step.
	TimeToConvert *journeys.Distribution `json:"time_to_convert,omitempty"`
}

// FunnelReport is the answer to a Funnel.
type FunnelReport struct {
	Funnel     Funnel             `json:"funnel"`
	PeopleSeen int                `json:"people_seen"` // people with events in the filter
	Steps      []FunnelStepReport `json:"steps"`
}

// DroppedQuery asks for the people who dropped at a funnel step: they
// reached step Step−1 but not Step (1 ≤ Step < len(Funnel.Steps)), sorted
// by id and paged.
type DroppedQuery struct {
	Funnel Funnel `json:"funnel"`
	Step   int    `json:"step"`
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"` // 1..MaxDroppedLimit; DefaultDroppedLimit when 0
}

// Normalize fills the defaults and validates q.
func (q *DroppedQuery) Normalize() error {
	if err := q.Funnel.Normalize(); err != nil {
		e := err.(*journeys.Error)
		for i := range e.Details {
			e.Details[i].Field = "funnel." + e.Details[i].Field
		}
		e.Message = "funnel." + e.Message
		return e
	}
	if q.Limit == 0 {
		q.Limit = DefaultDroppedLimit
	}
	switch {
	case q.Step < 1 || q.Step >= len(q.Funnel.Steps):
		return journeys.InvalidField("step", "%d is not from 1 to %d (people drop between a step and the next)", q.Step, len(q.Funnel.Steps)-1)
	case q.Offset < 0:
		return journeys.InvalidField("offset", "%d is negative", q.Offset)
	case q.Limit < 1 || q.Limit > MaxDroppedLimit:
		return journeys.InvalidField("limit", "%d is not from 1 to %d", q.Limit, MaxDroppedLimit)
	}
	return nil
}

// DroppedPerson is someone who dropped at a funnel step.
type DroppedPerson struct {
	ID string `json:"id"`
	// ReachedAt is when their attempt reached the previous step, the last
	// one they reached.
	ReachedAt time.Time `json:"reached_at"`
}

// DroppedPage is one page of the people who dropped at a step.
type DroppedPage struct {
	Step       int             `json:"step"`
	StepName   string          `json:"step_name"`
	Total      int             `json:"total"` // equals the step's DropOff in the FunnelReport
	Offset     int             `json:"offset"`
	People     []DroppedPerson `json:"people"`
	NextOffset *int            `json:"next_offset"` // nil on the last page
}
