package graph

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// ApplySchema exposes applySchema to the external tests.
var ApplySchema = (*Store).applySchema

// ProfileDBHits runs the named query under PROFILE in a transaction that
// is rolled back (so a write query changes nothing) and returns its
// database hits: a plan's cost in units that do not depend on the
// machine's speed.
func ProfileDBHits(ctx context.Context, s *Store, name string, params map[string]any) (int64, error) {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite, DatabaseName: s.db})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	res, err := tx.Run(ctx, "PROFILE "+queryText(name, params), params)
	if err != nil {
		return 0, err
	}
	sum, err := res.Consume(ctx)
	if err != nil {
		return 0, err
	}
	var hits func(p neo4j.ProfiledPlan) int64
	hits = func(p neo4j.ProfiledPlan) int64 {
		n := p.DbHits()
		for _, c := range p.Children() {
			n += hits(c)
		}
		return n
	}
	return hits(sum.Profile()), nil
}
