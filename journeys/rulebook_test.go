package journeys

import (
	"context"
	"reflect"
	"sync"
	"testing"
)

// memRules is a StepRuleStore in memory.
type memRules struct{ saved SavedStepRules }

func (m *memRules) LoadStepRules(context.Context) (SavedStepRules, error) { return m.saved, nil }

func (m *memRules) SaveStepRules(_ context.Context, r SavedStepRules) error {
	if r.Version != m.saved.Version+1 {
		return Errorf(ECONFLICT, "not the next version")
	}
	m.saved = r
	return nil
}

// memRestep applies rules to a memSource's events and stamps the people
// it changes, as graph.Store.Restep does.
type memRestep struct{ m *memSource }

func (r memRestep) Restep(_ context.Context, rules StepRules, _ string) (read, changed int, err error) {
	for id, j := range r.m.people {
		ts := append([]Touch(nil), j.Touches...)
		diff := false
		for i, t := range ts {
			read++
			step, keep := rules.Step(Event{Type: t.Type, Name: t.Name, URL: t.URL})
			if !keep {
				step = ""
			}
			if step != t.Step {
				ts[i].Step, diff = step, true
				changed++
			}
		}
		if diff {
			r.m.put(id, ts...)
		}
	}
	return read, changed, nil
}

func TestRulebookPreviewIsWhatSavingGives(t *testing.T) {
	m := &memSource{people: map[string]StoredJourney{}}
	page := func(url string, ts int64) Touch {
		return Touch{StepEvent: StepEvent{Step: "page_view", TS: ts}, Type: "page", Name: "page_view", URL: url}
	}
	m.put("a", page("https://shop.example/p/1", 1), page("https://shop.example/help", 2), page("https://shop.example/cart", 3))
	m.put("b", page("https://shop.example/p/2", 1), page("https://shop.example/cart", 2))
	m.put("c", page("https://shop.example/help", 1))
	cache := &Cache{Source: m}
	book := &Rulebook{Store: &memRules{}, Restep: memRestep{m}, Touches: cache}
	ctx := context.Background()
	if cur, err := book.Open(ctx, StepRules{}); err != nil || cur.Version != 1 {
		t.Fatalf("Open: %+v, %v; want version 1", cur, err)
	}
	a := &Analytics{Store: cache, Book: book}
	q := PathQuery{Depth: 5, Unit: UnitJourney}
	before, err := a.Paths(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	edited := StepRules{Rules: []StepRule{
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
	if _, err := book.Save(ctx, edited, 0); ErrorCode(err) != ECONFLICT {
		t.Errorf("save from a stale version: %v, want a conflict", err)
	}
	bad := StepRules{Rules: []StepRule{{Label: "x", URL: "re:("}}}
	if _, err := book.Save(ctx, bad, 1); ErrorCode(err) != EINVALID {
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
	after.Query, preview.Query = PathQuery{}, PathQuery{}
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

func (g *gatedRestep) Restep(ctx context.Context, rules StepRules, prefix string) (int, int, error) {
	g.once.Do(func() { <-g.gate })
	return g.memRestep.Restep(ctx, rules, prefix)
}

func TestRulebookLastSaveWins(t *testing.T) {
	m := &memSource{people: map[string]StoredJourney{}}
	m.put("a", Touch{StepEvent: StepEvent{Step: "page_view", TS: 1}, Type: "page", Name: "page_view", URL: "https://x/p/1"})
	g := &gatedRestep{memRestep: memRestep{m}, gate: make(chan struct{})}
	book := &Rulebook{Store: &memRules{}, Restep: g, Touches: &Cache{Source: m}}
	ctx := context.Background()
	if _, err := book.Open(ctx, StepRules{}); err != nil {
		t.Fatal(err)
	}
	for i, label := range []string{"first", "second"} {
		if _, err := book.Save(ctx, StepRules{Rules: []StepRule{{Label: label, URL: "*/p/*"}}}, i+1); err != nil {
			t.Fatal(err)
		}
	}
	close(g.gate)
	book.Wait()
	if got := m.people["a"].Touches[0].Step; got != "second" {
		t.Errorf("stored step %q after two saves, want the last one's, second", got)
	}
	if st := book.Status(); st.Version != 3 || st.Running {
		t.Errorf("status %+v, want version 3 done", st)
	}
}
