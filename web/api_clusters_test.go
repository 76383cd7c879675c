package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// clusterTouches are two groups before 2024-06-01: 12 recent buyers and 8
// email clickers who buy nothing.
func clusterTouches() []journeys.TouchSequence {
	day := func(d int) int64 { return time.Date(2024, 6, 1-d, 10, 0, 0, 0, time.UTC).UnixMilli() }
	tc := func(step string, ts int64, v float64) journeys.Touch {
		return journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: ts}, Value: v}
	}
	var seqs []journeys.TouchSequence
	for i := range 12 {
		d := 1 + i%5
		seqs = append(seqs, journeys.TouchSequence{Person: fmt.Sprintf("b%02d", i), Touches: []journeys.Touch{
			tc("product_view", day(d), 0), tc("add_to_cart", day(d)+60_000, 0), tc("purchase", day(d)+120_000, 40+float64(i%3)*10)}})
	}
	for i := range 8 {
		var ts []journeys.Touch
		for _, d := range []int{60, 40, 20} {
			ts = append(ts, tc("email_sent", day(d), 0), tc("email_open", day(d)+60_000, 0), tc("email_click", day(d)+120_000, 0))
		}
		seqs = append(seqs, journeys.TouchSequence{Person: fmt.Sprintf("e%02d", i), Touches: ts})
	}
	return seqs
}

// recordingDiscoverer records the query it was given.
type recordingDiscoverer struct {
	ClusterDiscoverer
	q profile.Query
}

func (r *recordingDiscoverer) Discover(ctx context.Context, q profile.Query) (*profile.Discovery, error) {
	r.q = q
	return r.ClusterDiscoverer.Discover(ctx, q)
}

func TestClusterRoute(t *testing.T) {
	rd := &recordingDiscoverer{ClusterDiscoverer: &profile.Profiler{Touches: fakeTouches{seqs: clusterTouches()}, Models: &clusterModels{}}}
	srv := New(Config{ReadKeys: []string{"r"}, WriteKeys: []string{"w"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithClusters(rd))
	for _, tt := range []struct {
		name, path, auth string
		status           int
		want             string
	}{
		{"discover", "/api/v1/clusters?k=2-4&as_of=2024-06-01&min_size=10&seed=7&restarts=2", "Bearer r", 200, `"k":2,"silhouette":"exact","silhouette_sample":20,"seed":7,"restarts":2,"min_size":10`},
		{"no hidden-state model, no hidden-state features", "/api/v1/clusters?k=2-4&as_of=2024-06-01", "Bearer r", 200, `"hmm_features":false}`},
		{"bad k", "/api/v1/clusters?k=two", "Bearer r", 400, `k: \"two\" is not a range such as 2-8`},
		{"k backwards", "/api/v1/clusters?k=5-3", "Bearer r", 400, `"field":"k"`},
		{"k too large", "/api/v1/clusters?k=2-99", "Bearer r", 400, `k: 99 clusters: at most 20`},
		{"bad as_of", "/api/v1/clusters?as_of=yesterday", "Bearer r", 400, `"field":"as_of"`},
		{"bad seed", "/api/v1/clusters?seed=-1", "Bearer r", 400, `"field":"seed"`},
		{"dbscan", "/api/v1/clusters?k=2-3&as_of=2024-06-01&dbscan=true", "Bearer r", 200, `"dbscan":{"eps":`},
		{"bad dbscan", "/api/v1/clusters?dbscan=yes", "Bearer r", 400, `"field":"dbscan"`},
		{"bad restarts", "/api/v1/clusters?restarts=x", "Bearer r", 400, `"field":"restarts"`},
		{"more k than people", "/api/v1/clusters?k=2-20&as_of=2024-06-01", "Bearer r", 400, `20 people: k up to 20 needs more than 20`},
		{"nobody yet", "/api/v1/clusters?as_of=2020-01-01", "Bearer r", 404, `"code":"not_found"`},
		{"needs the read role", "/api/v1/clusters", "Bearer w", 403, `needs the read role`},
		{"nothing saved yet", "/api/v1/clusters/current?person_prefix=", "Bearer r", 404, `"code":"not_found"`},
		{"save needs the admin role", "POST /api/v1/clusters?k=2-4&as_of=2024-06-01", "Bearer r", 403, `needs the admin role`},
		{"save", "POST /api/v1/clusters?k=2-4&as_of=2024-06-01", "Bearer a", 201, `"version":1`},
		{"save again", "POST /api/v1/clusters?k=2-3&as_of=2024-06-01", "Bearer a", 201, `"version":2`},
		{"saved", "/api/v1/clusters/current", "Bearer r", 200, `"version":2`},
		{"bad k not saved", "POST /api/v1/clusters?k=1-3", "Bearer a", 400, `"field":"k"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			method, path, _ := strings.Cut(tt.path, " ")
			if path == "" {
				method, path = "GET", tt.path
			}
			w := do(srv, method, path, tt.auth, "")
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%s %s = %d %s, want %d with %s", method, path, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	w := do(srv, "GET", "/api/v1/clusters?k=2-4&as_of=2024-06-01&person_prefix=x", "Bearer r", "")
	if rd.q.PersonPrefix != "x" || rd.q.KMin != 2 || rd.q.KMax != 4 || rd.q.Seed != 1 || !rd.q.AsOf.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("query passed on: %+v", rd.q)
	}
	var d profile.Discovery
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Scores) != 3 || len(d.Profiles) != 2 || d.People != 20 {
		t.Fatalf("%d scores, %d profiles, %d people: want 3, 2, 20", len(d.Scores), len(d.Profiles), d.People)
	}
	labels := d.Profiles[0].Label + " | " + d.Profiles[1].Label
	if !strings.Contains(labels, "buyers") || !strings.Contains(labels, "email clickers, no purchase") {
		t.Errorf("labels %q: want buyers and email clickers, no purchase", labels)
	}
	bare := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{})
	if w := do(bare, "GET", "/api/v1/clusters", "Bearer r", ""); w.Code != 404 {
		t.Errorf("without WithClusters: %d, want 404", w.Code)
	}
}

// clusterModels is a fake profile.ModelStore that numbers versions and
// keeps the last model finished.
type clusterModels struct {
	last    journeys.ModelRecord
	current *journeys.ModelRecord
}

func (m *clusterModels) CreateModel(_ context.Context, r journeys.ModelRecord) (int, error) {
	r.Version = m.last.Version + 1
	m.last = r
	return r.Version, nil
}

func (m *clusterModels) FinishModel(_ context.Context, _, _ string, version int, _ []int) error {
	if version != m.last.Version {
		return journeys.Errorf(journeys.ENOTFOUND, "no version %d", version)
	}
	r := m.last
	m.current = &r
	return nil
}

func (m *clusterModels) CurrentModel(_ context.Context, kind, scope string) (journeys.ModelRecord, error) {
	if m.current == nil || m.current.Kind != kind || m.current.Scope != scope {
		return journeys.ModelRecord{}, journeys.Errorf(journeys.ENOTFOUND, "no %s model of %q", kind, scope)
	}
	return *m.current, nil
}

func (m *clusterModels) Model(_ context.Context, kind, scope string, version int) (journeys.ModelRecord, error) {
	if m.current == nil || m.current.Kind != kind || m.current.Scope != scope || m.current.Version != version {
		return journeys.ModelRecord{}, journeys.Errorf(journeys.ENOTFOUND, "no %s model %d of %q", kind, version, scope)
	}
	return *m.current, nil
}

func (m *clusterModels) NameCluster(_ context.Context, scope string, version, index int, name string) error {
	if m.current == nil || m.current.Scope != scope || m.current.Version != version || index >= len(m.current.States) {
		return journeys.Errorf(journeys.ENOTFOUND, "no cluster %d of model %d of %q", index, version, scope)
	}
	m.current.States[index].Name = name
	return nil
}

// TestRenameClusterRoute: an admin names a cluster of a stored model; the
// name shows in the current discovery; bad input names its field.
func TestRenameClusterRoute(t *testing.T) {
	prof := &profile.Profiler{Touches: fakeTouches{seqs: clusterTouches()}, Models: &clusterModels{}}
	srv := New(Config{ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithClusters(prof))
	if w := do(srv, "POST", "/api/v1/clusters?k=2&as_of=2024-06-01", "Bearer a", ""); w.Code != 201 {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	for _, tt := range []struct {
		name, path, auth, body string
		status                 int
		want                   string
	}{
		{"rename", "/api/v1/clusters/1/1", "Bearer a", `{"name": " email fans "}`, 200, `"name":"email fans"`},
		{"needs the admin role", "/api/v1/clusters/1/0", "Bearer r", `{"name": "x"}`, 403, `needs the admin role`},
		{"bad version", "/api/v1/clusters/v1/0", "Bearer a", `{"name": "x"}`, 400, `"field":"version"`},
		{"bad index", "/api/v1/clusters/1/-1", "Bearer a", `{"name": "x"}`, 400, `"field":"index"`},
		{"too long", "/api/v1/clusters/1/0", "Bearer a", `{"name": "` + strings.Repeat("n", 101) + `"}`, 400, `"field":"name"`},
		{"no name", "/api/v1/clusters/1/0", "Bearer a", `{}`, 400, `"field":"name"`},
		{"unknown key", "/api/v1/clusters/1/0", "Bearer a", `{"name": "x", "label": "y"}`, 400, `label`},
		{"no such cluster", "/api/v1/clusters/1/5", "Bearer a", `{"name": "x"}`, 404, `"code":"not_found"`},
		{"no such model", "/api/v1/clusters/9/0", "Bearer a", `{"name": "x"}`, 404, `"code":"not_found"`},
		{"other scope", "/api/v1/clusters/1/0?person_prefix=zz", "Bearer a", `{"name": "x"}`, 404, `"code":"not_found"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(srv, "PUT", tt.path, tt.auth, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("PUT %s = %d %s, want %d with %s", tt.path, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	w := do(srv, "GET", "/api/v1/clusters/current", "Bearer r", "")
	var d profile.Discovery
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.Profiles[1].Name != "email fans" || d.Profiles[0].Name != "" {
		t.Errorf("names after the rename: %q, %q", d.Profiles[0].Name, d.Profiles[1].Name)
	}
}

// clusterEngine evaluates compiled definitions whose only blocks are
// cluster blocks (all of them must hold) over the clusterTouches people,
// with the models the segmenter resolved.
type clusterEngine struct{}

func (clusterEngine) EvaluateSegment(_ context.Context, p journeys.Pred, _ journeys.SegmentScope) ([]string, error) {
	var out []string
	for _, ts := range clusterTouches() {
		in := true
		for _, cp := range p.ClusterPreds() {
			if cp.Assigner == nil {
				return nil, journeys.Errorf(journeys.EINVALID, "unresolved cluster block")
			}
			in = in && cp.Assigner.Assign(ts, cp.AsOf) == cp.Index
		}
		if in {
			out = append(out, ts.Person)
		}
	}
	return out, nil
}

// TestClusterBlockPreview: previews of cluster blocks through the API: a
// cluster the model lacks, or a model that does not exist, is a 400
// naming the block; a valid one counts the cluster's people at as_of and
// reads with the cluster's name.
func TestClusterBlockPreview(t *testing.T) {
	prof := &profile.Profiler{Touches: fakeTouches{seqs: clusterTouches()}, Models: &clusterModels{}}
	d, err := prof.Discover(context.Background(), profile.Query{AsOf: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), KMin: 2, KMax: 2, Seed: 1, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := prof.RenameCluster(context.Background(), "", d.Version, 1, "fans"); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Engine: clusterEngine{}, Clusters: prof}
	srv := New(Config{ReadKeys: []string{"r"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(sg, &fakeSegments{}), WithClusters(prof))
	for _, tt := range []struct {
		name, where string
		status      int
		want        []string
	}{
		{"index beyond the model", `{"cluster": {"index": 5}}`, 400, []string{`"field":"where.cluster.index"`, `5 is not a cluster of the model: it has 2 (0 to 1)`}},
		{"no model of the scope", `{"all": [{"cluster": {"index": 0, "scope": "zz"}}]}`, 400, []string{`"field":"where.all[0].cluster"`, `no current clustering model`}},
		{"no such version", `{"cluster": {"index": 0, "model": 9}}`, 400, []string{`"field":"where.cluster"`}},
		{"valid", `{"cluster": {"index": 1}}`, 200, []string{fmt.Sprintf(`"count":%d`, d.Profiles[1].Size), `is in cluster 1 \"fans\" of the current clustering model`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(srv, "POST", "/api/v1/segments/preview?as_of=2024-06-01T00:00:00Z", "Bearer r", `{"name": "c", "where": `+tt.where+`}`)
			for _, want := range tt.want {
				if w.Code != tt.status || !strings.Contains(w.Body.String(), want) {
					t.Errorf("= %d %s, want %d with %s", w.Code, w.Body, tt.status, want)
				}
			}
		})
	}
}
