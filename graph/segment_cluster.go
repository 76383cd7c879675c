package graph

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// The reference evaluation of cluster blocks: a nearest centroid is no
// Cypher expression, so before rendering, each block is replaced by the
// list of the people in scope its model places in its cluster, computed in
// Go from their events as Neo4j holds them (stream_touches.cypher, the
// touches of Touches). The in-memory engine computes the same from the
// cache's events; the differential test holds the two equal.

// clusterKey is one model at one as_of: its people are placed once per
// evaluation, however many blocks name it.
type clusterKey struct {
	a    journeys.ClusterAssigner
	asOf int64
}

// withClusterPeople returns p with every cluster block replaced by a
// people list (p is not modified). EINVALID for a block without its
// model.
func (s *Store) withClusterPeople(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) (journeys.Pred, error) {
	cps := p.ClusterPreds()
	if len(cps) == 0 {
		return p, nil
	}
	placed := map[clusterKey]map[string]int{}
	for _, cp := range cps {
		if cp.Assigner == nil {
			return p, journeys.Errorf(journeys.EINVALID, "segment: cluster block without its model")
		}
		k := clusterKey{cp.Assigner, cp.AsOf.UnixMilli()}
		if _, ok := placed[k]; ok {
			continue
		}
		m, err := s.placePeople(ctx, cp.Assigner, cp.AsOf.UnixMilli(), scope)
		if err != nil {
			return p, err
		}
		placed[k] = m
	}
	var replace func(p journeys.Pred) journeys.Pred
	replace = func(p journeys.Pred) journeys.Pred {
		if p.Kind == journeys.PredCluster && p.Cluster != nil {
			var ids []string
			for id, c := range placed[clusterKey{p.Cluster.Assigner, p.Cluster.AsOf.UnixMilli()}] {
				if c == p.Cluster.Index {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
			if ids == nil {
				ids = []string{}
			}
			return journeys.Pred{Kind: journeys.PredPeople, People: ids}
		}
		if len(p.Kids) > 0 {
			kids := make([]journeys.Pred, len(p.Kids))
			for i, k := range p.Kids {
				kids[i] = replace(k)
			}
			p.Kids = kids
		}
		return p
	}
	return replace(p), nil
}

// eventReader is a ClusterAssigner that also reads events without a step
// (profile.Assigner: the events its hidden-state model observes).
type eventReader interface {
	Events() []string
}

// placePeople returns the cluster of each person in scope who has one at
// asOf (epoch ms), from their events before asOf: those with a step, and
// those the assigner reads besides.
func (s *Store) placePeople(ctx context.Context, a journeys.ClusterAssigner, asOf int64, scope journeys.SegmentScope) (map[string]int, error) {
	out := map[string]int{}
	at := millis(asOf)
	place := func(ts journeys.TouchSequence) {
		if c := a.Assign(ts, at); c >= 0 {
			out[ts.Person] = c
		}
	}
	names := []string{}
	if er, ok := a.(eventReader); ok && len(er.Events()) > 0 {
		names = er.Events()
	}
	if scope.People == nil {
		set, err := s.Touches(ctx, journeys.TouchQuery{Filter: journeys.Filter{PersonPrefix: scope.Prefix, To: at}, Events: names, Steps: true})
		if err != nil {
			return nil, err
		}
		defer set.Close()
		for set.Next() {
			place(set.At())
		}
		return out, set.Err()
	}
	var ids []string
	for _, id := range scope.People {
		if strings.HasPrefix(id, scope.Prefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	base := map[string]any{"from": int64(math.MinInt64), "to": asOf, "names": names, "steps": true, "every": false,
		"channel": nil, "device": nil}
	for len(ids) > 0 {
		n := min(len(ids), TouchPageSize)
		page := s.touchPage(ctx, base, ids[:n])
		if page.err != nil {
			return nil, page.err
		}
		for _, ts := range page.seqs {
			place(ts)
		}
		ids = ids[n:]
	}
	return out, nil
}
