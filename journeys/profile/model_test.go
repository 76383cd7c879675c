package profile

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// modelStore is a fake ModelStore keeping the last model created.
type modelStore struct {
	rec   journeys.ModelRecord
	sizes []int
}

func (s *modelStore) CreateModel(_ context.Context, m journeys.ModelRecord) (int, error) {
	m.Version = s.rec.Version + 1
	s.rec = m
	return m.Version, nil
}

func (s *modelStore) FinishModel(_ context.Context, kind, scope string, version int, sizes []int) error {
	if kind != s.rec.Kind || scope != s.rec.Scope || version != s.rec.Version {
		return journeys.Errorf(journeys.ENOTFOUND, "no %s model %d of %q", kind, version, scope)
	}
	s.sizes = sizes
	return nil
}

func (s *modelStore) CurrentModel(_ context.Context, kind, scope string) (journeys.ModelRecord, error) {
	if s.sizes == nil || kind != s.rec.Kind || scope != s.rec.Scope {
		return journeys.ModelRecord{}, journeys.Errorf(journeys.ENOTFOUND, "no %s model of %q", kind, scope)
	}
	return s.rec, nil
}

func (s *modelStore) Model(_ context.Context, kind, scope string, version int) (journeys.ModelRecord, error) {
	if kind != s.rec.Kind || scope != s.rec.Scope || version != s.rec.Version {
		return journeys.ModelRecord{}, journeys.Errorf(journeys.ENOTFOUND, "no %s model %d of %q", kind, version, scope)
	}
	return s.rec, nil
}

func (s *modelStore) NameCluster(_ context.Context, scope string, version, index int, name string) error {
	if scope != s.rec.Scope || version != s.rec.Version || index >= len(s.rec.States) {
		return journeys.Errorf(journeys.ENOTFOUND, "no cluster %d of model %d of %q", index, version, scope)
	}
	s.rec.States[index].Name = name
	return nil
}

func TestDiscoverSaves(t *testing.T) {
	seqs, _ := planted(15)
	ms := &modelStore{}
	fitted := time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)
	p := &Profiler{Touches: &touchReader{seqs: seqs}, Models: ms, Now: func() time.Time { return fitted }}
	ctx := context.Background()
	if _, err := p.Current(ctx, "g"); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Fatalf("current before a save: %v, want not found", err)
	}
	d, err := p.Discover(ctx, Query{AsOf: asOf, KMin: 3, KMax: 5, Seed: 1, PersonPrefix: "g", Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 || ms.rec.Kind != journeys.ModelKindClusters || ms.rec.Scope != "g" || !ms.rec.FittedAt.Equal(fitted) {
		t.Errorf("saved version %d as %s/%q at %s", d.Version, ms.rec.Kind, ms.rec.Scope, ms.rec.FittedAt)
	}
	if len(ms.sizes) != d.K || len(ms.rec.States) != d.K || ms.rec.States[0].Label != d.Profiles[0].Label {
		t.Errorf("states %+v, sizes %v: want one per cluster", ms.rec.States, ms.sizes)
	}
	var m Model
	if err := json.Unmarshal([]byte(ms.rec.HMM), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Centroids) != d.K || len(m.Scales) != len(d.Features) || len(m.Centroids[0]) != len(d.Features) || m.Scope != "g" {
		t.Fatalf("model: %d centroids, %d scales for %d features", len(m.Centroids), len(m.Scales), len(d.Features))
	}
	for j, v := range d.Profiles[1].Centroid { // the centroids are the profiles' in scaled units
		if got := m.Scales[j].Invert(m.Centroids[1][j]); math.Abs(got-v.Value) > 1e-6*math.Max(1, math.Abs(v.Value)) {
			t.Errorf("centroid 1 %s: model %g, profile %g", v.Feature, got, v.Value)
		}
	}
	cur, err := p.Current(ctx, "g")
	if err != nil || cur.Version != 1 || cur.K != d.K || len(cur.Profiles) != d.K || cur.Profiles[0].Label != d.Profiles[0].Label {
		t.Errorf("current: %+v, %v", cur, err)
	}
}
