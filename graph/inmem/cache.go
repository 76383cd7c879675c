package inmem

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Defaults of a Cache.
const (
	// DefaultChangeWindow is how far back a full sync (Run) looks for
	// changed people before the previous full sync began: longer than any
	// write transaction that stamps people (graph bounds them to a
	// minute), so that a write committed after a sync that could not see
	// it is found by the next.
	DefaultChangeWindow = 2 * time.Minute
	// DefaultQuickWindow is how far back the sync before each read looks
	// before the previous sync began: longer than an event batch takes to
	// commit, short enough that the people it lists are few.
	DefaultQuickWindow = 5 * time.Second
	// cachePage is how many people a load or sync reads per query.
	cachePage = 1000
)

// Cache keeps every person's journey in memory, in a compact form, and
// answers the sequence and touch streams of the reports (SequenceReader,
// TouchReader) from it instead of reading every event from the store for
// every report. It is loaded once (Load) and brought up to date before
// each read (Sync): the people whose touched time changed since the last
// sync are read again, and a person count that disagrees with the store's
// (a person deleted or merged away) makes it reconcile every id. So a
// report sees every event committed before it started, except a write
// whose transaction took longer than QuickWindow to commit, and, with a
// Prefix, people deleted or merged away: the full syncs of Run (over
// ChangeWindow) find those.
//
// Readers never wait for a sync and never lock: each read works on an
// immutable snapshot, which a sync replaces.
type Cache struct {
	Source JourneySource
	// Prefix keeps only the people whose id starts with it ("" for
	// everyone): a read sees those people only.
	Prefix string
	// ChangeWindow is DefaultChangeWindow when 0, QuickWindow
	// DefaultQuickWindow.
	ChangeWindow, QuickWindow time.Duration

	snap     atomic.Pointer[cacheSnapshot]
	syncMu   sync.Mutex // one load or sync at a time; guards the rest
	last     int64      // start of the last sync, epoch ms
	lastFull int64      // start of the last load or full sync
	strs     interner
	bits     stepBits // the bits of the step and name ids in the people's masks
	live     int      // strings in use at the last load or compaction

	synced atomic.Int64 // start of the last completed load or sync, epoch ms (LastSync)

	pendMu  sync.Mutex
	pending map[string][]Written // tails a WriteThrough handed over, until SyncPeople takes them
	recheck map[string]bool      // people the next SyncPeople reads too
}

// cacheSnapshot is one immutable state of the cache: people sorted by id.
type cacheSnapshot struct {
	ids    []string
	people []*cachedPerson
	meta   []personMeta // beside people: what segment seeds test without reading a person
	strs   []string     // interned strings (append-only: an old header stays valid)
	events int
}

// cachedPerson is one person's events in chain order, with their stored
// properties and the person's own.
type cachedPerson struct {
	touched int64
	events  []cachedEvent
	// lastID is the id of the last event ("" for none), and rewritten the
	// person's StoredJourney.Rewritten: what a tail read starts from and
	// checks (cache_tail.go).
	lastID    string
	rewritten int64
	// ids are the events' ids (same index as events).
	ids eventIDs
	// props holds the person's fields and traits (props[:attrs]), then the
	// stored properties of each event in turn: event k's end at
	// events[k].props, and start where the previous event's end (attrs for
	// the first event).
	props []cachedProp
	attrs uint32
}

// cachedEvent is a Touch with its strings interned (0 is ""), plus the
// product and the end of the event's stored properties in its person's
// props. The store keeps no empty string and no value 0 (graph.EventRow
// leaves them out), so 0 stands for "none" in every field.
type cachedEvent struct {
	ts                                 int64
	value                              float64
	step, typ, name, url               uint32
	session, channel, campaign, device uint32
	product, props                     uint32
}

// interner maps strings to dense ids; id 0 is "".
type interner struct {
	ids  map[string]uint32
	strs []string
}

func (in *interner) id(s string) uint32 {
	if s == "" {
		return 0
	}
	if in.ids == nil {
		in.ids, in.strs = map[string]uint32{}, []string{""}
	}
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

var (
	_ journeys.SequenceReader = (*Cache)(nil)
	_ journeys.TouchReader    = (*Cache)(nil)
)

// Ready reports whether Load has finished.
func (c *Cache) Ready() bool { return c.snap.Load() != nil }

// Stats returns the number of people and events held.
func (c *Cache) Stats() (people, events int) {
	s := c.snap.Load()
	if s == nil {
		return 0, 0
	}
	return len(s.ids), s.events
}

// LastSync returns when the last completed load or sync began (zero before
// the first load): the cache holds every write committed a QuickWindow
// before it, at least.
func (c *Cache) LastSync() time.Time {
	if ms := c.synced.Load(); ms != 0 {
		return time.UnixMilli(ms)
	}
	return time.Time{}
}

// Load reads every person's journey from the source, a page of people at a
// time. It is called once before the cache serves reads; reads that come
// earlier wait for it.
func (c *Cache) Load(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if c.snap.Load() != nil {
		return nil
	}
	start := time.Now().UnixMilli()
	var ids []string
	var people []*cachedPerson
	var meta []personMeta
	events := 0
	for after := ""; ; {
		page, err := c.Source.PeopleAfter(ctx, c.Prefix, after, cachePage)
		if err != nil {
			return fmt.Errorf("cache load: %w", err)
		}
		if len(page) == 0 {
			break
		}
		js, err := c.Source.Journeys(ctx, page)
		if err != nil {
			return fmt.Errorf("cache load: %w", err)
		}
		slices.SortFunc(js, func(a, b StoredJourney) int { return strings.Compare(a.Person, b.Person) })
		for i := range js {
			p := c.person(js[i])
			ids, people, meta = append(ids, js[i].Person), append(people, p), append(meta, metaOf(p, &c.bits))
			events += len(p.events)
		}
		after = page[len(page)-1]
		if len(page) < cachePage {
			break
		}
	}
	c.last, c.lastFull = start, start
	c.synced.Store(start)
	c.live = len(c.strs.strs)
	c.snap.Store(&cacheSnapshot{ids: ids, people: people, meta: meta, strs: c.strs.strs, events: events})
	return nil
}

// since returns where a sync starting now looks from.
func (c *Cache) sinceFor(full bool) int64 {
	if full {
		return c.lastFull - cmp.Or(c.ChangeWindow, DefaultChangeWindow).Milliseconds()
	}
	return c.last - cmp.Or(c.QuickWindow, DefaultQuickWindow).Milliseconds()
}

// person interns one stored journey.
func (c *Cache) person(j StoredJourney) *cachedPerson {
	p := &cachedPerson{touched: j.Touched, events: make([]cachedEvent, 0, len(j.Touches)), lastID: j.LastID,
		rewritten: j.Rewritten}
	if n := countProps(j); n > 0 {
		p.props = c.appendProps(make([]cachedProp, 0, n), j.Fields)
	}
	p.attrs = uint32(len(p.props))
	c.appendEvents(p, j.Touches, j.Details)
	p.ids = eventIDs{}.with(idsOf(j))
	return p
}

// Sync brings the cache up to date with the source (see Cache), looking
// back QuickWindow; it loads the cache first if needed. Every read calls
// it.
func (c *Cache) Sync(ctx context.Context) error { return c.sync(ctx, false) }

// SyncFull is Sync looking back ChangeWindow before the previous full sync.
func (c *Cache) SyncFull(ctx context.Context) error { return c.sync(ctx, true) }

// lockLoaded loads the cache if it is not yet, takes the sync lock and
// returns the snapshot to change (release with c.syncMu.Unlock).
func (c *Cache) lockLoaded(ctx context.Context) (*cacheSnapshot, error) {
	if c.snap.Load() == nil {
		if err := c.Load(ctx); err != nil {
			return nil, err
		}
	}
	c.syncMu.Lock()
	return c.snap.Load(), nil
}

func (c *Cache) sync(ctx context.Context, full bool) error {
	old, err := c.lockLoaded(ctx)
	if err != nil {
		return err
	}
	defer c.syncMu.Unlock()
	start := time.Now().UnixMilli()
	touched, err := c.Source.TouchedSince(ctx, c.Prefix, c.sinceFor(full))
	if err != nil {
		return fmt.Errorf("cache sync: %w", err)
	}
	stale := make([]string, 0, len(touched))
	for id, ts := range touched {
		if p := old.find(id); p == nil || p.touched != ts {
			stale = append(stale, id)
		}
	}
	slices.Sort(stale)
	changes := map[string]*cachedPerson{}
	if err := c.refresh(ctx, old, stale, changes); err != nil {
		return err
	}
	// A person who went (deleted, or merged into another) shows as a count
	// that disagrees. Counting everyone is O(1) in the store; counting a
	// prefix scans its ids, which only full syncs do.
	if full || c.Prefix == "" {
		n, err := c.Source.PeopleCount(ctx, c.Prefix)
		if err != nil {
			return fmt.Errorf("cache sync: %w", err)
		}
		if next := old.count(changes); next != n {
			if err := c.reconcile(ctx, old, changes); err != nil {
				return err
			}
		}
	}
	c.last = start
	if full {
		c.lastFull = start
	}
	if len(changes) > 0 {
		c.snap.Store(old.apply(changes, c.strs.strs, func(p *cachedPerson) personMeta { return metaOf(p, &c.bits) }))
	}
	if full && len(c.strs.strs) > 2*max(c.live, minCompact) {
		c.snap.Store(c.compact(c.snap.Load()))
	}
	c.synced.Store(start)
	return nil
}

// minCompact is the fewest strings in use below which the interner is
// never compacted (a variable so that tests can lower it).
var minCompact = 1 << 16

// compact returns s with its strings interned anew, keeping only those its
// people use: the strings of people deleted or read again (old sessions,
// old steps) are otherwise never forgotten. Full syncs call it when the
// interner holds more than twice the strings in use at the last load or
// compaction, so its cost (a pass over every event, 0.24 s for 1M events:
// BenchmarkCacheCompact) is amortized; reads meanwhile use the snapshot
// before it.
func (c *Cache) compact(s *cacheSnapshot) *cacheSnapshot {
	const unset = ^uint32(0)
	remap := make([]uint32, len(s.strs)) // old id → new id
	for i := range remap {
		remap[i] = unset
	}
	remap[0] = 0
	strs := []string{""}
	var bits stepBits
	out := &cacheSnapshot{ids: s.ids, people: make([]*cachedPerson, len(s.people)), meta: make([]personMeta, len(s.people)),
		events: s.events}
	move := func(f *uint32) {
		if remap[*f] == unset {
			remap[*f] = uint32(len(strs))
			strs = append(strs, s.strs[*f])
		}
		*f = remap[*f]
	}
	for i, p := range s.people {
		q := &cachedPerson{touched: p.touched, events: make([]cachedEvent, len(p.events)), attrs: p.attrs,
			lastID: p.lastID, rewritten: p.rewritten, ids: p.ids}
		for k, e := range p.events {
			for _, f := range []*uint32{&e.step, &e.typ, &e.name, &e.url, &e.session, &e.channel, &e.campaign, &e.device, &e.product} {
				move(f)
			}
			q.events[k] = e
		}
		if len(p.props) > 0 {
			q.props = slices.Clone(p.props)
			for k := range q.props {
				move(&q.props[k].key)
				if q.props[k].kind == propString {
					v := uint32(q.props[k].bits)
					move(&v)
					q.props[k].bits = uint64(v)
				}
			}
		}
		out.people[i], out.meta[i] = q, metaOf(q, &bits)
	}
	in := interner{ids: make(map[string]uint32, len(strs)), strs: strs}
	for id, str := range strs[1:] {
		in.ids[str] = uint32(id + 1)
	}
	c.strs, c.bits, c.live = in, bits, len(strs)
	out.strs = strs
	return out
}

// read reads the journeys of ids into changes; an id the source no longer
// has maps to nil.
func (c *Cache) read(ctx context.Context, ids []string, changes map[string]*cachedPerson) error {
	for len(ids) > 0 {
		page := ids[:min(cachePage, len(ids))]
		ids = ids[len(page):]
		js, err := c.Source.Journeys(ctx, page)
		if err != nil {
			return fmt.Errorf("cache sync: %w", err)
		}
		for _, id := range page {
			changes[id] = nil
		}
		for _, j := range js {
			changes[j.Person] = c.person(j)
		}
	}
	return nil
}

// reconcile lists every id in the source and marks the cached people it no
// longer has as removed (and reads any it has that the cache lacks).
func (c *Cache) reconcile(ctx context.Context, old *cacheSnapshot, changes map[string]*cachedPerson) error {
	present := make(map[string]bool, len(old.ids))
	var missing []string
	for after := ""; ; {
		page, err := c.Source.PeopleAfter(ctx, c.Prefix, after, cachePage*10)
		if err != nil {
			return fmt.Errorf("cache sync: %w", err)
		}
		for _, id := range page {
			present[id] = true
			if _, ok := changes[id]; !ok && old.find(id) == nil {
				missing = append(missing, id)
			}
		}
		if len(page) < cachePage*10 {
			break
		}
		after = page[len(page)-1]
	}
	for _, id := range old.ids {
		if !present[id] {
			changes[id] = nil
		}
	}
	return c.read(ctx, missing, changes)
}

// find returns the cached person id, nil when absent.
func (s *cacheSnapshot) find(id string) *cachedPerson {
	i, ok := slices.BinarySearch(s.ids, id)
	if !ok {
		return nil
	}
	return s.people[i]
}

// count returns how many people s holds once changes are applied.
func (s *cacheSnapshot) count(changes map[string]*cachedPerson) int {
	n := len(s.ids)
	for id, p := range changes {
		had := s.find(id) != nil
		switch {
		case had && p == nil:
			n--
		case !had && p != nil:
			n++
		}
	}
	return n
}

// apply returns a new snapshot: s with changes (nil removes a person),
// the changed people's meta given by metaOf. Its cost is a copy of s's
// arrays (runs of memory, not a step per person) plus a binary search per
// change: the ingest hook applies a few people's writes to a million.
// When no one is added or removed, the ids are shared with s.
func (s *cacheSnapshot) apply(changes map[string]*cachedPerson, strs []string, metaOf func(*cachedPerson) personMeta) *cacheSnapshot {
	type update struct {
		i int
		p *cachedPerson
	}
	var updates []update
	var added []string
	removed := false
	for id, p := range changes {
		if i, ok := slices.BinarySearch(s.ids, id); ok {
			updates = append(updates, update{i, p})
			removed = removed || p == nil
		} else if p != nil {
			added = append(added, id)
		}
	}
	events := s.events
	for _, u := range updates {
		events -= len(s.people[u.i].events)
		if u.p != nil {
			events += len(u.p.events)
		}
	}
	for _, id := range added {
		events += len(changes[id].events)
	}
	if len(added) == 0 && !removed {
		out := &cacheSnapshot{ids: s.ids, people: slices.Clone(s.people), meta: slices.Clone(s.meta), strs: strs, events: events}
		for _, u := range updates {
			out.people[u.i], out.meta[u.i] = u.p, metaOf(u.p)
		}
		return out
	}
	slices.SortFunc(updates, func(a, b update) int { return a.i - b.i })
	slices.Sort(added)
	n := len(s.ids) + len(added)
	out := &cacheSnapshot{ids: make([]string, 0, n), people: make([]*cachedPerson, 0, n), meta: make([]personMeta, 0, n),
		strs: strs, events: events}
	copyTo := func(stop int, from *int) {
		out.ids = append(out.ids, s.ids[*from:stop]...)
		out.people = append(out.people, s.people[*from:stop]...)
		out.meta = append(out.meta, s.meta[*from:stop]...)
		*from = stop
	}
	i, u, a := 0, 0, 0
	for u < len(updates) || a < len(added) {
		next := len(s.ids) // where the next added id goes, before s.ids[next]
		if a < len(added) {
			next, _ = slices.BinarySearch(s.ids, added[a])
		}
		if u < len(updates) && updates[u].i < next {
			copyTo(updates[u].i, &i)
			if p := updates[u].p; p != nil {
				out.ids, out.people, out.meta = append(out.ids, s.ids[i]), append(out.people, p), append(out.meta, metaOf(p))
			}
			i, u = i+1, u+1
			continue
		}
		copyTo(next, &i)
		p := changes[added[a]]
		out.ids, out.people, out.meta = append(out.ids, added[a]), append(out.people, p), append(out.meta, metaOf(p))
		a++
	}
	copyTo(len(s.ids), &i)
	return out
}

// Run loads the cache and then syncs it in full every interval until ctx
// ends, so that a report after a large import finds the cache mostly
// current and a late commit is found within interval. Each
// failed load or sync is passed to onErr (which may be nil) and retried at
// the next tick.
func (c *Cache) Run(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := c.SyncFull(ctx); err != nil && ctx.Err() == nil && onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// current syncs and returns the snapshot to read.
func (c *Cache) current(ctx context.Context) (*cacheSnapshot, error) {
	if err := c.Sync(ctx); err != nil {
		return nil, err
	}
	return c.snap.Load(), nil
}

// scope returns the index range of the people whose id starts with prefix.
func (s *cacheSnapshot) scope(prefix string) (lo, hi int) {
	lo = sort.SearchStrings(s.ids, prefix)
	hi = lo + sort.Search(len(s.ids)-lo, func(i int) bool { return !strings.HasPrefix(s.ids[lo+i], prefix) })
	return lo, hi
}
