package ingest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// memRules is a StepRuleStore in memory.
type memRules struct{ saved journeys.SavedStepRules }

func (m *memRules) LoadStepRules(context.Context) (journeys.SavedStepRules, error) {
	return m.saved, nil
}

func (m *memRules) SaveStepRules(_ context.Context, r journeys.SavedStepRules) error {
	if r.Version != m.saved.Version+1 {
		return journeys.Errorf(journeys.ECONFLICT, "not the next version")
	}
	m.saved = r
	return nil
}

// memRestep applies rules to a memSource's events and stamps the people
// it changes, as graph.Store.Restep does.
type memRestep struct{ m *inmem.MemSource }

func (r memRestep) Restep(_ context.Context, rules journeys.StepRules, _ string) (read, changed int, err error) {
	for id, j := range r.m.People {
		ts := append([]journeys.Touch(nil), j.Touches...)
		diff := false
		for i, t := range ts {
			read++
			step, keep := rules.Step(journeys.Event{Type: t.Type, Name: t.Name, URL: t.URL})
			if !keep {
				step = ""
			}
			if step != t.Step {
				ts[i].Step, diff = step, true
				changed++
			}
		}
		if diff {
			r.m.Put(id, ts...)
		}
	}
	return read, changed, nil
}

func TestRulebookPreviewIsWhatSavingGives(t *testing.T) {
	m := &inmem.MemSource{People: map[string]inmem.StoredJourney{}}
	page := func(url string, ts int64) journeys.Touch {
		return journeys.Touch{StepEvent: journeys.StepEvent{Step: "page_view", TS: ts}, Type: "page", Name: "page_view", URL: url}
	}
	m.Put("a", page("https://shop.example/p/1", 1), page("https://shop.example/help", 2), page("https://shop.example/cart", 3))
	m.Put("b", page("https://shop.example/p/2", 1), page("https://shop.example/cart", 2))
	m.Put("c", page("https://shop.example/help", 1))
	cache := &inmem.Cache{Source: m}
	book := &Rulebook{Store: &memRules{}, Restep: memRestep{m}, Touches: cache}
	ctx := context.Background()
	if cur, err := book.Open(ctx, journeys.StepRules{}); err != nil || cur.Version != 1 {
		t.Fatalf("Open: %+v, %v; want version 1", cur, err)
	}
	a := &report.Analytics{Store: cache, Book: book}
	q := report.PathQuery{Depth: 5, Unit: journeys.UnitJourney}
	before, err := a.Paths(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	edited := journeys.StepRules{Rules: []journeys.StepRule{
		{Label: "product", URL: "*/p/*"},
		{URL: "*/help", Exclude: true},
		{Label: "cart", URL: "*/cart"},
	}}
	preview, err := book.PreviewPaths(ctx, edited, q)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(preview.Paths, before.Paths) {
		t.Fatalf("the preview equals the report before the edit: the test shows nothing")
	}
	if again, _ := a.Paths(ctx, q); !reflect.DeepEqual(again, before) {
		t.Errorf("a preview changed the report: %+v, was %+v", again, before)
	}
	if _, err := book.Save(ctx, edited, 0); journeys.ErrorCode(err) != journeys.ECONFLICT {
		t.Errorf("save from a stale version: %v, want a conflict", err)
	}
	bad := journeys.StepRules{Rules: []journeys.StepRule{{Label: "x", URL: "re:("}}}
	if _, err := book.Save(ctx, bad, 1); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("save of a bad rule: %v, want invalid", err)
	}
	saved, err := book.Save(ctx, edited, 1)
	if err != nil || saved.Version != 2 || book.Current().Version != 2 {
		t.Fatalf("Save: %+v, %v; want version 2 current", saved, err)
	}
	book.Wait()
	if st := book.Status(); st.Running || st.Version != 2 || st.Read != 6 || st.Changed != 6 {
		t.Errorf("restep status %+v, want version 2 done, 6 read, 6 changed", st)
	}
	after, err := a.Paths(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	after.Query, preview.Query = report.PathQuery{}, report.PathQuery{}
	if !reflect.DeepEqual(after, preview) {
		t.Errorf("after saving:\n%+v\npreview:\n%+v", after, preview)
	}
}

// gatedRestep is memRestep that waits for gate before its first restep.
type gatedRestep struct {
	memRestep
	gate chan struct{}
	once sync.Once
}

func (g *gatedRestep) Restep(ctx context.Context, rules journeys.StepRules, prefix string) (int, int, error) {
	g.once.Do(func() { <-g.gate })
	return g.memRestep.Restep(ctx, rules, prefix)
}

func TestRulebookLastSaveWins(t *testing.T) {
	m := &inmem.MemSource{People: map[string]inmem.StoredJourney{}}
	m.Put("a", journeys.Touch{StepEvent: journeys.StepEvent{Step: "page_view", TS: 1}, Type: "page", Name: "page_view", URL: "https://x/p/1"})
	g := &gatedRestep{memRestep: memRestep{m}, gate: make(chan struct{})}
	book := &Rulebook{Store: &memRules{}, Restep: g, Touches: &inmem.Cache{Source: m}}
	ctx := context.Background()
	if _, err := book.Open(ctx, journeys.StepRules{}); err != nil {
		t.Fatal(err)
	}
	for i, label := range []string{"first", "second"} {
		if _, err := book.Save(ctx, journeys.StepRules{Rules: []journeys.StepRule{{Label: label, URL: "*/p/*"}}}, i+1); err != nil {
			t.Fatal(err)
		}
	}
	close(g.gate)
	book.Wait()
	if got := m.People["a"].Touches[0].Step; got != "second" {
		t.Errorf("stored step %q after two saves, want the last one's, second", got)
	}
	if st := book.Status(); st.Version != 3 || st.Running {
		t.Errorf("status %+v, want version 3 done", st)
	}
}

// lateWriter stores events in a memSource once gate is closed, saying on
// started that a write began: an ingest batch committing late.
type lateWriter struct {
	m       *inmem.MemSource
	mu      *sync.Mutex
	started chan struct{}
	gate    chan struct{}
}

func (w *lateWriter) WriteEvents(_ context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	close(w.started)
	<-w.gate
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range events {
		w.m.Put(e.Person, journeys.Touch{StepEvent: journeys.StepEvent{Step: e.Step, TS: e.Time.UnixMilli()}, Type: e.Type, Name: e.Name, URL: e.URL})
	}
	return journeys.WriteResult{Accepted: len(events)}, nil
}

// signalRestep is memRestep under a lock, saying on called that it ran.
type signalRestep struct {
	memRestep
	mu     *sync.Mutex
	called chan struct{}
	once   sync.Once
}

func (r *signalRestep) Restep(ctx context.Context, rules journeys.StepRules, prefix string) (int, int, error) {
	r.once.Do(func() { close(r.called) })
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.memRestep.Restep(ctx, rules, prefix)
}

// TestRulebookRestepWaitsForOlderIngests: an ingest that took the old rules
// and commits after a save is not left behind by the save's restep.
func TestRulebookRestepWaitsForOlderIngests(t *testing.T) {
	m := &inmem.MemSource{People: map[string]inmem.StoredJourney{}}
	var mu sync.Mutex
	rs := &signalRestep{memRestep: memRestep{m}, mu: &mu, called: make(chan struct{})}
	book := &Rulebook{Store: &memRules{}, Restep: rs, Touches: &inmem.Cache{Source: m}}
	ctx := context.Background()
	if _, err := book.Open(ctx, journeys.StepRules{}); err != nil {
		t.Fatal(err)
	}
	w := &lateWriter{m: m, mu: &mu, started: make(chan struct{}), gate: make(chan struct{})}
	in := &Ingester{Store: w, Book: book}
	done := make(chan error)
	go func() {
		_, err := in.Ingest(ctx, []journeys.Event{{ID: "e1", Type: journeys.TypePage, Person: "b", Name: "page_view", URL: "https://x/p/2", Time: time.UnixMilli(5)}})
		done <- err
	}()
	<-w.started // the ingest holds version 1's rules and is writing
	if _, err := book.Save(ctx, journeys.StepRules{Rules: []journeys.StepRule{{Label: "product", URL: "*/p/*"}}}, 1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rs.called:
		t.Error("the restep ran while an ingest with the old rules was still writing")
	case <-time.After(200 * time.Millisecond):
	}
	close(w.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	book.Wait()
	if got := m.People["b"].Touches[0].Step; got != "product" {
		t.Errorf("the late event's step is %q, want the saved rules' product", got)
	}
}
