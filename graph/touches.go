package graph

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

var _ journeys.TouchReader = (*Store)(nil)

// TouchPageSize is the number of people read per query by Touches.
const TouchPageSize = 1000

// Touches streams the touches of the people in q, one person at a time in
// id order. Person ids are read in pages of TouchPageSize by an id cursor
// (page_people.cypher, from the unique index alone); the events of each page
// are read by stream_touches.cypher in its own read transaction (retried as
// a whole, so a retry never duplicates a person), TouchWorkers pages at a
// time, and handed over in order while the next pages are fetched. People
// without a kept event are skipped.
func (s *Store) Touches(ctx context.Context, q journeys.TouchQuery) (journeys.TouchSet, error) {
	if err := q.Filter.Validate(); err != nil {
		return nil, err
	}
	if err := q.Filter.NoSegment(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	t := &touchSet{pages: make(chan touchPage, TouchWorkers), cancel: cancel}
	go s.fetchTouches(ctx, q, t.pages)
	return t, nil
}

// TouchWorkers is the number of pages Touches reads at the same time.
const TouchWorkers = 2

// touchPage is one page of sequences, or the error that ended the stream.
type touchPage struct {
	seqs []journeys.TouchSequence
	err  error
}

// fetchTouches sends pages in order until the people run out, an error, or
// ctx ends. Each page is fetched by its own goroutine into a channel that
// joins a queue of at most TouchWorkers pending pages.
func (s *Store) fetchTouches(ctx context.Context, q journeys.TouchQuery, out chan<- touchPage) {
	defer close(out)
	from, to := q.Filter.Range()
	names := q.Events
	if names == nil {
		names = []string{}
	}
	base := map[string]any{"from": from, "to": to, "names": names, "steps": q.AllSteps(), "every": q.Every,
		"channel": nullable(q.Filter.Channel), "device": nullable(q.Filter.Device)}
	pending := make(chan chan touchPage, max(TouchWorkers-2, 0))
	go func() {
		defer close(pending)
		after := q.Filter.PersonPrefix
		for {
			ids, err := s.personPage(ctx, q.Filter.PersonPrefix, after)
			res := make(chan touchPage, 1)
			if err != nil {
				res <- touchPage{err: err}
			} else if len(ids) > 0 {
				go func() { res <- s.touchPage(ctx, base, ids) }()
			} else {
				return
			}
			select {
			case pending <- res:
			case <-ctx.Done():
				return
			}
			if err != nil || len(ids) < TouchPageSize {
				return
			}
			after = ids[len(ids)-1]
		}
	}()
	for res := range pending {
		var p touchPage
		select {
		case p = <-res:
		case <-ctx.Done():
			return
		}
		if len(p.seqs) == 0 && p.err == nil {
			continue
		}
		select {
		case out <- p:
		case <-ctx.Done():
			return
		}
		if p.err != nil {
			return
		}
	}
}

// personPage returns up to TouchPageSize person ids after the cursor.
func (s *Store) personPage(ctx context.Context, prefix, after string) ([]string, error) {
	return s.PeopleAfter(ctx, prefix, after, TouchPageSize)
}

// touchPage reads the touches of ids.
func (s *Store) touchPage(ctx context.Context, base map[string]any, ids []string) touchPage {
	params := make(map[string]any, len(base)+1)
	for k, v := range base {
		params[k] = v
	}
	params["ids"] = ids
	var page []journeys.TouchSequence
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		page = page[:0]
		recs, err := run(ctx, tx, "stream_touches", params)
		if err != nil {
			return err
		}
		for _, r := range recs {
			seq, err := touchSequence(r)
			if err != nil {
				return err
			}
			if len(seq.Touches) > 0 {
				page = append(page, seq)
			}
		}
		return nil
	})
	return touchPage{seqs: page, err: wrap("touches", err)}
}

// touchSequence decodes one row of stream_touches.
func touchSequence(r *neo4j.Record) (journeys.TouchSequence, error) {
	seq := journeys.TouchSequence{Person: str(r, "person")}
	cols := [...]string{"steps", "names", "ts", "sessions", "channels", "campaigns", "vals", "types", "urls", "devices"}
	var lists [len(cols)][]any
	for i, c := range cols {
		v, _ := r.Get(c)
		lists[i], _ = v.([]any)
		if len(lists[i]) != len(lists[0]) {
			return seq, fmt.Errorf("touches: person %q: %d %s, %d steps", seq.Person, len(lists[i]), c, len(lists[0]))
		}
	}
	seq.Touches = make([]journeys.Touch, len(lists[0]))
	for i := range seq.Touches {
		t := &seq.Touches[i]
		t.Step, _ = lists[0][i].(string)
		t.Name, _ = lists[1][i].(string)
		t.TS = toInt64(lists[2][i])
		t.Session, _ = lists[3][i].(string)
		t.Channel, _ = lists[4][i].(string)
		t.Campaign, _ = lists[5][i].(string)
		t.Type, _ = lists[7][i].(string)
		t.URL, _ = lists[8][i].(string)
		t.Device, _ = lists[9][i].(string)
		switch v := lists[6][i].(type) {
		case float64:
			t.Value = v
		case int64:
			t.Value = float64(v)
		}
	}
	return seq, nil
}

// touchSet is the journeys.TouchSet over the pages fetchTouches sends.
type touchSet struct {
	pages  chan touchPage
	cancel context.CancelFunc
	page   []journeys.TouchSequence
	i      int
	err    error
	done   bool
}

func (t *touchSet) Next() bool {
	if t.done {
		return false
	}
	t.i++
	for t.i >= len(t.page) {
		p, ok := <-t.pages
		if !ok {
			t.done = true
			return false
		}
		if p.err != nil {
			t.err, t.done = p.err, true
			return false
		}
		t.page, t.i = p.seqs, 0
	}
	return true
}

func (t *touchSet) At() journeys.TouchSequence { return t.page[t.i] }

func (t *touchSet) Err() error { return t.err }

// Close stops the fetching goroutine and waits for it to finish.
func (t *touchSet) Close() error {
	t.done = true
	t.cancel()
	for range t.pages {
	}
	return nil
}
