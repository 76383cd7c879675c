package graph

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

var _ journeys.SequenceReader = (*Store)(nil)

// Sequences streams the step sequences of the people with events in f, one
// person per record, in person id order (see stream_sequences.cypher). The
// query runs in an auto-commit read, not a retried transaction, so a
// half-read stream is never replayed into the caller's counts; an error
// ends the set and Err reports it (EUNAVAILABLE when Neo4j went away).
func (s *Store) Sequences(ctx context.Context, f journeys.Filter, withSessions bool) (journeys.SequenceSet, error) {
	if err := f.NoSegment(); err != nil {
		return nil, err
	}
	from, to := f.Range()
	params := map[string]any{
		"prefix": f.PersonPrefix, "from": from, "to": to,
		"channel": nullable(f.Channel), "device": nullable(f.Device), "sessions": withSessions,
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeRead, FetchSize: 2000})
	res, err := sess.Run(ctx, queryText("stream_sequences", params), params)
	if err != nil {
		sess.Close(context.Background())
		return nil, wrap("sequences", err)
	}
	return &sequenceSet{ctx: ctx, sess: sess, res: res}, nil
}

// sequenceSet is the journeys.SequenceSet over a running query.
type sequenceSet struct {
	ctx  context.Context
	sess neo4j.SessionWithContext
	res  neo4j.ResultWithContext
	cur  journeys.Sequence
	err  error
	done bool
}

func (it *sequenceSet) Next() bool {
	if it.done {
		return false
	}
	if !it.res.Next(it.ctx) {
		it.done = true
		if err := it.res.Err(); err != nil {
			it.err = wrap("sequences", err)
		}
		return false
	}
	r := it.res.Record()
	it.cur.Person = str(r, "person")
	ts, _ := r.Get("ts")
	steps, _ := r.Get("steps")
	sessions, _ := r.Get("sessions")
	tl, sl, xl := ts.([]any), steps.([]any), sessions.([]any)
	if len(tl) != len(sl) || len(sl) != len(xl) {
		it.done = true
		it.err = fmt.Errorf("sequences: person %q: %d times, %d steps, %d sessions", it.cur.Person, len(tl), len(sl), len(xl))
		return false
	}
	it.cur.Events = it.cur.Events[:0]
	for i := range tl {
		step, _ := sl[i].(string)
		session, _ := xl[i].(string)
		it.cur.Events = append(it.cur.Events, journeys.StepEvent{Step: step, TS: toInt64(tl[i]), Session: session})
	}
	return true
}

func (it *sequenceSet) At() journeys.Sequence { return it.cur }

func (it *sequenceSet) Err() error { return it.err }

func (it *sequenceSet) Close() error {
	it.done = true
	return it.sess.Close(context.Background())
}
