package journeys

import (
	"encoding/json"
	"regexp"
	"time"
)

// Segment is a named, versioned set of people defined by a condition over
// their journeys (see segments.md for the building blocks and the built-in
// playbook segments). The definition is data: it is stored as JSON,
// validated by ParseSegment and compiled by Compile into a Pred that the
// store renders as parameterised Cypher.
type Segment struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Where       Condition `json:"where"`
	// MinSize is the over-segmentation guard: a preview or refresh that
	// finds fewer members returns a warning (0: DefaultMinSegmentSize).
	MinSize int `json:"min_size,omitempty"`
	// Holdout, when set, keeps a control group whose webhook deliveries
	// are held out (see Holdout).
	Holdout *Holdout `json:"holdout,omitempty"`
	// Drift, when set, overrides the default drift thresholds (see Drift).
	Drift     *Drift    `json:"drift,omitempty"`
	Version   int       `json:"version,omitempty"`   // set by the store, +1 on each change of the definition
	BuiltIn   bool      `json:"built_in,omitempty"`  // a playbook segment (BuiltInSegments); read-only
	CreatedAt time.Time `json:"created_at,omitzero"` // set by the store
	UpdatedAt time.Time `json:"updated_at,omitzero"` // set by the store
	Members   int       `json:"members,omitempty"`   // current size, when listed
}

// DefaultMinSegmentSize is the size under which a segment is flagged as too
// small to act on (over-segmentation).
const DefaultMinSegmentSize = 50

// Condition is one node of a segment definition. Exactly one kind of node
// is set: a combinator (All, Any, Not) or a building block. Windows (Within,
// Ago) are relative to the evaluation's as_of time; without one a block
// looks at all events up to as_of. JSON examples:
//
//	{"all": [ ... ]}  {"any": [ ... ]}  {"not": { ... }}
//	{"did": "add_to_cart", "within": "7d"}
//	{"did_not": {"step": "purchase", "channel": "email"}, "within": "30d"}
//	{"count": "email_click", "min": 2, "within": "7d"}
//	{"count": "product_view", "same": "product", "min": 3, "within": "7d"}
//	{"count": "email_open", "min": 3, "ago": {"from": "90d", "to": "30d"}}
//	{"sequence": ["product_view", "add_to_cart", "checkout"], "gap": "1h", "within": "7d"}
//	{"not_followed": {"first": "add_to_cart", "then": "purchase"}, "within": "7d", "after": "last"}
//	{"last_seen": {"more_than": "30d"}}   {"first_seen": {"within": "7d"}}
//	{"last": "purchase", "more_than": "90d"}
//	{"state": "email_open+email_click"}   {"states": ["a", "b"]}
//	{"propensity": "unsubscribe", "at_least": 0.7}
//	{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 0.3, "within": "90d", "min_base": 5}
//	{"person": {"events": {"gte": 100}}}
//	{"people": ["u1", "u2"]}
//	{"cluster": {"index": 2}}   {"cluster": {"index": 0, "model": 7, "scope": "shop:"}}
type Condition struct {
	All []Condition `json:"all,omitempty"`
	Any []Condition `json:"any,omitempty"`
	Not *Condition  `json:"not,omitempty"`

	Did         *Match      `json:"did,omitempty"`          // at least one matching event in the window
	DidNot      *Match      `json:"did_not,omitempty"`      // no matching event in the window
	Count       *Match      `json:"count,omitempty"`        // Min ≤ number of matching events ≤ Max
	Same        string      `json:"same,omitempty"`         // count: per value of this event field (product, url, campaign, channel)
	Min         *int64      `json:"min,omitempty"`          // count: at least (default 1 for same, else 0)
	Max         *int64      `json:"max,omitempty"`          // count: at most
	Sequence    []Match     `json:"sequence,omitempty"`     // these events in this order (2 to 5), all in the window
	NotFollowed *FollowPair `json:"not_followed,omitempty"` // First in the window, and no Then after it
	After       string      `json:"after,omitempty"`        // not_followed: "last" (default), "each" or "any" First
	Gap         *Duration   `json:"gap,omitempty"`          // sequence: first to last at most; not_followed: Then counts only this soon after First

	LastSeen  *Recency  `json:"last_seen,omitempty"`  // any of the person's own events (outbound steps left out)
	FirstSeen *Recency  `json:"first_seen,omitempty"` // any of the person's own events (outbound steps left out)
	Last      *Match    `json:"last,omitempty"`       // did it, and its last time is more than MoreThan ago
	MoreThan  *Duration `json:"more_than,omitempty"`  // last: how long ago at least

	State  string   `json:"state,omitempty"`  // decoded hidden state label equals
	States []string `json:"states,omitempty"` // decoded hidden state label is one of

	// Rate compares two counts of the events in the window, of / per: it
	// holds when per ≥ MinBase (default 1) and AtLeast (default 0) ≤ of /
	// per ≤ AtMost (default unbounded).
	Rate       *RatePair `json:"rate,omitempty"`
	Propensity string    `json:"propensity,omitempty"` // "convert" or "unsubscribe"
	AtLeast    *float64  `json:"at_least,omitempty"`   // propensity: probability threshold in [0, 1]; rate: lowest of/per
	AtMost     *float64  `json:"at_most,omitempty"`    // rate: highest of/per
	MinBase    *int64    `json:"min_base,omitempty"`   // rate: the fewest per events that can match (at least 1)

	Person map[string]Comparison `json:"person,omitempty"` // whitelisted person fields (PersonFields)

	// People is a static list of person ids (a "static cohort"): the
	// person's id is one of them. Sorted and without duplicates once
	// parsed; ids of people not in the graph select nobody.
	People []string `json:"people,omitempty"`

	// Cluster holds when the person's behaviour vector at as_of is
	// nearest to a centroid of a stored clustering model (see ClusterRef).
	Cluster *ClusterRef `json:"cluster,omitempty"`

	Within *Duration `json:"within,omitempty"` // window: the last D up to as_of (inclusive)
	Ago    *AgoRange `json:"ago,omitempty"`    // window: from From ago (inclusive) to To ago (exclusive)
}

// Match selects events: by step (the default, the canonical vocabulary of
// DefaultStepRules such as "add_to_cart"), or by raw event name, optionally
// narrowed by comparisons on whitelisted event fields (EventFields). In
// JSON a bare string is a step ("purchase"); "*" is any event of the
// person's own: one with a step (identify and alias are not behaviour)
// that is not outbound (StepRules.Outbound: an email_sent is the
// marketer's doing, not the person's).
type Match struct {
	Step   string                `json:"step,omitempty"`
	Steps  []string              `json:"steps,omitempty"`  // any of these steps
	Event  string                `json:"event,omitempty"`  // raw event name
	Events []string              `json:"events,omitempty"` // any of these raw names
	Where  map[string]Comparison `json:"where,omitempty"`  // field → comparison, all must hold
}

// ClusterRef is a cluster block: the person's behaviour vector at as_of
// (journeys/profile: the events before as_of) is nearest to centroid
// Index of version Model of the clustering models of Scope (a person-id
// prefix, "" for everyone's), the scope's current model when Model is 0.
// The model is read at each evaluation, so the members follow behaviour as
// it changes; a person without an own event before as_of is in no cluster.
type ClusterRef struct {
	Index int    `json:"index"`
	Model int    `json:"model,omitempty"`
	Scope string `json:"scope,omitempty"`
}

// FollowPair is the First/Then pair of a not_followed block.
type FollowPair struct {
	First Match `json:"first"`
	Then  Match `json:"then"`
}

// RatePair is the of/per pair of a rate block: {"of": "email_open", "per":
// "email_sent"} is the open rate.
type RatePair struct {
	Of  Match `json:"of"`
	Per Match `json:"per"`
}

// Recency is the window of a last_seen or first_seen block: exactly one of
// MoreThan (at least this long ago) and Within (at most this long ago).
type Recency struct {
	MoreThan *Duration `json:"more_than,omitempty"`
	Within   *Duration `json:"within,omitempty"`
}

// AgoRange is a window in the past: events from From ago (inclusive) up to
// To ago (exclusive), From > To. {"from": "90d", "to": "30d"}.
type AgoRange struct {
	From Duration `json:"from"`
	To   Duration `json:"to"`
}

// Comparison compares one field with a value. In JSON a bare value means
// eq; otherwise an object with exactly one operator:
// {"eq": v} {"ne": v} {"in": [v...]} {"gt": n} {"gte": n} {"lt": n}
// {"lte": n} {"prefix": "s"} {"contains": "s"}. Numeric operators take
// numbers, prefix and contains take strings.
type Comparison struct {
	Op    string `json:"op"`
	Value any    `json:"value"` // string, float64, bool, or []any for "in"
}

// MarshalJSON writes the short form: the bare value for eq, else {op: value}.
func (c Comparison) MarshalJSON() ([]byte, error) {
	if c.Op == "eq" {
		return json.Marshal(c.Value)
	}
	return json.Marshal(map[string]any{c.Op: c.Value})
}

// MarshalJSON writes a Match that is only a step as the bare step.
func (m Match) MarshalJSON() ([]byte, error) {
	if m.Step != "" && len(m.Steps) == 0 && m.Event == "" && len(m.Events) == 0 && len(m.Where) == 0 {
		return json.Marshal(m.Step)
	}
	type plain Match
	return json.Marshal(plain(m))
}

// EventFields are the event properties a Match may compare, with the kind of
// value each holds: the whitelist the Cypher compiler maps to property names.
var EventFields = map[string]string{
	"channel":  "string",
	"campaign": "string",
	"device":   "string",
	"url":      "string",
	"product":  "string",
	"value":    "number",
}

// SameFields are the event fields a count may group by ("same product").
var SameFields = []string{"product", "url", "campaign", "channel"}

// PersonFields are the person properties a person block may compare:
// events (their number of events, all time), last_event (the name of their
// last event), hmm_state and hmm_state_p (decoded hidden state and its
// probability), p_convert and p_unsubscribe (propensities).
var PersonFields = map[string]string{
	"events":        "number",
	"last_event":    "string",
	"hmm_state":     "string",
	"hmm_state_p":   "number",
	"p_convert":     "number",
	"p_unsubscribe": "number",
}

// Limits of a definition: deeper, larger or longer ones are refused.
const (
	MaxSegmentDepth     = 8        // nesting of all/any/not
	MaxSegmentNodes     = 200      // conditions in one definition
	MaxSegmentBytes     = 64 << 10 // JSON size, apart from its people lists
	MaxSequenceSteps    = 5
	maxSegmentString    = 200 // bytes of a step, name, compared value or person id
	maxSegmentList      = 100 // values of an "in", steps of a Match
	maxSegmentCount     = 1_000_000_000
	maxSegmentWindow    = 20 * 365 * 24 * time.Hour
	maxSegmentDescBytes = 2000
)

// Limits of the people blocks (static lists of person ids).
const (
	// MaxSegmentPeople is the most person ids the people blocks of one
	// definition may list, all blocks together, duplicates removed.
	MaxSegmentPeople = 100_000
	// MaxStaticSegmentBytes is the most JSON a definition may take, its
	// people lists included (MaxSegmentBytes bounds the rest): the body
	// limit of the endpoints that take definitions.
	MaxStaticSegmentBytes = 8 << 20
)

var segmentNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
