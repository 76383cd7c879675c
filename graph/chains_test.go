package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/markov"
)

// chainsSources are the channels and campaigns planted on the Taobao
// sessions (the dataset has none): chosen by a hash of person and day.
var chainsSources = []struct{ channel, campaign string }{
	{"organic", ""}, {"paid_search", "brand"}, {"email", "newsletter"}, {"social", "spring"}, {"direct", ""},
}

// chainsLoad loads the Taobao excerpt under run, with planted channels,
// campaigns and purchase values, and returns the touch sequences built
// independently in Go from the same file (rules applied, chain order).
func chainsLoad(t *testing.T, s *graph.Store, run string) []journeys.TouchSequence {
	t.Helper()
	events := graphtest.DemoEvents(t, "taobao_200users.csv.gz", "taobao", run)
	for i := range events {
		e := &events[i]
		h := fnv.New32a()
		fmt.Fprintf(h, "%s|%s", strings.TrimPrefix(e.Person, run), e.Time.Format("2006-01-02"))
		src := chainsSources[h.Sum32()%uint32(len(chainsSources))]
		e.Channel, e.Campaign = src.channel, src.campaign
		if e.Name == "purchase" {
			e.Value = float64(10 + len(e.Product)%7*13)
		}
	}
	rules := journeys.DefaultStepRules()
	t.Cleanup(func() { _ = s.DeleteModels(context.Background(), run) })
	if _, err := (&ingest.Ingester{Store: s, Rules: rules}).Ingest(context.Background(), events); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	journeys.SortEvents(events)
	var seqs []journeys.TouchSequence
	seen := map[string]bool{}
	for _, e := range events {
		step, keep := rules.Step(e)
		if seen[e.ID] || !keep {
			continue
		}
		seen[e.ID] = true
		if len(seqs) == 0 || seqs[len(seqs)-1].Person != e.Person {
			seqs = append(seqs, journeys.TouchSequence{Person: e.Person})
		}
		sq := &seqs[len(seqs)-1]
		sq.Touches = append(sq.Touches, journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: e.Time.UnixMilli(), Session: e.Session},
			Name: e.Name, Channel: e.Channel, Campaign: e.Campaign, Value: e.Value})
	}
	return seqs
}

// memTouches is a journeys.TouchReader over sequences held in memory.
type memTouches struct{ seqs []journeys.TouchSequence }

func (m memTouches) Touches(_ context.Context, q journeys.TouchQuery) (journeys.TouchSet, error) {
	chosen := map[string]bool{}
	for _, e := range q.Events {
		chosen[e] = true
	}
	var out []journeys.TouchSequence
	for _, s := range m.seqs {
		if !strings.HasPrefix(s.Person, q.Filter.PersonPrefix) {
			continue
		}
		kept := journeys.TouchSequence{Person: s.Person}
		for _, t := range s.Touches {
			if (q.AllSteps() && t.Step != "") || chosen[t.Name] || chosen[t.Step] {
				kept.Touches = append(kept.Touches, t)
			}
		}
		if len(kept.Touches) > 0 {
			out = append(out, kept)
		}
	}
	return &memSet{seqs: out, i: -1}, nil
}

type memSet struct {
	seqs []journeys.TouchSequence
	i    int
}

func (m *memSet) Next() bool                 { m.i++; return m.i < len(m.seqs) }
func (m *memSet) At() journeys.TouchSequence { return m.seqs[m.i] }
func (m *memSet) Err() error                 { return nil }
func (m *memSet) Close() error               { return nil }

// sameJSON fails unless a and b encode to the same JSON.
func sameJSON(t *testing.T, what string, a, b any) {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("%s through the graph differs from the same analysis in memory:\ngraph  %.400s\nmemory %.400s", what, ja, jb)
	}
}

func TestChainsOnTaobao(t *testing.T) {
	t.Parallel()
	s := graphtest.Open(t)
	run := graphtest.RunID(t)
	seqs := chainsLoad(t, s, run)
	ctx := context.Background()
	viaGraph := &chain.Chains{Store: s}
	inMemory := &chain.Chains{Store: memTouches{seqs}}
	scope := journeys.Filter{PersonPrefix: run}

	t.Run("friction", func(t *testing.T) {
		q := chain.FrictionQuery{Filter: scope, Improbable: 10, Edges: 15}
		got, err := viaGraph.Friction(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := inMemory.Friction(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "friction", got, want)
		if got.People != len(seqs) {
			t.Errorf("people = %d, want %d", got.People, len(seqs))
		}
		checkDwells(t, got, seqs)
		golden(t, "chains_taobao_friction.json", run, got)
	})
	for _, by := range []journeys.Touchpoint{journeys.ByChannel, journeys.ByCampaign, journeys.ByStep} {
		t.Run("attribution by "+string(by), func(t *testing.T) {
			q := chain.AttributionQuery{Filter: scope, By: by}
			got, err := viaGraph.Attribution(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := inMemory.Attribution(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "attribution", got, want)
			golden(t, "chains_taobao_attribution_"+string(by)+".json", run, got)
		})
	}
	t.Run("hidden states", func(t *testing.T) { testHiddenStates(t, s, run, seqs) })
	t.Run("attribution by step equals markov on independent paths", func(t *testing.T) {
		got, err := viaGraph.Attribution(ctx, chain.AttributionQuery{Filter: scope, By: journeys.ByStep})
		if err != nil {
			t.Fatal(err)
		}
		want, err := markov.Attribute(markov.FromPaths(sessionPaths(seqs)), markov.Options{Unsubscribe: "unsubscribe"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Conversions-want.Conversions) > 1e-9 || math.Abs(got.Value-want.Value) > 1e-9 {
			t.Errorf("conversions, value = %g, %g; want %g, %g", got.Conversions, got.Value, want.Conversions, want.Value)
		}
		for _, c := range want.Credits {
			i := slices.IndexFunc(got.Touches, func(tc chain.TouchCredit) bool { return tc.Touch == c.Label })
			if i < 0 {
				if c.Label != "unsubscribe" {
					t.Errorf("no credit for %s", c.Label)
				}
				continue
			}
			g := got.Touches[i]
			if math.Abs(g.RemovalEffect-c.RemovalEffect) > 1e-9 || math.Abs(g.Markov.Conversions-c.Markov.Conversions) > 1e-9 ||
				math.Abs(g.LastTouch.Value-c.LastTouch.Value) > 1e-9 {
				t.Errorf("%s: RE %g, markov %g, last-touch value %g; want %g, %g, %g", c.Label,
					g.RemovalEffect, g.Markov.Conversions, g.LastTouch.Value, c.RemovalEffect, c.Markov.Conversions, c.LastTouch.Value)
			}
		}
	})
}

// sessionPaths cuts sequences into session paths the plain way: a new
// session after 30 minutes, steps before the first purchase, the value of
// every purchase in the session.
func sessionPaths(seqs []journeys.TouchSequence) []markov.Path {
	var out []markov.Path
	for _, s := range seqs {
		var p *markov.Path
		for i, t := range s.Touches {
			if i == 0 || t.TS-s.Touches[i-1].TS > 30*60*1000 {
				out = append(out, markov.Path{})
				p = &out[len(out)-1]
			}
			if t.Step == "purchase" {
				p.Converted = true
				p.Value += t.Value
			} else if !p.Converted {
				p.Steps = append(p.Steps, t.Step)
			}
		}
	}
	return out
}

// checkDwells recomputes the median gap after each step in plain Go.
func checkDwells(t *testing.T, rep chain.FrictionReport, seqs []journeys.TouchSequence) {
	t.Helper()
	gaps := map[string][]float64{}
	var all []float64
	for _, s := range seqs {
		for i := 0; i+1 < len(s.Touches); i++ {
			if d := s.Touches[i+1].TS - s.Touches[i].TS; d <= 30*60*1000 {
				g := float64(d) / 1000
				gaps[s.Touches[i].Step] = append(gaps[s.Touches[i].Step], g)
				all = append(all, g)
			}
		}
	}
	median := func(v []float64) float64 { slices.Sort(v); return journeys.Percentile(v, 50) }
	if got, want := rep.Site.DwellMedianS, median(all); got != want {
		t.Errorf("site dwell median = %g, want %g", got, want)
	}
	for _, st := range rep.Steps {
		if want := median(gaps[st.Step]); len(gaps[st.Step]) > 0 && st.DwellMedianS != want {
			t.Errorf("%s dwell median = %g, want %g", st.Step, st.DwellMedianS, want)
		}
	}
}

// testHiddenStates fits, decodes and renames through the graph and checks
// the model and every person against the same fit in memory.
func testHiddenStates(t *testing.T, s *graph.Store, run string, seqs []journeys.TouchSequence) {
	ctx := context.Background()
	scope := journeys.Filter{PersonPrefix: run}
	hs := &chain.HiddenStates{Touches: s, Models: s, People: s, BatchSize: 64}

	t.Run("chosen events", func(t *testing.T) {
		v, err := hs.Fit(ctx, journeys.ModelQuery{Filter: scope, Events: []string{"add_to_cart", "purchase", "no_such_event"}, States: 2, MaxIter: 5})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"add_to_cart", "purchase"}; !slices.Equal(v.Symbols, want) {
			t.Errorf("symbols = %v, want %v", v.Symbols, want)
		}
	})

	q := journeys.ModelQuery{Filter: scope, States: 3, Seed: 7, Restarts: 2, MaxIter: 40}
	view, err := hs.Fit(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	// The same fit in memory, on symbols built from the file.
	var names []string
	for _, sq := range seqs {
		for _, tc := range sq.Touches {
			if !slices.Contains(names, tc.Step) {
				names = append(names, tc.Step)
			}
		}
	}
	slices.Sort(names)
	ints := make([][]int, len(seqs))
	for i, sq := range seqs {
		for _, tc := range sq.Touches {
			ints[i] = append(ints[i], slices.Index(names, tc.Step))
		}
	}
	_ = q.Normalize()
	cfg := markov.BaumWelchConfig{MaxIter: q.MaxIter, Tol: q.Tol, Restarts: q.Restarts,
		Prior: markov.HMMPrior{Start: 0.01, Trans: 0.01, Emit: 0.01}, Src: rand.NewPCG(q.Seed, q.Seed^0x9e3779b97f4a7c15)}
	want, _, err := markov.SelectHMM(markov.SymbolSequencesOf(ints), len(names), 3, 3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want.SymbolNames = names
	want.AutoLabel(2)
	rec, err := s.CurrentModel(ctx, journeys.ModelKindHMM, run)
	if err != nil {
		t.Fatal(err)
	}
	if wj, _ := json.Marshal(want); string(wj) != rec.HMM {
		t.Fatalf("stored model differs from the fit in memory:\nstored %.300s\nmemory %.300s", rec.HMM, wj)
	}
	// Every person's stored state and propensities against direct
	// filtering and the chain fitted on the plain session paths.
	chain, err := markov.Fit(markov.FromPaths(sessionPaths(seqs)), markov.Options{Unsubscribe: "unsubscribe"})
	if err != nil {
		t.Fatal(err)
	}
	an, err := chain.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	sizes := make([]int, want.States())
	for i, sq := range seqs {
		belief, err := want.Filter(nil, ints[i])
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for j := range belief {
			if belief[j] > belief[k] {
				k = j
			}
		}
		sizes[k]++
		paths := sessionPaths([]journeys.TouchSequence{sq})
		last := paths[len(paths)-1]
		state := chain.Index(markov.Start)
		if !last.Converted && len(last.Steps) > 0 {
			state = chain.Index(last.Steps[len(last.Steps)-1])
		}
		pm, err := s.PersonModel(ctx, sq.Person)
		if err != nil {
			t.Fatal(err)
		}
		if pm.State == nil || *pm.State != want.StateName(k) || math.Abs(*pm.StateP-belief[k]) > 1e-12 ||
			pm.PConvert == nil || math.Abs(*pm.PConvert-an.ConversionProbability(state)) > 1e-12 ||
			pm.Version == nil || *pm.Version != view.Version {
			t.Fatalf("%s: stored %+v; want state %s p %g, p_convert %g, version %d", sq.Person, pm, want.StateName(k), belief[k], an.ConversionProbability(state), view.Version)
		}
	}
	for _, st := range view.States {
		if st.Size != sizes[st.Index] {
			t.Errorf("state %d size = %d, want %d", st.Index, st.Size, sizes[st.Index])
		}
	}
	view.FittedAt, view.Fit.FitSeconds, view.Fit.DecodeSeconds, view.Version = time.Time{}, 0, 0, 0
	golden(t, "chains_taobao_model.json", run, view)

	// Renaming a state renames it in the model and on its people.
	renamed, err := hs.RenameState(ctx, run, 0, "renamed state")
	if err != nil {
		t.Fatal(err)
	}
	if renamed.States[0].Label != "renamed state" {
		t.Errorf("label after rename = %q", renamed.States[0].Label)
	}
	cur, err := hs.Current(ctx, run)
	if err != nil || cur.States[0].Label != "renamed state" {
		t.Errorf("current model after rename: %v, %+v", err, cur.States)
	}
	if _, err := hs.RenameState(ctx, run, 1, "renamed state"); journeys.ErrorCode(err) != journeys.ECONFLICT {
		t.Errorf("duplicate label: err = %v, want conflict", err)
	}
	for i, sq := range seqs {
		belief, _ := want.Filter(nil, ints[i])
		if belief[0] >= slices.Max(belief) {
			p, err := hs.Person(ctx, sq.Person)
			if err != nil || p.Model.State == nil || *p.Model.State != "renamed state" {
				t.Errorf("person %s after rename: %v, %+v", sq.Person, err, p.Model)
			}
			break
		}
	}
}
