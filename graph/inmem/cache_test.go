package inmem

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// streams reads every sequence and touch sequence of f from r.
func streams(t *testing.T, c *Cache, f journeys.Filter, events []string, every bool) ([]journeys.Sequence, []journeys.TouchSequence) {
	t.Helper()
	ctx := context.Background()
	set, err := c.Sequences(ctx, f, true)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []journeys.Sequence
	for set.Next() {
		s := set.At()
		seqs = append(seqs, journeys.Sequence{Person: s.Person, Events: slices.Clone(s.Events)})
	}
	ts, err := c.Touches(ctx, journeys.TouchQuery{Filter: f, Events: events, Every: every})
	if err != nil {
		t.Fatal(err)
	}
	var touches []journeys.TouchSequence
	for ts.Next() {
		s := ts.At()
		touches = append(touches, journeys.TouchSequence{Person: s.Person, Touches: slices.Clone(s.Touches)})
	}
	return seqs, touches
}

// want computes the expected streams of f from the source's journeys
// directly, by the rules Filter and TouchQuery document.
func want(m *MemSource, f journeys.Filter, events []string, every bool) ([]journeys.Sequence, []journeys.TouchSequence) {
	from, to := f.Range()
	var ids []string
	for id := range m.People {
		if strings.HasPrefix(id, f.PersonPrefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var seqs []journeys.Sequence
	var touches []journeys.TouchSequence
	for _, id := range ids {
		s, ts := journeys.Sequence{Person: id}, journeys.TouchSequence{Person: id}
		for _, t := range m.People[id].Touches {
			if t.TS < from || t.TS >= to || (f.Channel != "" && t.Channel != f.Channel) || (f.Device != "" && t.Device != f.Device) {
				continue
			}
			if t.Step != "" {
				s.Events = append(s.Events, t.StepEvent)
			}
			if every || (len(events) == 0 && t.Step != "") || slices.Contains(events, t.Name) || (t.Step != "" && slices.Contains(events, t.Step)) {
				ts.Touches = append(ts.Touches, t)
			}
		}
		if len(s.Events) > 0 {
			seqs = append(seqs, s)
		}
		if len(ts.Touches) > 0 {
			touches = append(touches, ts)
		}
	}
	return seqs, touches
}

func TestCacheStreamsFilters(t *testing.T) {
	m := &MemSource{People: map[string]StoredJourney{}}
	m.Put("a1", MakeTouch("view", "pv", 10, "email", "mobile"), MakeTouch("", "ping", 20, "email", "mobile"), MakeTouch("cart", "cart", 30, "ads", "desktop"))
	m.Put("a2", MakeTouch("view", "pv", 5, "", ""), MakeTouch("buy", "buy", 50, "ads", "mobile"))
	m.Put("b1", MakeTouch("", "ping", 15, "", ""))
	m.Put("b2")
	c := &Cache{Source: m}
	tests := []struct {
		name   string
		f      journeys.Filter
		events []string
		every  bool
	}{
		{"everything", journeys.Filter{}, nil, false},
		{"prefix", journeys.Filter{PersonPrefix: "a"}, nil, false},
		{"prefix none", journeys.Filter{PersonPrefix: "c"}, nil, false},
		{"from", journeys.Filter{From: time.UnixMilli(20)}, nil, false},
		{"to", journeys.Filter{To: time.UnixMilli(30)}, nil, false},
		{"range", journeys.Filter{From: time.UnixMilli(10), To: time.UnixMilli(31)}, nil, false},
		{"channel", journeys.Filter{Channel: "ads"}, nil, false},
		{"device", journeys.Filter{Device: "mobile"}, nil, false},
		{"names", journeys.Filter{}, []string{"ping"}, false},
		{"names and steps", journeys.Filter{}, []string{"ping", "cart"}, false},
		{"every event", journeys.Filter{From: time.UnixMilli(10)}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seqs, touches := streams(t, c, tt.f, tt.events, tt.every)
			ws, wt := want(m, tt.f, tt.events, tt.every)
			if !reflect.DeepEqual(seqs, ws) {
				t.Errorf("sequences:\n got %+v\nwant %+v", seqs, ws)
			}
			if !reflect.DeepEqual(touches, wt) {
				t.Errorf("touches:\n got %+v\nwant %+v", touches, wt)
			}
		})
	}
}

func TestCacheSync(t *testing.T) {
	m := &MemSource{People: map[string]StoredJourney{}}
	for _, id := range []string{"p1", "p2", "p3", "p4"} {
		m.Put(id, MakeTouch("view", "pv", 1, "", ""))
	}
	c := &Cache{Source: m}
	ctx := context.Background()
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name      string
		change    func()
		wantReads int // journeys read again by the sync
	}{
		{"nothing changed", func() {}, 0},
		{"an event appended", func() {
			m.Put("p2", MakeTouch("view", "pv", 1, "", ""), MakeTouch("buy", "buy", 2, "", ""))
		}, 1},
		{"a new person", func() { m.Put("p0", MakeTouch("cart", "cart", 3, "", "")) }, 1},
		{"a person deleted", func() { delete(m.People, "p3") }, 0},
		{"merged: one gone, one changed", func() {
			delete(m.People, "p4")
			m.Put("p1", MakeTouch("view", "pv", 1, "", ""), MakeTouch("view", "pv", 4, "", ""))
		}, 1},
		{"deleted and created between syncs", func() {
			delete(m.People, "p0")
			m.Put("p9", MakeTouch("view", "pv", 9, "", ""))
		}, 1},
	}
	for _, st := range steps {
		st.change()
		m.reads = 0
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if m.reads != st.wantReads {
			t.Errorf("%s: sync read %d journeys, want %d", st.name, m.reads, st.wantReads)
		}
		seqs, touches := streams(t, c, journeys.Filter{}, nil, false)
		ws, wt := want(m, journeys.Filter{}, nil, false)
		if !reflect.DeepEqual(seqs, ws) || !reflect.DeepEqual(touches, wt) {
			t.Errorf("%s: cache %+v, store %+v", st.name, seqs, ws)
		}
		if people, _ := c.Stats(); people != len(m.People) {
			t.Errorf("%s: %d people cached, %d stored", st.name, people, len(m.People))
		}
	}
}

func TestCacheLateCommitIsFoundByFullSync(t *testing.T) {
	m := &MemSource{People: map[string]StoredJourney{}}
	m.Put("p1", MakeTouch("view", "pv", 1, "", ""))
	c := &Cache{Source: m}
	ctx := context.Background()
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// A write stamped 30 s ago (its transaction began then) commits now.
	late := StoredJourney{Person: "p1", Touched: time.Now().Add(-30 * time.Second).UnixMilli(),
		Touches: []journeys.Touch{MakeTouch("view", "pv", 1, "", ""), MakeTouch("buy", "buy", 2, "", "")}}
	m.People["p1"] = late
	steps := []struct {
		sync   func(context.Context) error
		events int
	}{
		{c.Sync, 1},     // beyond the quick window
		{c.SyncFull, 2}, // within the change window
	}
	for i, st := range steps {
		if err := st.sync(ctx); err != nil {
			t.Fatal(err)
		}
		if _, events := c.Stats(); events != st.events {
			t.Errorf("after sync %d: %d events cached, want %d", i, events, st.events)
		}
	}
}

// TestCacheForgetsStringsNoLongerUsed: sessions come and go, and people are
// deleted; full syncs compact the interned strings to those in use, and
// the streams stay the store's.
func TestCacheForgetsStringsNoLongerUsed(t *testing.T) {
	defer func(n int) { minCompact = n }(minCompact)
	minCompact = 10
	m := &MemSource{People: map[string]StoredJourney{}}
	visit := func(id string, n int) journeys.Touch {
		t := MakeTouch("view", "pv", int64(n), "web", "")
		t.Session = fmt.Sprintf("%s-session-%d", id, n) // a new string each visit
		return t
	}
	for _, id := range []string{"p1", "p2", "p3"} {
		m.Put(id, visit(id, 0))
	}
	c := &Cache{Source: m}
	ctx := context.Background()
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	maxStrs := 0
	for n := 1; n <= 200; n++ {
		m.Put("p1", visit("p1", n)) // p1's last visit only: the older sessions are gone
		if n%50 == 0 {
			delete(m.People, "p2")
			m.Put(fmt.Sprintf("new%d", n), visit("new", n))
		}
		if err := c.SyncFull(ctx); err != nil {
			t.Fatal(err)
		}
		maxStrs = max(maxStrs, len(c.strs.strs))
		seqs, touches := streams(t, c, journeys.Filter{}, nil, true)
		ws, wt := want(m, journeys.Filter{}, nil, true)
		if !reflect.DeepEqual(seqs, ws) || !reflect.DeepEqual(touches, wt) {
			t.Fatalf("after visit %d: cache %+v, store %+v", n, touches, wt)
		}
	}
	// In use: "", view, pv, web, /pv, track and one session per person.
	if inUse := 6 + len(m.People); maxStrs > 2*max(inUse+4, minCompact)+1 {
		t.Errorf("the interner grew to %d strings with %d in use", maxStrs, inUse)
	}
}

// BenchmarkCacheCompact measures a compaction of 1M cached events (100,000
// people, 10 events each, a session per person): the pass a full sync
// makes when the interned strings have doubled. Run:
//
//	go test ./journeys -run '^$' -bench CacheCompact -benchtime 5x
func BenchmarkCacheCompact(b *testing.B) {
	m := &MemSource{People: map[string]StoredJourney{}}
	steps := []string{"page_view", "product_view", "add_to_cart", "checkout", "purchase"}
	for p := range 100_000 {
		id := fmt.Sprintf("p%06d", p)
		ts := make([]journeys.Touch, 10)
		for i := range ts {
			ts[i] = journeys.Touch{StepEvent: journeys.StepEvent{Step: steps[(p+i)%len(steps)], TS: int64(i), Session: id + "-s"},
				Type: "track", Name: steps[(p+i)%len(steps)], URL: fmt.Sprintf("/p/%d", (p*7+i)%5000), Channel: "web", Device: "mobile"}
		}
		m.People[id] = StoredJourney{Person: id, Touched: 1, Touches: ts}
	}
	c := &Cache{Source: m}
	if err := c.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := c.snap.Load()
	b.ResetTimer()
	for b.Loop() {
		c.compact(s)
	}
}

// TestCacheLastSync: LastSync is zero before the load, then the start of
// the last completed load or sync, quick or full.
func TestCacheLastSync(t *testing.T) {
	c := &Cache{Source: &MemSource{People: map[string]StoredJourney{}}}
	if got := c.LastSync(); !got.IsZero() {
		t.Fatalf("LastSync before the load = %v, want zero", got)
	}
	for _, step := range []struct {
		name string
		do   func(context.Context) error
	}{{"load", c.Load}, {"sync", c.Sync}, {"full sync", c.SyncFull}} {
		// The next millisecond, so that the step's start is after the last.
		before := time.Now().UnixMilli()
		for time.Now().UnixMilli() == before {
		}
		before = time.Now().UnixMilli()
		if err := step.do(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := c.LastSync().UnixMilli(); got < before || got > time.Now().UnixMilli() {
			t.Errorf("after the %s: LastSync %d ms, want the %s's start (from %d ms)", step.name, got, step.name, before)
		}
	}
}
