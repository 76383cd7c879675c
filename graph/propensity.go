package graph

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// WritePropensities stores a supervised propensity model's scores on the
// people of rows in one transaction: p_convert and p_convert_model (target
// "convert") or p_unsubscribe and p_unsubscribe_model ("unsubscribe"), so
// that the segments' propensity block reads them. People not found are
// skipped. Errors: EINVALID for another target.
func (s *Store) WritePropensities(ctx context.Context, target string, version int, rows []journeys.PersonPropensity) error {
	if target != "convert" && target != "unsubscribe" {
		return journeys.InvalidField("target", "unknown target %s (want convert or unsubscribe)", journeys.Quote(target))
	}
	params := make([]map[string]any, len(rows))
	for i, r := range rows {
		params[i] = map[string]any{"id": r.Person, "p": r.P}
	}
	err := s.write(ctx, stampTimeout, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "set_person_propensity", map[string]any{"rows": params, "target": target,
			"version": version, "now": time.Now().UnixMilli()})
		return err
	})
	return wrap("write propensities", err)
}
