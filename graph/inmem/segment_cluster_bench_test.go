package inmem

import (
	"context"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/profile"
)

// benchModels keeps the one clustering a benchmark fits.
type benchModels struct{ rec journeys.ModelRecord }

func (m *benchModels) CreateModel(_ context.Context, r journeys.ModelRecord) (int, error) {
	r.Version, m.rec = 1, r
	return 1, nil
}
func (m *benchModels) FinishModel(context.Context, string, string, int, []int) error { return nil }
func (m *benchModels) CurrentModel(context.Context, string, string) (journeys.ModelRecord, error) {
	return m.rec, nil
}
func (m *benchModels) Model(context.Context, string, string, int) (journeys.ModelRecord, error) {
	return m.rec, nil
}
func (m *benchModels) NameCluster(context.Context, string, int, int, string) error { return nil }

// BenchmarkEvaluateClusterSegment evaluates a cluster block (each person's
// behaviour vector at benchAsOf placed at the nearest of k = 4 centroids
// fitted on the same people) over 1M generated events held in memory, the
// whole cache in scope. Run:
//
//	go test ./graph/inmem -run '^$' -bench EvaluateClusterSegment -benchtime 5x
func BenchmarkEvaluateClusterSegment(b *testing.B) {
	c := &Cache{Source: genSource(1_000_000)}
	ctx := context.Background()
	if err := c.Load(ctx); err != nil {
		b.Fatal(err)
	}
	people, events := c.Stats()
	b.Logf("%d people, %d events", people, events)
	prof := &profile.Profiler{Touches: c, Models: &benchModels{}}
	if _, err := prof.Discover(ctx, profile.Query{AsOf: benchAsOf, KMin: 4, KMax: 4, Seed: 1, Save: true}); err != nil {
		b.Fatal(err)
	}
	a, err := prof.Assigner(ctx, journeys.ClusterRef{})
	if err != nil {
		b.Fatal(err)
	}
	seg := journeys.Segment{Name: "cluster", Where: journeys.Condition{Cluster: &journeys.ClusterRef{Index: 1}}}
	p := seg.Compile(benchAsOf, journeys.DefaultOutbound)
	p.ClusterPreds()[0].Assigner = a
	var members int
	for b.Loop() {
		ids, err := c.evaluateSegment(ctx, p, journeys.SegmentScope{})
		if err != nil {
			b.Fatal(err)
		}
		members = len(ids)
	}
	b.ReportMetric(float64(members), "members")
}
