package journeys

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"
)

// SegmentScope restricts an evaluation to some people: those whose id
// starts with Prefix ("" is everyone) and, when People is not nil, only
// those listed. Outside the scope nothing is read or changed, so tests
// sharing one database (and re-evaluations of the people a write touched)
// never disturb other people's membership.
type SegmentScope struct {
	Prefix string
	People []string
}

// Membership change kinds: the webhook event kinds too.
const (
	KindEntered      = "entered"
	KindLeft         = "left"
	KindStateChanged = "state_changed"
	KindDrifted      = "drifted" // a segment's size or composition crossed a drift threshold
)

// MembershipChange is one person entering or leaving a segment. The store
// records it as an ENTERED or LEFT edge (with At, Version and Reason) and,
// in the same transaction, queues one webhook delivery per matching
// subscription with Payload as the event.
type MembershipChange struct {
	ID      string          `json:"id"` // unique; the deliveries' idempotency keys derive from it
	Kind    string          `json:"kind"`
	Segment string          `json:"segment"`
	Version int             `json:"version"`
	Person  string          `json:"person"`
	At      time.Time       `json:"at"`
	Reason  json.RawMessage `json:"reason"`
	Payload json.RawMessage `json:"-"`
	// Control is set by the store: the person is in the segment's control
	// group (Segment.Control) and the change's deliveries are held out.
	Control bool `json:"control,omitempty"`
}

// Explanation is why a person matched: their recent events among those the
// definition's positive conditions select (see Pred.Leaves), newest first,
// and their decoded hidden state if any.
type Explanation struct {
	Events []ExplainedEvent `json:"events"`
	State  string           `json:"state,omitempty"`
	StateP float64          `json:"state_p,omitempty"`
}

// ExplainedEvent is one event of an Explanation.
type ExplainedEvent struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Step    string    `json:"step,omitempty"`
	Time    time.Time `json:"time"`
	Product string    `json:"product,omitempty"`
	Channel string    `json:"channel,omitempty"`
}

// SegmentStore keeps segment definitions and their membership.
//
// SaveSegment stores s, creating it at version 1 or, when its definition
// changed, bumping the version; it returns the stored segment. Segment
// returns ENOTFOUND for an unknown name; DeleteSegment removes the
// definition with its membership and history (ENOTFOUND when absent).
// EvaluateSegment returns the people in scope for whom p holds, sorted;
// SegmentMembers the people in scope who are members now, sorted.
// ApplyMembership records the changes, ignoring those already true (another
// evaluation got there first), queues webhook deliveries for the ones it
// applied and returns them; it applies nothing and returns an ECONFLICT
// error wrapping ErrStale when the stored segment is no longer at
// s.Version (a newer definition's evaluation decides). CreateSegment is
// SaveSegment for a new name only: ECONFLICT when it exists. Every method
// returns EUNAVAILABLE when the store cannot be reached.
type SegmentStore interface {
	SaveSegment(ctx context.Context, s Segment, now time.Time) (Segment, error)
	CreateSegment(ctx context.Context, s Segment, now time.Time) (Segment, error)
	Segment(ctx context.Context, name string) (Segment, error)
	Segments(ctx context.Context) ([]Segment, error)
	DeleteSegment(ctx context.Context, name string) error
	EvaluateSegment(ctx context.Context, p Pred, scope SegmentScope) ([]string, error)
	SegmentMembers(ctx context.Context, name string, scope SegmentScope) ([]string, error)
	Explain(ctx context.Context, people []string, leaves []EventCond) (map[string]Explanation, error)
	ApplyMembership(ctx context.Context, s Segment, at time.Time, changes []MembershipChange) ([]MembershipChange, error)
}

// SegmentEngine evaluates compiled definitions and explains their members:
// what a SegmentStore does in Cypher and the journey cache in memory.
type SegmentEngine interface {
	EvaluateSegment(ctx context.Context, p Pred, scope SegmentScope) ([]string, error)
	Explain(ctx context.Context, people []string, leaves []EventCond) (map[string]Explanation, error)
}

// ErrStale is wrapped by the error of ApplyMembership when the segment's
// definition changed while an older version was evaluated.
var ErrStale = errors.New("segment definition changed during evaluation")

// Preview is what a definition would select, before it is saved.
type Preview struct {
	Count   int       `json:"count"`
	Sample  []string  `json:"sample"`
	AsOf    time.Time `json:"as_of"`
	Warning string    `json:"warning,omitempty"` // the over-segmentation guard
	TookMS  int64     `json:"took_ms"`
}

// RefreshResult says what one segment's re-evaluation changed.
type RefreshResult struct {
	Segment string    `json:"segment"`
	Version int       `json:"version"`
	Members int       `json:"members"` // in the scope, after the refresh
	Entered int       `json:"entered"`
	Left    int       `json:"left"`
	AsOf    time.Time `json:"as_of"`
	Warning string    `json:"warning,omitempty"`
	// Error is why this segment was not refreshed, when it failed while
	// the others of the same refresh went on.
	Error  string `json:"error,omitempty"`
	TookMS int64  `json:"took_ms"`
}

// WebhookEvent is the event a webhook delivery carries.
type WebhookEvent struct {
	ID      string          `json:"id"`   // the change's id
	Type    string          `json:"type"` // "segment.entered", "segment.left", "test" (state_changed: StateChangedEvent)
	Segment string          `json:"segment,omitempty"`
	Version int             `json:"version,omitempty"`
	Person  string          `json:"person,omitempty"`
	At      time.Time       `json:"at"`
	Reason  json.RawMessage `json:"reason,omitempty"` // trigger, as_of, definition and version, matched events, state
}

// NewID returns 16 random bytes in hex.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
