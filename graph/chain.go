package graph

import (
	"context"
	"sort"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// CheckChain proves a person's chain is what ingest promises: one path from
// FIRST to LAST along NEXT that visits every one of their events exactly
// once, in (time, id) order. It returns the chain's event ids in order, or an
// error with code EINTERNAL that says what is broken.
func (s *Store) CheckChain(ctx context.Context, person string) ([]string, error) {
	type node struct {
		id, next        string
		ts              int64
		nexts, incoming int
		first, last     bool
	}
	var nodes []node
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "get_chain", map[string]any{"id": person})
		if err != nil {
			return err
		}
		for _, r := range recs {
			n := node{id: str(r, "id"), ts: intOf(r, "ts"), incoming: int(intOf(r, "incoming"))}
			v, _ := r.Get("next")
			next := v.([]any)
			n.nexts = len(next)
			if len(next) == 1 {
				n.next = next[0].(string)
			}
			f, _ := r.Get("is_first")
			l, _ := r.Get("is_last")
			n.first, n.last = f == true, l == true
			nodes = append(nodes, n)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("check chain", err)
	}
	if len(nodes) == 0 {
		return nil, nil
	}
	sort.Slice(nodes, func(i, j int) bool {
		if nodes[i].ts != nodes[j].ts {
			return nodes[i].ts < nodes[j].ts
		}
		return nodes[i].id < nodes[j].id
	})
	broken := func(format string, args ...any) error {
		return journeys.Errorf(journeys.EINTERNAL, "chain of %q: "+format, append([]any{person}, args...)...)
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.id
		wantNext, wantIn := 1, 1
		if i == len(nodes)-1 {
			wantNext = 0
		}
		if i == 0 {
			wantIn = 0
		}
		switch {
		case n.nexts != wantNext:
			return nil, broken("event %s has %d NEXT edges, want %d", n.id, n.nexts, wantNext)
		case n.incoming != wantIn:
			return nil, broken("event %s has %d incoming NEXT edges, want %d", n.id, n.incoming, wantIn)
		case wantNext == 1 && n.next != nodes[i+1].id:
			return nil, broken("event %s is followed by %s, want %s", n.id, n.next, nodes[i+1].id)
		case n.first != (i == 0):
			return nil, broken("FIRST points at the wrong event (%s first=%v)", n.id, n.first)
		case n.last != (i == len(nodes)-1):
			return nil, broken("LAST points at the wrong event (%s last=%v)", n.id, n.last)
		}
	}
	return ids, nil
}
