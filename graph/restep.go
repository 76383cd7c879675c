package graph

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// restepPage is how many events Restep reads and rewrites per transaction.
const restepPage = 10000

// Restep applies rules to every stored event, so that edited step rules
// take effect without re-importing: it reads the events in id order, a page
// per transaction, and rewrites the step of those whose step changed. It
// returns how many events it read and how many it changed. A Restep stopped
// half-way leaves every event with either its old or its new step; running
// it again finishes the job. prefix limits it to the people whose id starts
// with it ("" for everyone).
func (s *Store) Restep(ctx context.Context, rules journeys.StepRules, prefix string) (read, changed int, err error) {
	after := ""
	for {
		var rows []map[string]any
		n, last := 0, after
		err := s.write(ctx, stampTimeout, func(tx neo4j.ManagedTransaction) error {
			rows, n, last = rows[:0], 0, after // a retried transaction starts the page again
			recs, err := run(ctx, tx, "page_event_steps", map[string]any{"after": after, "prefix": prefix, "limit": restepPage})
			if err != nil {
				return err
			}
			for _, r := range recs {
				e := journeys.Event{ID: str(r, "id"), Type: str(r, "type"), Name: str(r, "name"), URL: str(r, "url")}
				n++
				last = e.ID
				step := ""
				if label, keep := rules.Step(e); keep {
					step = label
				}
				if step != str(r, "step") {
					rows = append(rows, map[string]any{"id": e.ID, "step": nullable(step)})
				}
			}
			if len(rows) == 0 {
				return nil
			}
			_, err = run(ctx, tx, "set_event_steps", map[string]any{"rows": rows, "now": time.Now().UnixMilli()})
			return err
		})
		if err != nil {
			return read, changed, wrap("restep", err)
		}
		read, changed, after = read+n, changed+len(rows), last
		if n < restepPage {
			return read, changed, nil
		}
	}
}
