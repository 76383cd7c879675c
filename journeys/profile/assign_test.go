package profile

import (
	"context"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// TestAssignerReproducesDiscovery: at the model's as_of, the nearest
// centroid of each person's vector is the cluster k-means gave them, and
// the vectors are Vectors' (the model's channels).
func TestAssignerReproducesDiscovery(t *testing.T) {
	seqs, _ := planted(15)
	ms := &modelStore{}
	p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: ms}
	ctx := context.Background()
	d, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 3, KMax: 5, Seed: 1, PersonPrefix: "g", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.Vectors(ctx, VectorQuery{AsOf: asOf, PersonPrefix: "g"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []journeys.ClusterRef{{Scope: "g"}, {Scope: "g", Model: d.Version}} {
		a, err := p.Assigner(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if a.Clusters() != d.K || a.Version != d.Version {
			t.Fatalf("%+v: %d clusters of model %d, want %d of %d", ref, a.Clusters(), a.Version, d.K, d.Version)
		}
		byID := map[string]journeys.TouchSequence{}
		for _, s := range seqs {
			byID[s.Person] = s
		}
		wrong := 0
		for i, id := range d.IDs {
			x, ok := a.Vector(byID[id], asOf)
			if !ok {
				t.Fatalf("%s: no vector", id)
			}
			for j, f := range v.Features {
				if x[j] != v.X.At(i, j) {
					t.Fatalf("%s %s: %g, Vectors has %g", id, f.Name, x[j], v.X.At(i, j))
				}
			}
			if a.Assign(byID[id], asOf) != d.Labels[i] {
				wrong++
			}
		}
		if wrong > 0 {
			t.Errorf("%+v: %d of %d people assigned another cluster than k-means gave them", ref, wrong, len(d.IDs))
		}
	}
}

func TestAssignerNoBehaviour(t *testing.T) {
	seqs, _ := planted(15)
	ms := &modelStore{}
	p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: ms}
	ctx := context.Background()
	if _, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 3, KMax: 3, Seed: 1, PersonPrefix: "g", Save: true}); err != nil {
		t.Fatal(err)
	}
	a, err := p.Assigner(ctx, journeys.ClusterRef{Scope: "g"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ts   journeys.TouchSequence
	}{
		{"no touches", journeys.TouchSequence{Person: "x"}},
		{"only outbound", journeys.TouchSequence{Person: "x", Touches: []journeys.Touch{touch("email_sent", 3, 0)}}},
		{"only after as_of", journeys.TouchSequence{Person: "x", Touches: []journeys.Touch{touch("purchase", -2, 0)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := a.Assign(tc.ts, asOf); got != -1 {
				t.Errorf("got cluster %d, want -1 (no vector)", got)
			}
		})
	}
	if _, err := p.Assigner(ctx, journeys.ClusterRef{Scope: "g", Model: 9}); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("model 9: %v, want not found", err)
	}
	if _, err := p.Assigner(ctx, journeys.ClusterRef{Scope: "other"}); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("scope other: %v, want not found", err)
	}
}

func TestNearest(t *testing.T) {
	cs := [][]float64{{0, 0}, {2, 0}, {0, 2}}
	tests := []struct {
		name string
		z    []float64
		want int
	}{
		{"at a centroid", []float64{2, 0}, 1},
		{"closer to the third", []float64{0.2, 1.5}, 2},
		{"tie goes to the lowest", []float64{1, 0}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Nearest(cs, tc.z); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// TestRenameCluster: a name given to a cluster is shown in the current
// discovery's profile and by the assigner; bad names, versions and
// indexes name their field.
func TestRenameCluster(t *testing.T) {
	seqs, _ := planted(15)
	ms := &modelStore{}
	p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: ms}
	ctx := context.Background()
	d, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 3, KMax: 3, Seed: 1, PersonPrefix: "g", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RenameCluster(ctx, "g", d.Version, 1, "  bargain hunters "); err != nil {
		t.Fatal(err)
	}
	cur, err := p.Current(ctx, "g")
	if err != nil || cur.Profiles[1].Name != "bargain hunters" || cur.Profiles[0].Name != "" || cur.Profiles[1].Label != d.Profiles[1].Label {
		t.Fatalf("current after rename: %+v %v", cur.Profiles, err)
	}
	if got := p.ClusterName(ctx, journeys.ClusterRef{Index: 1, Scope: "g"}); got != "bargain hunters" {
		t.Errorf("cluster name %q", got)
	}
	reading := journeys.DescribeNamed(journeys.Condition{Cluster: &journeys.ClusterRef{Index: 1, Scope: "g"}},
		func(r journeys.ClusterRef) string { return p.ClusterName(ctx, r) })
	if want := `is in cluster 1 "bargain hunters" of the current clustering model of people "g…"`; reading != want {
		t.Errorf("reading %q, want %q", reading, want)
	}
	tests := []struct {
		name           string
		version, index int
		label          string
		field          string
		code           string
	}{
		{"too long", d.Version, 0, strings.Repeat("x", MaxClusterName+1), "name", journeys.EINVALID},
		{"control", d.Version, 0, "a\x00b", "name", journeys.EINVALID},
		{"version", 0, 0, "x", "version", journeys.EINVALID},
		{"index", d.Version, -1, "x", "index", journeys.EINVALID},
		{"no such cluster", d.Version, 7, "x", "", journeys.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := p.RenameCluster(ctx, "g", tc.version, tc.index, tc.label)
			if journeys.ErrorCode(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if e, ok := err.(*journeys.Error); tc.field != "" && (!ok || len(e.Details) != 1 || e.Details[0].Field != tc.field) {
				t.Errorf("got %v, want it to name %s", err, tc.field)
			}
		})
	}
}

// TestProject: the projection samples the people seeded (the same seed,
// the same people), places each in the cluster k-means gave them at the
// model's as_of, and puts the planted groups apart.
func TestProject(t *testing.T) {
	seqs, _ := planted(15)
	ms := &modelStore{}
	p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: ms}
	ctx := context.Background()
	d, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 4, KMax: 4, Seed: 1, PersonPrefix: "g", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	label := map[string]int{}
	for i, id := range d.IDs {
		label[id] = d.Labels[i]
	}
	pr, err := p.Project(ctx, "g", 200, 9)
	if err != nil {
		t.Fatal(err)
	}
	if pr.People != d.People || len(pr.Points) != 200 || len(pr.Centroids) != d.K || len(pr.Ratio) != 2 || pr.Version != d.Version {
		t.Fatalf("projection of %d people: %d points, %d centroids, ratio %v", pr.People, len(pr.Points), len(pr.Centroids), pr.Ratio)
	}
	if pr.Ratio[0] < pr.Ratio[1] || pr.Ratio[0]+pr.Ratio[1] > 1+1e-9 {
		t.Errorf("variance shares %v", pr.Ratio)
	}
	for i, pt := range pr.Points {
		if pt.Cluster != label[pt.Person] {
			t.Errorf("%s: cluster %d, k-means gave %d", pt.Person, pt.Cluster, label[pt.Person])
		}
		if i > 0 && pr.Points[i-1].Person >= pt.Person {
			t.Fatalf("points not in id order at %d", i)
		}
	}
	again, err := p.Project(ctx, "g", 200, 9)
	if err != nil || again.Points[17] != pr.Points[17] {
		t.Errorf("same seed, other sample: %+v, %+v (%v)", again.Points[17], pr.Points[17], err)
	}
	other, _ := p.Project(ctx, "g", 200, 10)
	same := 0
	for i := range other.Points {
		if other.Points[i].Person == pr.Points[i].Person {
			same++
		}
	}
	if same == len(pr.Points) {
		t.Error("another seed drew the same sample")
	}
	for _, tc := range []struct {
		sample int
		code   string
	}{{1, journeys.EINVALID}, {MaxProjection + 1, journeys.EINVALID}} {
		if _, err := p.Project(ctx, "g", tc.sample, 1); journeys.ErrorCode(err) != tc.code {
			t.Errorf("sample %d: %v, want %s", tc.sample, err, tc.code)
		}
	}
	if _, err := p.Project(ctx, "nobody", 100, 1); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("no clustering: %v, want not found", err)
	}
}
