package graph_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// TestErasureTakesMembershipsAndDeliveries: erasing a person also removes
// their segment memberships and the webhook deliveries that name them,
// and a journey cache no longer holds them after its next sync.
func TestErasureTakesMembershipsAndDeliveries(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	a, b := prefix+"a", prefix+"b"
	write(t, s, ev(a, "add_to_cart", 1), ev(b, "add_to_cart", 2))
	cache := &inmem.Cache{Source: s, Prefix: prefix}
	if err := cache.Load(ctx); err != nil {
		t.Fatal(err)
	}
	seg := journeys.Segment{Name: prefix + "carts", Where: journeys.Condition{Did: &journeys.Match{Step: "add_to_cart"}}}
	hook, err := s.CreateWebhook(ctx, journeys.Webhook{ID: prefix + "hook", URL: "http://127.0.0.1:9/", Segment: seg.Name,
		Events: []string{journeys.KindEntered}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.DeleteWebhook(context.Background(), hook.ID)
		_ = s.DeleteSegment(context.Background(), seg.Name)
	})
	if _, err := s.SaveSegment(ctx, seg, t0); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Store: s}
	if _, err := sg.Refresh(ctx, []string{seg.Name}, journeys.SegmentScope{Prefix: prefix}, "test", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.Deliveries(ctx, hook.ID, 10); len(ds) != 2 {
		t.Fatalf("%d deliveries queued, want 2 (a and b entered)", len(ds))
	}
	if n, err := s.DeletePeople(ctx, []string{a}); err != nil || n != 1 {
		t.Fatalf("DeletePeople: %d, %v; want 1 event", n, err)
	}
	members, err := s.SegmentMembers(ctx, seg.Name, journeys.SegmentScope{Prefix: prefix})
	if err != nil || len(members) != 1 || members[0] != b {
		t.Errorf("members after erasing a: %v (%v), want only %s", members, err, b)
	}
	ds, err := s.Deliveries(ctx, hook.ID, 10)
	if err != nil || len(ds) != 1 || ds[0].Person != b {
		t.Errorf("deliveries after erasing a: %+v (%v), want only b's", ds, err)
	}
	if err := cache.SyncFull(ctx); err != nil {
		t.Fatal(err)
	}
	if people, _ := cache.Stats(); people != 1 {
		t.Errorf("cache holds %d people after the erasure, want 1", people)
	}

	// Deleting the prefix takes the rest: b, b's delivery, the prefix's
	// step rules with their versions.
	rules := s.StepRules(prefix + "rules")
	for v := 1; v <= 2; v++ {
		if err := rules.SaveStepRules(ctx, journeys.SavedStepRules{StepRules: journeys.DefaultStepRules(), Version: v, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.DeletePrefix(ctx, prefix); err != nil || n != 1 {
		t.Fatalf("DeletePrefix: %d, %v; want b's 1 event", n, err)
	}
	if ds, err := s.Deliveries(ctx, hook.ID, 10); err != nil || len(ds) != 0 {
		t.Errorf("deliveries after deleting the prefix: %+v (%v), want none", ds, err)
	}
	if got, err := rules.LoadStepRules(ctx); err != nil || got.Version != 0 {
		t.Errorf("step rules after deleting the prefix: version %d (%v), want none", got.Version, err)
	}
}

// TestErasureTakesTheWholeAliasChain: a merged into b, b merged into c.
// Erasing any of the three erases c with a and b: the aliases a→b and b→c
// go, so no id resolves any more, and a later event for a starts a new
// person holding only that event (b is not resurrected).
func TestErasureTakesTheWholeAliasChain(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	for _, erase := range []string{"a", "b", "c"} {
		t.Run("erase "+erase, func(t *testing.T) {
			prefix := graphtest.RunID(t)
			a, b, c := prefix+"a", prefix+"b", prefix+"c"
			va := ev(a, "view", 1)
			va.Anonymous = true
			write(t, s, va, ev(b, "cart", 2), ev(c, "email_open", 3))
			merge := func(anon, known string, minutes int) journeys.Event {
				e := journeys.Event{Type: journeys.TypeAlias, Name: journeys.NameAlias, Person: known, PreviousID: anon,
					Time: t0.Add(time.Duration(minutes) * time.Minute)}
				e.ID = journeys.EventID(known, e.Name, e.Time, nil)
				return e
			}
			write(t, s, merge(a, b, 4))
			write(t, s, merge(b, c, 5))
			p, _, err := s.Journey(ctx, a, 10)
			if err != nil || p.ID != c || !slices.Equal(p.Aliases, []string{a, b}) || p.Events != 5 {
				t.Fatalf("Journey(a) before erasure = %+v (%v), want %s with aliases a, b and 5 events", p, err, c)
			}

			n, err := s.DeletePeople(ctx, []string{prefix + erase})
			if err != nil || n != 5 {
				t.Fatalf("DeletePeople(%s) = %d, %v; want the 5 events of the chain", erase, n, err)
			}
			for _, id := range []string{a, b, c} {
				if _, _, err := s.Journey(ctx, id, 10); journeys.ErrorCode(err) != journeys.ENOTFOUND {
					t.Errorf("Journey(%s) after the erasure: %v, want not found", id, err)
				}
			}

			write(t, s, ev(a, "view", 10))
			p, events, err := s.Journey(ctx, a, 10)
			if err != nil || p.ID != a || len(p.Aliases) != 0 || len(events) != 1 {
				t.Errorf("Journey(a) after a new event = %+v with %d events (%v), want a new person a with that one event", p, len(events), err)
			}
			for _, id := range []string{b, c} {
				if _, _, err := s.Journey(ctx, id, 10); journeys.ErrorCode(err) != journeys.ENOTFOUND {
					t.Errorf("Journey(%s) after a new event for a: %v, want not found (resurrected)", id, err)
				}
			}
		})
	}
}
