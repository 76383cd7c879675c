package main

import (
	"context"
	"flag"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// segmentFlags are serve's flags for segments and webhooks.
type segmentFlags struct {
	interval     time.Duration
	asOf         string
	webhookAllow string
}

func (f *segmentFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.interval, "segment-interval", 15*time.Minute,
		"how often every segment is re-evaluated for everyone, so lapsing windows take effect (0: only at start)")
	fs.StringVar(&f.asOf, "segments-as-of", "",
		"start the segments' clock at this time (RFC 3339 or epoch) instead of now; it runs on from there: for replaying historical data such as the demo")
	fs.StringVar(&f.webhookAllow, "webhook-allow", app.Env("JOURNEYGRAPH_WEBHOOK_ALLOW", ""),
		"comma-separated host names, IP addresses and CIDRs webhooks may reach although internal (loopback, private, link-local...), e.g. 127.0.0.1/32,receiver.internal (JOURNEYGRAPH_WEBHOOK_ALLOW; default: none)")
}

// allowList returns the webhook destinations --webhook-allow allows.
func (f *segmentFlags) allowList() (webhook.AllowList, error) {
	a, err := webhook.ParseAllowList(f.webhookAllow)
	if err != nil {
		return a, journeys.Errorf(journeys.EINVALID, "--webhook-allow: %s", journeys.ErrorMessage(err))
	}
	return a, nil
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

// startSegments starts serve's segment and webhook work: it stores the
// built-in segments, runs the queued re-evaluation of the people each
// write touched (see segment.SegmentingIngester), a full refresh at start
// and every interval, and the webhook dispatcher over the outbox. stop
// ends the goroutines and waits for them.
func startSegments(ctx context.Context, a *app.App, interval time.Duration, log logrus.FieldLogger) (stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	if err := a.Segmenter.EnsureBuiltIns(ctx); err != nil {
		cancel()
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); a.Segmenting.Run(ctx) }()
	go func() { defer wg.Done(); a.Webhooks.Run(ctx) }()
	go func() { defer wg.Done(); refreshEvery(ctx, a.Segmenter, a.Drift, interval, log) }()
	return func() { cancel(); wg.Wait() }, nil
}

// refreshEvery re-evaluates every segment for everyone now and then every
// interval (only now when interval is 0), logging what changed; after each
// refresh it runs the daily drift check of the segments not checked yet
// today (drift.Monitor.Check).
func refreshEvery(ctx context.Context, sg *segment.Segmenter, dm *drift.Monitor, interval time.Duration, log logrus.FieldLogger) {
	for {
		res, err := sg.Refresh(ctx, nil, journeys.SegmentScope{}, "schedule", time.Time{})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.WithError(err).Warn("scheduled segment refresh")
		}
		for _, r := range res {
			if r.Error != "" {
				continue // in err, logged above
			}
			log.WithFields(logrus.Fields{"segment": r.Segment, "members": r.Members, "entered": r.Entered,
				"left": r.Left, "ms": r.TookMS}).Info("segment refreshed")
		}
		checkDrift(ctx, dm, log)
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

// checkDrift runs the daily drift check, logging what it found.
func checkDrift(ctx context.Context, dm *drift.Monitor, log logrus.FieldLogger) {
	checked, err := dm.Check(ctx, nil)
	if err != nil && ctx.Err() == nil {
		log.WithError(err).Warn("segment drift check")
	}
	for _, c := range checked {
		fields := logrus.Fields{"segment": c.Segment, "size": c.Figures.Size, "reference_size": c.Figures.ReferenceSize}
		if c.Figures.PSI != nil {
			fields["psi"], fields["feature"] = *c.Figures.PSI, c.Figures.Feature
		}
		if len(c.Alerted) > 0 {
			fields["alerted"] = c.Alerted
			log.WithFields(fields).Warn("segment drifted")
			continue
		}
		log.WithFields(fields).Info("segment drift checked")
	}
}
