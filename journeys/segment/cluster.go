package segment

import (
	"context"
	"strconv"

	"github.com/journeygraph/journeygraph/journeys"
)

// ClusterModels loads the clustering models that cluster blocks name
// (profile.Profiler): ENOTFOUND when there is no such model.
type ClusterModels interface {
	ClusterAssigner(ctx context.Context, ref journeys.ClusterRef) (journeys.ClusterAssigner, error)
}

// assigners loads each model named by a definition once.
type assigners struct {
	models ClusterModels
	loaded map[journeys.ClusterRef]journeys.ClusterAssigner
}

func (sg *Segmenter) assigners() *assigners {
	return &assigners{models: sg.Clusters, loaded: map[journeys.ClusterRef]journeys.ClusterAssigner{}}
}

// load returns the assigner of the model ref names (its Index ignored).
func (as *assigners) load(ctx context.Context, ref journeys.ClusterRef) (journeys.ClusterAssigner, error) {
	ref.Index = 0
	if a, ok := as.loaded[ref]; ok {
		return a, nil
	}
	if as.models == nil {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "no clustering models are configured")
	}
	a, err := as.models.ClusterAssigner(ctx, ref)
	if err != nil {
		return nil, err
	}
	as.loaded[ref] = a
	return a, nil
}

// checkClusters checks the cluster blocks of s against the models they
// name, loaded by as: EINVALID naming the block when its model does not
// exist or cannot be used, and naming its index when the model has no such
// cluster.
func (sg *Segmenter) checkClusters(ctx context.Context, s journeys.Segment, as *assigners) error {
	blocks := s.ClusterBlocks()
	for _, b := range blocks {
		a, err := as.load(ctx, b.Ref)
		if journeys.ErrorCode(err) == journeys.ENOTFOUND {
			which := "no current clustering model"
			if b.Ref.Model != 0 {
				which = "no clustering model " + strconv.Itoa(b.Ref.Model)
			}
			return journeys.InvalidField(b.Path, "%s for people %q (fit one with POST /api/v1/clusters): %s",
				which, b.Ref.Scope+"…", journeys.ErrorMessage(err))
		}
		if journeys.ErrorCode(err) == journeys.EINVALID { // a model that cannot be used (its hidden-state model deleted)
			return journeys.InvalidField(b.Path, "%s", journeys.ErrorMessage(err))
		}
		if err != nil {
			return err
		}
		if n := a.Clusters(); b.Ref.Index >= n {
			return journeys.InvalidField(b.Path+".index", "%d is not a cluster of the model: it has %d (0 to %d)", b.Ref.Index, n, n-1)
		}
	}
	return nil
}

// resolveClusters sets the model of each cluster block of p, loaded by
// as. A block whose index is beyond its model's clusters (a model refitted
// since the definition was saved) holds for no one.
func (sg *Segmenter) resolveClusters(ctx context.Context, p journeys.Pred, as *assigners) error {
	for _, cp := range p.ClusterPreds() {
		a, err := as.load(ctx, cp.ClusterRef)
		if err != nil {
			return err
		}
		cp.Assigner = a
	}
	return nil
}
