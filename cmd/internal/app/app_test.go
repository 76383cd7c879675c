package app

import (
	"context"
	"io"
	"reflect"
	"testing"

	"github.com/journeygraph/journeygraph/cmd/internal/metrics"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// New touches no store: a zero Store is enough to check the wiring.
func TestNew(t *testing.T) {
	store := new(graph.Store)
	rules := journeys.DefaultStepRules()
	rules.Outbound = []string{"push_sent"}
	allow, err := webhook.ParseAllowList("127.0.0.1/32")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cfg   Config
		check func(t *testing.T, a *App)
	}{
		{"commands: from the store, fixed rules", Config{Rules: rules, BatchSize: 7}, func(t *testing.T, a *App) {
			if a.Cache != nil || a.Book != nil {
				t.Errorf("cache %v, book %v; want neither", a.Cache, a.Book)
			}
			if a.Journeys.Reader != segment.JourneyStreams(store) {
				t.Errorf("reports read %T, want the store", a.Journeys.Reader)
			}
			if a.Analytics.Book != nil || !reflect.DeepEqual(a.Analytics.Rules, rules) || !reflect.DeepEqual(a.Ingester.Rules, rules) {
				t.Errorf("analytics book %v, rules %v, ingest rules %v; want the given rules", a.Analytics.Book, a.Analytics.Rules, a.Ingester.Rules)
			}
			if a.Ingester.BatchSize != 7 {
				t.Errorf("batch size %d, want 7", a.Ingester.BatchSize)
			}
			if got := a.Segmenter.Outbound(); !reflect.DeepEqual(got, []string{"push_sent"}) {
				t.Errorf("segments' outbound steps %v, want the rules' [push_sent]", got)
			}
			if a.Webhooks.OnError != nil || a.Segmenting.OnError != nil {
				t.Error("errors handled without a log")
			}
			if a.Webhooks.Store != journeys.OutboxStore(store) || a.Segmenter.Observer != nil {
				t.Errorf("without metrics: outbox %T, segment observer %v; want the store, none", a.Webhooks.Store, a.Segmenter.Observer)
			}
		}},
		{"metrics", Config{Cache: true, WriteSegments: []string{"s"}, Metrics: metrics.New()}, func(t *testing.T, a *App) {
			if a.Webhooks.Store == journeys.OutboxStore(store) {
				t.Error("the dispatcher's outbox is not observed")
			}
			if a.Segmenter.Observer == nil || a.Segmenting.Segments.Observer == nil {
				t.Errorf("segment observers %v, %v; want the metrics on both", a.Segmenter.Observer, a.Segmenting.Segments.Observer)
			}
		}},
		{"serve: from the cache, the rulebook", Config{Rulebook: true, Cache: true, Log: NewLogger(io.Discard), WebhookAllow: allow}, func(t *testing.T, a *App) {
			if a.Cache == nil || a.Cache.Source != store {
				t.Fatalf("cache %v, want one over the store", a.Cache)
			}
			if a.Journeys.Reader != segment.JourneyStreams(a.Cache) {
				t.Errorf("reports read %T, want the cache", a.Journeys.Reader)
			}
			if a.Book == nil || a.Ingester.Book != a.Book || a.Analytics.Book == nil || a.Book.Touches != a.Journeys {
				t.Errorf("book %v: ingest's %v, analytics' %v, its touches %v; want the one book over the journeys", a.Book, a.Ingester.Book, a.Analytics.Book, a.Book.Touches)
			}
			if a.Webhooks.OnError == nil || a.Segmenting.OnError == nil {
				t.Error("errors dropped with a log")
			}
			if a.Webhooks.Allow.String() != "127.0.0.1/32" || a.Webhooks.Log == nil {
				t.Errorf("webhook allow list %q, log %v; want the configured ones", a.Webhooks.Allow, a.Webhooks.Log)
			}
		}},
		{"the cache of some people", Config{Cache: true, CachePrefix: "p-"}, func(t *testing.T, a *App) {
			if a.Cache.Prefix != "p-" {
				t.Errorf("cache prefix %q, want p-", a.Cache.Prefix)
			}
		}},
		{"one segment after writes, some webhooks", Config{WriteSegments: []string{"s"}, WebhookPrefix: "hook-"}, func(t *testing.T, a *App) {
			if a.Segmenting.Segments == a.Segmenter {
				t.Error("writes re-evaluate with the Segmenter of every segment")
			}
			if _, ok := a.Segmenting.Segments.Store.(onlySegments); !ok {
				t.Errorf("writes re-evaluate segments of %T, want onlySegments", a.Segmenting.Segments.Store)
			}
			if a.Webhooks.Prefix != "hook-" {
				t.Errorf("webhook prefix %q, want hook-", a.Webhooks.Prefix)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(store, tt.cfg)
			if a.Store != store || a.Journeys.Members != segment.MemberReader(store) {
				t.Errorf("store %p, members from %T; want the store", a.Store, a.Journeys.Members)
			}
			if a.Analytics.Store != a.Journeys || a.Chains.Store != a.Journeys || a.HiddenStates.Touches != a.Journeys {
				t.Error("reports, chains and hidden states do not all read Journeys")
			}
			// With a cache, segments are evaluated from it; else in Cypher.
			var engine segment.Evaluator
			if a.Cache != nil {
				engine = a.Cache
			}
			if a.Segmenter.Engine != engine {
				t.Errorf("segment engine %T, want %T", a.Segmenter.Engine, engine)
			}
			// Concurrent writes are coalesced; with a cache, writes hand
			// what they appended to it.
			co, ok := a.Ingester.Store.(*ingest.Coalescer)
			if !ok {
				t.Fatalf("ingester writes with %T, want a *ingest.Coalescer", a.Ingester.Store)
			}
			if wt, ok := co.Writer.(inmem.WriteThrough); (a.Cache != nil) != ok || ok && wt.Cache != a.Cache {
				t.Errorf("coalesced writes go to %T (cache %v)", co.Writer, a.Cache != nil)
			}
			if a.Segmenting.Segments.Engine != a.Segmenter.Engine {
				t.Errorf("writes re-evaluate with engine %T, not %T", a.Segmenting.Segments.Engine, a.Segmenter.Engine)
			}
			if len(tt.cfg.WriteSegments) == 0 && a.Segmenting.Segments != a.Segmenter {
				t.Error("writes re-evaluate with another Segmenter")
			}
			if a.Segmenting.Ingester != a.Ingester || a.Segmenter.OnChange == nil {
				t.Error("Segmenting does not wrap Ingester, or changes reach neither member pages nor webhooks")
			}
			tt.check(t, a)
		})
	}
}

// fakeSegments holds segments by name.
type fakeSegments struct {
	journeys.SegmentStore
	segs map[string]journeys.Segment
}

func (f fakeSegments) Segment(_ context.Context, name string) (journeys.Segment, error) {
	s, ok := f.segs[name]
	if !ok {
		return s, journeys.Errorf(journeys.ENOTFOUND, "no segment %s", name)
	}
	return s, nil
}

func TestOnlySegments(t *testing.T) {
	store := fakeSegments{segs: map[string]journeys.Segment{"a": {Name: "a"}, "b": {Name: "b"}, "c": {Name: "c"}}}
	got, err := onlySegments{store, []string{"c", "a"}}.Segments(context.Background())
	if err != nil || len(got) != 2 || got[0].Name != "c" || got[1].Name != "a" {
		t.Errorf("Segments() = %v, %v; want c, a", got, err)
	}
	if _, err := (onlySegments{store, []string{"a", "gone"}}).Segments(context.Background()); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("a missing segment: error %v, want ENOTFOUND", err)
	}
}

// fakeMemberships reads memberships of "a" and "b" for a list of people;
// without all, it reads one segment's members at a time only.
type fakeMemberships struct {
	fakeSegments
}

func (f fakeMemberships) SegmentMembers(_ context.Context, name string, _ journeys.SegmentScope) ([]string, error) {
	return []string{name + "-member"}, nil
}

type fakeAllMemberships struct{ fakeMemberships }

func (fakeAllMemberships) Memberships(context.Context, []string) (map[string][]string, error) {
	return map[string][]string{"a": {"a-member"}, "b": {"b-member"}}, nil
}

// TestOnlySegmentsMemberships: the memberships of the named segments only,
// in one read when the store reads them for every segment, else segment by
// segment.
func TestOnlySegmentsMemberships(t *testing.T) {
	want := map[string][]string{"a": {"a-member"}}
	for _, store := range []journeys.SegmentStore{fakeMemberships{}, fakeAllMemberships{}} {
		got, err := onlySegments{store, []string{"a"}}.Memberships(context.Background(), []string{"p"})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%T: Memberships() = %v, %v; want %v", store, got, err, want)
		}
	}
}

// fakePager answers every page with one member named after the segment.
type fakePager struct{}

func (fakePager) MembersPage(_ context.Context, segment, _ string, _ int) ([]journeys.Member, error) {
	return []journeys.Member{{Person: segment + "-member"}}, nil
}

func TestMemberPages(t *testing.T) {
	a := New(new(graph.Store), Config{})
	a.Members = &segment.MemberCache{Source: fakePager{}}
	got, err := a.MemberPages().MembersPage(context.Background(), "vip", "", 10)
	if err != nil || len(got) != 1 || got[0].Person != "vip-member" {
		t.Errorf("MembersPage = %v, %v; want the cache's page", got, err)
	}
}
