package propensity

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// models is a fake ModelStore numbering versions and keeping the last
// model finished as current.
type models struct {
	created []journeys.ModelRecord
	current *journeys.ModelRecord
}

func (m *models) CreateModel(_ context.Context, r journeys.ModelRecord) (int, error) {
	r.Version = len(m.created) + 1
	m.created = append(m.created, r)
	return r.Version, nil
}

func (m *models) FinishModel(_ context.Context, kind, scope string, version int, _ []int) error {
	r := m.created[version-1]
	if r.Kind != kind || r.Scope != scope {
		return journeys.Errorf(journeys.ENOTFOUND, "no %s model %d of %q", kind, version, scope)
	}
	m.current = &r
	return nil
}

func (m *models) CurrentModel(_ context.Context, kind, scope string) (journeys.ModelRecord, error) {
	if m.current == nil || m.current.Kind != kind || m.current.Scope != scope {
		return journeys.ModelRecord{}, journeys.Errorf(journeys.ENOTFOUND, "no %s model of %q", kind, scope)
	}
	return *m.current, nil
}

// scores is a fake ScoreWriter recording what it was given.
type scores struct {
	target  string
	version int
	batches int
	rows    []journeys.PersonPropensity
}

func (s *scores) WritePropensities(_ context.Context, target string, version int, rows []journeys.PersonPropensity) error {
	s.target, s.version = target, version
	s.batches++
	s.rows = append(s.rows, rows...)
	return nil
}

func TestSaveWritesTheWinnersScores(t *testing.T) {
	m, sc := &models{}, &scores{}
	s := &Service{Touches: &touchReader{seqs: planted(2500, 2)}, Models: m, Scores: sc, Now: func() time.Time { return now }, BatchSize: 1000}
	ctx := context.Background()
	if _, err := s.Current(ctx, TargetConvert, ""); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Fatalf("before a fit: %v, want ENOTFOUND", err)
	}
	rep, err := s.Fit(ctx, Query{Cutoff: cutoff, Horizon: month, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Winner != "model" || rep.Version != 1 || rep.Written != 2500 || !rep.ScoredAt.Equal(cutoff.Add(2*month)) {
		t.Fatalf("winner %s, version %d, written %d, scored at %s; want model, 1, 2500, %s", rep.Winner, rep.Version, rep.Written, rep.ScoredAt, cutoff.Add(2*month))
	}
	if sc.target != TargetConvert || sc.version != 1 || len(sc.rows) != 2500 || sc.batches != 3 {
		t.Errorf("wrote %d rows of %s version %d in %d batches; want 2500 of convert version 1 in 3", len(sc.rows), sc.target, sc.version, sc.batches)
	}
	for _, r := range sc.rows {
		if !(r.P > 0 && r.P < 1) {
			t.Fatalf("%s: p = %g, not in (0, 1)", r.Person, r.P)
		}
	}
	got, err := s.Current(ctx, TargetConvert, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Written != 2500 || got.Model.AUC != rep.Model.AUC || len(got.Model.Thresholds) != 9 {
		t.Errorf("stored report: version %d, written %d, AUC %g, %d thresholds", got.Version, got.Written, got.Model.AUC, len(got.Model.Thresholds))
	}
	if m.created[0].Kind != "propensity_convert" || !strings.Contains(m.created[0].HMM, `"features":["recency_days"`) {
		t.Errorf("stored model: kind %s, json %.80s", m.created[0].Kind, m.created[0].HMM)
	}
	if _, err := s.Current(ctx, TargetUnsubscribe, ""); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("unsubscribe: %v, want ENOTFOUND", err)
	}
}

func TestQueryNormalize(t *testing.T) {
	tests := []struct {
		name  string
		q     Query
		field string // "" for valid
	}{
		{"defaults", Query{}, ""},
		{"unsubscribe", Query{Target: "unsubscribe"}, ""},
		{"unknown target", Query{Target: "churn"}, "target"},
		{"blank step", Query{Step: " "}, "step"},
		{"horizon under a day", Query{Horizon: time.Hour}, "horizon"},
		{"horizon over a year", Query{Horizon: 400 * 24 * time.Hour}, "horizon"},
		{"test window not over", Query{Cutoff: now.Add(-month)}, "cutoff"},
		{"negative C", Query{C: -1}, "c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			err := q.Normalize(now)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if q.Horizon != DefaultHorizon || !q.Cutoff.Equal(now.Add(-2*DefaultHorizon)) || q.C != 1 || q.Step == "" {
					t.Errorf("defaults: %+v", q)
				}
				return
			}
			if journeys.ErrorCode(err) != journeys.EINVALID || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err = %v, want EINVALID naming %s", err, tc.field)
			}
		})
	}
}
