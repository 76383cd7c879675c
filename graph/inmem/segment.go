package inmem

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/journeygraph/journeygraph/journeys"
)

// EvaluateSegment returns the people in scope for whom p holds, sorted,
// each once: graph.Store's EvaluateSegment (the Cypher of
// cypher/fragments) computed from memory, after a Sync. p is checked as
// graph checks it (EINVALID for kinds, fields and operators outside its
// whitelists, or nesting deeper than 32), then evaluated per candidate
// over their events in chain order, in Cypher's three-valued logic (a
// person without a compared property matches neither the comparison nor
// its negation). PredRate and EventCond.Exclude are evaluated as
// journeys.Pred documents them. The scope must lie within the cache's
// Prefix (EINVALID otherwise); a nil People is everyone under Prefix, an
// empty one no one. The cost is linear in the candidates' events: people
// are candidates when their id is in scope and, for each block p requires
// to hold, they have an event of its steps or names in its window (or are
// in its list). It returns ctx's error when ctx ends.
//
// The sync sees what changed people's touched time: events written,
// merged or restepped, traits (identify locks the person) and model
// outputs (graph's WritePersonModels, SetPersonScores and FinishModel's
// clearing stamp the people too).
func (c *Cache) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	if scope.People != nil && len(scope.People) == 0 {
		return nil, nil
	}
	if err := c.checkScope(scope); err != nil {
		return nil, err
	}
	if err := c.Sync(ctx); err != nil {
		return nil, err
	}
	return c.evaluateSegment(ctx, p, scope)
}

// checkScope refuses a scope outside the cache's Prefix.
func (c *Cache) checkScope(scope journeys.SegmentScope) error {
	if !strings.HasPrefix(scope.Prefix, c.Prefix) {
		return journeys.Errorf(journeys.EINVALID, "segment: scope %q is outside the cache's people (%q)", scope.Prefix, c.Prefix)
	}
	return nil
}

// Held returns the cache as a segment engine that evaluates on what the
// cache holds now, without syncing first: for a caller that has just
// synced it (a refresh of every segment syncs once, then evaluates each).
func (c *Cache) Held() journeys.SegmentEngine { return held{c} }

// held is the engine Held returns.
type held struct{ c *Cache }

// EvaluateSegment is Cache.EvaluateSegment without the sync.
func (h held) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	if err := h.c.checkScope(scope); err != nil {
		return nil, err
	}
	if h.c.snap.Load() == nil {
		return nil, journeys.Errorf(journeys.EUNAVAILABLE, "journey cache: not loaded yet")
	}
	return h.c.evaluateSegment(ctx, p, scope)
}

// Explain is Cache.Explain.
func (h held) Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	return h.c.Explain(ctx, people, leaves)
}

// evaluateSegment is EvaluateSegment on the current snapshot, without a
// sync.
func (c *Cache) evaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	s, n, f, err := c.plan(p)
	if err != nil {
		return nil, err
	}
	return s.evaluate(ctx, &n, s.candidates(f, scope))
}

// plan compiles p against the current snapshot, and its filter: the
// snapshot's strings and bits are the interner's and the table's while no
// sync runs.
func (c *Cache) plan(p journeys.Pred) (*cacheSnapshot, plan, *filter, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	s := c.snap.Load()
	pl := &planner{snap: s, id: func(str string) uint32 {
		if str == "" {
			return 0
		}
		if id, ok := c.strs.ids[str]; ok {
			return id
		}
		return noID
	}}
	n, err := pl.plan(p, 0)
	if err != nil {
		return nil, plan{}, nil, err
	}
	return s, n, filterOf(&n, &c.bits), nil
}

// candidateSet is the people a segment is evaluated on: the snapshot
// indexes in list (when listed), else lo..hi, kept when the filter admits
// them.
type candidateSet struct {
	listed bool
	list   []int32
	lo, hi int
	filter *filter
}

func (cs candidateSet) len() int {
	if cs.listed {
		return len(cs.list)
	}
	return cs.hi - cs.lo
}

func (cs candidateSet) at(k int) int32 {
	if cs.listed {
		return cs.list[k]
	}
	return int32(cs.lo + k)
}

// candidates returns the people of scope that f admits.
func (s *cacheSnapshot) candidates(f *filter, scope journeys.SegmentScope) candidateSet {
	lo, hi := s.scope(scope.Prefix)
	if scope.People != nil {
		list := make([]int32, 0, len(scope.People))
		for _, id := range scope.People {
			if i, ok := slices.BinarySearch(s.ids[lo:hi], id); ok {
				list = append(list, int32(lo+i))
			}
		}
		slices.Sort(list)
		return candidateSet{listed: true, list: slices.Compact(list), filter: f}
	}
	if people, ok := f.peopleOnly(); ok {
		i := sortSearch32(people, int32(lo))
		j := sortSearch32(people, int32(hi))
		return candidateSet{listed: true, list: people[i:j:j], filter: f}
	}
	return candidateSet{lo: lo, hi: hi, filter: f}
}

func sortSearch32(xs []int32, x int32) int {
	i, _ := slices.BinarySearch(xs, x)
	return i
}

// evalBlock is how many candidates a goroutine takes at a time, between
// two looks at ctx.
const evalBlock = 2048

// evaluate returns the ids of the candidates for whom n is true, in id
// order, evaluated by up to GOMAXPROCS goroutines a block at a time.
func (s *cacheSnapshot) evaluate(ctx context.Context, n *plan, cs candidateSet) ([]string, error) {
	blocks := (cs.len() + evalBlock - 1) / evalBlock
	found := make([][]int32, blocks)
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), blocks)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := &evaluator{strs: s.strs}
			for {
				b := int(next.Add(1) - 1)
				if b >= blocks || ctx.Err() != nil {
					return
				}
				for k := b * evalBlock; k < min((b+1)*evalBlock, cs.len()); k++ {
					i := cs.at(k)
					if !cs.filter.admits(&s.meta[i], i) {
						continue
					}
					ev.p, ev.i = s.people[i], i
					if ev.eval(n) == tru {
						found[b] = append(found[b], i)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	total := 0
	for _, f := range found {
		total += len(f)
	}
	out := make([]string, 0, total)
	for _, f := range found {
		for _, i := range f {
			out = append(out, s.ids[i])
		}
	}
	return out, nil
}
