package journeys

import (
	"fmt"
	"time"
)

// ClusterPred is a compiled cluster block. Compile leaves Assigner nil:
// the service that evaluates segments loads the model the block names
// (ClusterPreds finds the blocks) and sets it before any engine evaluates
// the Pred; an engine refuses an unresolved block (EINVALID).
type ClusterPred struct {
	ClusterRef
	AsOf     time.Time
	Assigner ClusterAssigner
}

// ClusterAssigner places people in the clusters of one clustering model
// (profile.Assigner). It is safe for concurrent use.
type ClusterAssigner interface {
	// Clusters returns the number of clusters of the model.
	Clusters() int
	// Assign returns the index of the centroid nearest to the behaviour
	// vector of ts (its touches in chain order) at asOf, or -1 when ts has
	// no own event before asOf.
	Assign(ts TouchSequence, asOf time.Time) int
}

// ClusterPreds returns the cluster blocks of p (shared with p: setting
// their Assigner resolves p's blocks).
func (p Pred) ClusterPreds() []*ClusterPred {
	var out []*ClusterPred
	var walk func(p Pred)
	walk = func(p Pred) {
		if p.Kind == PredCluster && p.Cluster != nil {
			out = append(out, p.Cluster)
		}
		for _, k := range p.Kids {
			walk(k)
		}
	}
	walk(p)
	return out
}

// ClusterBlock is a cluster block of a definition and its JSON path
// ("where.all[1].cluster"), for errors that name it.
type ClusterBlock struct {
	Path string
	Ref  ClusterRef
}

// ClusterBlocks returns the cluster blocks of the segment's condition, in
// the order of the definition.
func (s Segment) ClusterBlocks() []ClusterBlock {
	var out []ClusterBlock
	var walk func(c Condition, path string)
	walk = func(c Condition, path string) {
		switch {
		case c.Cluster != nil:
			out = append(out, ClusterBlock{Path: path + ".cluster", Ref: *c.Cluster})
		case c.Not != nil:
			walk(*c.Not, path+".not")
		}
		for i, k := range c.All {
			walk(k, fmt.Sprintf("%s.all[%d]", path, i))
		}
		for i, k := range c.Any {
			walk(k, fmt.Sprintf("%s.any[%d]", path, i))
		}
	}
	walk(s.Where, "where")
	return out
}
