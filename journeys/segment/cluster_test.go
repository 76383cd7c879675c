package segment

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// fakeClusters has one model per scope, of k clusters, whose assigner
// places every person in cluster place.
type fakeClusters struct {
	k     map[string]int
	place int
	loads int
}

func (f *fakeClusters) ClusterAssigner(_ context.Context, ref journeys.ClusterRef) (journeys.ClusterAssigner, error) {
	f.loads++
	if ref.Scope == "gone:" {
		return nil, journeys.Errorf(journeys.EINVALID, "clustering model 1 of people \"gone:…\" was fitted with hidden-state model 3, which no longer exists")
	}
	k, ok := f.k[ref.Scope]
	if !ok || ref.Model > 1 {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "no clusters model")
	}
	return fixedAssigner{k: k, place: f.place}, nil
}

type fixedAssigner struct{ k, place int }

func (a fixedAssigner) Clusters() int                                { return a.k }
func (a fixedAssigner) Assign(journeys.TouchSequence, time.Time) int { return a.place }

// predEngine evaluates by calling the assigner of each cluster block of
// the Pred on an empty person, and answers "p" when the first holds.
type predEngine struct{ evaluated int }

func (e *predEngine) EvaluateSegment(_ context.Context, p journeys.Pred, _ journeys.SegmentScope) ([]string, error) {
	e.evaluated++
	for _, cp := range p.ClusterPreds() {
		if cp.Assigner == nil {
			return nil, journeys.Errorf(journeys.EINVALID, "unresolved")
		}
		if cp.Assigner.Assign(journeys.TouchSequence{}, cp.AsOf) == cp.Index {
			return []string{"p"}, nil
		}
	}
	return nil, nil
}

// TestClusterBlocksChecked: a preview or save of a definition whose
// cluster block names a cluster its model lacks, or a model that does not
// exist, is EINVALID naming the block's path; a valid one is evaluated
// with the model resolved, each model loaded once.
func TestClusterBlocksChecked(t *testing.T) {
	tests := []struct {
		name, where string
		field       string // "" when valid
		loads       int    // valid: models loaded
	}{
		{"valid", `{"cluster": {"index": 2}}`, "", 1},
		{"two blocks, one model", `{"any": [{"cluster": {"index": 0}}, {"not": {"cluster": {"index": 2}}}]}`, "", 1},
		{"two models", `{"any": [{"cluster": {"index": 0}}, {"not": {"cluster": {"index": 2, "model": 1}}}]}`, "", 2},
		{"index beyond", `{"all": [{"did": "x"}, {"cluster": {"index": 3}}]}`, "where.all[1].cluster.index", 0},
		{"no model of the scope", `{"cluster": {"index": 0, "scope": "shop:"}}`, "where.cluster", 0},
		{"no such version", `{"not": {"cluster": {"index": 0, "model": 4}}}`, "where.not.cluster", 0},
		{"model unusable", `{"any": [{"did": "x"}, {"cluster": {"index": 0, "scope": "gone:"}}]}`, "where.any[1].cluster", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seg, err := journeys.ParseSegment([]byte(`{"name": "c", "where": ` + tc.where + `}`))
			if err != nil {
				t.Fatal(err)
			}
			models := &fakeClusters{k: map[string]int{"": 3}, place: 2}
			eng := &predEngine{}
			sg := &Segmenter{Store: listStore{}, Engine: eng, Clusters: models}
			pv, err := sg.Preview(context.Background(), seg, time.Time{}, 5)
			if tc.field == "" {
				if err != nil || pv.Count != 1 || models.loads != tc.loads {
					t.Fatalf("preview: %+v %v after %d loads, want 1 member and %d loads", pv, err, models.loads, tc.loads)
				}
				return
			}
			e, ok := err.(*journeys.Error)
			if !ok || e.Code != journeys.EINVALID || len(e.Details) != 1 || e.Details[0].Field != tc.field {
				t.Fatalf("preview: %v, want EINVALID naming %s", err, tc.field)
			}
			if eng.evaluated != 0 {
				t.Errorf("evaluated a definition that does not check")
			}
			if _, _, err := sg.Save(context.Background(), seg); journeys.ErrorCode(err) != journeys.EINVALID || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("save: %v, want EINVALID naming %s", err, tc.field)
			}
		})
	}
}

// TestClusterBlocksWithoutModels: a segmenter without clustering models
// refuses a cluster block clearly.
func TestClusterBlocksWithoutModels(t *testing.T) {
	seg, err := journeys.ParseSegment([]byte(`{"name": "c", "where": {"cluster": {"index": 0}}}`))
	if err != nil {
		t.Fatal(err)
	}
	sg := &Segmenter{Store: listStore{}, Engine: &predEngine{}}
	_, err = sg.Preview(context.Background(), seg, time.Time{}, 5)
	if journeys.ErrorCode(err) != journeys.EINVALID || !strings.Contains(err.Error(), "no current clustering model") {
		t.Errorf("got %v, want EINVALID saying there is no clustering model", err)
	}
}

// TestRefreshResolvesClusters: a refresh evaluates stored cluster
// segments with their model, loaded at each refresh.
func TestRefreshResolvesClusters(t *testing.T) {
	seg, err := journeys.ParseSegment([]byte(`{"name": "c", "where": {"cluster": {"index": 1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	models := &fakeClusters{k: map[string]int{"": 3}, place: 1}
	sg := &Segmenter{Store: listStore{segs: []journeys.Segment{seg}}, Engine: &predEngine{}, Clusters: models}
	for i := range 2 {
		res, err := sg.Refresh(context.Background(), nil, journeys.SegmentScope{}, "test", time.Time{})
		if err != nil || len(res) != 1 || res[0].Members != 1 || models.loads != i+1 {
			t.Fatalf("refresh %d: %+v %v after %d loads", i, res, err, models.loads)
		}
	}
}

// failingEngine fails every evaluation with err.
type failingEngine struct{ err error }

func (e failingEngine) EvaluateSegment(context.Context, journeys.Pred, journeys.SegmentScope) ([]string, error) {
	return nil, e.err
}

// TestRefreshGoesOnPastABrokenSegment: a segment that cannot be evaluated
// (its clustering model deleted) does not hold back the segments after
// it; its result carries the error, the refresh returns it, and the
// ingest hook queues its people again only when trying again may help.
func TestRefreshGoesOnPastABrokenSegment(t *testing.T) {
	var segs []journeys.Segment
	for _, def := range []string{
		`{"name": "a", "where": {"cluster": {"index": 1}}}`,
		`{"name": "broken", "where": {"cluster": {"index": 1, "scope": "deleted:"}}}`,
		`{"name": "c", "where": {"cluster": {"index": 1}}}`,
	} {
		seg, err := journeys.ParseSegment([]byte(def))
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, seg)
	}
	models := &fakeClusters{k: map[string]int{"": 3}, place: 1}
	sg := &Segmenter{Store: listStore{segs: segs}, Engine: &predEngine{}, Clusters: models}
	res, err := sg.Refresh(context.Background(), nil, journeys.SegmentScope{}, "test", time.Time{})
	if len(res) != 3 || res[0].Members != 1 || res[2].Members != 1 || res[0].Error != "" || res[2].Error != "" {
		t.Fatalf("results %+v, want a and c refreshed with 1 member each", res)
	}
	if res[1].Segment != "broken" || res[1].Error == "" || journeys.ErrorCode(err) != journeys.ENOTFOUND ||
		!strings.Contains(err.Error(), "segment broken") {
		t.Fatalf("broken: %+v, error %v; want its error in its result and returned", res[1], err)
	}
	if Transient(err) {
		t.Errorf("Transient(%v) = true, want false: only a change to the segment or model mends it", err)
	}

	tests := []struct {
		name    string
		eng     Evaluator
		requeue bool
	}{
		{"a segment's own fault", &predEngine{}, false},
		{"the store unreachable", failingEngine{journeys.Errorf(journeys.EUNAVAILABLE, "store down")}, true},
		{"not a journeys error", failingEngine{context.DeadlineExceeded}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sg := &Segmenter{Store: listStore{segs: segs}, Engine: tc.eng, Clusters: models}
			si := NewSegmentingIngester(nil, sg)
			si.Enqueue([]string{"p1", "p2"})
			if err := si.Flush(context.Background()); err == nil {
				t.Fatal("Flush: no error")
			}
			si.mu.Lock()
			queued := len(si.pending)
			si.mu.Unlock()
			if want := map[bool]int{true: 2, false: 0}[tc.requeue]; queued != want {
				t.Errorf("%d people queued again, want %d", queued, want)
			}
		})
	}
}

// TestRefreshUnusableClusterModel: a stored segment whose clustering model
// cannot be used any more (its hidden-state model deleted) fails to
// refresh with an error naming the segment and the models.
func TestRefreshUnusableClusterModel(t *testing.T) {
	seg, err := journeys.ParseSegment([]byte(`{"name": "buyers", "where": {"cluster": {"index": 1, "scope": "gone:"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	eng := &predEngine{}
	sg := &Segmenter{Store: listStore{segs: []journeys.Segment{seg}}, Engine: eng, Clusters: &fakeClusters{}}
	_, err = sg.Refresh(context.Background(), nil, journeys.SegmentScope{}, "test", time.Time{})
	want := `segment buyers: clustering model 1 of people "gone:…" was fitted with hidden-state model 3, which no longer exists`
	if err == nil || err.Error() != want || eng.evaluated != 0 {
		t.Errorf("refresh: %v after %d evaluations, want %q before any", err, eng.evaluated, want)
	}
}
