package inmem

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// tev is an event of a unit test's journey.
type tev struct {
	step, name                      string
	ts                              int64
	channel, campaign, product, url string
	value                           float64
	props                           map[string]any
}

// put stores a journey of events (in the order given: chain order) and
// person fields.
func put(m *MemSource, id string, fields map[string]any, evs ...tev) {
	j := StoredJourney{Person: id, Touched: 1, Fields: fields}
	for _, e := range evs {
		name := e.name
		if name == "" {
			name = e.step
		}
		j.Touches = append(j.Touches, journeys.Touch{StepEvent: journeys.StepEvent{Step: e.step, TS: e.ts}, Type: "track",
			Name: name, URL: e.url, Channel: e.channel, Campaign: e.campaign, Value: e.value})
		j.Details = append(j.Details, EventDetail{Product: e.product, Props: e.props})
	}
	m.People[id] = j
}

// segmentSource is the unit tests' population:
//
//	a: view@10 (p1, web), view@20 (p1), cart@20, buy@30 (value 5, plan pro, 3 seats)
//	b: email_sent@5, email_open@15, view@25 (p2), view@26 (p1), view@27 (p2)
//	c: identify@1 (no step); hmm_state x, p_convert 0.8, trait country BE
//	d: no event; events 0
//	e: cart@10, buy@50, cart@60
func segmentSource() *MemSource {
	m := &MemSource{People: map[string]StoredJourney{}}
	put(m, "a", map[string]any{"events": int64(4), "last_event": "buy"},
		tev{step: "view", ts: 10, product: "p1", channel: "web", url: "/p/1"},
		tev{step: "view", ts: 20, product: "p1"},
		tev{step: "cart", ts: 20, product: "p1"},
		tev{step: "buy", ts: 30, value: 5, props: map[string]any{"prop_plan": "pro", "prop_seats": int64(3)}})
	put(m, "b", nil,
		tev{step: "email_sent", ts: 5, channel: "email", campaign: "spring"},
		tev{step: "email_open", ts: 15, channel: "email", campaign: "spring"},
		tev{step: "view", ts: 25, product: "p2"},
		tev{step: "view", ts: 26, product: "p1"},
		tev{step: "view", ts: 27, product: "p2"})
	put(m, "c", map[string]any{"hmm_state": "x", "p_convert": 0.8, "trait_country": "BE", "trait_vip": true},
		tev{step: "", name: "identify", ts: 1})
	put(m, "d", map[string]any{"events": int64(0)})
	put(m, "e", nil, tev{step: "cart", ts: 10}, tev{step: "buy", ts: 50}, tev{step: "cart", ts: 60})
	return m
}

// Helpers building Preds.
func steps(from, to int64, s ...string) journeys.EventCond {
	return journeys.EventCond{Field: "step", Values: s, From: from, To: to}
}

func exists(c journeys.EventCond) journeys.Pred {
	return journeys.Pred{Kind: journeys.PredExists, Events: []journeys.EventCond{c}}
}

func where(c journeys.EventCond, field, op string, v any) journeys.EventCond {
	c.Where = append(c.Where, journeys.FieldComparison{Field: field, Op: op, Value: v})
	return c
}

func person(field, op string, v any) journeys.Pred {
	return journeys.Pred{Kind: journeys.PredPerson, Field: field, Op: op, Value: v}
}

func not(p journeys.Pred) journeys.Pred {
	return journeys.Pred{Kind: journeys.PredNot, Kids: []journeys.Pred{p}}
}

func all(ps ...journeys.Pred) journeys.Pred { return journeys.Pred{Kind: journeys.PredAll, Kids: ps} }
func anyOf(ps ...journeys.Pred) journeys.Pred {
	return journeys.Pred{Kind: journeys.PredAny, Kids: ps}
}

const inf = math.MaxInt64

func TestEvaluateSegment(t *testing.T) {
	own := journeys.EventCond{From: 0, To: 100}
	ownSent := journeys.EventCond{From: 0, To: 100, Exclude: []string{"email_sent"}}
	count := func(c journeys.EventCond, lo, hi int64) journeys.Pred {
		return journeys.Pred{Kind: journeys.PredCount, Events: []journeys.EventCond{c}, Min: lo, Max: hi}
	}
	same := func(key string, lo, hi int64, c journeys.EventCond) journeys.Pred {
		return journeys.Pred{Kind: journeys.PredSame, Key: key, Events: []journeys.EventCond{c}, Min: lo, Max: hi}
	}
	seq := func(gap int64, cs ...journeys.EventCond) journeys.Pred {
		return journeys.Pred{Kind: journeys.PredSequence, Gap: gap, Events: cs}
	}
	nf := func(after string, gap int64, first, then journeys.EventCond) journeys.Pred {
		return journeys.Pred{Kind: journeys.PredNotFollowed, After: after, Gap: gap, Events: []journeys.EventCond{first, then}}
	}
	rate := func(lo, hi float64, base int64, of, per journeys.EventCond) journeys.Pred {
		return journeys.Pred{Kind: journeys.PredRate, RateMin: lo, RateMax: hi, MinBase: base, Events: []journeys.EventCond{of, per}}
	}
	tests := []struct {
		name string
		p    journeys.Pred
		want []string
	}{
		{"exists step", exists(steps(0, 100, "view")), []string{"a", "b"}},
		{"window from is inclusive", exists(steps(25, 26, "view")), []string{"b"}},
		{"window to is exclusive", exists(steps(21, 25, "view")), nil},
		{"any of several steps", exists(steps(0, 100, "cart", "email_open")), []string{"a", "b", "e"}},
		{"a step nobody has", exists(steps(0, 100, "nope")), nil},
		{"by name, no step needed", exists(journeys.EventCond{Field: "name", Values: []string{"identify"}, From: 0, To: 100}), []string{"c"}},
		{"own events: a step, any", exists(own), []string{"a", "b", "e"}},
		{"own events exclude outbound", exists(journeys.EventCond{From: 0, To: 11, Exclude: []string{"email_sent"}}), []string{"a", "e"}},
		{"own events include outbound unless excluded", exists(journeys.EventCond{From: 0, To: 10}), []string{"b"}},
		{"where channel", exists(where(steps(0, 100, "view"), "channel", "eq", "web")), []string{"a"}},
		{"where ne skips events without the field", exists(where(steps(0, 100, "view"), "channel", "ne", "email")), []string{"a"}},
		{"where url prefix", exists(where(steps(0, 100, "view"), "url", "prefix", "/p/")), []string{"a"}},
		{"where campaign contains", exists(where(own, "campaign", "contains", "pri")), []string{"b"}},
		{"where product in", exists(where(steps(0, 100, "view"), "product", "in", []any{"p2", "p9"})), []string{"b"}},
		{"where value", exists(where(own, "value", "gt", 4.0)), []string{"a"}},
		{"value 0 is no value", exists(where(own, "value", "eq", 0.0)), nil},
		{"where text against a number is false, ne true", exists(where(steps(0, 100, "buy"), "props.plan", "ne", 1.0)), []string{"a"}},
		{"prop text", exists(where(own, "props.plan", "eq", "pro")), []string{"a"}},
		{"prop int against float", exists(where(own, "props.seats", "eq", 3.0)), []string{"a"}},
		{"prop ordered", exists(where(own, "props.seats", "gte", 3.0)), []string{"a"}},
		{"prop text is not ordered", exists(where(own, "props.plan", "gt", 1.0)), nil},
		{"prop missing never matches, ne included", exists(where(own, "props.coupon", "ne", "x")), nil},
		{"count exact", count(steps(0, 100, "view"), 2, 2), []string{"a"}},
		{"count zero: no events at all too", count(steps(0, 100, "view"), 0, 0), []string{"c", "d", "e"}},
		{"count window", count(steps(20, 27, "view"), 2, inf), []string{"b"}},
		{"same product", same("product", 2, inf, steps(0, 100, "view")), []string{"a", "b"}},
		{"same product at most once", same("product", 1, 1, steps(0, 100, "view")), []string{"b"}},
		{"same product min 0 needs an event", same("product", 0, 0, steps(0, 100, "view")), nil},
		{"same channel skips events without one", same("channel", 2, inf, own), []string{"b"}},
		{"same campaign", same("campaign", 2, 2, own), []string{"b"}},
		{"sequence", seq(inf, steps(0, 100, "view"), steps(0, 100, "cart")), []string{"a"}},
		{"sequence tie in time, chain order", seq(0, steps(0, 100, "view"), steps(0, 100, "cart")), []string{"a"}},
		{"sequence gap excludes", seq(-1, steps(0, 100, "view"), steps(0, 100, "cart")), nil},
		{"sequence order matters", seq(inf, steps(0, 100, "cart"), steps(0, 100, "view")), nil},
		{"sequence repeats", seq(inf, steps(0, 100, "view"), steps(0, 100, "view"), steps(0, 100, "view")), []string{"b"}},
		{"sequence three", seq(50, steps(0, 100, "cart"), steps(0, 100, "buy"), steps(0, 100, "cart")), []string{"e"}},
		{"sequence three gap", seq(49, steps(0, 100, "cart"), steps(0, 100, "buy"), steps(0, 100, "cart")), nil},
		{"sequence later start fits the gap", seq(5, steps(0, 100, "view"), steps(0, 100, "cart")), []string{"a"}},
		{"sequence windows per step", seq(inf, steps(0, 15, "view"), steps(15, 100, "view")), []string{"a"}},
		{"not followed last", nf("last", inf, steps(0, 100, "cart"), steps(0, 100, "buy")), []string{"e"}},
		{"not followed each", nf("each", inf, steps(0, 100, "cart"), steps(0, 100, "buy")), nil},
		{"not followed any", nf("any", inf, steps(0, 100, "cart"), steps(0, 100, "buy")), []string{"e"}},
		{"not followed each: none followed", nf("each", inf, steps(0, 100, "view"), steps(0, 100, "buy")), []string{"b"}},
		{"not followed gap", nf("last", 5, steps(0, 100, "cart"), steps(0, 100, "buy")), []string{"a", "e"}},
		{"not followed gap edge", nf("last", 10, steps(0, 100, "cart"), steps(0, 100, "buy")), []string{"e"}},
		{"not followed then window", nf("last", inf, steps(0, 100, "cart"), steps(0, 30, "buy")), []string{"a", "e"}},
		{"not followed tie: later in chain follows", nf("last", inf, steps(0, 100, "view"), steps(0, 100, "cart")), []string{"b"}},
		{"not followed first window", nf("any", inf, steps(0, 20, "cart"), steps(0, 100, "buy")), nil},
		{"person eq", person("hmm_state", "eq", "x"), []string{"c"}},
		{"person ne: missing never matches", person("hmm_state", "ne", "y"), []string{"c"}},
		{"not of a missing field is unknown", not(person("hmm_state", "eq", "y")), []string{"c"}},
		{"unknown or true", anyOf(person("hmm_state", "eq", "y"), exists(steps(0, 100, "view"))), []string{"a", "b"}},
		{"unknown and false", not(all(person("hmm_state", "eq", "x"), exists(steps(0, 100, "view")))), []string{"c", "d", "e"}},
		{"person number", person("p_convert", "gte", 0.5), []string{"c"}},
		{"person int", person("events", "lt", 1.0), []string{"d"}},
		{"last event", person("last_event", "in", []any{"buy", "x"}), []string{"a"}},
		{"trait", person("traits.country", "in", []any{"BE", "FR"}), []string{"c"}},
		{"trait bool", person("traits.vip", "eq", true), []string{"c"}},
		{"trait missing", person("traits.plan", "ne", "x"), nil},
		{"people", journeys.Pred{Kind: journeys.PredPeople, People: []string{"a", "zz", "d"}}, []string{"a", "d"}},
		{"not people", not(journeys.Pred{Kind: journeys.PredPeople, People: []string{"a"}}), []string{"b", "c", "d", "e"}},
		{"people and events", all(journeys.Pred{Kind: journeys.PredPeople, People: []string{"a", "b", "c"}}, exists(own)), []string{"a", "b"}},
		{"empty all", all(), []string{"a", "b", "c", "d", "e"}},
		{"empty any", anyOf(), nil},
		{"rate", rate(0.5, math.Inf(1), 1, steps(0, 100, "email_open"), steps(0, 100, "email_sent")), []string{"b"}},
		{"rate base", rate(0, math.Inf(1), 2, steps(0, 100, "email_open"), steps(0, 100, "email_sent")), nil},
		{"rate zero of", rate(0, 0, 0, steps(0, 100, "buy"), steps(0, 100, "view")), []string{"b"}},
		{"rate max", rate(0, 0.5, 1, steps(0, 100, "cart"), steps(0, 100, "view", "buy")), []string{"a", "b"}},
		{"rate over own events", rate(0.25, 0.25, 1, steps(0, 100, "cart"), own), []string{"a"}},
		{"rate excluded base", rate(0.25, 0.25, 1, steps(0, 100, "email_open"), ownSent), []string{"b"}},
	}
	c := &Cache{Source: segmentSource()}
	ctx := context.Background()
	// Then again once the strings are interned anew (a full sync's
	// compaction renumbers every id, and the masks' bits).
	for _, pass := range []string{"loaded", "compacted"} {
		if pass == "compacted" {
			c.syncMu.Lock()
			c.snap.Store(c.compact(c.snap.Load()))
			c.syncMu.Unlock()
		}
		for _, tt := range tests {
			t.Run(pass+"/"+tt.name, func(t *testing.T) {
				got, err := c.EvaluateSegment(ctx, tt.p, journeys.SegmentScope{})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		}
	}
}

func TestEvaluateSegmentScope(t *testing.T) {
	m := segmentSource()
	put(m, "ab", nil, tev{step: "view", ts: 1})
	c := &Cache{Source: m}
	ctx := context.Background()
	p := exists(steps(0, 100, "view"))
	tests := []struct {
		name  string
		scope journeys.SegmentScope
		want  []string
	}{
		{"everyone", journeys.SegmentScope{}, []string{"a", "ab", "b"}},
		{"prefix", journeys.SegmentScope{Prefix: "a"}, []string{"a", "ab"}},
		{"people, repeated and unknown", journeys.SegmentScope{People: []string{"b", "zz", "ab", "b", "c"}}, []string{"ab", "b"}},
		{"people and prefix", journeys.SegmentScope{Prefix: "a", People: []string{"b", "ab"}}, []string{"ab"}},
		{"no people", journeys.SegmentScope{People: []string{}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.EvaluateSegment(ctx, p, tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := (&Cache{Source: m, Prefix: "a"}).EvaluateSegment(ctx, p, journeys.SegmentScope{Prefix: "b"}); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("a scope outside the cache's prefix: error %v, want EINVALID", err)
	}
}

func TestEvaluateSegmentRefusesWhatGraphRefuses(t *testing.T) {
	ok := steps(0, 100, "view")
	deep := exists(ok)
	for range maxPlanDepth + 1 {
		deep = not(deep)
	}
	tests := []struct {
		name string
		p    journeys.Pred
	}{
		{"unknown kind", journeys.Pred{Kind: "nope", Events: []journeys.EventCond{ok}}},
		{"not with two", journeys.Pred{Kind: journeys.PredNot, Kids: []journeys.Pred{exists(ok), exists(ok)}}},
		{"exists without event", journeys.Pred{Kind: journeys.PredExists}},
		{"sequence of one", journeys.Pred{Kind: journeys.PredSequence, Events: []journeys.EventCond{ok}}},
		{"not followed of one", journeys.Pred{Kind: journeys.PredNotFollowed, After: "last", Events: []journeys.EventCond{ok}}},
		{"rate of one", journeys.Pred{Kind: journeys.PredRate, Events: []journeys.EventCond{ok}}},
		{"rate NaN", journeys.Pred{Kind: journeys.PredRate, RateMin: math.NaN(), Events: []journeys.EventCond{ok, ok}}},
		{"after", journeys.Pred{Kind: journeys.PredNotFollowed, After: "first", Events: []journeys.EventCond{ok, ok}}},
		{"same by value", journeys.Pred{Kind: journeys.PredSame, Key: "value", Events: []journeys.EventCond{ok}}},
		{"same by step", journeys.Pred{Kind: journeys.PredSame, Key: "step", Events: []journeys.EventCond{ok}}},
		{"match on channel", exists(journeys.EventCond{Field: "channel", Values: []string{"web"}})},
		{"no steps", exists(journeys.EventCond{Field: "step"})},
		{"where step", exists(where(ok, "step", "eq", "view"))},
		{"where unknown", exists(where(ok, "colour", "eq", "red"))},
		{"where trait", exists(where(ok, "traits.country", "eq", "BE"))},
		{"where bad operator", exists(where(ok, "channel", "like", "w%"))},
		{"person unknown", person("email", "eq", "x")},
		{"person prop", person("props.plan", "eq", "x")},
		{"person bad operator", person("events", "between", 1.0)},
		{"too deep", deep},
		{"deep inside", all(exists(ok), journeys.Pred{Kind: journeys.PredNot})},
	}
	c := &Cache{Source: segmentSource()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.EvaluateSegment(context.Background(), tt.p, journeys.SegmentScope{})
			if journeys.ErrorCode(err) != journeys.EINVALID {
				t.Errorf("error %v, want EINVALID", err)
			}
		})
	}
}

func TestEvaluateSegmentStopsWithContext(t *testing.T) {
	c := &Cache{Source: segmentSource()}
	if err := c.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.EvaluateSegment(ctx, exists(steps(0, 100, "view")), journeys.SegmentScope{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// TestEvaluateSegmentSeesSyncedChanges: each evaluation syncs first, and
// the seeds (person masks) follow the changed people.
func TestEvaluateSegmentSeesSyncedChanges(t *testing.T) {
	m := segmentSource()
	c := &Cache{Source: m}
	ctx := context.Background()
	p := exists(steps(0, 100, "buy"))
	if got, _ := c.EvaluateSegment(ctx, p, journeys.SegmentScope{}); !slices.Equal(got, []string{"a", "e"}) {
		t.Fatalf("before: %q", got)
	}
	m.Put("b", MakeTouch("buy", "buy", 40, "", ""))
	m.Put("f", MakeTouch("buy", "buy", 40, "", ""))
	delete(m.People, "a")
	if err := c.SyncFull(ctx); err != nil { // a deletion under no prefix shows at once; a full sync finds it anyway
		t.Fatal(err)
	}
	if got, _ := c.EvaluateSegment(ctx, p, journeys.SegmentScope{}); !slices.Equal(got, []string{"b", "e", "f"}) {
		t.Errorf("after: %q", got)
	}
}
