package journeys

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// memSource is a JourneySource over journeys held in a map, counting the
// journeys it is asked for.
type memSource struct {
	people map[string]StoredJourney
	reads  int
	clock  int64
}

func (m *memSource) PeopleAfter(_ context.Context, prefix, after string, limit int) ([]string, error) {
	var ids []string
	for id := range m.people {
		if id > after && strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids[:min(limit, len(ids))], nil
}

func (m *memSource) Journeys(_ context.Context, ids []string) ([]StoredJourney, error) {
	var out []StoredJourney
	for _, id := range ids {
		if j, ok := m.people[id]; ok {
			out = append(out, j)
			m.reads++
		}
	}
	return out, nil
}

func (m *memSource) TouchedSince(_ context.Context, prefix string, since int64) (map[string]int64, error) {
	out := map[string]int64{}
	for id, j := range m.people {
		if j.Touched >= since && strings.HasPrefix(id, prefix) {
			out[id] = j.Touched
		}
	}
	return out, nil
}

func (m *memSource) PeopleCount(_ context.Context, prefix string) (int, error) {
	n := 0
	for id := range m.people {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n, nil
}

// put stores a journey stamped with the next millisecond from now on.
func (m *memSource) put(id string, ts ...Touch) {
	m.clock = max(m.clock+1, time.Now().UnixMilli())
	m.people[id] = StoredJourney{Person: id, Touched: m.clock, Touches: ts}
}

func tch(step, name string, ts int64, channel, device string) Touch {
	return Touch{StepEvent: StepEvent{Step: step, TS: ts, Session: "s"}, Name: name, Type: "track",
		Channel: channel, Device: device, URL: "/" + name, Value: float64(ts)}
}

// streams reads every sequence and touch sequence of f from r.
func streams(t *testing.T, c *Cache, f Filter, events []string, every bool) ([]Sequence, []TouchSequence) {
	t.Helper()
	ctx := context.Background()
	set, err := c.Sequences(ctx, f, true)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []Sequence
	for set.Next() {
		s := set.At()
		seqs = append(seqs, Sequence{Person: s.Person, Events: slices.Clone(s.Events)})
	}
	ts, err := c.Touches(ctx, TouchQuery{Filter: f, Events: events, Every: every})
	if err != nil {
		t.Fatal(err)
	}
	var touches []TouchSequence
	for ts.Next() {
		s := ts.At()
		touches = append(touches, TouchSequence{Person: s.Person, Touches: slices.Clone(s.Touches)})
	}
	return seqs, touches
}

// want computes the expected streams of f from the source's journeys
// directly, by the rules Filter and TouchQuery document.
func want(m *memSource, f Filter, events []string, every bool) ([]Sequence, []TouchSequence) {
	from, to := f.Range()
	var ids []string
	for id := range m.people {
		if strings.HasPrefix(id, f.PersonPrefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var seqs []Sequence
	var touches []TouchSequence
	for _, id := range ids {
		s, ts := Sequence{Person: id}, TouchSequence{Person: id}
		for _, t := range m.people[id].Touches {
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
	m := &memSource{people: map[string]StoredJourney{}}
	m.put("a1", tch("view", "pv", 10, "email", "mobile"), tch("", "ping", 20, "email", "mobile"), tch("cart", "cart", 30, "ads", "desktop"))
	m.put("a2", tch("view", "pv", 5, "", ""), tch("buy", "buy", 50, "ads", "mobile"))
	m.put("b1", tch("", "ping", 15, "", ""))
	m.put("b2")
	c := &Cache{Source: m}
	tests := []struct {
		name   string
		f      Filter
		events []string
		every  bool
	}{
		{"everything", Filter{}, nil, false},
		{"prefix", Filter{PersonPrefix: "a"}, nil, false},
		{"prefix none", Filter{PersonPrefix: "c"}, nil, false},
		{"from", Filter{From: time.UnixMilli(20)}, nil, false},
		{"to", Filter{To: time.UnixMilli(30)}, nil, false},
		{"range", Filter{From: time.UnixMilli(10), To: time.UnixMilli(31)}, nil, false},
		{"channel", Filter{Channel: "ads"}, nil, false},
		{"device", Filter{Device: "mobile"}, nil, false},
		{"names", Filter{}, []string{"ping"}, false},
		{"names and steps", Filter{}, []string{"ping", "cart"}, false},
		{"every event", Filter{From: time.UnixMilli(10)}, nil, true},
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
	m := &memSource{people: map[string]StoredJourney{}}
	for _, id := range []string{"p1", "p2", "p3", "p4"} {
		m.put(id, tch("view", "pv", 1, "", ""))
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
			m.put("p2", tch("view", "pv", 1, "", ""), tch("buy", "buy", 2, "", ""))
		}, 1},
		{"a new person", func() { m.put("p0", tch("cart", "cart", 3, "", "")) }, 1},
		{"a person deleted", func() { delete(m.people, "p3") }, 0},
		{"merged: one gone, one changed", func() {
			delete(m.people, "p4")
			m.put("p1", tch("view", "pv", 1, "", ""), tch("view", "pv", 4, "", ""))
		}, 1},
		{"deleted and created between syncs", func() {
			delete(m.people, "p0")
			m.put("p9", tch("view", "pv", 9, "", ""))
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
		seqs, touches := streams(t, c, Filter{}, nil, false)
		ws, wt := want(m, Filter{}, nil, false)
		if !reflect.DeepEqual(seqs, ws) || !reflect.DeepEqual(touches, wt) {
			t.Errorf("%s: cache %+v, store %+v", st.name, seqs, ws)
		}
		if people, _ := c.Stats(); people != len(m.people) {
			t.Errorf("%s: %d people cached, %d stored", st.name, people, len(m.people))
		}
	}
}

func TestCacheLateCommitIsFoundByFullSync(t *testing.T) {
	m := &memSource{people: map[string]StoredJourney{}}
	m.put("p1", tch("view", "pv", 1, "", ""))
	c := &Cache{Source: m}
	ctx := context.Background()
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// A write stamped 30 s ago (its transaction began then) commits now.
	late := StoredJourney{Person: "p1", Touched: time.Now().Add(-30 * time.Second).UnixMilli(),
		Touches: []Touch{tch("view", "pv", 1, "", ""), tch("buy", "buy", 2, "", "")}}
	m.people["p1"] = late
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
	m := &memSource{people: map[string]StoredJourney{}}
	visit := func(id string, n int) Touch {
		t := tch("view", "pv", int64(n), "web", "")
		t.Session = fmt.Sprintf("%s-session-%d", id, n) // a new string each visit
		return t
	}
	for _, id := range []string{"p1", "p2", "p3"} {
		m.put(id, visit(id, 0))
	}
	c := &Cache{Source: m}
	ctx := context.Background()
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	maxStrs := 0
	for n := 1; n <= 200; n++ {
		m.put("p1", visit("p1", n)) // p1's last visit only: the older sessions are gone
		if n%50 == 0 {
			delete(m.people, "p2")
			m.put(fmt.Sprintf("new%d", n), visit("new", n))
		}
		if err := c.SyncFull(ctx); err != nil {
			t.Fatal(err)
		}
		maxStrs = max(maxStrs, len(c.strs.strs))
		seqs, touches := streams(t, c, Filter{}, nil, true)
		ws, wt := want(m, Filter{}, nil, true)
		if !reflect.DeepEqual(seqs, ws) || !reflect.DeepEqual(touches, wt) {
			t.Fatalf("after visit %d: cache %+v, store %+v", n, touches, wt)
		}
	}
	// In use: "", view, pv, web, /pv, track and one session per person.
	if inUse := 6 + len(m.people); maxStrs > 2*max(inUse+4, minCompact)+1 {
		t.Errorf("the interner grew to %d strings with %d in use", maxStrs, inUse)
	}
}

// BenchmarkCacheCompact measures a compaction of 1M cached events (100,000
// people, 10 events each, a session per person): the pass a full sync
// makes when the interned strings have doubled. Run:
//
//	go test ./journeys -run '^$' -bench CacheCompact -benchtime 5x
func BenchmarkCacheCompact(b *testing.B) {
	m := &memSource{people: map[string]StoredJourney{}}
	steps := []string{"page_view", "product_view", "add_to_cart", "checkout", "purchase"}
	for p := range 100_000 {
		id := fmt.Sprintf("p%06d", p)
		ts := make([]Touch, 10)
		for i := range ts {
			ts[i] = Touch{StepEvent: StepEvent{Step: steps[(p+i)%len(steps)], TS: int64(i), Session: id + "-s"},
				Type: "track", Name: steps[(p+i)%len(steps)], URL: fmt.Sprintf("/p/%d", (p*7+i)%5000), Channel: "web", Device: "mobile"}
		}
		m.people[id] = StoredJourney{Person: id, Touched: 1, Touches: ts}
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
