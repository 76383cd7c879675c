package journeys

import (
	"encoding/json"
	"time"
)

// Member is one person in a segment: since when, under which definition
// version and, for answers about a past date, why (the reason recorded when
// they entered).
type Member struct {
	Person  string          `json:"person"`
	Since   time.Time       `json:"since"`
	Version int             `json:"version"`
	Reason  json.RawMessage `json:"reason,omitempty"`
	// Control is true for a member of the segment's control group
	// (Segment.Holdout): an email tool mirroring the segment skips them.
	Control bool `json:"control,omitempty"`
}

// MemberContact is a member with the traits an email tool imports, when
// the person has them: Email, FirstName and LastName (traits email,
// firstName or first_name, lastName or last_name) and Name (trait name).
type MemberContact struct {
	Member
	Email, FirstName, LastName, Name string
}

// HistoryEntry is one ENTERED or LEFT record of a segment.
type HistoryEntry struct {
	Person  string          `json:"person"`
	Kind    string          `json:"kind"` // KindEntered or KindLeft
	At      time.Time       `json:"at"`
	Version int             `json:"version"`
	Reason  json.RawMessage `json:"reason,omitempty"`
	Control bool            `json:"control,omitempty"` // in the control group (Segment.Holdout) when recorded
}

// HistoryQuery selects history entries: in [From, To) (unbounded when
// zero), of one person when Person is set, at most Limit.
type HistoryQuery struct {
	From   time.Time
	To     time.Time
	Person string
	Limit  int
}

// SegmentChange is one entry of a segment's change feed: a person
// entering or leaving it, numbered in the order the changes were applied
// (Seq grows with each; the numbers of changes not applied are skipped).
// ID is the change's, as its webhook deliveries carry it.
type SegmentChange struct {
	Seq     int64           `json:"seq"`
	ID      string          `json:"id"`
	Kind    string          `json:"kind"` // KindEntered or KindLeft
	Person  string          `json:"person"`
	At      time.Time       `json:"at"`
	Version int             `json:"version"`
	Reason  json.RawMessage `json:"reason,omitempty"`
	Control bool            `json:"control,omitempty"` // in the control group: its webhook deliveries were held out
}

// EntryOutcome is what followed one person's entry into a segment: when
// they entered (their first entry in the window asked about), whether in
// the control group, and whether they converted (did the step asked about)
// within the time asked about. The uplift report counts them.
type EntryOutcome struct {
	Person    string    `json:"person"`
	At        time.Time `json:"at"`
	Control   bool      `json:"control"`
	Converted bool      `json:"converted"`
}

// OutcomeQuery asks for the EntryOutcome of everyone who entered Segment in
// [From, To): converted means an event of step Step in [entered, entered +
// Within).
type OutcomeQuery struct {
	Segment  string
	From, To time.Time
	Step     string
	Within   time.Duration
}

// PersonSegment is a segment a person is in now.
type PersonSegment struct {
	Segment string    `json:"segment"`
	Since   time.Time `json:"since"`
	Version int       `json:"version"`
}

// PersonScores are model outputs stored on a person: the decoded hidden
// state and propensities that segments' state and propensity blocks read.
// Nil fields are left as they are.
type PersonScores struct {
	Person       string   `json:"person"`
	State        *string  `json:"hmm_state,omitempty"`
	StateP       *float64 `json:"hmm_state_p,omitempty"`
	PConvert     *float64 `json:"p_convert,omitempty"`
	PUnsubscribe *float64 `json:"p_unsubscribe,omitempty"`
}
