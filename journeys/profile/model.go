package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	// NameCluster gives a cluster of a clusters model a name ("" removes
	// it): ENOTFOUND when there is no such model or cluster.
	NameCluster(ctx context.Context, scope string, version, index int, name string) error
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
	// HMMVersion is the hidden-state model whose state probabilities are
	// features (HMMPrefix), 0 when none: placing people uses that version,
	// whichever is current.
	HMMVersion int `json:"hmm_version,omitempty"`
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
	for _, st := range rec.States {
		if st.Index >= 0 && st.Index < len(d.Profiles) {
			d.Profiles[st.Index].Name = st.Name
		}
	}
	return &d, nil
}

// MaxClusterName is the longest name of a cluster, in bytes.
const MaxClusterName = 100

// RenameCluster gives cluster index of clusters model version of scope a
// name, shown in its profile and in the reading of cluster blocks; ""
// removes it. Errors: EINVALID naming the field for a bad name, version
// or index, ENOTFOUND when the model has no such cluster.
func (p *Profiler) RenameCluster(ctx context.Context, scope string, version, index int, name string) error {
	name = strings.TrimSpace(name)
	switch {
	case version < 1:
		return journeys.InvalidField("version", "%d is not a model version (a whole number from 1)", version)
	case index < 0:
		return journeys.InvalidField("index", "%d is not a cluster index (from 0)", index)
	case len(name) > MaxClusterName:
		return journeys.InvalidField("name", "longer than %d bytes", MaxClusterName)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return journeys.InvalidField("name", "%q has control characters or is not UTF-8", name)
	}
	if p.Models == nil {
		return journeys.Errorf(journeys.ENOTFOUND, "no clusters model store")
	}
	return p.Models.NameCluster(ctx, scope, version, index, name)
}

// ClusterName returns the name given to the cluster a block names, "" when
// it has none or its model cannot be read.
func (p *Profiler) ClusterName(ctx context.Context, ref journeys.ClusterRef) string {
	a, err := p.Assigner(ctx, ref)
	if err != nil || ref.Index >= len(a.Names) {
		return ""
	}
	return a.Names[ref.Index]
}

func (p *Profiler) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}
