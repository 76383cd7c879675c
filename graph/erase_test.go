package graph_test

import (
	"context"
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
