package segment

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// countingPager answers pages and counts the reads; block, when set, holds
// every read until closed.
type countingPager struct {
	reads   atomic.Int32
	block   chan struct{}
	members []journeys.Member
}

func (p *countingPager) MembersPage(_ context.Context, _, _ string, _ int) ([]journeys.Member, error) {
	p.reads.Add(1)
	if p.block != nil {
		<-p.block
	}
	return p.members, nil
}

func TestMemberCache(t *testing.T) {
	ctx := context.Background()
	src := &countingPager{members: []journeys.Member{{Person: "a"}}}
	c := &MemberCache{Source: src, TTL: time.Hour}

	for i := 0; i < 3; i++ {
		if got, _ := c.MembersPage(ctx, "s", "", 50); len(got) != 1 || got[0].Person != "a" {
			t.Fatalf("page = %+v", got)
		}
	}
	if n := src.reads.Load(); n != 1 {
		t.Errorf("3 reads of one page hit the store %d times, want 1", n)
	}
	c.MembersPage(ctx, "s", "", 10) // another page size is another page
	if n := src.reads.Load(); n != 2 {
		t.Errorf("store reads = %d, want 2", n)
	}
	c.Invalidate()
	src.members = []journeys.Member{{Person: "b"}}
	if got, _ := c.MembersPage(ctx, "s", "", 50); got[0].Person != "b" {
		t.Errorf("after Invalidate the page is %+v, want the new member b", got)
	}

	short := &MemberCache{Source: src, TTL: time.Millisecond}
	short.MembersPage(ctx, "s", "", 50)
	time.Sleep(5 * time.Millisecond)
	before := src.reads.Load()
	short.MembersPage(ctx, "s", "", 50)
	if src.reads.Load() != before+1 {
		t.Error("a page older than TTL was served from the cache")
	}
}

func TestMemberCacheSharesConcurrentMisses(t *testing.T) {
	src := &countingPager{block: make(chan struct{}), members: []journeys.Member{{Person: "a"}}}
	c := &MemberCache{Source: src, TTL: time.Hour}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := c.MembersPage(context.Background(), "s", "", 50); err != nil || len(got) != 1 {
				t.Errorf("page = %+v, %v", got, err)
			}
		}()
	}
	for src.reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond) // let the others queue behind the first read
	close(src.block)
	wg.Wait()
	if n := src.reads.Load(); n != 1 {
		t.Errorf("20 concurrent misses read the store %d times, want 1", n)
	}
}

func TestMemberCacheDropsAPageReadAcrossAChange(t *testing.T) {
	src := &countingPager{block: make(chan struct{}), members: []journeys.Member{{Person: "old"}}}
	c := &MemberCache{Source: src, TTL: time.Hour}
	done := make(chan struct{})
	go func() { c.MembersPage(context.Background(), "s", "", 50); close(done) }()
	for src.reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Invalidate() // membership changes while the old page is being read
	close(src.block)
	<-done
	src.block = nil
	src.members = []journeys.Member{{Person: "new"}}
	if got, _ := c.MembersPage(context.Background(), "s", "", 50); got[0].Person != "new" {
		t.Errorf("page = %+v, want the one read after the change", got)
	}
}
