package profile

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
)

// ModelReader reads a stored model by version, current or not
// (graph.Store): ENOTFOUND when there is no such version.
type ModelReader interface {
	Model(ctx context.Context, kind, scope string, version int) (journeys.ModelRecord, error)
}

var _ journeys.ClusterAssigner = (*Assigner)(nil)

// Assigner places people in the clusters of one stored clustering model
// by their behaviour vectors at the time asked: the features of Vectors
// (with the model's channels), scaled by the model's scales, nearest
// centroid by Euclidean distance (the lowest index on a tie). It is the
// ClusterAssigner of the cluster segment block.
type Assigner struct {
	Version int
	Scope   string
	// Names are the names given to the clusters (RenameCluster), "" for
	// none, by index.
	Names []string

	model    Model
	channels map[string]int // channel → its column
	outbound map[string]bool
	stepCol  map[string]int
	states   *chain.StateScorer // the model's hidden-state model, nil for none
	stateCol []int              // hidden state → its column
}

// Assigner loads the clustering model a cluster block names: version
// ref.Model of scope ref.Scope, the scope's current model when 0, with the
// version of the hidden-state model it was fitted with, if any (not the
// current one). Errors: ENOTFOUND when there is no such model, EINVALID
// naming both models when that hidden-state model no longer exists,
// EINTERNAL when it was fitted on other features than this version
// computes.
func (p *Profiler) Assigner(ctx context.Context, ref journeys.ClusterRef) (*Assigner, error) {
	if p.Models == nil {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "no clusters model store")
	}
	var rec journeys.ModelRecord
	var err error
	if ref.Model == 0 {
		rec, err = p.Models.CurrentModel(ctx, journeys.ModelKindClusters, ref.Scope)
	} else {
		rec, err = p.Models.Model(ctx, journeys.ModelKindClusters, ref.Scope, ref.Model)
	}
	if err != nil {
		return nil, err
	}
	var m Model
	if err := json.Unmarshal([]byte(rec.HMM), &m); err != nil {
		return nil, journeys.Errorf(journeys.EINTERNAL, "clusters model %d: %v", rec.Version, err)
	}
	var states *chain.StateScorer
	if m.HMMVersion > 0 {
		states, err = chain.StateScorerOf(ctx, p.Models, rec.Scope, m.HMMVersion)
		if journeys.ErrorCode(err) == journeys.ENOTFOUND {
			return nil, journeys.Errorf(journeys.EINVALID, "clustering model %d of people %q was fitted with hidden-state model %d, which no longer exists: refit the clustering (POST /api/v1/clusters)",
				rec.Version, rec.Scope+"…", m.HMMVersion)
		}
		if err != nil {
			return nil, err
		}
	}
	return newAssigner(rec, m, p.Outbound.Steps(), states)
}

// newAssigner checks m against the features this version computes and
// the states of its hidden-state model (nil for none).
func newAssigner(rec journeys.ModelRecord, m Model, outbound []string, states *chain.StateScorer) (*Assigner, error) {
	bad := func(what string) (*Assigner, error) {
		return nil, journeys.Errorf(journeys.EINTERNAL, "clusters model %d: %s", rec.Version, what)
	}
	d := len(m.Features)
	if d < len(fixedFeatures) || len(m.Scales) != d || len(m.Centroids) == 0 {
		return bad("not a model of these behaviour vectors (refit it)")
	}
	for j, f := range fixedFeatures {
		if m.Features[j].Name != f.Name {
			return bad("feature " + m.Features[j].Name + " is not " + f.Name + " (refit it)")
		}
	}
	a := &Assigner{Version: rec.Version, Scope: rec.Scope, model: m, channels: map[string]int{}, Names: make([]string, len(m.Centroids)), states: states}
	if states != nil {
		a.stateCol = make([]int, states.States())
		for k := range a.stateCol {
			a.stateCol[k] = -1
		}
	}
	for j, f := range m.Features[len(fixedFeatures):] {
		j += len(fixedFeatures)
		if k := f.HMMState; k != nil {
			if states == nil || *k < 0 || *k >= len(a.stateCol) || a.stateCol[*k] >= 0 {
				return bad("feature " + f.Name + " is not a state of its hidden-state model (refit it)")
			}
			a.stateCol[*k] = j
			continue
		}
		name, ok := strings.CutPrefix(f.Name, "channel_share_")
		if !ok {
			return bad("feature " + f.Name + " is unknown (refit it)")
		}
		a.channels[name] = j
	}
	if slices.Contains(a.stateCol, -1) {
		return bad("a state of its hidden-state model is not a feature (refit it)")
	}
	for _, c := range m.Centroids {
		if len(c) != d {
			return bad("a centroid does not have one value per feature")
		}
	}
	for _, s := range rec.States {
		if s.Index >= 0 && s.Index < len(a.Names) {
			a.Names[s.Index] = s.Name
		}
	}
	r := newRowMaker(time.Time{}, outbound)
	a.outbound, a.stepCol = r.outbound, r.stepCol
	return a, nil
}

// Events returns the events without a step that Assign reads besides
// the events with one: those the model's hidden-state model observes (nil
// when it observes steps only, or there is none).
func (a *Assigner) Events() []string {
	if a.states == nil {
		return nil
	}
	return a.states.Events()
}

// Clusters returns the number of clusters of the model.
func (a *Assigner) Clusters() int { return len(a.model.Centroids) }

// Vector returns the behaviour vector of ts at asOf in the model's
// features and units (unscaled), or false when ts has no own event before
// asOf. The hidden-state features are 0 when the model's hidden-state
// model cannot score ts.
func (a *Assigner) Vector(ts journeys.TouchSequence, asOf time.Time) ([]float64, bool) {
	r := rowMaker{asOf: asOf.UnixMilli(), outbound: a.outbound, stepCol: a.stepCol}
	r.from30, r.from90 = r.asOf-Recent.Milliseconds(), r.asOf-Long.Milliseconds()
	x := make([]float64, len(a.model.Features))
	var counts map[int]float64
	row, ok := r.row(ts, func(channel string) {
		if j, ok := a.channels[channel]; ok {
			if counts == nil {
				counts = map[int]float64{}
			}
			counts[j]++
		}
	})
	if !ok {
		return nil, false
	}
	copy(x, row)
	if total := row[colEvents90]; total > 0 {
		for j, n := range counts {
			x[j] = n / total
		}
	}
	if a.states != nil {
		_ = statesAt(a.states, ts, r.asOf, x, a.stateCol) // a sequence the model cannot score leaves them 0
	}
	return x, true
}

// Assign returns the cluster whose centroid is nearest to the scaled
// behaviour vector of ts at asOf, or -1 when ts has no own event before
// asOf.
func (a *Assigner) Assign(ts journeys.TouchSequence, asOf time.Time) int {
	x, ok := a.Vector(ts, asOf)
	if !ok {
		return -1
	}
	for j := range x {
		x[j] = a.model.Scales[j].Apply(x[j])
	}
	return Nearest(a.model.Centroids, x)
}

// Nearest returns the index of the centroid nearest to z by squared
// Euclidean distance, the lowest on a tie.
func Nearest(centroids [][]float64, z []float64) int {
	best, bestD := 0, math.Inf(1)
	for c, mu := range centroids {
		d := 0.0
		for j, v := range z {
			dv := v - mu[j]
			d += dv * dv
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// ClusterAssigner is Assigner as the segment service asks for it.
func (p *Profiler) ClusterAssigner(ctx context.Context, ref journeys.ClusterRef) (journeys.ClusterAssigner, error) {
	a, err := p.Assigner(ctx, ref)
	if err != nil {
		return nil, err
	}
	return a, nil
}
