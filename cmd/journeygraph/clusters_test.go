package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/markov/cluster"
)

// clusterEvents is a CSV of two behavioural groups before 2024-06-01:
// buyers (n people: views and a purchase, on the web) and email clickers
// (m people: emails sent, opened and clicked, no purchase).
func clusterEvents(n, m int) string {
	var b strings.Builder
	b.WriteString("uid,ts,action,channel,value\n")
	for i := range n {
		d := 1 + i%5
		fmt.Fprintf(&b, "b%d,2024-05-%02dT10:00:00Z,product_view,web,\n", i, 30-d)
		fmt.Fprintf(&b, "b%d,2024-05-%02dT10:05:00Z,add_to_cart,web,\n", i, 30-d)
		fmt.Fprintf(&b, "b%d,2024-05-%02dT10:09:00Z,purchase,web,%d\n", i, 30-d, 40+10*(i%3))
	}
	for i := range m {
		for w := 1; w <= 3; w++ {
			fmt.Fprintf(&b, "e%d,2024-%02d-10T08:00:00Z,Email Sent,email,\n", i, 2+w)
			fmt.Fprintf(&b, "e%d,2024-%02d-10T09:00:00Z,Email Opened,email,\n", i, 2+w)
			fmt.Fprintf(&b, "e%d,2024-%02d-10T09:01:00Z,Email Link Clicked,email,\n", i, 2+w)
		}
	}
	return b.String()
}

func TestClustersCommand(t *testing.T) {
	graphtest.Open(t)
	dir := t.TempDir()
	run := graphtest.RunID(t)
	data := writeFile(t, dir, "events.csv", clusterEvents(12, 8))
	mapping := writeFile(t, dir, "m.json", fmt.Sprintf(`{"format":"csv","header":true,"person":"uid","time":"ts","name":"action","channel":"channel","value":"value","person_prefix":%q}`, run))
	if _, err := runCmd(t, append([]string{"import", "--mapping", mapping, "--state-dir", dir, "--rejects", filepath.Join(dir, "r.csv")},
		append(neo4jArgs(graphtest.Config()), data)...)...); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"clusters", "--k", "2-4", "--as-of", "2024-06-01", "--person-prefix", run, "--min-size", "10"}, neo4jArgs(graphtest.Config())...)
	out, err := runCmd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out)
	for _, want := range []string{"20 people at 2024-06-01 00:00", "silhouette exact", "Calinski–Harabasz", "← chosen",
		"buyers", ", no purchase", "under 10 people", "recency_days", "hidden-state features: none"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if out, err = runCmd(t, append(args, "--dbscan")...); err != nil || !strings.Contains(out, "DBSCAN (eps ") {
		t.Errorf("--dbscan: %v\n%s", err, out)
	}
	out, err = runCmd(t, append(args, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var d profile.Discovery
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.K != 2 || len(d.Scores) != 3 || len(d.Profiles) != 2 {
		t.Fatalf("k %d, %d scores, %d profiles: want k 2, 3 scores, 2 profiles", d.K, len(d.Scores), len(d.Profiles))
	}
	sizes := map[int]bool{d.Profiles[0].Size: true, d.Profiles[1].Size: true}
	if !sizes[12] || !sizes[8] {
		t.Errorf("cluster sizes %d, %d: want 12 and 8", d.Profiles[0].Size, d.Profiles[1].Size)
	}
	store := graphtest.Open(t)
	t.Cleanup(func() { _ = store.DeleteModels(context.Background(), run) })
	if out, err = runCmd(t, append(args, "--save")...); err != nil || !strings.Contains(out, "stored as clusters model version 1") {
		t.Fatalf("--save: %v\n%s", err, out)
	}
	m, err := store.CurrentModel(context.Background(), journeys.ModelKindClusters, run)
	if err != nil || m.Version != 1 || len(m.States) != 2 || m.States[0].Size+m.States[1].Size != 20 {
		t.Errorf("stored model: %+v, %v; want version 1, 2 clusters of 20 people", m, err)
	}
	if out, err = runCmd(t, append(args, "--current")...); err != nil || !strings.Contains(out, "stored as clusters model version 1") || !strings.Contains(out, "← chosen") {
		t.Errorf("--current: %v\n%s", err, out)
	}
	// With a hidden-state model of the prefix, its states are features,
	// stored with the clustering and shown by --current.
	if _, err := runCmd(t, append([]string{"fit", "--states", "2", "--person-prefix", run, "--to", "2024-06-01"}, neo4jArgs(graphtest.Config())...)...); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{{"--save"}, {"--current"}} {
		out, err = runCmd(t, append(args, extra...)...)
		t.Log(out)
		if err != nil || !strings.Contains(out, "hidden-state features: the 2 states of hidden-state model version 1") || !strings.Contains(out, "hmm_p_state_") {
			t.Errorf("%s with a hidden-state model: %v\n%s", extra[0], err, out)
		}
	}
	if _, err := runCmd(t, "clusters", "--k", "9-3"); err == nil || !strings.Contains(err.Error(), "k") {
		t.Errorf("--k 9-3: got %v, want an error naming k", err)
	}
}

// TestPrintDiscoverySays: the text answer says when k was chosen on a
// sample and gives the chosen k's fit on everyone.
func TestPrintDiscoverySays(t *testing.T) {
	base := profile.Discovery{People: 60000, K: 2, Silhouette: "sampled", SilhouetteSample: 2000, Restarts: 4,
		Scores: []cluster.Score{{K: 2, Inertia: 10, Silhouette: 0.4, CalinskiHarabasz: 30}}}
	sampled := base
	sampled.SelectionSample, sampled.Fit = 50000, &cluster.Score{K: 2, Inertia: 12.5, CalinskiHarabasz: 40}
	for _, tc := range []struct {
		name string
		d    profile.Discovery
		want string
	}{
		{"every k on everyone", base, ""},
		{"k on a sample", sampled, "k chosen on a seeded sample of 50000 people (scores below); k = 2 then fitted on all 60000: inertia 12.5, Calinski–Harabasz 40.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			if err := printDiscovery(&out, &tc.d); err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(out.String(), "k chosen on a seeded sample")
			if tc.want == "" && got {
				t.Errorf("got a sample line for a fit on everyone:\n%s", out.String())
			}
			if tc.want != "" && !strings.Contains(out.String(), tc.want) {
				t.Errorf("got\n%s\nwant a line %q", out.String(), tc.want)
			}
		})
	}
}
