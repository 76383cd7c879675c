package graph_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

var update = flag.Bool("update", false, "rewrite the golden files under graph/testdata")

// loadDemo loads a demo file under the test's run id (person and event ids
// prefixed) and returns the events as stored, in chain order (person, time,
// id), with the step each got, for independent computations.
func loadDemo(t *testing.T, s *graph.Store, file, preset, run string) []journeys.Event {
	t.Helper()
	events := graphtest.DemoEvents(t, file, preset, run)
	rules := journeys.DefaultStepRules()
	in := &ingest.Ingester{Store: s, Rules: rules}
	t.Cleanup(func() {
		if _, err := s.DeletePrefix(context.Background(), run); err != nil {
			t.Errorf("clean up: %v", err)
		}
	})
	if _, err := in.Ingest(context.Background(), events); err != nil {
		t.Fatalf("ingest %s: %v", file, err)
	}
	journeys.SortEvents(events)
	kept := events[:0]
	seen := map[string]bool{}
	for _, e := range events {
		if seen[e.ID] {
			continue // the reader's repeats are stored once
		}
		seen[e.ID] = true
		if step, keep := rules.Step(e); keep {
			e.Step = step
			kept = append(kept, e)
		}
	}
	return kept
}

// byPerson groups events (in chain order) into each person's steps and times.
func byPerson(events []journeys.Event) map[string][]journeys.Event {
	out := map[string][]journeys.Event{}
	for _, e := range events {
		out[e.Person] = append(out[e.Person], e)
	}
	return out
}

// golden compares v, as indented JSON, with testdata/name, or rewrites the
// file under -update. The run id is replaced by "RUN/" so files are stable.
func golden(t *testing.T, name, run string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(string(b), run, "RUN/") + "\n"
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", name, diffLines(string(want), got))
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("line " + itoa(i+1) + ":\n  want " + a + "\n  got  " + c + "\n")
			shown++
		}
	}
	return b.String()
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// reached counts, independently of journeys' matcher, the people who did
// steps[0], then steps[1] after it, ... within window of the entry: for
// each entry, the earliest next step after the previous match (optimal
// without per-step windows or exclusions). It returns people per step and
// the people who reached exactly k steps, per k.
func reached(people map[string][]journeys.Event, steps []string, window time.Duration) ([]int, map[int]map[string]bool) {
	counts := make([]int, len(steps))
	exact := map[int]map[string]bool{}
	for person, evs := range people {
		best := 0
		for i, e := range evs {
			if e.Step != steps[0] {
				continue
			}
			level, at := 1, i
			for k := 1; k < len(steps); k++ {
				next := -1
				for j := at + 1; j < len(evs); j++ {
					if evs[j].Time.Sub(e.Time) > window {
						break
					}
					if evs[j].Step == steps[k] {
						next = j
						break
					}
				}
				if next < 0 {
					break
				}
				level, at = level+1, next
			}
			best = max(best, level)
		}
		for k := 0; k < best; k++ {
			counts[k]++
		}
		if exact[best] == nil {
			exact[best] = map[string]bool{}
		}
		exact[best][person] = true
	}
	return counts, exact
}

func analytics(s *graph.Store) *report.Analytics {
	return &report.Analytics{Store: s, Rules: journeys.DefaultStepRules()}
}

func TestTaobaoFunnel(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	events := loadDemo(t, s, "taobao_200users.csv.gz", "taobao", run)
	people := byPerson(events)
	a := analytics(s)
	ctx := context.Background()
	steps := []string{"product_view", "add_to_cart", "purchase"}
	for _, tt := range []struct {
		name   string
		window time.Duration
		golden string
	}{
		{"whole sample", 30 * 24 * time.Hour, "taobao_funnel.json"},
		{"within an hour", time.Hour, "taobao_funnel_1h.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := report.Funnel{Window: journeys.Duration(tt.window), Filter: journeys.Filter{PersonPrefix: run}}
			for _, st := range steps {
				f.Steps = append(f.Steps, report.FunnelStep{Step: st})
			}
			rep, err := a.Funnel(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, exact := reached(people, steps, tt.window)
			for k, st := range rep.Steps {
				if st.People != want[k] {
					t.Errorf("step %d %s: %d people, independent count %d", k, st.Step, st.People, want[k])
				}
			}
			if rep.PeopleSeen != len(people) {
				t.Errorf("people seen = %d, want %d", rep.PeopleSeen, len(people))
			}
			// Added to cart, never bought (within the window): listed, paged.
			var listed []string
			for offset := 0; ; {
				page, err := a.FunnelDropped(ctx, report.DroppedQuery{Funnel: f, Step: 2, Offset: offset, Limit: 25})
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != rep.Steps[2].DropOff {
					t.Fatalf("dropped total %d, drop-off %d", page.Total, rep.Steps[2].DropOff)
				}
				for _, p := range page.People {
					listed = append(listed, p.ID)
				}
				if page.NextOffset == nil {
					break
				}
				offset = *page.NextOffset
			}
			if len(listed) != len(exact[2]) {
				t.Errorf("listed %d cart abandoners, independent count %d", len(listed), len(exact[2]))
			}
			for _, id := range listed {
				if !exact[2][id] {
					t.Errorf("%s listed as dropped at purchase, but reached %s", id, "another step")
				}
			}
			golden(t, tt.golden, run, rep)
		})
	}
	// Scoped to a segment (everyone who added to cart, evaluated after the
	// sample's end): the funnel counts its members only, as the independent
	// count over them does.
	t.Run("segment", func(t *testing.T) {
		name := strings.TrimSuffix(run, "-") + ".abandoners"
		seg, err := journeys.ParseSegment([]byte(`{"name": "` + name + `", "where": {"did": "add_to_cart"}}`))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), name) })
		var asOf time.Time
		for _, e := range events {
			asOf = maxTime(asOf, e.Time.Add(time.Hour))
		}
		if _, err := s.SaveSegment(ctx, seg, asOf); err != nil {
			t.Fatal(err)
		}
		sg := &segment.Segmenter{Store: s}
		if _, err := sg.Refresh(ctx, []string{name}, journeys.SegmentScope{Prefix: run}, "test", asOf); err != nil {
			t.Fatal(err)
		}
		members := map[string][]journeys.Event{}
		for id, evs := range people {
			if slices.ContainsFunc(evs, func(e journeys.Event) bool { return e.Step == "add_to_cart" }) {
				members[id] = evs
			}
		}
		scoped := &report.Analytics{Store: segment.InSegment{Reader: s, Members: s}, Rules: journeys.DefaultStepRules()}
		f := report.Funnel{Window: journeys.Duration(30 * 24 * time.Hour), Filter: journeys.Filter{PersonPrefix: run, Segment: name}}
		for _, st := range steps {
			f.Steps = append(f.Steps, report.FunnelStep{Step: st})
		}
		rep, err := scoped.Funnel(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := reached(members, steps, 30*24*time.Hour)
		for k, st := range rep.Steps {
			if st.People != want[k] {
				t.Errorf("segment: step %d %s: %d people, independent count over members %d", k, st.Step, st.People, want[k])
			}
		}
		if rep.PeopleSeen != len(members) || len(members) == 0 || len(members) == len(people) {
			t.Errorf("segment: people seen %d, want the %d members (of %d people)", rep.PeopleSeen, len(members), len(people))
		}
		f.Filter.Segment = "no-such-segment"
		if _, err := scoped.Funnel(ctx, f); journeys.ErrorCode(err) != journeys.EINVALID || !strings.Contains(err.Error(), "segment") {
			t.Errorf("unknown segment: %v, want invalid naming the segment", err)
		}
		if _, err := a.Funnel(ctx, f); journeys.ErrorCode(err) != journeys.EINVALID {
			t.Errorf("a reader that cannot scope by segment: %v, want invalid", err)
		}
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestRees46Funnel(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	events := loadDemo(t, s, "rees46_6000events.csv.gz", "rees46", run)
	people := byPerson(events)
	steps := []string{"product_view", "add_to_cart", "purchase"}
	f := report.Funnel{Filter: journeys.Filter{PersonPrefix: run}}
	for _, st := range steps {
		f.Steps = append(f.Steps, report.FunnelStep{Step: st})
	}
	rep, err := analytics(s).Funnel(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := reached(people, steps, time.Duration(report.DefaultFunnelWindow))
	for k, st := range rep.Steps {
		if st.People != want[k] {
			t.Errorf("step %d %s: %d people, independent count %d", k, st.Step, st.People, want[k])
		}
	}
	golden(t, "rees46_funnel.json", run, rep)
}

func TestPathsReconcile(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	events := loadDemo(t, s, "taobao_200users.csv.gz", "taobao", run)
	people := byPerson(events)
	a := analytics(s)
	for _, tt := range []struct {
		name string
		q    report.PathQuery
	}{
		{"from the start of sessions", report.PathQuery{Depth: 3}},
		{"starting at cart", report.PathQuery{Start: "add_to_cart", Depth: 4, Limit: 10}},
		{"ending at purchase over journeys", report.PathQuery{End: "purchase", Depth: 3, Unit: journeys.UnitJourney}},
		{"between cart and purchase", report.PathQuery{Start: "add_to_cart", End: "purchase", Depth: 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Filter.PersonPrefix = run
			rep, err := a.Paths(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			sum, units := rep.Other.People, rep.Other.Units
			for _, p := range rep.Paths {
				sum += p.People
				units += p.Units
				if len(p.Steps) > q.Depth+1 {
					t.Errorf("path %v is longer than depth %d", p.Steps, q.Depth)
				}
			}
			if sum != rep.People || units != rep.Units {
				t.Errorf("paths + other = %d people, %d units; in scope %d people, %d units", sum, units, rep.People, rep.Units)
			}
			if rep.PeopleSeen != len(people) {
				t.Errorf("people seen %d, want %d", rep.PeopleSeen, len(people))
			}
			// People in scope, counted independently: with a unit holding
			// the start (and the end after it); journeys are the whole history.
			in := 0
			for _, evs := range people {
				if hasPath(evs, q) {
					in++
				}
			}
			if rep.People != in {
				t.Errorf("people in scope %d, independent count %d", rep.People, in)
			}
			golden(t, "taobao_paths_"+strings.ReplaceAll(tt.name, " ", "_")+".json", run, rep)
		})
	}
}

// hasPath reports whether some session (journey) of evs has q's start, and
// its end after it: plain loops over 30-minute sessions.
func hasPath(evs []journeys.Event, q report.PathQuery) bool {
	var units [][]journeys.Event
	for i, e := range evs {
		if i == 0 || (q.Unit != journeys.UnitJourney && e.Time.Sub(evs[i-1].Time) > 30*time.Minute) {
			units = append(units, nil)
		}
		units[len(units)-1] = append(units[len(units)-1], e)
	}
	for _, u := range units {
		start := -1
		for i, e := range u {
			if q.Start == "" || e.Step == q.Start {
				start = i
				break
			}
		}
		if start < 0 {
			continue
		}
		if q.End == "" {
			return true
		}
		from := start + 1
		if q.Start == "" {
			from = 0
		}
		for _, e := range u[from:] {
			if e.Step == q.End {
				return true
			}
		}
	}
	return false
}

func TestTransitionsCountEveryEdge(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	events := loadDemo(t, s, "rees46_6000events.csv.gz", "rees46", run)
	rep, err := analytics(s).Transitions(context.Background(), report.TransitionQuery{
		Unit: journeys.UnitJourney, Filter: journeys.Filter{PersonPrefix: run}})
	if err != nil {
		t.Fatal(err)
	}
	// Independent count: consecutive events of each person, plus the
	// virtual start and exit edges.
	want := map[[2]string]int{}
	wantPeople := map[[2]string]map[string]bool{}
	add := func(from, to, person string) {
		k := [2]string{from, to}
		want[k]++
		if wantPeople[k] == nil {
			wantPeople[k] = map[string]bool{}
		}
		wantPeople[k][person] = true
	}
	for person, evs := range byPerson(events) {
		add(report.MarkStart, evs[0].Step, person)
		for i := 1; i < len(evs); i++ {
			add(evs[i-1].Step, evs[i].Step, person)
		}
		add(evs[len(evs)-1].Step, report.MarkExit, person)
	}
	if len(rep.Edges) != len(want) {
		t.Errorf("%d edges, independent count %d", len(rep.Edges), len(want))
	}
	out := map[string]float64{}
	for _, e := range rep.Edges {
		k := [2]string{e.From, e.To}
		if e.Count != want[k] || e.People != len(wantPeople[k]) {
			t.Errorf("%s → %s: count %d people %d, independent %d and %d", e.From, e.To, e.Count, e.People, want[k], len(wantPeople[k]))
		}
		out[e.From] += e.Probability
	}
	for from, p := range out {
		if p < 0.999 || p > 1.001 {
			t.Errorf("P(· | %s) adds up to %v", from, p)
		}
	}
	golden(t, "rees46_transitions.json", run, rep)
}

func TestFiltersKeepMatchingEvents(t *testing.T) {
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	at := func(person, name, channel, device string, minutes int) journeys.Event {
		e := ev(run+person, name, minutes)
		e.Channel, e.Device = channel, device
		e.ID = journeys.EventID(e.Person, name+channel+device, e.Time, nil)
		return e
	}
	write(t, s,
		at("a", "view", "email", "mobile", 0), at("a", "cart", "email", "mobile", 1), at("a", "buy", "web", "desktop", 2),
		at("b", "view", "web", "desktop", 60*24), at("b", "cart", "web", "desktop", 60*24+1))
	a := analytics(s)
	tests := []struct {
		name   string
		filter journeys.Filter
		want   map[string]int // path "view>cart>(exit)" → people
	}{
		{"everything", journeys.Filter{}, map[string]int{"view>cart>buy": 1, "view>cart>(exit)": 1}},
		{"channel", journeys.Filter{Channel: "email"}, map[string]int{"view>cart>(exit)": 1}},
		{"device", journeys.Filter{Device: "desktop"}, map[string]int{"buy>(exit)": 1, "view>cart>(exit)": 1}},
		{"date range", journeys.Filter{From: t0.Add(time.Hour), To: t0.Add(48 * time.Hour)}, map[string]int{"view>cart>(exit)": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			f.PersonPrefix = run
			rep, err := a.Paths(context.Background(), report.PathQuery{Depth: 3, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, p := range rep.Paths {
				got[strings.Join(p.Steps, ">")] = p.People
			}
			if len(got) != len(tt.want) {
				t.Errorf("paths %v, want %v", got, tt.want)
			}
			for k, n := range tt.want {
				if got[k] != n {
					t.Errorf("paths %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}
