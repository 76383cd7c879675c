package journeys

import (
	"context"
	"time"
)

// Person is someone whose events form one journey.
type Person struct {
	ID        string    `json:"id"`
	Events    int       `json:"events"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Aliases   []string  `json:"aliases,omitempty"` // anonymous ids merged into this person
	Traits    string    `json:"traits,omitempty"`  // the traits of every identify merged (MergeTraits), as JSON
}

// JourneyEvent is one event of a journey with its place in it.
type JourneyEvent struct {
	Event
	GapSeconds float64 `json:"gap_s"`   // time since the previous event (0 for the first)
	SessionIdx int     `json:"session"` // 0-based session index within the journey
}

// Session is a run of events without an inactivity gap longer than the
// session timeout.
type Session struct {
	Index  int       `json:"index"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Events int       `json:"events"`
	Steps  []string  `json:"steps"` // step labels in order; excluded events left out
}

// Journey is one person's events in time order, split into sessions.
type Journey struct {
	Person   Person         `json:"person"`
	Events   []JourneyEvent `json:"events"`
	Sessions []Session      `json:"sessions"`
	// SkippedValues counts the events whose stored value was not a finite
	// number (NaN, ±Inf stored unchecked by an older version): their value
	// is shown as 0.
	SkippedValues int `json:"skipped_values,omitempty"`
}

// JourneyReader reads one person's journey. Journey returns an error with
// code ENOTFOUND when the person does not exist and EUNAVAILABLE when the
// store cannot be reached.
type JourneyReader interface {
	Journey(ctx context.Context, person string, limit int) (Person, []JourneyEvent, error)
}

// BuildJourney splits events (in chain order) into sessions: a new session
// starts after a gap longer than timeout (DefaultSessionTimeout when 0).
func BuildJourney(p Person, events []JourneyEvent, timeout time.Duration) Journey {
	if timeout <= 0 {
		timeout = DefaultSessionTimeout
	}
	times := make([]time.Time, len(events))
	for i, e := range events {
		times[i] = e.Time
	}
	idx := Sessionize(times, timeout)
	j := Journey{Person: p, Events: events, Sessions: []Session{}}
	for i := range events {
		if !IsFinite(events[i].Value) {
			events[i].Value = 0
			j.SkippedValues++
		}
		events[i].SessionIdx = idx[i]
		if idx[i] == len(j.Sessions) {
			j.Sessions = append(j.Sessions, Session{Index: idx[i], Start: events[i].Time, Steps: []string{}})
		}
		s := &j.Sessions[idx[i]]
		s.End = events[i].Time
		s.Events++
		if events[i].Step != "" {
			s.Steps = append(s.Steps, events[i].Step)
		}
	}
	return j
}
