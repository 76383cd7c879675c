package journeys_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestParseClusterBlock(t *testing.T) {
	tests := []struct {
		name, where string
		want        journeys.ClusterRef
		problem     string // the first problem's "field: problem" prefix, "" when valid
	}{
		{"index", `{"cluster": {"index": 2}}`, journeys.ClusterRef{Index: 2}, ""},
		{"model number", `{"cluster": {"index": 0, "model": 7}}`, journeys.ClusterRef{Model: 7}, ""},
		{"model string", `{"cluster": {"index": 1, "model": "12", "scope": "shop:"}}`, journeys.ClusterRef{Index: 1, Model: 12, Scope: "shop:"}, ""},
		{"in a group", `{"all": [{"did": "purchase"}, {"not": {"cluster": {"index": 3}}}]}`, journeys.ClusterRef{}, ""},
		{"no index", `{"cluster": {"model": 3}}`, journeys.ClusterRef{}, "where.cluster.index: missing"},
		{"negative index", `{"cluster": {"index": -1}}`, journeys.ClusterRef{}, "where.cluster.index: -1 is not a whole number"},
		{"fractional index", `{"cluster": {"index": 1.5}}`, journeys.ClusterRef{}, "where.cluster.index: 1.5 is not a whole number"},
		{"model zero", `{"cluster": {"index": 1, "model": 0}}`, journeys.ClusterRef{}, "where.cluster.model: 0 is not a model version"},
		{"model text", `{"cluster": {"index": 1, "model": "latest"}}`, journeys.ClusterRef{}, `where.cluster.model: "latest" is not a model version`},
		{"unknown key", `{"cluster": {"index": 1, "k": 4}}`, journeys.ClusterRef{}, "where.cluster.k: unknown key (want index, model, scope)"},
		{"not an object", `{"cluster": 2}`, journeys.ClusterRef{}, "where.cluster: want {\"index\": 0}"},
		{"window refused", `{"cluster": {"index": 1}, "within": "7d"}`, journeys.ClusterRef{}, "where.within: not an option of cluster"},
		{"nested path", `{"any": [{"did": "x"}, {"cluster": {"index": "a"}}]}`, journeys.ClusterRef{}, "where.any[1].cluster.index: want a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := journeys.ParseSegment([]byte(`{"name": "c", "where": ` + tc.where + `}`))
			if tc.problem != "" {
				e, ok := err.(*journeys.Error)
				if !ok || e.Code != journeys.EINVALID || len(e.Details) == 0 {
					t.Fatalf("got %v, want EINVALID naming %q", err, tc.problem)
				}
				if got := e.Details[0].Error(); !strings.HasPrefix(got, tc.problem) {
					t.Errorf("got %q, want it to start %q", got, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Where.Cluster != nil && *s.Where.Cluster != tc.want {
				t.Errorf("got %+v, want %+v", *s.Where.Cluster, tc.want)
			}
			b, _ := json.Marshal(s)
			back, err := journeys.ParseSegment(b)
			if err != nil {
				t.Fatalf("round trip %s: %v", b, err)
			}
			if got, want := journeys.Describe(back.Where), journeys.Describe(s.Where); got != want {
				t.Errorf("round trip reads %q, want %q", got, want)
			}
		})
	}
}

func TestDescribeClusterBlock(t *testing.T) {
	names := func(r journeys.ClusterRef) string {
		if r.Index == 2 {
			return "bargain hunters"
		}
		return ""
	}
	tests := []struct {
		name  string
		ref   journeys.ClusterRef
		named bool
		want  string
	}{
		{"current", journeys.ClusterRef{Index: 2}, false, "is in cluster 2 of the current clustering model"},
		{"named", journeys.ClusterRef{Index: 2}, true, `is in cluster 2 "bargain hunters" of the current clustering model`},
		{"unnamed", journeys.ClusterRef{Index: 1, Model: 4}, true, "is in cluster 1 of clustering model 4"},
		{"scope", journeys.ClusterRef{Index: 0, Model: 4, Scope: "shop:"}, false, `is in cluster 0 of clustering model 4 of people "shop:…"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := journeys.Condition{Cluster: &tc.ref}
			got := journeys.Describe(c)
			if tc.named {
				got = journeys.DescribeNamed(c, names)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCompileClusterBlock(t *testing.T) {
	s, err := journeys.ParseSegment([]byte(`{"name": "c", "where": {"all": [{"did": "purchase"}, {"not": {"cluster": {"index": 3, "model": 2}}}, {"cluster": {"index": 1}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	p := s.Compile(asOf, nil)
	cps := p.ClusterPreds()
	if len(cps) != 2 {
		t.Fatalf("got %d cluster preds, want 2", len(cps))
	}
	want := []journeys.ClusterRef{{Index: 3, Model: 2}, {Index: 1}}
	for i, cp := range cps {
		if cp.ClusterRef != want[i] || !cp.AsOf.Equal(asOf) || cp.Assigner != nil {
			t.Errorf("pred %d = %+v, want %+v at %v, unresolved", i, *cp, want[i], asOf)
		}
	}
	if n := len(p.Leaves()); n != 1 {
		t.Errorf("got %d leaves, want 1 (cluster blocks explain nothing)", n)
	}
	if p.Kids[2].Kind != journeys.PredCluster {
		t.Errorf("kind %q, want cluster", p.Kids[2].Kind)
	}
}
