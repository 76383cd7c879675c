package graph

import (
	"context"
	"encoding/json"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// DriftStates returns the drift state of every segment checked at least
// once, by name.
func (s *Store) DriftStates(ctx context.Context) (map[string]journeys.DriftState, error) {
	out := map[string]journeys.DriftState{}
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		clear(out)
		recs, err := run(ctx, tx, "drift_states", map[string]any{})
		if err != nil {
			return err
		}
		for _, r := range recs {
			out[str(r, "name")] = journeys.DriftState{Day: millis(intOf(r, "day")), Crossed: strs(r, "crossed")}
		}
		return nil
	})
	return out, wrap("drift states", err)
}

// RecordDrift records a drift check of seg on day (UTC midnight) that
// found f, under the segment's lock: the figures above seg's thresholds
// become its drift state and, for those not above them at the previous
// check (journeys.NextDriftState), one segment.drifted delivery is queued
// per webhook subscribed to drifted for the segment or "*". It returns the
// figures alerted on; nothing changes when day was already checked.
// ENOTFOUND for an unknown segment.
func (s *Store) RecordDrift(ctx context.Context, seg journeys.Segment, day time.Time, f journeys.DriftFigures) ([]string, error) {
	var alert []string
	figures, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	crossed := seg.Drift.Thresholds().Crossed(f)
	err = s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		alert = nil
		now := time.Now().UnixMilli()
		recs, err := run(ctx, tx, "lock_drift", map[string]any{"segment": seg.Name, "now": now})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", seg.Name)
		}
		prev := journeys.DriftState{Day: millis(intOf(recs[0], "day"))}
		prev.Crossed = strs(recs[0], "crossed")
		if !prev.Day.IsZero() && !day.After(prev.Day) {
			return nil // checked already
		}
		next, newly := journeys.NextDriftState(prev, day, crossed)
		if _, err := run(ctx, tx, "set_drift", map[string]any{"segment": seg.Name, "day": next.Day.UnixMilli(),
			"crossed": next.Crossed, "figures": string(figures)}); err != nil {
			return err
		}
		if len(newly) == 0 {
			return nil
		}
		ev := journeys.NewDriftedEvent(seg, day, f, newly)
		payload, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		_, err = run(ctx, tx, "queue_deliveries", map[string]any{"changes": []map[string]any{{"id": ev.ID,
			"kind": journeys.KindDrifted, "segment": seg.Name, "person": nil, "payload": string(payload), "control": false}},
			"now": now})
		alert = newly
		return err
	})
	if err != nil {
		return nil, wrap("record drift", err)
	}
	return alert, nil
}

// strs returns a list column of strings (empty when null).
func strs(r *neo4j.Record, key string) []string {
	v, _ := r.Get(key)
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
