package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov/cluster"
)

// ModelStore keeps clustering models: the part of journeys.ModelStore
// they use (kind journeys.ModelKindClusters, one current model per scope),
// and reads them by version.
type ModelStore interface {
	CreateModel(ctx context.Context, m journeys.ModelRecord) (int, error)
	FinishModel(ctx context.Context, kind, scope string, version int, sizes []int) error
	CurrentModel(ctx context.Context, kind, scope string) (journeys.ModelRecord, error)
	ModelReader
}

// Model is a stored clustering: what places a vector in a cluster (the
// features, their scaling and the centroids in scaled units) and how it
// was chosen.
type Model struct {
	AsOf       time.Time       `json:"as_of"`
	Scope      string          `json:"scope"`
	Features   []Feature       `json:"features"`
	Scales     []cluster.Scale `json:"scales"`
	Centroids  [][]float64     `json:"centroids"`
	Scores     []cluster.Score `json:"scores"`
	Silhouette string          `json:"silhouette"`
	Seed       uint64          `json:"seed"`
	Restarts   int             `json:"restarts"`
}

// save stores d with m as the next clusters model of q.PersonPrefix and
// makes it current, setting d.Version.
func (p *Profiler) save(ctx context.Context, d *Discovery, m Model) error {
	if p.Models == nil {
		return journeys.Errorf(journeys.EINTERNAL, "save clusters: no model store")
	}
	mj, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("save clusters: %w", err)
	}
	rec := journeys.ModelRecord{Kind: journeys.ModelKindClusters, Scope: m.Scope, FittedAt: p.now(), HMM: string(mj)}
	sizes := make([]int, len(d.Profiles))
	for i, pr := range d.Profiles {
		rec.States = append(rec.States, journeys.StateRecord{Index: pr.Index, Label: pr.Label})
		sizes[i] = pr.Size
	}
	meta, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("save clusters: %w", err)
	}
	rec.Meta = string(meta)
	v, err := p.Models.CreateModel(ctx, rec)
	if err != nil {
		return fmt.Errorf("save clusters: %w", err)
	}
	if err := p.Models.FinishModel(ctx, journeys.ModelKindClusters, m.Scope, v, sizes); err != nil {
		return fmt.Errorf("save clusters: %w", err)
	}
	d.Version = v
	return nil
}

// Current returns the discovery stored as the current clusters model of
// scope (a person-id prefix, "" for everyone), with its version. Errors:
// ENOTFOUND when none was saved, EUNAVAILABLE when the store cannot be
// reached.
func (p *Profiler) Current(ctx context.Context, scope string) (*Discovery, error) {
	if p.Models == nil {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "no clusters model store")
	}
	rec, err := p.Models.CurrentModel(ctx, journeys.ModelKindClusters, scope)
	if err != nil {
		return nil, err
	}
	var d Discovery
	if err := json.Unmarshal([]byte(rec.Meta), &d); err != nil {
		return nil, journeys.Errorf(journeys.EINTERNAL, "clusters model %d: %v", rec.Version, err)
	}
	d.Version = rec.Version
	return &d, nil
}

func (p *Profiler) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}
