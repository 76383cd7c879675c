package journeys

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SavedStepRules are step rules as a server keeps them: numbered versions,
// the first saved when the server first starts.
type SavedStepRules struct {
	StepRules
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StepRuleStore keeps the server's step rules.
type StepRuleStore interface {
	// LoadStepRules returns the saved rules; Version 0 when none are.
	LoadStepRules(ctx context.Context) (SavedStepRules, error)
	// SaveStepRules saves r as version r.Version, which must be one more
	// than the saved version (an *Error with code ECONFLICT otherwise).
	SaveStepRules(ctx context.Context, r SavedStepRules) error
}

// Restepper applies step rules to the stored events (graph.Store.Restep).
type Restepper interface {
	Restep(ctx context.Context, rules StepRules, prefix string) (read, changed int, err error)
}

// RestepStatus says how the last restep went.
type RestepStatus struct {
	Version  int       `json:"version"` // of the rules applied
	Running  bool      `json:"running"`
	Read     int       `json:"read"`
	Changed  int       `json:"changed"`
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
}

// Rulebook holds a server's current step rules, which analysts edit while
// it runs: it reads and saves them in Store, previews candidate rules on
// the stored journeys (Touches, every event), and after a save restamps
// the stored events' steps in the background (Restep) while new events
// get the new rules at once. Ingesters and reports read Current.
type Rulebook struct {
	Store   StepRuleStore
	Restep  Restepper
	Touches TouchReader
	// Prefix limits the restep to the people whose id starts with it (""
	// for everyone).
	Prefix string

	cur     atomic.Pointer[SavedStepRules]
	mu      sync.Mutex // guards status and saves
	status  RestepStatus
	wg      sync.WaitGroup
	resteps sync.Mutex // one restep at a time
	// users is held for reading by every ingest while it writes with the
	// rules it took (Use); a restep takes it for writing once, as a
	// barrier, so that events written with older rules are committed
	// before it reads the stored events.
	users sync.RWMutex
}

// Open loads the saved rules, or saves initial as version 1 when there are
// none (the server's first start). It returns the rules in force.
func (b *Rulebook) Open(ctx context.Context, initial StepRules) (SavedStepRules, error) {
	saved, err := b.Store.LoadStepRules(ctx)
	if err != nil {
		return SavedStepRules{}, err
	}
	if saved.Version == 0 {
		saved = SavedStepRules{StepRules: initial, Version: 1, UpdatedAt: time.Now().UTC()}
		if err := b.Store.SaveStepRules(ctx, saved); err != nil && ErrorCode(err) != ECONFLICT {
			return SavedStepRules{}, err
		} else if err != nil { // another server saved first
			if saved, err = b.Store.LoadStepRules(ctx); err != nil {
				return SavedStepRules{}, err
			}
		}
	}
	b.cur.Store(&saved)
	return saved, nil
}

// Current returns the rules in force (the zero rules before Open).
func (b *Rulebook) Current() SavedStepRules {
	if p := b.cur.Load(); p != nil {
		return *p
	}
	return SavedStepRules{}
}

// Use returns the rules in force for writing events with, and a release
// to call once those events are committed (or failed). A restep after a
// save waits for every earlier user to release before it reads the stored
// events, so that none written with the old rules commits behind it and
// keeps an old step.
func (b *Rulebook) Use() (SavedStepRules, func()) {
	b.users.RLock()
	return b.Current(), b.users.RUnlock
}

// Save validates rules and saves them as the version after base, the
// version the editor started from (an *Error with code ECONFLICT when
// someone saved since), makes them current, and resteps the stored events
// in the background (see Status). It returns the saved rules.
func (b *Rulebook) Save(ctx context.Context, rules StepRules, base int) (SavedStepRules, error) {
	if err := rules.Validate(); err != nil {
		return SavedStepRules{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur := b.Current(); base != cur.Version {
		return SavedStepRules{}, Errorf(ECONFLICT, "step rules: version %d was edited, but version %d is current: reload and edit again", base, cur.Version)
	}
	saved := SavedStepRules{StepRules: rules, Version: base + 1, UpdatedAt: time.Now().UTC()}
	if err := b.Store.SaveStepRules(ctx, saved); err != nil {
		return SavedStepRules{}, err
	}
	b.cur.Store(&saved)
	b.status = RestepStatus{Version: saved.Version, Running: true, Started: time.Now().UTC()}
	b.wg.Add(1)
	go b.restep(saved)
	return saved, nil
}

// restep applies saved to the stored events, unless newer rules were saved
// meanwhile (their own restep does it). Resteps run one at a time, so the
// last one to run is the current version's.
func (b *Rulebook) restep(saved SavedStepRules) {
	defer b.wg.Done()
	b.resteps.Lock()
	defer b.resteps.Unlock()
	if b.Current().Version != saved.Version {
		return
	}
	// Wait for the ingests that took older rules (new ones take saved).
	b.users.Lock()
	b.users.Unlock()
	read, changed, err := b.Restep.Restep(context.Background(), saved.StepRules, b.Prefix)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.status.Version != saved.Version {
		return
	}
	b.status.Running, b.status.Read, b.status.Changed, b.status.Finished = false, read, changed, time.Now().UTC()
	if err != nil {
		b.status.Error = ErrorMessage(err)
	}
}

// Wait waits for the background resteps started so far.
func (b *Rulebook) Wait() { b.wg.Wait() }

// Status returns how the last restep went.
func (b *Rulebook) Status() RestepStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.status
}

// PreviewPaths answers q as if rules were in force: every stored event is
// read and given its step by rules, in memory; nothing is saved.
func (b *Rulebook) PreviewPaths(ctx context.Context, rules StepRules, q PathQuery) (PathReport, error) {
	if err := rules.Validate(); err != nil {
		return PathReport{}, err
	}
	a := &Analytics{Store: Restepped{Touches: b.Touches, Rules: rules}, Rules: rules}
	rep, err := a.Paths(ctx, q)
	if err != nil {
		return PathReport{}, fmt.Errorf("preview: %w", err)
	}
	return rep, nil
}

// Restepped is a SequenceReader that gives every event the step Rules say,
// whatever step it was stored with: the step sequences that rules would
// produce.
type Restepped struct {
	Touches TouchReader
	Rules   StepRules
}

// Sequences streams the step sequences of f under r.Rules.
func (r Restepped) Sequences(ctx context.Context, f Filter, withSessions bool) (SequenceSet, error) {
	set, err := r.Touches.Touches(ctx, TouchQuery{Filter: f, Every: true})
	if err != nil {
		return nil, err
	}
	return &resteppedSet{set: set, rules: r.Rules, sessions: withSessions}, nil
}

// resteppedSet maps a touch stream through step rules.
type resteppedSet struct {
	set      TouchSet
	rules    StepRules
	sessions bool
	cur      Sequence
}

func (it *resteppedSet) Next() bool {
	for it.set.Next() {
		ts := it.set.At()
		it.cur.Person, it.cur.Events = ts.Person, it.cur.Events[:0]
		for _, t := range ts.Touches {
			step, keep := it.rules.Step(Event{Type: t.Type, Name: t.Name, URL: t.URL})
			if !keep {
				continue
			}
			se := StepEvent{Step: step, TS: t.TS}
			if it.sessions {
				se.Session = t.Session
			}
			it.cur.Events = append(it.cur.Events, se)
		}
		if len(it.cur.Events) > 0 {
			return true
		}
	}
	return false
}

func (it *resteppedSet) At() Sequence { return it.cur }
func (it *resteppedSet) Err() error   { return it.set.Err() }
func (it *resteppedSet) Close() error { return it.set.Close() }
