package ingest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// gate holds the first write until open is closed, and counts writes.
type gate struct {
	journeys.EventWriter
	mu      sync.Mutex
	writes  int
	entered chan struct{}
	open    chan struct{}
}

func (g *gate) WriteEvents(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	g.mu.Lock()
	g.writes++
	first := g.writes == 1
	g.mu.Unlock()
	if first {
		close(g.entered)
		<-g.open
	}
	return g.EventWriter.WriteEvents(ctx, events)
}

// smallBatches returns the events of people under prefix, shuffled and cut
// into batches of five, then six of those batches sent again: page views
// and purchases in random order, an anonymous visitor's events and, in
// another batch, the identify merging them into a user.
func smallBatches(prefix string) [][]journeys.Event {
	t0 := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	var all []journeys.Event
	add := func(e journeys.Event) {
		e.ID = journeys.EventID(e.Person, e.Name, e.Time, nil)
		all = append(all, e)
	}
	for p := range 12 {
		for k := range 10 {
			add(journeys.Event{Type: journeys.TypeTrack, Person: fmt.Sprintf("%su-%02d", prefix, p),
				Name: []string{"page_view", "product_view", "add_to_cart", "purchase"}[k%4], Time: t0.Add(time.Duration(p*13+k*7) * time.Minute)})
		}
	}
	for k := range 3 {
		add(journeys.Event{Type: journeys.TypePage, Person: prefix + "anon-0", Anonymous: true, Name: "page_view", Time: t0.Add(time.Duration(k) * time.Minute)})
	}
	add(journeys.Event{Type: journeys.TypeIdentify, Person: prefix + "u-00", PreviousID: prefix + "anon-0", Name: journeys.NameIdentify, Time: t0.Add(5 * time.Minute)})
	rand.New(rand.NewPCG(9, 4)).Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var batches [][]journeys.Event
	for len(all) > 0 {
		n := min(5, len(all))
		batches = append(batches, all[:n])
		all = all[n:]
	}
	return append(batches, batches[:6]...)
}

// chainsOf returns each person's chain under prefix as names and times,
// checked by Store.CheckChain.
func chainsOf(t *testing.T, store *graph.Store, prefix string, batches [][]journeys.Event) map[string]string {
	t.Helper()
	byID := map[string]journeys.Event{}
	people := map[string]bool{}
	for _, b := range batches {
		for _, e := range b {
			byID[e.ID] = e
			people[e.Person] = true
		}
	}
	out := map[string]string{}
	for p := range people {
		ids, err := store.CheckChain(context.Background(), p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		var b strings.Builder
		for _, id := range ids {
			e := byID[id]
			fmt.Fprintf(&b, " %s@%s", e.Name, e.Time.Format("15:04"))
		}
		out[strings.TrimPrefix(p, prefix)] = b.String()
	}
	return out
}

// TestCoalescedWritesStoreWhatSeparateWritesStore sends small batches at
// once through a Coalescer over the real store, held behind a first write so
// that they merge, and one by one under another prefix: the merged writes
// are fewer, each caller's counts are exact (the resent batches are
// duplicates), and every person's chain is the same as the one-by-one
// writes give, the anonymous visitor merged into the user.
func TestCoalescedWritesStoreWhatSeparateWritesStore(t *testing.T) {
	store := graphtest.Open(t)
	ctx := context.Background()
	rules := journeys.DefaultStepRules()

	one := graphtest.RunID(t)
	oneBatches := smallBatches(one)
	alone := &ingest.Ingester{Store: store, Rules: rules}
	var want journeys.WriteResult
	for _, b := range oneBatches {
		r, err := alone.Ingest(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		want.Add(r)
	}

	merged := graphtest.RunID(t)
	batches := smallBatches(merged)
	g := &gate{EventWriter: store, entered: make(chan struct{}), open: make(chan struct{})}
	c := &ingest.Coalescer{Writer: g, Writers: 1}
	in := &ingest.Ingester{Store: c, Rules: rules}
	holder := journeys.Event{Type: journeys.TypeTrack, Person: merged + "holder", Name: "page_view", Time: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
	holder.ID = journeys.EventID(holder.Person, holder.Name, holder.Time, nil)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := in.Ingest(ctx, []journeys.Event{holder}); err != nil {
			t.Error(err)
		}
	}()
	<-g.entered
	results := make([]journeys.WriteResult, len(batches))
	for i, b := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := in.Ingest(ctx, b)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for c.Waiting() < len(batches) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if c.Waiting() != len(batches) {
		t.Fatalf("%d batches waiting, want %d", c.Waiting(), len(batches))
	}
	close(g.open)
	wg.Wait()

	var got journeys.WriteResult
	for _, r := range results {
		got.Add(r)
	}
	// A batch and its resend: whichever was written first accepted every
	// event, the other none.
	for i := range 6 {
		a, b := results[i], results[len(batches)-6+i]
		if a.Accepted+b.Accepted != 5 || a.Duplicates+b.Duplicates != 5 || a.Accepted*b.Accepted != 0 {
			t.Errorf("batch %d and its resend: accepted %d and %d, duplicates %d and %d; want 5 and 0, 0 and 5 (either way)",
				i, a.Accepted, b.Accepted, a.Duplicates, b.Duplicates)
		}
	}
	if got.Accepted != want.Accepted || got.Duplicates != want.Duplicates || got.Duplicates != 30 {
		t.Errorf("merged: accepted %d, duplicates %d; one by one: %d, %d (30 resent)", got.Accepted, got.Duplicates, want.Accepted, want.Duplicates)
	}
	if g.writes-1 >= len(batches)/2 {
		t.Errorf("%d writes for %d batches: hardly merged", g.writes-1, len(batches))
	}
	wantChains, gotChains := chainsOf(t, store, one, oneBatches), chainsOf(t, store, merged, batches)
	if fmt.Sprint(gotChains) != fmt.Sprint(wantChains) {
		t.Errorf("chains differ:\nmerged      %v\none by one  %v", gotChains, wantChains)
	}
	if !strings.Contains(gotChains["u-00"], "identify") || strings.Count(gotChains["u-00"], "page_view") < 3 {
		t.Errorf("u-00's chain %q lacks the anonymous visitor's events or the identify", gotChains["u-00"])
	}
}
