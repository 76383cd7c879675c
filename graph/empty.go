package graph

import (
	"context"
	"strings"

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

// MigrateTogether applies the schema to a database loaded offline and
// waits for the indexes to come online. Neo4j fills the indexes a
// transaction creates in one scan of the store, in the background once it
// commits, but fills each constraint's index within its own statement:
// so the indexes are created first, in one transaction, and the
// constraints after, in another, filled while the indexes are (the store
// is scanned by both at once instead of one after the other). The schema
// is the one Migrate applies. For a database no other client is migrating
// at the same time.
func (s *Store) MigrateTogether(ctx context.Context) error {
	var indexes, constraints []string
	for _, stmt := range cypher.Schema() {
		if strings.HasPrefix(strings.ToUpper(stmt), "CREATE CONSTRAINT") {
			constraints = append(constraints, stmt)
		} else {
			indexes = append(indexes, stmt)
		}
	}
	for _, stmts := range [][]string{indexes, constraints} {
		err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
			for _, stmt := range stmts {
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
	}
	_, err := neo4j.ExecuteQuery(ctx, s.driver, "CALL db.awaitIndexes(3600)", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db))
	return wrap("await indexes", err)
}
