package graph

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// NodeCounts says how many nodes the database holds, whatever their
// prefix.
type NodeCounts struct {
	Events, People int64
	Nodes          int64 // of every label (segments, webhooks, step rules...)
}

// CountNodes counts the database's events, people and nodes (from Neo4j's
// count store: no scan).
func (s *Store) CountNodes(ctx context.Context) (NodeCounts, error) {
	var n NodeCounts
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "count_nodes", map[string]any{})
		if err != nil {
			return err
		}
		if len(recs) == 1 {
			n = NodeCounts{Events: intOf(recs[0], "events"), People: intOf(recs[0], "people"), Nodes: intOf(recs[0], "nodes")}
		}
		return nil
	})
	return n, wrap("count nodes", err)
}
