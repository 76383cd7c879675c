package chain

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// randomCache returns a loaded cache over n generated people: sessions of
// steps (some repeated, some converting with a whole value, some ending in
// an unsubscribe) on a few channels, with unstepped events among them.
func randomCache(t *testing.T, n int, seed uint64) *inmem.Cache {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	steps := []string{"page_view", "product_view", "add_to_cart", "checkout", "purchase", "unsubscribe", ""}
	channels := []string{"web", "email", "ads"}
	m := &inmem.MemSource{People: map[string]inmem.StoredJourney{}}
	for p := range n {
		var ts []journeys.Touch
		at := int64(1_700_000_000_000 + rng.IntN(1_000_000))
		for s := range 1 + rng.IntN(3) {
			ch := channels[rng.IntN(len(channels))]
			for range 1 + rng.IntN(8) {
				step := steps[rng.IntN(len(steps))]
				if rng.IntN(3) == 0 {
					step = steps[rng.IntN(2)] // browsing is common
				}
				v := 0.0
				if step == "purchase" {
					v = float64(10 * (1 + rng.IntN(9)))
				}
				ts = append(ts, journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: at, Session: fmt.Sprintf("s%d", s)},
					Name: "e", Type: "track", Channel: ch, Value: v})
				at += int64(1000 + rng.IntN(600_000))
			}
			at += 3_600_000 * int64(1+rng.IntN(48))
		}
		m.Put(fmt.Sprintf("p%05d", p), ts...)
	}
	c := &inmem.Cache{Source: m}
	if err := c.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

// oneStream hides a reader's TouchParts: reports read it in one stream.
type oneStream struct{ journeys.TouchReader }

func TestCacheTouchParts(t *testing.T) {
	c := randomCache(t, 300, 1)
	ctx := context.Background()
	for _, q := range []journeys.TouchQuery{{}, {Filter: journeys.Filter{PersonPrefix: "p001"}}, {Filter: journeys.Filter{PersonPrefix: "none"}}, {Every: true}} {
		var want []string
		set, err := c.Touches(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for set.Next() {
			want = append(want, fmt.Sprint(set.At()))
			total += len(set.At().Touches)
		}
		for _, n := range []int{1, 2, 3, 7, 400} {
			parts, err := c.TouchParts(ctx, q, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != n {
				t.Errorf("%+v in %d parts: got %d", q, n, len(parts))
			}
			var got []string
			for _, p := range parts {
				events := 0
				for p.Next() {
					got = append(got, fmt.Sprint(p.At()))
					events += len(p.At().Touches)
				}
				// A part holds its share of the events, give or take one person's (at most 24).
				if n <= 7 && (events > total/n+24 || events < total/n-24) {
					t.Errorf("%+v in %d parts: a part of %d events of %d", q, n, events, total)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v in %d parts: the parts are not the stream (%d vs %d sequences)", q, n, len(got), len(want))
			}
		}
	}
}

func TestChainsInPartsEqualOneStream(t *testing.T) {
	c := randomCache(t, 2000, 2)
	ctx := context.Background()
	one := &Chains{Store: oneStream{c}}
	frictions := []FrictionQuery{{}, {Unit: journeys.UnitJourney, MinLength: 2, Improbable: 50, Edges: 100}, {Collapse: true, Unsubscribe: journeys.NoUnsubscribe}}
	attributions := []AttributionQuery{{}, {By: journeys.ByStep}, {By: journeys.ByChannel, Unit: journeys.UnitSession}}
	for _, parts := range []int{1, 2, 3, 8} {
		split := &Chains{Store: c, Parts: parts}
		for _, q := range frictions {
			want, err := one.Friction(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := split.Friction(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("friction %+v in %d parts differs from one stream's:\n got %+v\nwant %+v", q, parts, got, want)
			}
		}
		for _, q := range attributions {
			want, err := one.Attribution(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := split.Attribution(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			// Linear credits are sums of fractions: the order of the sum
			// changes their last bits.
			if !sameAttribution(got, want) {
				t.Errorf("attribution %+v in %d parts differs from one stream's:\n got %+v\nwant %+v", q, parts, got, want)
			}
		}
	}
}

func TestFrictionImprobableOverflowAndCollisions(t *testing.T) {
	c := randomCache(t, 1000, 3)
	ctx := context.Background()
	q := FrictionQuery{Improbable: 30}
	want, err := (&Chains{Store: oneStream{c}}).Friction(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Improbable) != 30 {
		t.Fatalf("%d improbable journeys, want 30", len(want.Improbable))
	}
	// Too many distinct paths to keep: a second read scores every unit,
	// listing each (People 1) rather than each distinct path.
	defer func(n int) { maxDistinctPaths = n }(maxDistinctPaths)
	maxDistinctPaths = 10
	var first []ImprobableJourney
	for _, parts := range []int{1, 2} {
		got, err := (&Chains{Store: c, Parts: parts}).Friction(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got.Improbable
		} else if !reflect.DeepEqual(got.Improbable, first) {
			t.Errorf("after overflow, %d parts list %+v, one lists %+v", parts, got.Improbable, first)
		}
		// Without the repeats, they are the distinct paths listed first.
		var distinct []string
		for _, j := range got.Improbable {
			j.People = 0
			if k := fmt.Sprint(j.Steps, j.Converted); !slices.Contains(distinct, k) {
				distinct = append(distinct, k)
				w := want.Improbable[len(distinct)-1]
				w.People = 0
				if !reflect.DeepEqual(j, w) {
					t.Errorf("after overflow in %d parts, distinct journey %d is %+v, want %+v", parts, len(distinct), j, w)
				}
			}
		}
		if len(distinct) < 10 {
			t.Errorf("after overflow in %d parts, %d distinct journeys listed", parts, len(distinct))
		}
	}
}

func TestDistinctPathsCollisions(t *testing.T) {
	paths := []struct {
		steps     []string
		converted bool
		person    string
	}{
		{[]string{"a", "b", "c"}, false, "p3"},
		{[]string{"a", "b", "c"}, true, "p2"},
		{[]string{"a", "b", "c"}, false, "p1"},
		{[]string{"a", "bc"}, false, "p4"},
		{[]string{"ab", "c"}, false, "p5"},
		{[]string{"a", "b", "c", "d"}, false, "p6"},
		{[]string{"a", "bc"}, false, "p0"},
	}
	for _, hash := range []func([]string, bool) uint64{nil, func([]string, bool) uint64 { return 42 }} {
		d := newDistinctPaths(0)
		d.hash = hash
		for _, p := range paths {
			d.add(&journeys.ConversionPath{Person: p.person, Steps: p.steps, Converted: p.converted})
		}
		got := map[string]string{}
		for _, j := range d.paths {
			got[fmt.Sprint(j.Steps, j.Converted)] = fmt.Sprintf("%d %s", j.People, j.Person)
		}
		want := map[string]string{
			"[a b c] false": "2 p1", "[a b c] true": "1 p2", "[a bc] false": "2 p0",
			"[ab c] false": "1 p5", "[a b c d] false": "1 p6",
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("hash %v: got %v, want %v", hash != nil, got, want)
		}
	}
}

// sameAttribution reports whether a and b are equal up to rounding.
func sameAttribution(a, b AttributionReport) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y)) }
	if a.Query != b.Query || a.People != b.People || a.Journeys != b.Journeys || a.Conversions != b.Conversions ||
		!near(a.Value, b.Value) || !near(a.ConversionRate, b.ConversionRate) || len(a.Touches) != len(b.Touches) {
		return false
	}
	for i, x := range a.Touches {
		y := b.Touches[i]
		if x.Touch != y.Touch || !near(x.RemovalEffect, y.RemovalEffect) || !near(x.ValueRemovalEffect, y.ValueRemovalEffect) {
			return false
		}
		for _, c := range [][2]Credit{{x.Markov, y.Markov}, {x.FirstTouch, y.FirstTouch}, {x.LastTouch, y.LastTouch}, {x.Linear, y.Linear}} {
			if !near(c[0].Conversions, c[1].Conversions) || !near(c[0].Value, c[1].Value) {
				return false
			}
		}
	}
	return true
}

func TestFrictionEdgesOnly(t *testing.T) {
	c := randomCache(t, 500, 4)
	ctx := context.Background()
	ch := &Chains{Store: c}
	full, err := ch.Friction(ctx, FrictionQuery{Edges: 50})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ch.Friction(ctx, FrictionQuery{Edges: 50, EdgesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	// The same report without dwell times and improbable journeys.
	want := full
	want.Query.EdgesOnly, want.Improbable = true, nil
	want.Site.Dwells, want.Site.DwellMedianS = 0, 0
	want.Steps = slices.Clone(full.Steps)
	for i := range want.Steps {
		want.Steps[i].Dwells, want.Steps[i].DwellMedianS, want.Steps[i].DwellIndex = 0, 0, 0
	}
	if len(full.Improbable) == 0 || full.Site.Dwells == 0 {
		t.Fatalf("the full report has no improbable journey or dwell: %+v", full)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("edges only:\n got %+v\nwant %+v", got, want)
	}
}
