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
	s.Where.Walk("where", func(c Condition, path string) {
		if c.Cluster != nil {
			out = append(out, ClusterBlock{Path: path + ".cluster", Ref: *c.Cluster})
		}
	})
	return out
}

// Walk calls fn with c and each condition nested in it (all, any, not), in
// the order of the definition, each with its JSON path from path
// ("where.all[1].not").
func (c Condition) Walk(path string, fn func(c Condition, path string)) {
	fn(c, path)
	if c.Not != nil {
		c.Not.Walk(path+".not", fn)
	}
	for i, k := range c.All {
		k.Walk(fmt.Sprintf("%s.all[%d]", path, i), fn)
	}
	for i, k := range c.Any {
		k.Walk(fmt.Sprintf("%s.any[%d]", path, i), fn)
	}
}
