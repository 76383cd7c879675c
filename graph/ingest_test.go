package graph_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// ev builds a track event at t0 + minutes.
func ev(person, name string, minutes int) journeys.Event {
	t := t0.Add(time.Duration(minutes) * time.Minute)
	return journeys.Event{
		ID: journeys.EventID(person, name, t, nil), Type: journeys.TypeTrack,
		Person: person, Name: name, Step: name, Time: t,
	}
}

func write(t *testing.T, s *graph.Store, events ...journeys.Event) journeys.WriteResult {
	t.Helper()
	res, err := s.WriteEvents(context.Background(), events)
	if err != nil {
		t.Fatalf("WriteEvents: %v", err)
	}
	return res
}

// chainNames checks the person's chain and returns its event names in order.
func chainNames(t *testing.T, s *graph.Store, person string) []string {
	t.Helper()
	if _, err := s.CheckChain(context.Background(), person); err != nil {
		t.Fatal(err)
	}
	_, events, err := s.Journey(context.Background(), person, 100000)
	if err != nil {
		t.Fatalf("Journey(%s): %v", person, err)
	}
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.Name
	}
	return names
}

func TestWriteEventsIsIdempotent(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	a, b := run+"a", run+"b"
	batch := []journeys.Event{ev(a, "view", 1), ev(a, "cart", 2), ev(b, "view", 3), ev(a, "buy", 4)}

	if got := write(t, s, batch...); got.Accepted != 4 || got.Duplicates != 0 {
		t.Fatalf("first write: got %+v, want 4 accepted", got)
	}
	if got := write(t, s, batch...); got.Accepted != 0 || got.Duplicates != 4 {
		t.Fatalf("second write: got %+v, want 4 duplicates", got)
	}
	// A repeat inside one batch is a duplicate too.
	c := ev(a, "exit", 5)
	if got := write(t, s, c, c); got.Accepted != 1 || got.Duplicates != 1 {
		t.Fatalf("repeat in batch: got %+v, want 1 accepted 1 duplicate", got)
	}
	if got, want := chainNames(t, s, a), []string{"view", "cart", "buy", "exit"}; !slices.Equal(got, want) {
		t.Errorf("chain of a = %v, want %v", got, want)
	}
	p, _, err := s.Journey(context.Background(), a, 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.Events != 4 || !p.FirstSeen.Equal(t0.Add(time.Minute)) || !p.LastSeen.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("person a = %+v, want 4 events from t0+1m to t0+5m", p)
	}
}

// TestWriteEventsChecksOnlyWhatMayBeStored: a batch without identities
// looks up only the ids at or before their person's last stored event
// (graph.writeAppends). A resent event among new and late ones is still
// a duplicate; an id stored under another person, which no lookup saw,
// is refused by the constraint and the batch written again with every id
// looked up: it counts as a duplicate, and nothing else is lost.
func TestWriteEventsChecksOnlyWhatMayBeStored(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	a, b := run+"a", run+"b"
	write(t, s, ev(a, "view", 1), ev(a, "cart", 2))
	if got := write(t, s, ev(a, "cart", 2), ev(a, "buy", 4), ev(a, "early", 0)); got.Accepted != 2 || got.Duplicates != 1 {
		t.Fatalf("resent, new and late: got %+v, want 2 accepted 1 duplicate", got)
	}
	if got, want := chainNames(t, s, a), []string{"early", "view", "cart", "buy"}; !slices.Equal(got, want) {
		t.Errorf("chain of a = %v, want %v", got, want)
	}

	taken := ev(b, "open", 10)
	taken.ID = ev(a, "buy", 4).ID // a's id, sent again under b
	res := write(t, s, ev(b, "view", 9), taken, ev(b, "click", 11))
	if res.Accepted != 2 || res.Duplicates != 1 {
		t.Fatalf("an id of another person: got %+v, want 2 accepted 1 duplicate", res)
	}
	if want := []string{b}; !slices.Equal(res.People, want) {
		t.Errorf("People = %v, want %v", res.People, want)
	}
	if got, want := chainNames(t, s, b), []string{"view", "click"}; !slices.Equal(got, want) {
		t.Errorf("chain of b = %v, want %v", got, want)
	}
	if got, want := chainNames(t, s, a), []string{"early", "view", "cart", "buy"}; !slices.Equal(got, want) {
		t.Errorf("chain of a = %v, want %v", got, want)
	}
}

func TestLateEventsAreSpliced(t *testing.T) {
	s := graphtest.Open(t)
	p := graphtest.RunID(t) + "p"
	write(t, s, ev(p, "e10", 10), ev(p, "e20", 20), ev(p, "e30", 30))
	tests := []struct {
		name  string
		event journeys.Event
		want  []string
	}{
		{"in the middle", ev(p, "e15", 15), []string{"e10", "e15", "e20", "e30"}},
		{"before the first", ev(p, "e05", 5), []string{"e05", "e10", "e15", "e20", "e30"}},
		{"after the last", ev(p, "e35", 35), []string{"e05", "e10", "e15", "e20", "e30", "e35"}},
		{"same time as another", ev(p, "e20b", 20), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, s, tt.event)
			got := chainNames(t, s, p) // CheckChain proves (ts, id) order
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("chain = %v, want %v", got, tt.want)
			}
		})
	}
	_, events, err := s.Journey(context.Background(), p, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(events); i++ {
		want := events[i].Time.Sub(events[i-1].Time).Seconds()
		if events[i].GapSeconds != want {
			t.Errorf("gap before %s = %v, want %v", events[i].Name, events[i].GapSeconds, want)
		}
	}
}

func TestShuffledBatchesGiveTheSameChains(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	rng := rand.New(rand.NewPCG(7, 11))
	// 20 people, 30 events each at random minutes: ties in time, and true
	// duplicates (same name at the same minute), included on purpose.
	const people, each = 20, 30
	var sorted, shuffled []journeys.Event
	want := make([]map[string]bool, people) // distinct events per person
	for p := 0; p < people; p++ {
		want[p] = map[string]bool{}
		for i := 0; i < each; i++ {
			m, name := rng.IntN(600), fmt.Sprintf("s%d", rng.IntN(5))
			want[p][fmt.Sprintf("%04d %s", m, name)] = true
			sorted = append(sorted, ev(fmt.Sprintf("%ssorted-%d", run, p), name, m))
			shuffled = append(shuffled, ev(fmt.Sprintf("%sshuffled-%d", run, p), name, m))
		}
	}
	journeys.SortEvents(sorted)
	write(t, s, sorted...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for start := 0; start < len(shuffled); start += 37 { // many small batches: late events everywhere
		write(t, s, shuffled[start:min(start+37, len(shuffled))]...)
	}
	for p := 0; p < people; p++ {
		// CheckChain (in timeline) proves each chain is in (time, id) order;
		// ids differ between the two people, so compare time and name.
		a := timeline(t, s, fmt.Sprintf("%ssorted-%d", run, p))
		b := timeline(t, s, fmt.Sprintf("%sshuffled-%d", run, p))
		if len(a) != len(want[p]) || !slices.Equal(a, b) {
			t.Errorf("person %d: %d distinct events; sorted chain %v, shuffled chain %v", p, len(want[p]), a, b)
		}
	}
}

// timeline checks a person's chain and returns "minute name" per event,
// names sorted within one minute.
func timeline(t *testing.T, s *graph.Store, person string) []string {
	t.Helper()
	if _, err := s.CheckChain(context.Background(), person); err != nil {
		t.Fatal(err)
	}
	_, events, err := s.Journey(context.Background(), person, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = fmt.Sprintf("%04d %s", int(e.Time.Sub(t0).Minutes()), e.Name)
	}
	slices.Sort(out) // time-major; CheckChain already proved the order
	return out
}

func TestIdentifyMergesAnonymousJourney(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	anon, known := run+"anon", run+"known"
	a1, a3 := ev(anon, "view", 1), ev(anon, "cart", 3)
	a1.Anonymous, a3.Anonymous = true, true
	write(t, s, a1, a3, ev(known, "email_open", 2), ev(known, "email_click", 4))

	id := journeys.Event{Type: journeys.TypeIdentify, Name: journeys.NameIdentify, Person: known, PreviousID: anon,
		Time: t0.Add(5 * time.Minute), Properties: map[string]any{"email": "x@example.com"}}
	id.ID = journeys.EventID(known, id.Name, id.Time, id.Properties)
	if got := write(t, s, id); got.Accepted != 1 {
		t.Fatalf("identify: got %+v, want 1 accepted", got)
	}
	// Later events sent under the anonymous id join the known person.
	late := ev(anon, "buy", 6)
	late.Anonymous = true
	write(t, s, late)

	want := []string{"view", "email_open", "cart", "email_click", "identify", "buy"}
	if got := chainNames(t, s, known); !slices.Equal(got, want) {
		t.Errorf("merged chain = %v, want %v", got, want)
	}
	p, _, err := s.Journey(context.Background(), anon, 10) // the anonymous id resolves
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != known || !slices.Equal(p.Aliases, []string{anon}) || p.Traits != `{"email":"x@example.com"}` {
		t.Errorf("person via anonymous id = %+v, want %s with alias %s and traits", p, known, anon)
	}
	if got := write(t, s, id); got.Duplicates != 1 {
		t.Errorf("identify again: got %+v, want a duplicate", got)
	}
}

func TestJourneyOfUnknownPersonIsNotFound(t *testing.T) {
	s := graphtest.Open(t)
	_, _, err := s.Journey(context.Background(), graphtest.RunID(t)+"nobody", 10)
	if code := journeys.ErrorCode(err); code != journeys.ENOTFOUND {
		t.Errorf("error code = %q (%v), want %q", code, err, journeys.ENOTFOUND)
	}
}

func TestDeletePeopleErasesEverything(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	a, anon := run+"a", run+"anon"
	x := ev(anon, "view", 1)
	x.Anonymous = true
	id := journeys.Event{Type: journeys.TypeAlias, Name: journeys.NameAlias, Person: a, PreviousID: anon, Time: t0.Add(3 * time.Minute)}
	id.ID = journeys.EventID(a, id.Name, id.Time, nil)
	write(t, s, x, ev(a, "cart", 2))
	write(t, s, id)
	n, err := s.DeletePeople(context.Background(), []string{a})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("deleted %d events, want 3 (view, cart, alias)", n)
	}
	for _, who := range []string{a, anon} {
		if _, _, err := s.Journey(context.Background(), who, 10); journeys.ErrorCode(err) != journeys.ENOTFOUND {
			t.Errorf("Journey(%s) after delete: %v, want not found", who, err)
		}
	}
	// Re-sending the erased events stores them again, as new.
	if got := write(t, s, ev(a, "cart", 2)); got.Accepted != 1 {
		t.Errorf("re-send after erasure: %+v, want accepted", got)
	}
}

func TestWriteResultNamesTouchedPeople(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	a, b := run+"a", run+"b"
	res := write(t, s, ev(b, "view", 1), ev(a, "view", 2), ev(a, "cart", 3))
	if want := []string{a, b}; !slices.Equal(res.People, want) {
		t.Errorf("People = %v, want %v", res.People, want)
	}
	if res = write(t, s, ev(a, "view", 2)); len(res.People) != 0 {
		t.Errorf("a batch of duplicates touched %v, want nobody", res.People)
	}
}

func TestRestepAppliesEditedRules(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	p := run + "p"
	page := func(url string, minutes int) journeys.Event {
		e := ev(p, journeys.NamePageView, minutes)
		e.Type, e.URL = journeys.TypePage, url
		e.ID = journeys.EventID(p, e.Name+url, e.Time, nil)
		return e
	}
	write(t, s, page("https://shop.example/p/1", 1), page("https://shop.example/help", 2), page("https://shop.example/cart", 3))
	rules := journeys.StepRules{Rules: []journeys.StepRule{
		{Label: "product", URL: "*/p/*"},
		{Label: "help", URL: "*/help", Exclude: true},
		{Label: "cart", URL: "*/cart"},
	}}
	read, changed, err := s.Restep(context.Background(), rules, run)
	if err != nil {
		t.Fatal(err)
	}
	if read != 3 || changed != 3 {
		t.Errorf("restep read %d, changed %d; want 3 and 3", read, changed)
	}
	_, events, err := s.Journey(context.Background(), p, 10)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range events {
		steps = append(steps, e.Step)
	}
	if want := []string{"product", "", "cart"}; !slices.Equal(steps, want) {
		t.Errorf("steps after restep = %q, want %q (help excluded)", steps, want)
	}
	if _, changed, _ = s.Restep(context.Background(), rules, run); changed != 0 {
		t.Errorf("second restep changed %d events, want 0", changed)
	}
}
