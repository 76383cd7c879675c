package journeys

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
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
// applied and returns them. Every method returns EUNAVAILABLE when the
// store cannot be reached.
type SegmentStore interface {
	SaveSegment(ctx context.Context, s Segment, now time.Time) (Segment, error)
	Segment(ctx context.Context, name string) (Segment, error)
	Segments(ctx context.Context) ([]Segment, error)
	DeleteSegment(ctx context.Context, name string) error
	EvaluateSegment(ctx context.Context, p Pred, scope SegmentScope) ([]string, error)
	SegmentMembers(ctx context.Context, name string, scope SegmentScope) ([]string, error)
	Explain(ctx context.Context, people []string, leaves []EventCond) (map[string]Explanation, error)
	ApplyMembership(ctx context.Context, s Segment, at time.Time, changes []MembershipChange) ([]MembershipChange, error)
}

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
	TookMS  int64     `json:"took_ms"`
}

// Segmenter keeps membership current: it evaluates segments for some
// people or everyone, diffs against the stored membership and records the
// changes (with their webhook deliveries).
type Segmenter struct {
	Store SegmentStore
	Now   func() time.Time // time.Now when nil
	// OnChange, if set, is called after changes were stored (serve wakes the
	// webhook dispatcher with it).
	OnChange func()
}

func (sg *Segmenter) now() time.Time {
	if sg.Now != nil {
		return sg.Now().UTC()
	}
	return time.Now().UTC()
}

// Preview evaluates s (validated first) at asOf (now when zero) without
// storing anything, and returns the count and the first sample ids.
func (sg *Segmenter) Preview(ctx context.Context, s Segment, asOf time.Time, sample int) (Preview, error) {
	if err := s.Validate(); err != nil {
		return Preview{}, err
	}
	if asOf.IsZero() {
		asOf = sg.now()
	}
	start := time.Now()
	ids, err := sg.Store.EvaluateSegment(ctx, s.Compile(asOf), SegmentScope{})
	if err != nil {
		return Preview{}, err
	}
	pv := Preview{Count: len(ids), Sample: ids[:min(sample, len(ids))], AsOf: asOf, TookMS: time.Since(start).Milliseconds()}
	pv.Warning = sizeWarning(s, len(ids))
	return pv, nil
}

// sizeWarning is the over-segmentation guard's message, "" when s is big
// enough.
func sizeWarning(s Segment, n int) string {
	minSize := s.MinSize
	if minSize == 0 {
		minSize = DefaultMinSegmentSize
	}
	if n >= minSize {
		return ""
	}
	return fmt.Sprintf("only %d members, below the minimum size %d: too small to act on (widen the definition or lower min_size)", n, minSize)
}

// Save validates and stores a segment definition (built-in names are
// reserved), then re-evaluates it for everyone at now.
func (sg *Segmenter) Save(ctx context.Context, s Segment) (Segment, RefreshResult, error) {
	if err := s.Validate(); err != nil {
		return Segment{}, RefreshResult{}, err
	}
	for _, b := range BuiltInSegments() {
		if b.Name == s.Name && !s.BuiltIn {
			return Segment{}, RefreshResult{}, Errorf(ECONFLICT, "segment %q is built in and read-only: save yours under another name", s.Name)
		}
	}
	stored, err := sg.Store.SaveSegment(ctx, s, sg.now())
	if err != nil {
		return Segment{}, RefreshResult{}, err
	}
	res, err := sg.refresh(ctx, stored, SegmentScope{}, "save", sg.now())
	return stored, res, err
}

// EnsureBuiltIns stores the playbook segments (a changed built-in
// definition gets a new version) without evaluating them.
func (sg *Segmenter) EnsureBuiltIns(ctx context.Context) error {
	for _, s := range BuiltInSegments() {
		if _, err := sg.Store.SaveSegment(ctx, s, sg.now()); err != nil {
			return err
		}
	}
	return nil
}

// Refresh re-evaluates the named segments (every stored one when names is
// empty) for the people in scope at asOf (now when zero). trigger says why
// ("schedule", "ingest", "manual"...) and is recorded in each change's
// reason.
func (sg *Segmenter) Refresh(ctx context.Context, names []string, scope SegmentScope, trigger string, asOf time.Time) ([]RefreshResult, error) {
	if asOf.IsZero() {
		asOf = sg.now()
	}
	var segs []Segment
	if len(names) == 0 {
		all, err := sg.Store.Segments(ctx)
		if err != nil {
			return nil, err
		}
		segs = all
	} else {
		for _, n := range names {
			s, err := sg.Store.Segment(ctx, n)
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
		}
	}
	out := make([]RefreshResult, 0, len(segs))
	for _, s := range segs {
		r, err := sg.refresh(ctx, s, scope, trigger, asOf)
		if err != nil {
			return out, fmt.Errorf("segment %s: %w", s.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// refresh evaluates one stored segment in scope and applies the diff.
func (sg *Segmenter) refresh(ctx context.Context, s Segment, scope SegmentScope, trigger string, asOf time.Time) (RefreshResult, error) {
	start := time.Now()
	pred := s.Compile(asOf)
	want, err := sg.Store.EvaluateSegment(ctx, pred, scope)
	if err != nil {
		return RefreshResult{}, err
	}
	have, err := sg.Store.SegmentMembers(ctx, s.Name, scope)
	if err != nil {
		return RefreshResult{}, err
	}
	entered, left := diffSorted(want, have)
	res := RefreshResult{Segment: s.Name, Version: s.Version, Members: len(want), AsOf: asOf}
	if scope.People == nil && scope.Prefix == "" {
		res.Warning = sizeWarning(s, len(want))
	}
	if len(entered)+len(left) > 0 {
		var why map[string]Explanation
		if len(entered) > 0 {
			if why, err = sg.Store.Explain(ctx, entered, pred.Leaves()); err != nil {
				return res, err
			}
		}
		at, def := sg.now(), reasonDefinition(s.Where)
		changes := make([]MembershipChange, 0, len(entered)+len(left))
		for _, p := range entered {
			changes = append(changes, newChange(s, def, KindEntered, p, at, asOf, trigger, why[p]))
		}
		for _, p := range left {
			changes = append(changes, newChange(s, def, KindLeft, p, at, asOf, trigger, Explanation{}))
		}
		applied, err := sg.Store.ApplyMembership(ctx, s, at, changes)
		if err != nil {
			return res, err
		}
		for _, c := range applied {
			if c.Kind == KindEntered {
				res.Entered++
			} else {
				res.Left++
			}
		}
		if len(applied) > 0 && sg.OnChange != nil {
			sg.OnChange()
		}
	}
	res.TookMS = time.Since(start).Milliseconds()
	return res, nil
}

// changeReason is recorded on ENTERED/LEFT edges and sent in webhooks.
type changeReason struct {
	Trigger    string           `json:"trigger"`
	AsOf       time.Time        `json:"as_of"`
	Definition json.RawMessage  `json:"definition"` // people lists abbreviated (reasonDefinition)
	Version    int              `json:"version"`
	Events     []ExplainedEvent `json:"events,omitempty"`
	State      *stateReason     `json:"state,omitempty"`
}

type stateReason struct {
	Label string  `json:"label"`
	P     float64 `json:"p,omitempty"`
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

// newChange builds one change of s; def is its reasonDefinition.
func newChange(s Segment, def json.RawMessage, kind, person string, at, asOf time.Time, trigger string, why Explanation) MembershipChange {
	r := changeReason{Trigger: trigger, AsOf: asOf, Definition: def, Version: s.Version, Events: why.Events}
	if why.State != "" {
		r.State = &stateReason{Label: why.State, P: why.StateP}
	}
	reason, _ := json.Marshal(r)
	c := MembershipChange{ID: NewID(), Kind: kind, Segment: s.Name, Version: s.Version, Person: person, At: at, Reason: reason}
	c.Payload, _ = json.Marshal(WebhookEvent{ID: c.ID, Type: "segment." + kind, Segment: s.Name, Version: s.Version,
		Person: person, At: at, Reason: reason})
	return c
}

// NewID returns 16 random bytes in hex.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// diffSorted returns the ids of want missing from have (entered) and of
// have missing from want (left); both inputs sorted.
func diffSorted(want, have []string) (entered, left []string) {
	if !sort.StringsAreSorted(want) {
		sort.Strings(want)
	}
	if !sort.StringsAreSorted(have) {
		sort.Strings(have)
	}
	i, j := 0, 0
	for i < len(want) || j < len(have) {
		switch {
		case j == len(have) || (i < len(want) && want[i] < have[j]):
			entered = append(entered, want[i])
			i++
		case i == len(want) || have[j] < want[i]:
			left = append(left, have[j])
			j++
		default:
			i++
			j++
		}
	}
	return entered, left
}
