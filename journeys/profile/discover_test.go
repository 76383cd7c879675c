package profile

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov/cluster"
)

// planted draws people from four known behavioural groups, the last one
// smaller than journeys.DefaultMinSegmentSize, and returns their touch
// sequences (in id order) and each one's group.
func planted(seed uint64) ([]journeys.TouchSequence, map[string]int) {
	return plantedTimes(seed, 1)
}

// plantedTimes is planted with each group times as large.
func plantedTimes(seed uint64, times int) ([]journeys.TouchSequence, map[string]int) {
	rnd := rand.New(rand.NewPCG(seed, 1))
	groups := []struct {
		n    int
		draw func() []journeys.Touch
	}{
		{300, func() []journeys.Touch { // recent buyers
			var ts []journeys.Touch
			d := 1 + rnd.Float64()*8
			for range 3 + rnd.IntN(4) {
				ts = append(ts, touch("product_view", d+rnd.Float64(), 0, channel("web")))
			}
			ts = append(ts, touch("add_to_cart", d, 0.5, channel("web")), touch("purchase", d, 0.2, value(50+rnd.Float64()*100), channel("web")))
			return ts
		}},
		{250, func() []journeys.Touch { // email clickers, no purchase
			var ts []journeys.Touch
			for i := range 4 + rnd.IntN(3) {
				d := 5 + float64(i)*10 + rnd.Float64()
				ts = append(ts, touch("email_sent", d, 1), touch("email_open", d, 0.5, channel("email")), touch("email_click", d, 0.4, channel("email")))
			}
			return ts
		}},
		{200, func() []journeys.Touch { // lapsed browsers
			var ts []journeys.Touch
			d := 150 + rnd.Float64()*60
			for range 1 + rnd.IntN(3) {
				ts = append(ts, touch("page_view", d+rnd.Float64(), 0, channel("web")))
			}
			return ts
		}},
		{30, func() []journeys.Touch { // a few heavy cart builders from ads
			var ts []journeys.Touch
			for i := range 15 + rnd.IntN(5) {
				d := 1 + float64(i)*1.5
				ts = append(ts, touch("add_to_cart", d, 1, channel("ads")), touch("checkout", d, 0.8, channel("ads")))
			}
			return ts
		}},
	}
	var seqs []journeys.TouchSequence
	truth := map[string]int{}
	for g, grp := range groups {
		for i := range grp.n * times {
			id := fmt.Sprintf("g%d-%06d", g, i)
			ts := grp.draw()
			sortTouches(ts)
			seqs = append(seqs, journeys.TouchSequence{Person: id, Touches: ts})
			truth[id] = g
		}
	}
	return seqs, truth
}

func sortTouches(ts []journeys.Touch) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].TS < ts[j-1].TS; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

func TestDiscoverPlanted(t *testing.T) {
	seqs, truth := planted(15)
	p := &Profiler{Touches: &touchReader{seqs: seqs}}
	d, err := p.Discover(context.Background(), Query{AsOf: asOf, KMin: 2, KMax: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Scores {
		t.Logf("k=%d inertia=%.1f silhouette=%.4f CH=%.1f", s.K, s.Inertia, s.Silhouette, s.CalinskiHarabasz)
	}
	if d.K != 4 {
		t.Errorf("chosen k: got %d, want the planted 4", d.K)
	}
	if d.Silhouette != "exact" || d.People != 780 {
		t.Errorf("silhouette %q over %d people: want exact over 780", d.Silhouette, d.People)
	}
	want := make([]int, len(d.IDs))
	for i, id := range d.IDs {
		want[i] = truth[id]
	}
	ari := cluster.AdjustedRand(d.Labels, want)
	t.Logf("adjusted Rand index against the planted groups: %.4f", ari)
	if ari < 0.95 {
		t.Errorf("adjusted Rand index: got %.3f, want ≥ 0.95", ari)
	}
	small := 0
	for _, pr := range d.Profiles {
		t.Logf("cluster %d: %d people (%.1f%%), %q, small %v, distinct %v", pr.Index, pr.Size, 100*pr.Share, pr.Label, pr.Small, pr.Distinct)
		if pr.Small {
			small++
			if pr.Size != 30 {
				t.Errorf("small cluster %d: %d people, want the planted 30", pr.Index, pr.Size)
			}
		}
		if len(pr.Distinct) < DistinctFeatures || len(pr.Centroid) != len(d.Features) {
			t.Errorf("cluster %d: %d distinct features, %d centroid values", pr.Index, len(pr.Distinct), len(pr.Centroid))
		}
	}
	if small != 1 {
		t.Errorf("small clusters: got %d, want 1", small)
	}
}

func TestDiscoverTooFewPeople(t *testing.T) {
	seqs, _ := planted(1)
	p := &Profiler{Touches: &touchReader{seqs: seqs[:5]}}
	_, err := p.Discover(context.Background(), Query{AsOf: asOf, KMin: 2, KMax: 8})
	if journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("error: got %v, want code %s", err, journeys.EINVALID)
	}
}

func TestDiscoverDBSCAN(t *testing.T) {
	seqs, _ := planted(15)
	p := &Profiler{Touches: &touchReader{seqs: seqs}}
	d, err := p.Discover(context.Background(), Query{AsOf: asOf, KMin: 2, KMax: 5, Seed: 1, DBSCAN: true})
	if err != nil {
		t.Fatal(err)
	}
	db := d.DBSCAN
	if db == nil {
		t.Fatal("no DBSCAN summary")
	}
	t.Logf("DBSCAN eps %.3f min_samples %d: %d clusters %v, %d noise", db.Eps, db.MinSamples, db.Clusters, db.Sizes, db.Noise)
	total := db.Noise
	for _, s := range db.Sizes {
		total += s
	}
	if db.MinSamples != 2*len(d.Features) || db.Eps <= 0 || total != d.People || db.Clusters < 2 {
		t.Errorf("summary %+v over %d people, want min_samples %d, eps > 0, everyone counted, at least 2 clusters", db, d.People, 2*len(d.Features))
	}
	if d, err := p.Discover(context.Background(), Query{AsOf: asOf, KMin: 2, KMax: 5}); err != nil || d.DBSCAN != nil {
		t.Errorf("without DBSCAN: %+v, %v", d.DBSCAN, err)
	}
}

// TestDiscoverDBSCANBeyond5000: DBSCAN runs on more people than the 5,000
// its brute-force search once accepted, and refuses more than MaxDBSCAN,
// naming the field.
func TestDiscoverDBSCANBeyond5000(t *testing.T) {
	seqs, _ := plantedTimes(15, 8) // 6,240 people
	p := &Profiler{Touches: &touchReader{seqs: seqs}}
	d, err := p.Discover(context.Background(), Query{AsOf: asOf, KMin: 2, KMax: 5, Seed: 1, DBSCAN: true})
	if err != nil {
		t.Fatal(err)
	}
	if db := d.DBSCAN; db == nil || db.Clusters < 2 || d.People != len(seqs) {
		t.Fatalf("DBSCAN over %d people: %+v, want at least 2 clusters", d.People, db)
	}
	many := make([]journeys.TouchSequence, MaxDBSCAN+1)
	for i := range many {
		many[i] = journeys.TouchSequence{Person: fmt.Sprintf("m%07d", i), Touches: []journeys.Touch{touch("page_view", float64(i%90), 1)}}
	}
	p = &Profiler{Touches: &touchReader{seqs: many}}
	_, err = p.Discover(context.Background(), Query{AsOf: asOf, KMin: 2, KMax: 3, DBSCAN: true})
	if journeys.ErrorCode(err) != journeys.EINVALID || !strings.Contains(fmt.Sprint(err), fmt.Sprintf("dbscan: %d people, more than the %d", MaxDBSCAN+1, MaxDBSCAN)) {
		t.Errorf("DBSCAN over %d people: got %v, want an invalid dbscan field", len(many), err)
	}
}
