package graph_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// clusterAsOf is the as_of of the cluster segment test's clustering.
var clusterAsOf = time.Date(2005, 5, 5, 12, 0, 0, 0, time.UTC)

// plantClusterPeople writes 40 recent buyers (b00..) and 40 lapsed
// browsers (l00..) under prefix, and returns their ids.
func plantClusterPeople(t *testing.T, s *graph.Store, prefix string) (buyers, lapsed []string) {
	t.Helper()
	var events []journeys.Event
	for i := range 40 {
		b, l := fmt.Sprintf("%sb%02d", prefix, i), fmt.Sprintf("%sl%02d", prefix, i)
		buyers, lapsed = append(buyers, b), append(lapsed, l)
		events = append(events, buyerEvents(b, clusterAsOf, i)...)
		for k := range 1 + i%3 {
			e := evAgo(clusterAsOf, l, "page_view", 150+float64(i)+float64(k)/24)
			e.Channel = "web"
			events = append(events, e)
		}
	}
	write(t, s, events...)
	return buyers, lapsed
}

// buyerEvents are a recent buyer's views, carts and purchases before asOf.
func buyerEvents(person string, asOf time.Time, i int) []journeys.Event {
	var out []journeys.Event
	for k := range 3 + i%3 {
		d := 1 + float64(k) + float64(i%5)/10
		for _, step := range []string{"product_view", "add_to_cart", "purchase"} {
			e := evAgo(asOf, person, step, d)
			e.Channel = "web"
			if step == "purchase" {
				e.Value = 40 + float64(i)
			}
			out = append(out, e)
		}
	}
	return out
}

// TestClusterSegmentsFollowBehaviour: two segments, one per cluster of a
// stored clustering; a lapsed browser who starts buying moves, on the next
// refresh, from the lapsed cluster's segment to the buyers', with LEFT and
// ENTERED history and a webhook delivery for each change, in both
// engines (the Cypher reference and the journey cache).
func TestClusterSegmentsFollowBehaviour(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	buyers, lapsed := plantClusterPeople(t, s, run)
	prof := &profile.Profiler{Touches: s, Models: s}
	t.Cleanup(func() { _ = s.DeleteModels(context.Background(), run) })
	d, err := prof.Discover(ctx, profile.Query{AsOf: clusterAsOf, KMin: 2, KMax: 2, Seed: 1, PersonPrefix: run, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	label := map[string]int{}
	for i, id := range d.IDs {
		label[id] = d.Labels[i]
	}
	buy, lap := label[buyers[0]], label[lapsed[0]]
	if buy == lap {
		t.Fatalf("buyers and lapsed browsers in one cluster %d", buy)
	}
	mover := lapsed[7]
	cache := &inmem.Cache{Source: s, Prefix: run}
	if err := cache.Load(ctx); err != nil {
		t.Fatal(err)
	}
	engines := []struct {
		name   string
		engine segment.Evaluator
	}{{"reference", nil}, {"inmem", cache}}
	type pair struct{ buy, lap journeys.Segment }
	segs := map[string]pair{}
	for _, e := range engines {
		mk := func(name string, index int) journeys.Segment {
			seg, err := journeys.ParseSegment(fmt.Appendf(nil, `{"name": %q, "where": {"cluster": {"index": %d, "scope": %q}}}`,
				run+e.name+"-"+name, index, run))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SaveSegment(ctx, seg, clusterAsOf); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), seg.Name) })
			return seg
		}
		segs[e.name] = pair{mk("buyers", buy), mk("lapsed", lap)}
	}
	hook, err := s.CreateWebhook(ctx, journeys.Webhook{ID: run + "hook", URL: "http://127.0.0.1:1/x", Segment: segs["reference"].lap.Name,
		Events: []string{journeys.KindEntered, journeys.KindLeft}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.DeleteWebhook(context.Background(), hook.ID) })

	later := clusterAsOf.Add(10 * 24 * time.Hour) // the mover's purchases fall between the two
	scope := journeys.SegmentScope{Prefix: run}
	for _, e := range engines {
		p := segs[e.name]
		clock := clusterAsOf
		sg := &segment.Segmenter{Store: s, Engine: e.engine, Clusters: prof, Now: func() time.Time { return clock }}
		res, err := sg.Refresh(ctx, []string{p.buy.Name, p.lap.Name}, scope, "test", clusterAsOf)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		if res[0].Entered != len(buyers) || res[1].Entered != len(lapsed) {
			t.Fatalf("%s: first refresh entered %d and %d, want %d and %d", e.name, res[0].Entered, res[1].Entered, len(buyers), len(lapsed))
		}
		if e.name == "reference" { // the mover starts buying (once: both engines see it)
			write(t, s, buyerEvents(mover, later, 3)...)
		}
		clock = later
		res, err = sg.Refresh(ctx, []string{p.buy.Name, p.lap.Name}, scope, "test", later)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		if res[0].Entered != 1 || res[0].Left != 0 || res[1].Entered != 0 || res[1].Left != 1 {
			t.Errorf("%s: second refresh %+v, want the mover to enter buyers and leave lapsed", e.name, res)
		}
		members, err := s.SegmentMembers(ctx, p.buy.Name, scope)
		if err != nil || !slices.Contains(members, mover) || len(members) != len(buyers)+1 {
			t.Errorf("%s: buyers' segment %d members (%v), want %d with %s", e.name, len(members), err, len(buyers)+1, mover)
		}
		hist, err := s.History(ctx, p.lap.Name, journeys.HistoryQuery{Person: mover, Limit: 10})
		if err != nil || len(hist) != 2 || hist[0].Kind != journeys.KindLeft || hist[1].Kind != journeys.KindEntered {
			t.Errorf("%s: lapsed history of the mover: %+v %v, want LEFT after ENTERED", e.name, hist, err)
		}
		hist, err = s.History(ctx, p.buy.Name, journeys.HistoryQuery{Person: mover, Limit: 10})
		if err != nil || len(hist) != 1 || hist[0].Kind != journeys.KindEntered || !hist[0].At.Equal(later) {
			t.Errorf("%s: buyers' history of the mover: %+v %v, want one ENTERED at %v", e.name, hist, err, later)
		}
	}
	dels, err := s.Deliveries(ctx, hook.ID, 1000)
	if err != nil || len(dels) != len(lapsed)+1 {
		t.Fatalf("deliveries of the lapsed segment's webhook: %d %v, want %d (entries and the mover's exit)", len(dels), err, len(lapsed)+1)
	}
}

// TestNameCluster: a cluster's name is stored on its model's state, read
// back with the current model and by version, and shown in the reading of
// the cluster blocks naming it; naming a cluster the model lacks is
// ENOTFOUND.
func TestNameCluster(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	plantClusterPeople(t, s, run)
	prof := &profile.Profiler{Touches: s, Models: s}
	t.Cleanup(func() { _ = s.DeleteModels(context.Background(), run) })
	d, err := prof.Discover(ctx, profile.Query{AsOf: clusterAsOf, KMin: 2, KMax: 2, Seed: 1, PersonPrefix: run, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := prof.RenameCluster(ctx, run, d.Version, 1, "lapsed browsers"); err != nil {
		t.Fatal(err)
	}
	cur, err := prof.Current(ctx, run)
	if err != nil || cur.Profiles[1].Name != "lapsed browsers" || cur.Profiles[0].Name != "" {
		t.Fatalf("current: %+v %v", cur, err)
	}
	rec, err := s.Model(ctx, journeys.ModelKindClusters, run, d.Version)
	if err != nil || !rec.Current || len(rec.States) != 2 || rec.States[1].Name != "lapsed browsers" || rec.States[1].Label != d.Profiles[1].Label {
		t.Fatalf("model by version: %+v %v", rec, err)
	}
	reading := journeys.DescribeNamed(journeys.Condition{Cluster: &journeys.ClusterRef{Index: 1, Model: d.Version, Scope: run}},
		func(r journeys.ClusterRef) string { return prof.ClusterName(ctx, r) })
	if want := fmt.Sprintf(`is in cluster 1 "lapsed browsers" of clustering model %d of people "%s…"`, d.Version, run); reading != want {
		t.Errorf("reading %q, want %q", reading, want)
	}
	if err := prof.RenameCluster(ctx, run, d.Version, 1, ""); err != nil {
		t.Fatal(err)
	}
	if cur, _ := prof.Current(ctx, run); cur.Profiles[1].Name != "" {
		t.Errorf("name after removing it: %q", cur.Profiles[1].Name)
	}
	if err := s.NameCluster(ctx, run, d.Version, 5, "x"); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("cluster 5: %v, want not found", err)
	}
	if _, err := s.Model(ctx, journeys.ModelKindClusters, run, d.Version+1); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("model %d: %v, want not found", d.Version+1, err)
	}
}

// TestClusterSegmentKeepsItsHiddenStateModel: a clustering fitted while
// the prefix has a hidden-state model stores that version, and cluster
// segments are evaluated with it after a newer fit, in both engines; once
// it is deleted, a refresh fails naming the segment, the clustering model
// and the hidden-state version, and a preview names the block.
func TestClusterSegmentKeepsItsHiddenStateModel(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	buyers, _ := plantClusterPeople(t, s, run)
	t.Cleanup(func() { _ = s.DeleteModels(context.Background(), run) })
	hs := &chain.HiddenStates{Touches: s, Models: s, People: s}
	fit := func() int {
		m, err := hs.Fit(ctx, journeys.ModelQuery{Filter: journeys.Filter{PersonPrefix: run, To: clusterAsOf}, States: 2, Seed: 1, Restarts: 1, MaxIter: 20})
		if err != nil {
			t.Fatal(err)
		}
		return m.Version
	}
	hmm := fit()
	prof := &profile.Profiler{Touches: s, Models: s}
	d, err := prof.Discover(ctx, profile.Query{AsOf: clusterAsOf, KMin: 2, KMax: 2, Seed: 1, PersonPrefix: run, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if !d.HMMFeatures || d.HMMVersion != hmm {
		t.Fatalf("discovery: hidden-state features %v of model %d, want model %d's", d.HMMFeatures, d.HMMVersion, hmm)
	}
	if cur, err := prof.Current(ctx, run); err != nil || !cur.HMMFeatures || cur.HMMVersion != hmm || cur.Version != d.Version {
		t.Fatalf("stored discovery: %v, %d (version %d), %v", cur.HMMFeatures, cur.HMMVersion, cur.Version, err)
	}
	if newer := fit(); newer == hmm {
		t.Fatalf("refit kept version %d", newer)
	}
	buy := d.Labels[slices.Index(d.IDs, buyers[0])]
	cache := &inmem.Cache{Source: s, Prefix: run}
	if err := cache.Load(ctx); err != nil {
		t.Fatal(err)
	}
	seg, err := journeys.ParseSegment(fmt.Appendf(nil, `{"name": %q, "where": {"cluster": {"index": %d, "model": %d, "scope": %q}}}`,
		run+"buyers", buy, d.Version, run))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSegment(ctx, seg, clusterAsOf); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), seg.Name) })
	scope := journeys.SegmentScope{Prefix: run}
	engines := []struct {
		name   string
		engine segment.Evaluator
	}{{"reference", nil}, {"inmem", cache}}
	for _, e := range engines {
		sg := &segment.Segmenter{Store: s, Engine: e.engine, Clusters: prof, Now: func() time.Time { return clusterAsOf }}
		res, err := sg.Refresh(ctx, []string{seg.Name}, scope, "test", clusterAsOf)
		if err != nil || len(res) != 1 || res[0].Members != len(buyers) {
			t.Errorf("%s: %+v with hidden-state model %d (%v), want the %d buyers", e.name, res, hmm, err, len(buyers))
		}
	}
	if err := s.DeleteModel(ctx, journeys.ModelKindHMM, run, hmm); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`segment %s: clustering model %d of people "%s…" was fitted with hidden-state model %d, which no longer exists`,
		seg.Name, d.Version, run, hmm)
	for _, e := range engines {
		sg := &segment.Segmenter{Store: s, Engine: e.engine, Clusters: prof, Now: func() time.Time { return clusterAsOf }}
		_, err := sg.Refresh(ctx, []string{seg.Name}, scope, "test", clusterAsOf)
		if journeys.ErrorCode(err) != journeys.EINVALID || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: refresh: %v, want EINVALID starting %q", e.name, err, want)
		}
		_, err = sg.Preview(ctx, seg, clusterAsOf, 0)
		if e, ok := err.(*journeys.Error); !ok || e.Code != journeys.EINVALID || len(e.Details) != 1 || e.Details[0].Field != "where.cluster" {
			t.Errorf("preview: %v, want EINVALID naming where.cluster", err)
		}
	}
}
