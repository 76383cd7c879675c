package inmem

import (
	"context"
	"slices"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// Written is what a write appended to one person's journey, as the store
// holds the person once it committed: the events added after the person's
// last event, which was PrevID ("" when the person had none), with the
// person's touched time, fields, Rewritten and event count after the write.
type Written struct {
	JourneyTail
	PrevID string
}

// TailWriter is an event writer that also returns, for each person a
// write only appended to, what it appended (graph.Store). People whose
// chain it rebuilt (a late event, an identity merge) are in the result's
// People but not in the tails.
type TailWriter interface {
	WriteEventsTails(ctx context.Context, events []journeys.Event) (journeys.WriteResult, []Written, error)
}

// WriteThrough is a journeys.EventWriter that writes with Writer and hands
// what each committed write appended to Cache, so that SyncPeople (the
// segment hook's sync of the people a write touched) takes it from memory
// instead of reading it back from the store.
type WriteThrough struct {
	Writer TailWriter
	Cache  *Cache
}

var _ journeys.EventWriter = WriteThrough{}

// WriteEvents writes events and, once they are committed, hands the
// appended tails to the cache.
func (w WriteThrough) WriteEvents(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	res, tails, err := w.Writer.WriteEventsTails(ctx, events)
	if err == nil {
		w.Cache.Push(tails)
		// An identity merge takes the previous id's events away: the next
		// SyncPeople reads whether that person is still there.
		var gone []string
		for _, e := range events {
			if e.PreviousID != "" {
				gone = append(gone, e.PreviousID)
			}
		}
		w.Cache.Recheck(gone)
	}
	return res, err
}

// maxPending bounds the people whose written tails wait for SyncPeople:
// past it they are all dropped (SyncPeople then reads those people).
const maxPending = 100_000

// Push keeps tails until SyncPeople asks for their people (the people
// outside Prefix are not kept). WriteThrough calls it with each committed
// write's tails.
func (c *Cache) Push(tails []Written) {
	c.pendMu.Lock()
	defer c.pendMu.Unlock()
	if c.pending == nil || len(c.pending) > maxPending {
		c.pending = map[string][]Written{}
	}
	for _, t := range tails {
		if strings.HasPrefix(t.Person, c.Prefix) {
			c.pending[t.Person] = append(c.pending[t.Person], t)
		}
	}
}

// Recheck has the next SyncPeople read these people too (people an
// identity merge may have taken away).
func (c *Cache) Recheck(people []string) {
	if len(people) == 0 {
		return
	}
	c.pendMu.Lock()
	defer c.pendMu.Unlock()
	if c.recheck == nil || len(c.recheck) > maxPending {
		c.recheck = map[string]bool{}
	}
	for _, id := range people {
		c.recheck[id] = true
	}
}

// take removes and returns the pending tails of people, and adds to
// people those to recheck.
func (c *Cache) take(people *[]string) map[string][]Written {
	c.pendMu.Lock()
	defer c.pendMu.Unlock()
	for id := range c.recheck {
		*people = append(*people, id)
	}
	clear(c.recheck)
	out := make(map[string][]Written)
	for _, id := range *people {
		if ts, ok := c.pending[id]; ok {
			out[id] = ts
			delete(c.pending, id)
		}
	}
	return out
}

// SyncPeople brings the given people up to date (every write that
// committed before the call), without looking for anyone else: each one's
// tails handed over by a WriteThrough are applied when they prove to
// continue what the cache holds (the same proof as a sync's tail read:
// same Rewritten, the previous last event is the one held, the event
// counts add up); anyone else is read from the store as a sync reads a
// stale person. People outside Prefix are left out. The segment hook calls
// it for the people a write touched, then evaluates on Held.
func (c *Cache) SyncPeople(ctx context.Context, people []string) error {
	old, err := c.lockLoaded(ctx)
	if err != nil {
		return err
	}
	defer c.syncMu.Unlock()
	people = slices.Clone(people)
	pending := c.take(&people)
	slices.Sort(people)
	people = slices.Compact(people)
	changes := map[string]*cachedPerson{}
	var stale []string
	for _, id := range people {
		if !strings.HasPrefix(id, c.Prefix) {
			continue
		}
		ws := pending[id]
		p, ok := old.find(id), len(ws) > 0
		for i := 0; ok && i < len(ws); i++ {
			p, ok = c.applyWritten(p, &ws[i])
		}
		if ok {
			changes[id] = p
		} else {
			stale = append(stale, id)
		}
	}
	if err := c.refresh(ctx, old, stale, changes); err != nil {
		return err
	}
	if len(changes) > 0 {
		c.snap.Store(old.apply(changes, c.strs.strs, func(p *cachedPerson) personMeta { return metaOf(p, &c.bits) }))
	}
	return nil
}

// applyWritten returns p (nil: not held) with w applied, and whether w
// proved to apply: w continues p, or p holds w already (a sync read the
// person after w committed).
func (c *Cache) applyWritten(p *cachedPerson, w *Written) (*cachedPerson, bool) {
	if p == nil {
		if w.PrevID != "" || len(w.Touches) != w.Events {
			return nil, false
		}
		return c.person(w.StoredJourney), true
	}
	n := len(p.events)
	if p.rewritten != w.Rewritten {
		return p, false
	}
	if w.Events <= n && w.Events > 0 && p.ids.at(w.Events-1) == w.LastID {
		return p, true // held already
	}
	if p.lastID != w.PrevID || n+len(w.Touches) != w.Events {
		return p, false
	}
	return c.extend(p, &w.JourneyTail), true
}
