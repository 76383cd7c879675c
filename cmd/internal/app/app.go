// Package app assembles journeygraph's services over one Neo4j store, with
// the configuration every command shares (Neo4j flags, step rules, logs):
// the one place where the commands wire services together.
package app

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/cmd/internal/metrics"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/propensity"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// Config says how New assembles the services.
type Config struct {
	// Rules are the step rules in force: events are written with them,
	// reports cut journeys with them, and segments leave out their
	// outbound steps. Unused with Rulebook.
	Rules journeys.StepRules
	// Rulebook gives the server's editable step rules instead (App.Book,
	// to be opened with Rulebook.Open): serve.
	Rulebook bool
	// Cache makes reports and models read journeys from memory, from the
	// journey cache (App.Cache, to be loaded and kept in sync) instead of
	// streaming them from Neo4j, and segments be evaluated from it (the
	// in-memory engine) instead of in Cypher; CachePrefix limits it to the
	// people whose id starts with it.
	Cache       bool
	CachePrefix string
	// BatchSize and Writers are the Ingester's (its defaults when 0).
	BatchSize, Writers int
	// Now is the segments' clock (time.Now when nil).
	Now func() time.Time
	// WriteSegments, when set, are the only segments re-evaluated after a
	// write (App.Segmenting), instead of every stored one: a benchmark
	// times one.
	WriteSegments []string
	// WebhookPrefix limits the dispatcher to the webhooks whose id starts
	// with it ("" for all).
	WebhookPrefix string
	// WebhookAllow lists the internal webhook destinations the operator
	// allows (--webhook-allow); every other internal address is refused.
	WebhookAllow webhook.AllowList
	// Log receives the errors of the background work (the re-evaluation
	// after writes, webhook deliveries); nil drops them.
	Log logrus.FieldLogger
	// Metrics, when set, observes segment evaluations, webhook deliveries
	// and the journey cache (serve also gives it to the store and the web
	// server).
	Metrics *metrics.Set
}

// App is journeygraph's services assembled over one Neo4j store. New
// builds it without touching the store; what needs starting (the
// rulebook, the cache, the segment and webhook workers) is the command's.
type App struct {
	// Store is the Neo4j store every service writes to.
	Store *graph.Store
	// Cache is the journey cache over Store (nil without Config.Cache).
	Cache *inmem.Cache
	// Journeys is what reports and models read: Cache, else Store, narrowed
	// to a segment's members when a filter names one.
	Journeys segment.InSegment
	// Book holds the server's step rules (nil without Config.Rulebook).
	Book *ingest.Rulebook

	// Ingester writes events with the rules in force.
	Ingester *ingest.Ingester
	// Segmenting is Ingester re-evaluating the segments of the people each
	// write touched (its worker runs with Run).
	Segmenting *segment.SegmentingIngester
	// Analytics answers paths, transitions and funnels from Journeys.
	Analytics *report.Analytics
	// Chains answers friction and attribution from Journeys.
	Chains *chain.Chains
	// HiddenStates fits, stores and decodes hidden-state models of Journeys.
	HiddenStates *chain.HiddenStates
	// Profiles computes behaviour vectors from Journeys and clusters them.
	Profiles *profile.Profiler
	// Propensity fits, validates and writes supervised propensities of Journeys.
	Propensity *propensity.Service
	// Segmenter saves, previews and refreshes segments.
	Segmenter *segment.Segmenter
	// Members serves member pages from memory; every membership change the
	// Segmenter stores clears it.
	Members *segment.MemberCache
	// Webhooks delivers the outbox (its worker runs with Run); every
	// membership change the Segmenter stores wakes it.
	Webhooks *webhook.Dispatcher
	// Drift reports segments' drift and runs their daily drift check.
	Drift *drift.Monitor
}

// The journey cache is the segmenter's engine: it evaluates, explains, and
// syncs once for a refresh of every segment.
var (
	_ segment.PeopleSyncer = (*inmem.Cache)(nil)
	_ segment.Explainer    = (*inmem.Cache)(nil)
)

// New assembles the services over store as cfg says.
func New(store *graph.Store, cfg Config) *App {
	a := &App{Store: store}
	var reader segment.JourneyStreams = store
	if cfg.Cache {
		a.Cache = &inmem.Cache{Source: store, Prefix: cfg.CachePrefix}
		reader = a.Cache
	}
	a.Journeys = segment.InSegment{Reader: reader, Members: store}
	outbound := cfg.Rules.OutboundSteps
	var writer journeys.EventWriter = store
	if a.Cache != nil {
		// The cache takes what each write appended, so that the segment
		// hook evaluates the people it touched without reading them back.
		writer = inmem.WriteThrough{Writer: store, Cache: a.Cache}
	}
	// Concurrent requests share writes: many small bodies cost one
	// transaction, and no more than Writers run at once.
	writer = &ingest.Coalescer{Writer: writer, BatchSize: cfg.BatchSize, Writers: cfg.Writers}
	a.Ingester = &ingest.Ingester{Store: writer, Rules: cfg.Rules, BatchSize: cfg.BatchSize, Writers: cfg.Writers}
	a.Analytics = &report.Analytics{Store: a.Journeys, Rules: cfg.Rules}
	if cfg.Rulebook {
		a.Book = &ingest.Rulebook{Store: store.StepRules(graph.ServerRules), Restep: store, Touches: a.Journeys}
		a.Ingester.Book, a.Analytics.Book = a.Book, a.Book
		outbound = func() []string { return a.Book.Current().OutboundSteps() }
	}
	a.Chains = &chain.Chains{Store: a.Journeys}
	a.HiddenStates = &chain.HiddenStates{Touches: a.Journeys, Models: store, People: store}
	a.Profiles = &profile.Profiler{Touches: a.Journeys, Outbound: outbound, Models: store}
	a.Propensity = &propensity.Service{Touches: a.Journeys, Outbound: outbound, Models: store, Scores: store, Log: cfg.Log}

	var outbox journeys.OutboxStore = store
	if cfg.Metrics != nil {
		outbox = cfg.Metrics.Outbox(store)
	}
	a.Webhooks = &webhook.Dispatcher{Store: outbox, Prefix: cfg.WebhookPrefix, Allow: cfg.WebhookAllow, Log: cfg.Log}
	a.Members = &segment.MemberCache{Source: store}
	a.Drift = &drift.Monitor{Segments: store, Vectors: a.Profiles, Alerts: store, Now: cfg.Now}
	// Definitions are evaluated from memory when there is a cache, else by
	// the store's Cypher (the reference).
	var engine segment.Evaluator
	if a.Cache != nil {
		engine = a.Cache
	}
	a.Segmenter = &segment.Segmenter{
		Store:    store,
		Engine:   engine,
		Now:      cfg.Now,
		OnChange: func() { a.Members.Invalidate(); a.Webhooks.Notify() },
		Outbound: outbound,
		Clusters: a.Profiles,
		Handoff:  a.Webhooks,
	}
	onWrite := a.Segmenter
	if len(cfg.WriteSegments) > 0 {
		onWrite = &segment.Segmenter{Store: onlySegments{store, cfg.WriteSegments}, Engine: engine,
			Now: cfg.Now, OnChange: a.Segmenter.OnChange, Outbound: outbound, Clusters: a.Profiles, Handoff: a.Webhooks}
	}
	if m := cfg.Metrics; m != nil {
		a.Segmenter.Observer, onWrite.Observer = m, m
		if a.Cache != nil {
			m.WatchCache(a.Cache)
		}
	}
	a.Segmenting = segment.NewSegmentingIngester(a.Ingester, onWrite)
	if log := cfg.Log; log != nil {
		a.Webhooks.OnError = func(err error) { log.WithError(err).Warn("webhook outbox") }
		a.Segmenting.OnError = func(err error) { log.WithError(err).Warn("segment evaluation after ingest") }
	}
	return a
}

// MemberPages is the store with the member pages served from Members: what
// the segment routes read.
func (a *App) MemberPages() CachedMembers {
	return CachedMembers{Store: a.Store, Members: a.Members}
}

// CachedMembers is a store whose member pages come from a MemberCache.
type CachedMembers struct {
	*graph.Store
	// Members serves MembersPage.
	Members *segment.MemberCache
}

// MembersPage serves the page from the cache.
func (c CachedMembers) MembersPage(ctx context.Context, segment, after string, limit int) ([]journeys.Member, error) {
	return c.Members.MembersPage(ctx, segment, after, limit)
}

// onlySegments is a segment store that lists some segments only, so that
// a Segmenter refreshing "every segment" refreshes those.
type onlySegments struct {
	journeys.SegmentStore
	names []string
}

// Memberships reads the people's memberships of the named segments in
// one query when the store can (segment.MembershipReader), else of each
// segment in turn.
func (s onlySegments) Memberships(ctx context.Context, people []string) (map[string][]string, error) {
	out := map[string][]string{}
	mr, ok := s.SegmentStore.(segment.MembershipReader)
	if ok {
		all, err := mr.Memberships(ctx, people)
		if err != nil {
			return nil, err
		}
		for _, name := range s.names {
			out[name] = all[name]
		}
		return out, nil
	}
	for _, name := range s.names {
		ids, err := s.SegmentMembers(ctx, name, journeys.SegmentScope{People: people})
		if err != nil {
			return nil, err
		}
		out[name] = ids
	}
	return out, nil
}

// ApplyMembershipLeased applies the changes, leasing their deliveries when
// the store can (segment.LeasingStore); else they stay in the outbox for
// the dispatcher's claim.
func (s onlySegments) ApplyMembershipLeased(ctx context.Context, seg journeys.Segment, at time.Time, changes []journeys.MembershipChange, c journeys.Claim) ([]journeys.MembershipChange, []journeys.Delivery, error) {
	if ls, ok := s.SegmentStore.(segment.LeasingStore); ok {
		return ls.ApplyMembershipLeased(ctx, seg, at, changes, c)
	}
	applied, err := s.ApplyMembership(ctx, seg, at, changes)
	return applied, nil, err
}

// Segments returns the named segments.
func (s onlySegments) Segments(ctx context.Context) ([]journeys.Segment, error) {
	out := make([]journeys.Segment, 0, len(s.names))
	for _, name := range s.names {
		seg, err := s.Segment(ctx, name)
		if err != nil {
			return out, err
		}
		out = append(out, seg)
	}
	return out, nil
}
