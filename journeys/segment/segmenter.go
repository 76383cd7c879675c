package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Segmenter keeps membership current: it evaluates segments for some
// people or everyone, diffs against the stored membership and records the
// changes (with their webhook deliveries).
type Segmenter struct {
	Store journeys.SegmentStore
	// Engine evaluates definitions (the journey cache, in memory); Store
	// does when nil (the Cypher reference). When Engine is also an
	// Explainer, it explains the entries too.
	Engine Evaluator
	Now    func() time.Time // time.Now when nil
	// OnChange, if set, is called after changes were stored (serve wakes the
	// webhook dispatcher with it).
	OnChange func()
	// Outbound returns the outbound steps in force (StepRules.OutboundSteps),
	// which segments do not count as the person's activity; nil: those of
	// DefaultStepRules.
	Outbound journeys.OutboundFunc

	// Timeout bounds one evaluation of a refresh, PreviewTimeout one of a
	// preview (DefaultTimeout and DefaultPreviewTimeout when 0): past it the
	// evaluation is cancelled and the error is ETIMEOUT.
	Timeout, PreviewTimeout time.Duration
	// Observer, if set, is told of every evaluation a refresh makes.
	Observer Observer
	// Clusters loads the clustering models of cluster blocks (nil: a
	// definition with a cluster block is refused).
	Clusters ClusterModels
	// Handoff, if set and running, takes the deliveries of the changes a
	// refresh applies, leased to it in the transaction that queues them
	// (when Store is a LeasingStore): it sends them once they commit,
	// without claiming them from the outbox first.
	Handoff Handoff

	locks sync.Map // segment name → *sync.Mutex: a save and its refresh, one at a time
}

// Observer is told of segment evaluations (metrics.Set).
type Observer interface {
	// ObserveEvaluation is called after each evaluation of a refresh with
	// its time and the members found; everyone is false when the refresh
	// was for a list of people only (members counts those), such as the
	// people a write touched.
	ObserveEvaluation(segment string, everyone bool, members int, took time.Duration)
	// ForgetSegment is called when a segment is deleted.
	ForgetSegment(segment string)
}

// Default deadlines of one evaluation.
const (
	DefaultTimeout        = time.Minute
	DefaultPreviewTimeout = 10 * time.Second
)

// evaluate runs the engine under a deadline of d (def when 0); a deadline
// that ended it is an ETIMEOUT error naming the segment and the limit.
func (sg *Segmenter) evaluate(ctx context.Context, eng Evaluator, name string, p journeys.Pred, scope journeys.SegmentScope, d, def time.Duration) ([]string, error) {
	if d <= 0 {
		d = def
	}
	ctx, cancel := context.WithTimeoutCause(ctx, d, errEvalDeadline)
	defer cancel()
	ids, err := eng.EvaluateSegment(ctx, p, scope)
	if err != nil && errors.Is(context.Cause(ctx), errEvalDeadline) {
		return nil, journeys.Errorf(journeys.ETIMEOUT, "segment %q: evaluation did not finish within its %v limit (narrow the definition, or retry when the store is less busy)", name, d)
	}
	return ids, err
}

// errEvalDeadline is the cause of an evaluation's own deadline, told apart
// from the caller's.
var errEvalDeadline = errors.New("segment evaluation deadline")

// Evaluator returns the people in scope for whom a compiled definition
// holds, sorted (journeys.SegmentStore.EvaluateSegment's contract).
type Evaluator interface {
	EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error)
}

// Explainer says why people matched: journeys.SegmentStore.Explain's
// contract.
type Explainer interface {
	Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error)
}

// explainer is eng when it explains, else the Store.
func (sg *Segmenter) explainer(eng Evaluator) Explainer {
	if e, ok := eng.(Explainer); ok {
		return e
	}
	return sg.Store
}

// Syncer is an Engine that evaluates on a copy of the store which it
// brings up to date before each evaluation (the journey cache). Held
// returns it as an engine that evaluates on what it holds, without that
// sync.
type Syncer interface {
	Sync(ctx context.Context) error
	Held() journeys.SegmentEngine
}

// PeopleSyncer is a Syncer that can also bring only some people up to
// date (every write of theirs committed before the call): a refresh of a
// list of people, such as the ingest hook's, syncs just those.
type PeopleSyncer interface {
	Syncer
	SyncPeople(ctx context.Context, people []string) error
}

// Handoff is a webhook dispatcher that takes deliveries leased to it as
// they are queued (webhook.Dispatcher).
type Handoff interface {
	// Claim describes the lease it takes now, false when it is not
	// running (nothing must then be leased to it).
	Claim() (journeys.Claim, bool)
	// Deliver sends deliveries leased to it.
	Deliver(batch []journeys.Delivery)
}

// LeasingStore is a SegmentStore that can lease the deliveries of the
// membership changes it applies, in the same transaction, to a dispatcher
// (graph.Store).
type LeasingStore interface {
	ApplyMembershipLeased(ctx context.Context, seg journeys.Segment, at time.Time, changes []journeys.MembershipChange, c journeys.Claim) ([]journeys.MembershipChange, []journeys.Delivery, error)
}

// MembershipReader is a SegmentStore that reads, for a list of people,
// their membership of every segment at once: for each segment, which of
// them are members now, sorted.
type MembershipReader interface {
	Memberships(ctx context.Context, people []string) (map[string][]string, error)
}

// syncedEngine returns the engine of a refresh of n segments in scope:
// when the Engine is a Syncer, synced once and held, so that every segment
// is evaluated on one state of the journeys and n−1 syncs are saved (each
// is two queries or more); for a list of people and a PeopleSyncer, synced
// for those people only (the ingest hook's: the write handed its events
// over, so usually no query at all). When that sync fails, it is the
// engine as is: each evaluation syncs, and reports the error.
func (sg *Segmenter) syncedEngine(ctx context.Context, n int, scope journeys.SegmentScope) Evaluator {
	if ps, ok := sg.Engine.(PeopleSyncer); ok && scope.People != nil {
		if ps.SyncPeople(ctx, scope.People) != nil {
			return sg.engine()
		}
		return ps.Held()
	}
	s, ok := sg.Engine.(Syncer)
	if !ok || n < 2 || s.Sync(ctx) != nil {
		return sg.engine()
	}
	return s.Held()
}

// engine is the evaluator in use.
func (sg *Segmenter) engine() Evaluator {
	if sg.Engine != nil {
		return sg.Engine
	}
	return sg.Store
}

// lock serialises the saves of one segment with their refreshes, so that
// the last version stored is the last one evaluated.
func (sg *Segmenter) lock(name string) func() { return lockOf(&sg.locks, name) }

// applying holds a mutex per segment name: the membership changes of one
// segment are written one transaction at a time in a process, whichever
// Segmenter writes them (serve has one for the segment hook, one for the
// schedule). Two at once deadlock in Neo4j now and then, even of disjoint
// people (2 of 60 in a run of two writers of 5 entries each), and the
// driver tries again after a second or two.
var applying sync.Map

// lockOf locks the mutex of name in locks (made at first use) and returns
// its unlock.
func lockOf(locks *sync.Map, name string) func() {
	m, _ := locks.LoadOrStore(name, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

func (sg *Segmenter) now() time.Time {
	if sg.Now != nil {
		return sg.Now().UTC()
	}
	return time.Now().UTC()
}

// Preview evaluates s at asOf (now when zero) without storing anything,
// and returns the count and the first sample ids. Like every method taking
// a definition, it trusts s to be valid: parsed once by the caller with
// journeys.ParseSegment, or checked with Segment.Validate when built in code.
func (sg *Segmenter) Preview(ctx context.Context, s journeys.Segment, asOf time.Time, sample int) (journeys.Preview, error) {
	if asOf.IsZero() {
		asOf = sg.now()
	}
	models := sg.assigners()
	if err := sg.checkClusters(ctx, s, models); err != nil {
		return journeys.Preview{}, err
	}
	start := time.Now()
	pred := s.Compile(asOf, sg.Outbound.Steps())
	if err := sg.resolveClusters(ctx, pred, models); err != nil {
		return journeys.Preview{}, err
	}
	ids, err := sg.evaluate(ctx, sg.engine(), s.Name, pred, journeys.SegmentScope{}, sg.PreviewTimeout, DefaultPreviewTimeout)
	if err != nil {
		return journeys.Preview{}, err
	}
	pv := journeys.Preview{Count: len(ids), Sample: ids[:min(sample, len(ids))], AsOf: asOf, TookMS: time.Since(start).Milliseconds()}
	pv.Warning = sizeWarning(s, len(ids))
	return pv, nil
}

// sizeWarning is the over-segmentation guard's message, "" when s is big
// enough.
func sizeWarning(s journeys.Segment, n int) string {
	minSize := s.MinSize
	if minSize == 0 {
		minSize = journeys.DefaultMinSegmentSize
	}
	if n >= minSize {
		return ""
	}
	return fmt.Sprintf("only %d members, below the minimum size %d: too small to act on (widen the definition or lower min_size)", n, minSize)
}

// Save stores a valid segment definition (see Preview), creating it or
// replacing its definition (built-in names are reserved: ECONFLICT), then
// re-evaluates it for everyone at now.
func (sg *Segmenter) Save(ctx context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error) {
	return sg.save(ctx, s, false)
}

// Create is Save for a new segment only: ECONFLICT when the name is taken,
// decided atomically by the store (of two creates of one name, one wins).
func (sg *Segmenter) Create(ctx context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error) {
	return sg.save(ctx, s, true)
}

func (sg *Segmenter) save(ctx context.Context, s journeys.Segment, create bool) (journeys.Segment, journeys.RefreshResult, error) {
	if IsBuiltIn(s.Name) && !s.BuiltIn {
		return journeys.Segment{}, journeys.RefreshResult{}, journeys.Errorf(journeys.ECONFLICT, "segment %q is built in and read-only: save yours under another name", s.Name)
	}
	if err := sg.checkClusters(ctx, s, sg.assigners()); err != nil {
		return journeys.Segment{}, journeys.RefreshResult{}, err
	}
	defer sg.lock(s.Name)()
	var stored journeys.Segment
	var err error
	if create {
		stored, err = sg.Store.CreateSegment(ctx, s, sg.now())
	} else {
		stored, err = sg.Store.SaveSegment(ctx, s, sg.now())
	}
	if err != nil {
		return journeys.Segment{}, journeys.RefreshResult{}, err
	}
	res, err := sg.refresh(ctx, sg.engine(), stored, journeys.SegmentScope{}, "save", sg.now(), nil)
	return stored, res, err
}

// Delete removes a segment with its membership and history: ENOTFOUND when
// there is none, ECONFLICT for a built-in.
func (sg *Segmenter) Delete(ctx context.Context, name string) error {
	s, err := sg.Store.Segment(ctx, name)
	if err != nil {
		return err
	}
	if s.BuiltIn {
		return journeys.Errorf(journeys.ECONFLICT, "segment %q is built in and cannot be deleted", s.Name)
	}
	defer sg.lock(name)()
	if err := sg.Store.DeleteSegment(ctx, name); err != nil {
		return err
	}
	if sg.Observer != nil {
		sg.Observer.ForgetSegment(name)
	}
	return nil
}

// IsBuiltIn says whether name is a playbook segment's.
func IsBuiltIn(name string) bool {
	for _, b := range BuiltInSegments() {
		if b.Name == name {
			return true
		}
	}
	return false
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
func (sg *Segmenter) Refresh(ctx context.Context, names []string, scope journeys.SegmentScope, trigger string, asOf time.Time) ([]journeys.RefreshResult, error) {
	if asOf.IsZero() {
		asOf = sg.now()
	}
	memberships := sg.memberships(ctx, scope) // read while the definitions are read and the engine syncs
	var segs []journeys.Segment
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
	eng := sg.syncedEngine(ctx, len(segs), scope)
	known, err := memberships()
	if err != nil {
		return nil, err
	}
	out := make([]journeys.RefreshResult, 0, len(segs))
	var failed RefreshErrors
	for _, s := range segs {
		r, err := sg.refresh(ctx, eng, s, scope, trigger, asOf, known)
		if err != nil {
			err = fmt.Errorf("segment %s: %w", s.Name, err)
			if ctx.Err() != nil || journeys.ErrorCode(err) == journeys.EUNAVAILABLE {
				return out, err // the others would fail alike
			}
			// One broken segment (a deleted clustering model, a timeout)
			// must not hold back the others.
			failed = append(failed, err)
			r = journeys.RefreshResult{Segment: s.Name, Version: s.Version, AsOf: asOf, Error: journeys.ErrorMessage(err)}
		}
		out = append(out, r)
	}
	if failed != nil {
		return out, failed
	}
	return out, nil
}

// RefreshErrors is the failures of a Refresh that went on past them, one
// error per segment that failed ("segment NAME: ..."); the other segments
// were refreshed.
type RefreshErrors []error

// Error lists the failures.
func (e RefreshErrors) Error() string { return errors.Join(e...).Error() }

// Unwrap returns the failures, for errors.Is and errors.As.
func (e RefreshErrors) Unwrap() []error { return e }

// Transient says whether trying again later may succeed: false when err
// is a RefreshErrors whose every failure is a segment's own fault (its
// definition invalid, or naming a model that does not exist), which only
// a change to the segment or the model mends.
func Transient(err error) bool {
	var re RefreshErrors
	if !errors.As(err, &re) {
		return err != nil
	}
	for _, e := range re {
		if c := journeys.ErrorCode(e); c != journeys.EINVALID && c != journeys.ENOTFOUND {
			return true
		}
	}
	return false
}

// memberships starts reading, for a list of people, their membership of
// every segment (MembershipReader: one query, whatever the number of
// segments), and returns the wait for it; the wait gives nil, nil when the
// store cannot or scope is not a list of people (each segment's members
// are then read on their own).
func (sg *Segmenter) memberships(ctx context.Context, scope journeys.SegmentScope) func() (map[string][]string, error) {
	mr, ok := sg.Store.(MembershipReader)
	if !ok || scope.People == nil || scope.Prefix != "" {
		return func() (map[string][]string, error) { return nil, nil }
	}
	var known map[string][]string
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		known, err = mr.Memberships(ctx, scope.People)
	}()
	return func() (map[string][]string, error) {
		<-done
		if err == nil && known == nil {
			known = map[string][]string{}
		}
		return known, err
	}
}

// refresh evaluates one stored segment in scope and applies the diff.
//
// known, when not nil, holds the members in scope of every segment (by
// name; MembershipReader), read once for a refresh of all; else they are
// read here.
func (sg *Segmenter) refresh(ctx context.Context, eng Evaluator, s journeys.Segment, scope journeys.SegmentScope, trigger string, asOf time.Time, known map[string][]string) (journeys.RefreshResult, error) {
	start := time.Now()
	pred := s.Compile(asOf, sg.Outbound.Steps())
	if err := sg.resolveClusters(ctx, pred, sg.assigners()); err != nil {
		return journeys.RefreshResult{}, err
	}
	want, err := sg.evaluate(ctx, eng, s.Name, pred, scope, sg.Timeout, DefaultTimeout)
	if err != nil {
		return journeys.RefreshResult{}, err
	}
	if sg.Observer != nil {
		sg.Observer.ObserveEvaluation(s.Name, scope.People == nil, len(want), time.Since(start))
	}
	have := known[s.Name]
	if known == nil {
		if have, err = sg.Store.SegmentMembers(ctx, s.Name, scope); err != nil {
			return journeys.RefreshResult{}, err
		}
	}
	entered, left := diffSorted(want, have)
	res := journeys.RefreshResult{Segment: s.Name, Version: s.Version, Members: len(want), AsOf: asOf}
	if scope.People == nil && scope.Prefix == "" {
		res.Warning = sizeWarning(s, len(want))
	}
	if len(entered)+len(left) > 0 {
		var why map[string]journeys.Explanation
		if len(entered) > 0 {
			if why, err = sg.explainer(eng).Explain(ctx, entered, pred.Leaves()); err != nil {
				return res, err
			}
		}
		at, def := sg.now(), journeys.ReasonDefinition(s.Where)
		changes := make([]journeys.MembershipChange, 0, len(entered)+len(left))
		for _, p := range entered {
			changes = append(changes, newChange(s, def, journeys.KindEntered, p, at, asOf, trigger, why[p]))
		}
		for _, p := range left {
			changes = append(changes, newChange(s, def, journeys.KindLeft, p, at, asOf, trigger, journeys.Explanation{}))
		}
		unlock := lockOf(&applying, s.Name)
		applied, err := sg.apply(ctx, s, at, changes)
		unlock()
		if errors.Is(err, journeys.ErrStale) {
			// Saved anew meanwhile: the new version's refresh decides.
			res.Warning = journeys.ErrorMessage(err) + ": left to the newer version's refresh"
			res.TookMS = time.Since(start).Milliseconds()
			return res, nil
		}
		if err != nil {
			return res, err
		}
		for _, c := range applied {
			if c.Kind == journeys.KindEntered {
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

// apply writes the changes of s; with a running Handoff and a
// LeasingStore, the deliveries they queue are leased to the Handoff in the
// same transaction and handed to it once that has committed.
func (sg *Segmenter) apply(ctx context.Context, s journeys.Segment, at time.Time, changes []journeys.MembershipChange) ([]journeys.MembershipChange, error) {
	if ls, ok := sg.Store.(LeasingStore); ok && sg.Handoff != nil {
		if c, running := sg.Handoff.Claim(); running {
			applied, leased, err := ls.ApplyMembershipLeased(ctx, s, at, changes, c)
			if err == nil && len(leased) > 0 {
				sg.Handoff.Deliver(leased)
			}
			return applied, err
		}
	}
	return sg.Store.ApplyMembership(ctx, s, at, changes)
}

// changeReason is recorded on ENTERED/LEFT edges and sent in webhooks.
type changeReason struct {
	Trigger    string                    `json:"trigger"`
	AsOf       time.Time                 `json:"as_of"`
	Definition json.RawMessage           `json:"definition"` // people lists abbreviated (reasonDefinition)
	Version    int                       `json:"version"`
	Events     []journeys.ExplainedEvent `json:"events,omitempty"`
	State      *stateReason              `json:"state,omitempty"`
}

type stateReason struct {
	Label string  `json:"label"`
	P     float64 `json:"p,omitempty"`
}

// newChange builds one change of s; def is its reasonDefinition.
func newChange(s journeys.Segment, def json.RawMessage, kind, person string, at, asOf time.Time, trigger string, why journeys.Explanation) journeys.MembershipChange {
	r := changeReason{Trigger: trigger, AsOf: asOf, Definition: def, Version: s.Version, Events: why.Events}
	if why.State != "" {
		r.State = &stateReason{Label: why.State, P: why.StateP}
	}
	reason, _ := json.Marshal(r)
	c := journeys.MembershipChange{ID: journeys.NewID(), Kind: kind, Segment: s.Name, Version: s.Version, Person: person, At: at, Reason: reason}
	c.Payload, _ = json.Marshal(journeys.WebhookEvent{ID: c.ID, Type: "segment." + kind, Segment: s.Name, Version: s.Version,
		Person: person, At: at, Reason: reason})
	return c
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
