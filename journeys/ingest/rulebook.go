package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// Rulebook holds a server's current step rules, which analysts edit while
// it runs: it reads and saves them in Store, previews candidate rules on
// the stored journeys (Touches, every event), and after a save restamps
// the stored events' steps in the background (Restep) while new events
// get the new rules at once. Ingesters and reports read Current.
type Rulebook struct {
	Store   journeys.StepRuleStore
	Restep  journeys.Restepper
	Touches journeys.TouchReader
	// Prefix limits the restep to the people whose id starts with it (""
	// for everyone).
	Prefix string

	cur     atomic.Pointer[journeys.SavedStepRules]
	mu      sync.Mutex // guards status and saves
	status  journeys.RestepStatus
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
func (b *Rulebook) Open(ctx context.Context, initial journeys.StepRules) (journeys.SavedStepRules, error) {
	saved, err := b.Store.LoadStepRules(ctx)
	if err != nil {
		return journeys.SavedStepRules{}, err
	}
	if saved.Version == 0 {
		saved = journeys.SavedStepRules{StepRules: initial, Version: 1, UpdatedAt: time.Now().UTC()}
		if err := b.Store.SaveStepRules(ctx, saved); err != nil && journeys.ErrorCode(err) != journeys.ECONFLICT {
			return journeys.SavedStepRules{}, err
		} else if err != nil { // another server saved first
			if saved, err = b.Store.LoadStepRules(ctx); err != nil {
				return journeys.SavedStepRules{}, err
			}
		}
	}
	b.cur.Store(&saved)
	return saved, nil
}

// Current returns the rules in force (the zero rules before Open).
func (b *Rulebook) Current() journeys.SavedStepRules {
	if p := b.cur.Load(); p != nil {
		return *p
	}
	return journeys.SavedStepRules{}
}

// Use returns the rules in force for writing events with, and a release
// to call once those events are committed (or failed). A restep after a
// save waits for every earlier user to release before it reads the stored
// events, so that none written with the old rules commits behind it and
// keeps an old step.
func (b *Rulebook) Use() (journeys.SavedStepRules, func()) {
	b.users.RLock()
	return b.Current(), b.users.RUnlock
}

// Save validates rules and saves them as the version after base, the
// version the editor started from (an *Error with code ECONFLICT when
// someone saved since), makes them current, and resteps the stored events
// in the background (see Status). It returns the saved rules.
func (b *Rulebook) Save(ctx context.Context, rules journeys.StepRules, base int) (journeys.SavedStepRules, error) {
	if err := rules.Validate(); err != nil {
		return journeys.SavedStepRules{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur := b.Current(); base != cur.Version {
		return journeys.SavedStepRules{}, journeys.Errorf(journeys.ECONFLICT, "step rules: version %d was edited, but version %d is current: reload and edit again", base, cur.Version)
	}
	saved := journeys.SavedStepRules{StepRules: rules, Version: base + 1, UpdatedAt: time.Now().UTC()}
	if err := b.Store.SaveStepRules(ctx, saved); err != nil {
		return journeys.SavedStepRules{}, err
	}
	b.cur.Store(&saved)
	b.status = journeys.RestepStatus{Version: saved.Version, Running: true, Started: time.Now().UTC()}
	b.wg.Add(1)
	go b.restep(saved)
	return saved, nil
}

// restep applies saved to the stored events, unless newer rules were saved
// meanwhile (their own restep does it). Resteps run one at a time, so the
// last one to run is the current version's.
func (b *Rulebook) restep(saved journeys.SavedStepRules) {
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
		b.status.Error = journeys.ErrorMessage(err)
	}
}

// Wait waits for the background resteps started so far.
func (b *Rulebook) Wait() { b.wg.Wait() }

// Status returns how the last restep went.
func (b *Rulebook) Status() journeys.RestepStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.status
}

// PreviewPaths answers q as if rules were in force, on every stored event
// (b.Touches) restepped in memory; nothing is saved.
func (b *Rulebook) PreviewPaths(ctx context.Context, rules journeys.StepRules, q report.PathQuery) (report.PathReport, error) {
	return report.PreviewPaths(ctx, b.Touches, rules, q)
}
