package ingest

import (
	"context"
	"sync"

	"github.com/journeygraph/journeygraph/journeys"
)

// Coalescer is an EventWriter that merges the small batches of concurrent
// callers into shared writes: at most Writers of those run at once, and
// each takes every small batch waiting when it starts, in arrival order, up
// to BatchSize events. Many small requests (a tracker posting a few events
// at a time) then cost one transaction, and each person's lock and chain
// end once per write, not once per request. A batch of Alone events or more
// is worth a transaction of its own and is written at once, as without a
// Coalescer: merging those, or holding them to Writers at once, was
// measured slower (the README's HTTP table).
//
// Each caller gets back its own counts: its events found stored already
// (WriteResult.Stored) or repeated in its batch are its duplicates, the
// others it accepted. Two batches sharing an event id are never merged,
// so that the one sent first accepts it. People is the merged write's
// people (a superset of the caller's). A failed write fails every batch in
// it: nothing of it is acknowledged, as for a write of its own.
type Coalescer struct {
	Writer    journeys.EventWriter
	BatchSize int // most events merged into one write; DefaultBatchSize when 0
	Writers   int // merged writes at once; DefaultWriters when 0
	Alone     int // batches this big or bigger are written at once, unmerged; minChunk when 0

	mu      sync.Mutex
	pending []*pendingBatch
	running int
}

// pendingBatch is one caller's batch, waiting for or in a write.
type pendingBatch struct {
	ctx    context.Context
	events []journeys.Event
	taken  bool // in a write: the caller waits for its end
	res    journeys.WriteResult
	err    error
	done   chan struct{}
}

// WriteEvents queues events for the next write and returns, once it is
// committed, what storing them did. A caller whose ctx ends before its
// batch is taken into a write gets ctx's error and nothing is written;
// once taken, the batch is written whatever ctx says (a merged write is
// not cancelled for one caller) and its outcome returned.
func (c *Coalescer) WriteEvents(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	if len(events) == 0 {
		return journeys.WriteResult{}, nil
	}
	if len(events) >= c.alone() {
		return c.Writer.WriteEvents(ctx, events)
	}
	b := &pendingBatch{ctx: ctx, events: events, done: make(chan struct{})}
	c.mu.Lock()
	c.pending = append(c.pending, b)
	if c.running < c.writers() {
		c.running++
		go c.run()
	}
	c.mu.Unlock()
	select {
	case <-b.done:
		return b.res, b.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	if !b.taken {
		for i, p := range c.pending {
			if p == b {
				c.pending = append(c.pending[:i], c.pending[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		return journeys.WriteResult{}, context.Cause(ctx)
	}
	c.mu.Unlock()
	<-b.done
	return b.res, b.err
}

// Waiting returns how many batches wait for a write.
func (c *Coalescer) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

func (c *Coalescer) writers() int {
	if c.Writers <= 0 {
		return DefaultWriters
	}
	return c.Writers
}

func (c *Coalescer) alone() int {
	if c.Alone <= 0 {
		return minChunk
	}
	return c.Alone
}

func (c *Coalescer) batchSize() int {
	if c.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return c.BatchSize
}

// run writes what is pending until nothing is.
func (c *Coalescer) run() {
	for {
		c.mu.Lock()
		batches := c.take()
		if len(batches) == 0 {
			c.running--
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.write(batches)
	}
}

// take removes from the queue the batches of the next write: the first one
// whatever its size, then the next ones in order while they fit in
// BatchSize and share no event id with those taken. Called with mu held.
func (c *Coalescer) take() []*pendingBatch {
	if len(c.pending) == 0 {
		return nil
	}
	size := c.batchSize()
	first := c.pending[0]
	taken := []*pendingBatch{first}
	n := len(first.events)
	var ids map[string]bool
	i := 1
	for ; i < len(c.pending); i++ {
		b := c.pending[i]
		if n+len(b.events) > size {
			break
		}
		if ids == nil {
			ids = make(map[string]bool, size)
			for _, e := range first.events {
				ids[e.ID] = true
			}
		}
		if sharesID(b.events, ids) {
			break
		}
		for _, e := range b.events {
			ids[e.ID] = true
		}
		taken = append(taken, b)
		n += len(b.events)
	}
	c.pending = append(c.pending[:0], c.pending[i:]...)
	for _, b := range taken {
		b.taken = true
	}
	return taken
}

// sharesID tells whether an event of events has an id in ids.
func sharesID(events []journeys.Event, ids map[string]bool) bool {
	for _, e := range events {
		if ids[e.ID] {
			return true
		}
	}
	return false
}

// write stores batches in one write and gives each its share of the
// outcome. A lone batch is written with its caller's context; a merged
// write with the first one's values, never cancelled by a caller.
func (c *Coalescer) write(batches []*pendingBatch) {
	defer func() {
		for _, b := range batches {
			close(b.done)
		}
	}()
	if len(batches) == 1 {
		b := batches[0]
		b.res, b.err = c.Writer.WriteEvents(b.ctx, b.events)
		return
	}
	n := 0
	for _, b := range batches {
		n += len(b.events)
	}
	all := make([]journeys.Event, 0, n)
	for _, b := range batches {
		all = append(all, b.events...)
	}
	res, err := c.Writer.WriteEvents(context.WithoutCancel(batches[0].ctx), all)
	if err != nil {
		for _, b := range batches {
			b.err = err
		}
		return
	}
	stored := make(map[string]bool, len(res.Stored))
	for _, id := range res.Stored {
		stored[id] = true
	}
	for _, b := range batches {
		b.res = share(b.events, stored, res.People)
	}
}

// share is one batch's part of a merged write's outcome: its repeats and
// its events found stored already are duplicates, the others accepted.
func share(events []journeys.Event, stored map[string]bool, people []string) journeys.WriteResult {
	res := journeys.WriteResult{People: people}
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		switch {
		case seen[e.ID]:
			res.Duplicates++
		case stored[e.ID]:
			res.Duplicates++
			res.Stored = append(res.Stored, e.ID)
		default:
			res.Accepted++
		}
		seen[e.ID] = true
	}
	return res
}
