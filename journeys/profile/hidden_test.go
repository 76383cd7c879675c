package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
	"gonum.org/v1/gonum/mat"
)

// models is a fake ModelStore keeping every version of every kind and
// scope, with a current one each.
type models struct {
	recs    map[string][]journeys.ModelRecord // kind/scope → versions (deleted ones zero)
	current map[string]int
}

func newModels() *models {
	return &models{recs: map[string][]journeys.ModelRecord{}, current: map[string]int{}}
}

func (s *models) CreateModel(_ context.Context, m journeys.ModelRecord) (int, error) {
	k := m.Kind + "/" + m.Scope
	m.Version = len(s.recs[k]) + 1
	s.recs[k] = append(s.recs[k], m)
	return m.Version, nil
}

func (s *models) FinishModel(_ context.Context, kind, scope string, version int, sizes []int) error {
	if _, err := s.Model(context.Background(), kind, scope, version); err != nil {
		return err
	}
	s.current[kind+"/"+scope] = version
	return nil
}

func (s *models) CurrentModel(ctx context.Context, kind, scope string) (journeys.ModelRecord, error) {
	return s.Model(ctx, kind, scope, s.current[kind+"/"+scope])
}

func (s *models) Model(_ context.Context, kind, scope string, version int) (journeys.ModelRecord, error) {
	recs := s.recs[kind+"/"+scope]
	if version < 1 || version > len(recs) || recs[version-1].Version == 0 {
		return journeys.ModelRecord{}, journeys.Errorf(journeys.ENOTFOUND, "no %s model %d of %q", kind, version, scope)
	}
	return recs[version-1], nil
}

func (s *models) NameCluster(context.Context, string, int, int, string) error { return nil }

// delete removes a version, as an operator deleting it from the graph.
func (s *models) delete(kind, scope string, version int) {
	s.recs[kind+"/"+scope][version-1] = journeys.ModelRecord{}
}

// addHMM stores a current hidden-state model of scope with two states
// that each emit one symbol only, so that a person's state after their
// last product_view or purchase is certain: the state emitting
// product_view is named browse, the other buy (swapped: buy is state 0).
func (s *models) addHMM(t *testing.T, scope, browse, buy string, swapped bool) int {
	t.Helper()
	b := []float64{1, 0, 0, 1} // state 0 emits product_view, state 1 purchase
	names := []string{browse, buy}
	if swapped {
		b, names = []float64{0, 1, 1, 0}, []string{buy, browse}
	}
	if browse == "" {
		names = nil
	}
	return s.storeHMM(t, scope, []string{"product_view", "purchase"}, names, b, nil)
}

// storeHMM stores a current hidden-state model of scope: two states,
// emissions b over symbols, observing events (nil: every step).
func (s *models) storeHMM(t *testing.T, scope string, symbols, names []string, b []float64, events []string) int {
	t.Helper()
	h, err := markov.NewHMM([]float64{0.5, 0.5}, mat.NewDense(2, 2, []float64{0.7, 0.3, 0.2, 0.8}), mat.NewDense(2, len(symbols), b))
	if err != nil {
		t.Fatal(err)
	}
	h.SymbolNames, h.StateNames = symbols, names
	hj, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := json.Marshal(map[string]any{"query": journeys.ModelQuery{Events: events}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v, _ := s.CreateModel(ctx, journeys.ModelRecord{Kind: journeys.ModelKindHMM, Scope: scope, HMM: string(hj), Meta: string(meta),
		States: []journeys.StateRecord{{Index: 0}, {Index: 1}}})
	if err := s.FinishModel(ctx, journeys.ModelKindHMM, scope, v, []int{1, 1}); err != nil {
		t.Fatal(err)
	}
	return v
}

// statePeople are people whose hidden state at asOf is known under
// addHMM's model: the last observed event of a buyer is a purchase, of a
// browser a product_view (later events do not count; add_to_cart is not
// observed).
func statePeople(n int) []journeys.TouchSequence {
	var seqs []journeys.TouchSequence
	for i := range n {
		d := 1 + float64(i%7)
		seqs = append(seqs,
			journeys.TouchSequence{Person: fmt.Sprintf("h-buyer-%02d", i), Touches: []journeys.Touch{
				touch("product_view", d+2, 0, channel("web")), touch("add_to_cart", d+1, 0, channel("web")),
				touch("purchase", d, 0, value(30), channel("web")), touch("add_to_cart", d, -1, channel("web"))}},
			journeys.TouchSequence{Person: fmt.Sprintf("h-looker-%02d", i), Touches: []journeys.Touch{
				touch("purchase", d+3, 0, value(10), channel("web")), touch("product_view", d, 0, channel("web")),
				touch("purchase", -1, 0, value(99))}}) // after as_of: not seen
	}
	slices.SortFunc(seqs, func(a, b journeys.TouchSequence) int { return strings.Compare(a.Person, b.Person) })
	return seqs
}

// TestHiddenStateFeatures: with a current hidden-state model of the
// prefix, each state is a feature named with its label (or index),
// holding the state's filtered probability after the person's events
// before as_of; the other features are unchanged; without a model the
// vectors are exactly as before.
func TestHiddenStateFeatures(t *testing.T) {
	tests := []struct {
		name          string
		browse, buy   string // state labels ("" for none)
		swapped       bool
		wantBrowse    string
		wantBuy       string
		wantBuyerBuy  float64 // P(buy) of a buyer
		wantLookerBuy float64
	}{
		{"labelled", "browsing", "ready to buy", false, "hmm_p_state_browsing", "hmm_p_state_ready_to_buy", 1, 0},
		{"labelled, states swapped", "browsing", "ready to buy", true, "hmm_p_state_browsing", "hmm_p_state_ready_to_buy", 1, 0},
		{"no labels", "", "", false, "hmm_p_state_0", "hmm_p_state_1", 1, 0},
	}
	ctx := context.Background()
	seqs := statePeople(5)
	plain, err := (&Profiler{Touches: &touchReader{seqs: seqs}}).Vectors(ctx, VectorQuery{AsOf: asOf, PersonPrefix: "h-"})
	if err != nil {
		t.Fatal(err)
	}
	without, err := (&Profiler{Touches: &touchReader{seqs: seqs}, Models: newModels()}).Vectors(ctx, VectorQuery{AsOf: asOf, PersonPrefix: "h-"})
	if err != nil {
		t.Fatal(err)
	}
	if without.HMMVersion != 0 || !slices.EqualFunc(without.Features, plain.Features, sameFeature) || !mat.Equal(without.X, plain.X) {
		t.Errorf("no hidden-state model: features %v (model %d), want exactly %v", without.Features, without.HMMVersion, plain.Features)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := newModels()
			ms.addHMM(t, "other-", "x", "y", false) // another scope's model is not used
			version := ms.addHMM(t, "h-", tc.browse, tc.buy, tc.swapped)
			v, err := (&Profiler{Touches: &touchReader{seqs: seqs}, Models: ms}).Vectors(ctx, VectorQuery{AsOf: asOf, PersonPrefix: "h-"})
			if err != nil {
				t.Fatal(err)
			}
			if v.HMMVersion != version || len(v.Features) != len(plain.Features)+2 {
				t.Fatalf("hidden-state model %d, %d features; want model %d and %d features", v.HMMVersion, len(v.Features), version, len(plain.Features)+2)
			}
			col := map[string]int{}
			for j, f := range v.Features {
				col[f.Name] = j
				if j < len(plain.Features) && !sameFeature(f, plain.Features[j]) {
					t.Errorf("feature %d: %+v, want %+v as without a model", j, f, plain.Features[j])
				}
			}
			for _, name := range []string{tc.wantBrowse, tc.wantBuy} {
				j, ok := col[name]
				if !ok {
					t.Fatalf("no feature %s in %v", name, v.Features)
				}
				if f := v.Features[j]; f.Log || f.Unit != "probability" || f.HMMState == nil || f.Doc == "" {
					t.Errorf("%s: %+v, want an unlogged probability with its state and a doc", name, f)
				}
			}
			for i, id := range v.People {
				want := tc.wantLookerBuy
				if strings.HasPrefix(id, "h-buyer") {
					want = tc.wantBuyerBuy
				}
				if got := v.X.At(i, col[tc.wantBuy]); math.Abs(got-want) > 1e-12 {
					t.Errorf("%s: P(buy) %g, want %g", id, got, want)
				}
				if got := v.X.At(i, col[tc.wantBrowse]); math.Abs(got-(1-want)) > 1e-12 {
					t.Errorf("%s: P(browse) %g, want %g", id, got, 1-want)
				}
				for j := range plain.Features {
					if v.X.At(i, j) != plain.X.At(i, j) {
						t.Errorf("%s %s: %g, want %g as without a model", id, plain.Features[j].Name, v.X.At(i, j), plain.X.At(i, j))
					}
				}
			}
		})
	}
}

func sameFeature(a, b Feature) bool {
	return a.Name == b.Name && a.Unit == b.Unit && a.Log == b.Log && a.Doc == b.Doc && (a.HMMState == nil) == (b.HMMState == nil)
}

// TestHiddenStateFeaturesUnobserved: a person none of whose events the
// model observes has 0 for every state.
func TestHiddenStateFeaturesUnobserved(t *testing.T) {
	ms := newModels()
	ms.addHMM(t, "", "browsing", "buying", false)
	r := &touchReader{seqs: []journeys.TouchSequence{{Person: "c", Touches: []journeys.Touch{touch("add_to_cart", 2, 0)}}}}
	v, err := (&Profiler{Touches: r, Models: ms}).Vectors(context.Background(), VectorQuery{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	n := len(v.Features)
	if got := v.X.RawRowView(0)[n-2:]; got[0] != 0 || got[1] != 0 {
		t.Errorf("states of an unobserved person: %v, want 0 0", got)
	}
}

// TestClusteringKeepsItsHiddenStateModel: a clustering fitted with hidden
// states says so and stores the version it used; reloaded, it places
// people with that version even when another is current; when that
// version is deleted, loading it is EINVALID naming both models.
func TestClusteringKeepsItsHiddenStateModel(t *testing.T) {
	ctx := context.Background()
	ms := newModels()
	v1 := ms.addHMM(t, "h-", "browsing", "ready to buy", false)
	seqs := statePeople(20)
	p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: ms}
	d, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 2, KMax: 2, Seed: 1, PersonPrefix: "h-", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if !d.HMMFeatures || d.HMMVersion != v1 {
		t.Fatalf("discovery: hmm_features %v, version %d; want true, %d", d.HMMFeatures, d.HMMVersion, v1)
	}
	rec, err := ms.CurrentModel(ctx, journeys.ModelKindClusters, "h-")
	if err != nil {
		t.Fatal(err)
	}
	var m Model
	if err := json.Unmarshal([]byte(rec.HMM), &m); err != nil || m.HMMVersion != v1 {
		t.Fatalf("stored model: hmm_version %d (%v), want %d", m.HMMVersion, err, v1)
	}
	cur, err := p.Current(ctx, "h-")
	if err != nil || !cur.HMMFeatures || cur.HMMVersion != v1 {
		t.Fatalf("reloaded discovery: %v %d %v", cur.HMMFeatures, cur.HMMVersion, err)
	}
	readings := map[string]bool{}
	for _, pr := range d.Profiles {
		for _, v := range pr.Centroid {
			readings[v.Reading] = true
		}
	}
	if !readings["likely in state ready_to_buy"] || !readings["unlikely in state ready_to_buy"] {
		t.Errorf("profile readings %v, want the buyers likely and the others unlikely in state ready_to_buy", readings)
	}

	ms.addHMM(t, "h-", "browsing", "ready to buy", true) // version 2, current: its states the other way round
	a, err := p.Assigner(ctx, journeys.ClusterRef{Scope: "h-"})
	if err != nil {
		t.Fatal(err)
	}
	buyCol := slices.IndexFunc(m.Features, func(f Feature) bool { return f.Name == "hmm_p_state_ready_to_buy" })
	if buyCol < 0 || *m.Features[buyCol].HMMState != 1 {
		t.Fatalf("feature hmm_p_state_ready_to_buy: column %d of %v", buyCol, m.Features)
	}
	for i, id := range d.IDs {
		x, ok := a.Vector(seqs[i], asOf)
		if seqs[i].Person != id || !ok {
			t.Fatalf("%s: no vector", id)
		}
		want := 0.0
		if strings.HasPrefix(id, "h-buyer") {
			want = 1
		}
		if x[buyCol] != want {
			t.Errorf("%s: P(ready_to_buy) %g under the clustering's model, want %g", id, x[buyCol], want)
		}
		if c := a.Assign(seqs[i], asOf); c != d.Labels[i] {
			t.Errorf("%s: assigned %d, k-means gave %d", id, c, d.Labels[i])
		}
	}

	ms.delete(journeys.ModelKindHMM, "h-", v1)
	_, err = p.Assigner(ctx, journeys.ClusterRef{Scope: "h-", Model: d.Version})
	want := fmt.Sprintf(`clustering model %d of people "h-…" was fitted with hidden-state model %d, which no longer exists`, d.Version, v1)
	if journeys.ErrorCode(err) != journeys.EINVALID || !strings.Contains(journeys.ErrorMessage(err), want) {
		t.Errorf("hidden-state model deleted: %v, want EINVALID saying %q", err, want)
	}
}

// TestReading: hidden-state features read as words, above and below the
// population; the label of a cluster set apart by one says it.
func TestReading(t *testing.T) {
	tests := []struct {
		feature string
		z       float64
		want    string
	}{
		{"hmm_p_state_ready_to_buy", 1.3, "likely in state ready_to_buy"},
		{"hmm_p_state_ready_to_buy", -0.4, "unlikely in state ready_to_buy"},
		{"hmm_p_state_2", 0.5, "likely in state 2"},
		{"hmm_p_state_2", 0, ""},
		{"events_30d", 2, ""},
	}
	for _, tc := range tests {
		if got := Reading(tc.feature, tc.z); got != tc.want {
			t.Errorf("Reading(%s, %g): %q, want %q", tc.feature, tc.z, got, tc.want)
		}
	}
	distinct := []Value{{Feature: "recency_days", Z: -1.5}, {Feature: "hmm_p_state_ready_to_buy", Z: 1.2}, {Feature: "step_purchase_30d", Z: 1.1}}
	if got, want := SuggestLabel(distinct, distinct), "recent buyers likely in state ready_to_buy"; got != want {
		t.Errorf("label %q, want %q", got, want)
	}
}

// TestHiddenStatesReadObservedEvents: a model observing an event without
// a step (a raw name) has it read with every step, by the vectors, the
// assigner (Events) and the projection, and scores it.
func TestHiddenStatesReadObservedEvents(t *testing.T) {
	ms := newModels()
	// state 0 emits the raw event "Buy Button", state 1 purchase.
	ms.storeHMM(t, "", []string{"Buy Button", "purchase"}, []string{"clicking", "buying"}, []float64{1, 0, 0, 1}, []string{"Buy Button", "purchase"})
	click := touch("", 1, 0)
	click.Name = "Buy Button"
	var seqs []journeys.TouchSequence
	for i := range 6 {
		ts := []journeys.Touch{touch("purchase", 2+float64(i), 0, value(10)), touch("page_view", 1.5, 0)}
		if i%2 == 0 {
			ts = append(ts, click) // their last observed event: clicking
		}
		seqs = append(seqs, journeys.TouchSequence{Person: fmt.Sprintf("p%d", i), Touches: ts})
	}
	r := &touchReader{seqs: seqs}
	p := &Profiler{Touches: r, Models: ms}
	ctx := context.Background()
	v, err := p.Vectors(ctx, VectorQuery{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.q.Events, []string{"Buy Button", "purchase"}) || !r.q.Steps {
		t.Errorf("vectors' query: events %v, steps %v; want the model's events and every step", r.q.Events, r.q.Steps)
	}
	col := slices.IndexFunc(v.Features, func(f Feature) bool { return f.Name == "hmm_p_state_clicking" })
	for i, id := range v.People {
		if want := float64(1 - i%2); col < 0 || v.X.At(i, col) != want {
			t.Errorf("%s: P(clicking) column %d, want %g", id, col, want)
		}
	}
	if _, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 2, KMax: 2, Seed: 1, Save: true}); err != nil {
		t.Fatal(err)
	}
	a, err := p.Assigner(ctx, journeys.ClusterRef{})
	if err != nil || !slices.Equal(a.Events(), []string{"Buy Button", "purchase"}) {
		t.Fatalf("assigner events %v (%v), want the model's", a.Events(), err)
	}
	r.q = journeys.TouchQuery{}
	if _, err := p.Project(ctx, "", 6, 1); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.q.Events, []string{"Buy Button", "purchase"}) || !r.q.Steps {
		t.Errorf("projection's query: events %v, steps %v; want the model's events and every step", r.q.Events, r.q.Steps)
	}
}
