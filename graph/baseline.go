package graph

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// CreateBaseline writes events as bare :Event nodes with the properties
// WriteEvents stores, in one transaction, with no dedupe, chain or person:
// the floor an ingest benchmark compares WriteEvents against. Erase them
// with DeletePeople (they carry their person ids).
func (s *Store) CreateBaseline(ctx context.Context, events []journeys.Event) error {
	now := time.Now().UnixMilli()
	rows := make([]map[string]any, len(events))
	for i, e := range events {
		rows[i] = EventRow(e, now)
	}
	return wrap("baseline", s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "baseline_create_events", map[string]any{"events": rows})
		return err
	}))
}
