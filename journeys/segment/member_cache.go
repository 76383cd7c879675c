package segment

import (
	"context"
	"sync"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// MembersPager reads one page of a segment's members (graph.Store).
type MembersPager interface {
	MembersPage(ctx context.Context, segment, after string, limit int) ([]journeys.Member, error)
}

// maxCachedPages bounds a MemberCache; past it the cache starts over.
const maxCachedPages = 10000

// MemberCache keeps the member pages read in the last TTL, and forgets them
// all when membership changes (Invalidate, called by the Segmenter's
// OnChange), so that a busy members endpoint asks the store once per page
// rather than once per request. Changes made by another process (a CLI
// refresh) show after at most TTL. Concurrent misses of one page share one
// read.
type MemberCache struct {
	Source MembersPager
	TTL    time.Duration // 2s when 0

	mu       sync.Mutex
	gen      uint64
	pages    map[memberKey]cachedPage
	inflight map[memberKey]*pageCall
}

type memberKey struct {
	segment, after string
	limit          int
}

type cachedPage struct {
	members []journeys.Member
	at      time.Time
}

type pageCall struct {
	done    chan struct{}
	members []journeys.Member
	err     error
}

// MembersPage returns the page from the cache when it is fresh, else reads
// it from Source.
func (c *MemberCache) MembersPage(ctx context.Context, segment, after string, limit int) ([]journeys.Member, error) {
	key := memberKey{segment, after, limit}
	ttl := c.TTL
	if ttl <= 0 {
		ttl = 2 * time.Second
	}
	c.mu.Lock()
	if p, ok := c.pages[key]; ok && time.Since(p.at) < ttl {
		c.mu.Unlock()
		return p.members, nil
	}
	if call, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.members, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &pageCall{done: make(chan struct{})}
	if c.inflight == nil {
		c.inflight = map[memberKey]*pageCall{}
	}
	c.inflight[key] = call
	gen := c.gen
	c.mu.Unlock()

	call.members, call.err = c.Source.MembersPage(ctx, segment, after, limit)

	c.mu.Lock()
	delete(c.inflight, key)
	if call.err == nil && gen == c.gen { // not read across a change
		if c.pages == nil || len(c.pages) >= maxCachedPages {
			c.pages = map[memberKey]cachedPage{}
		}
		c.pages[key] = cachedPage{members: call.members, at: time.Now()}
	}
	c.mu.Unlock()
	close(call.done)
	return call.members, call.err
}

// Invalidate forgets every cached page (membership changed).
func (c *MemberCache) Invalidate() {
	c.mu.Lock()
	c.gen++
	c.pages = nil
	c.mu.Unlock()
}
