package profile

import (
	"compress/gzip"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// taobaoSample is the Taobao UserBehavior excerpt of the shared datasets:
// 814 users' complete 9-day histories, 84,287 events (see its SOURCE.md).
const taobaoSample = "../../../shared/datasets/taobao_userbehavior_sample/UserBehavior_head_814users.csv.gz"

// readTaobao reads the sample with the taobao preset and the default step
// rules into touch sequences in person order.
func readTaobao(t *testing.T) []journeys.TouchSequence {
	t.Helper()
	f, err := os.Open(taobaoSample)
	if err != nil {
		t.Skipf("Taobao sample not here: %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := ingest.Preset("taobao")
	r, err := ingest.NewReader(gz, m, time.Now(), journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rules := journeys.DefaultStepRules()
	byPerson := map[string][]journeys.Touch{}
	for r.Next() { // repeats are kept: a third product view is a signal
		e := r.Event()
		if step, keep := rules.Step(e); keep {
			e.Step = step
		}
		byPerson[e.Person] = append(byPerson[e.Person], journeys.Touch{StepEvent: journeys.StepEvent{Step: e.Step, TS: e.Time.UnixMilli()},
			Type: e.Type, Name: e.Name, Channel: e.Channel, Value: e.Value})
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	var seqs []journeys.TouchSequence
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range byPerson {
			if !yield(id) {
				return
			}
		}
	}) {
		ts := byPerson[id]
		slices.SortStableFunc(ts, func(a, b journeys.Touch) int { return int(a.TS - b.TS) })
		seqs = append(seqs, journeys.TouchSequence{Person: id, Touches: ts})
	}
	return seqs
}

// TestDiscoverTaobao runs the discovery on real shoppers: every person
// placed, shares summing to 1, every cluster named.
func TestDiscoverTaobao(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the Taobao sample")
	}
	seqs := readTaobao(t)
	p := &Profiler{Touches: &touchReader{seqs: seqs}}
	d, err := p.Discover(context.Background(), Query{AsOf: time.Date(2017, 12, 4, 0, 0, 0, 0, time.UTC), KMin: 2, KMax: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d people, chosen k=%d (silhouette %s)", d.People, d.K, d.Silhouette)
	for _, s := range d.Scores {
		t.Logf("k=%d silhouette=%.4f CH=%.1f", s.K, s.Silhouette, s.CalinskiHarabasz)
	}
	share, size := 0.0, 0
	for _, pr := range d.Profiles {
		t.Logf("cluster %d: %d people (%.1f%%) %q small=%v", pr.Index, pr.Size, 100*pr.Share, pr.Label, pr.Small)
		share += pr.Share
		size += pr.Size
		if strings.TrimSpace(pr.Label) == "" {
			t.Errorf("cluster %d has no label", pr.Index)
		}
	}
	if d.People < 800 || size != d.People || share < 0.999999 || share > 1.000001 {
		t.Errorf("%d people, %d placed, shares sum to %g", d.People, size, share)
	}
}
