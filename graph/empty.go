package graph

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/cypher"
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

// MigrateTogether applies every schema statement in one transaction and
// waits for the indexes to come online: Neo4j then fills all the new
// indexes in one scan of the store, which after a bulk load is much faster
// than Migrate's one scan per index. For a database no other client is
// migrating at the same time.
func (s *Store) MigrateTogether(ctx context.Context) error {
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		for _, stmt := range cypher.Schema() {
			res, err := tx.Run(ctx, stmt, nil)
			if err == nil {
				_, err = res.Consume(ctx)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return wrap("schema", err)
	}
	_, err = neo4j.ExecuteQuery(ctx, s.driver, "CALL db.awaitIndexes(3600)", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db))
	return wrap("await indexes", err)
}
