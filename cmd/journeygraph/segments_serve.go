package main

import (
	"context"
	"flag"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
	"github.com/journeygraph/journeygraph/web"
)

// segmentFlags are serve's flags for segments and webhooks.
type segmentFlags struct {
	interval time.Duration
	asOf     string
}

func (f *segmentFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.interval, "segment-interval", 15*time.Minute,
		"how often every segment is re-evaluated for everyone, so lapsing windows take effect (0: only at start)")
	fs.StringVar(&f.asOf, "segments-as-of", "",
		"start the segments' clock at this time (RFC 3339 or epoch) instead of now; it runs on from there: for replaying historical data such as the demo")
}

// clock returns the segments' clock: now, or shifted so that it read asOf
// when serve started.
func (f *segmentFlags) clock() (func() time.Time, error) {
	if f.asOf == "" {
		return nil, nil
	}
	t, err := journeys.ParseTime(f.asOf)
	if err != nil {
		return nil, journeys.Errorf(journeys.EINVALID, "--segments-as-of: %v", err)
	}
	offset := time.Until(t)
	return func() time.Time { return time.Now().Add(offset) }, nil
}

// startSegments wires segments and webhooks into serve: it stores the
// built-in segments, wraps the ingester so the people a write touched are
// re-evaluated (queued, see journeys.SegmentingIngester), runs a full
// refresh at start and every interval, and runs the webhook dispatcher over
// the outbox. stop ends the goroutines and waits for them.
func startSegments(ctx context.Context, f *segmentFlags, store *graph.Store, in segment.BatchIngester, log logrus.FieldLogger) (web.Ingester, []web.Option, func(), error) {
	now, err := f.clock()
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	disp := &webhook.Dispatcher{Store: store, OnError: func(err error) { log.WithError(err).Warn("webhook outbox") }}
	members := &segment.MemberCache{Source: store}
	sg := &segment.Segmenter{Store: store, Now: now, OnChange: func() { members.Invalidate(); disp.Notify() }}
	if err := sg.EnsureBuiltIns(ctx); err != nil {
		cancel()
		return nil, nil, nil, err
	}
	si := segment.NewSegmentingIngester(in, sg)
	si.OnError = func(err error) { log.WithError(err).Warn("segment evaluation after ingest") }
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); si.Run(ctx) }()
	go func() { defer wg.Done(); disp.Run(ctx) }()
	go func() { defer wg.Done(); refreshEvery(ctx, sg, f.interval, log) }()
	stop := func() { cancel(); wg.Wait() }
	return si, []web.Option{web.WithSegments(sg, cachedMembers{store, members}), web.WithWebhooks(store, disp)}, stop, nil
}

// cachedMembers is the store with member pages served from a MemberCache.
type cachedMembers struct {
	*graph.Store
	members *segment.MemberCache
}

// MembersPage serves the page from the cache.
func (c cachedMembers) MembersPage(ctx context.Context, segment, after string, limit int) ([]journeys.Member, error) {
	return c.members.MembersPage(ctx, segment, after, limit)
}

// refreshEvery re-evaluates every segment for everyone now and then every
// interval (only now when interval is 0), logging what changed.
func refreshEvery(ctx context.Context, sg *segment.Segmenter, interval time.Duration, log logrus.FieldLogger) {
	for {
		res, err := sg.Refresh(ctx, nil, journeys.SegmentScope{}, "schedule", time.Time{})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.WithError(err).Warn("scheduled segment refresh")
		}
		for _, r := range res {
			log.WithFields(logrus.Fields{"segment": r.Segment, "members": r.Members, "entered": r.Entered,
				"left": r.Left, "ms": r.TookMS}).Info("segment refreshed")
		}
		if interval <= 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
