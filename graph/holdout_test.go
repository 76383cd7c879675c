package graph_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/uplift"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// TestHoldoutDeliveriesHeldOut: a segment with a holdout; people enter it.
// Members of the control group are members like the others, marked control
// in the change feed and the member list; their deliveries are recorded
// held_out, never claimed, and never reach the receiver, while the treated
// members' deliveries are delivered.
func TestHoldoutDeliveriesHeldOut(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	const n = 40
	for i := range n {
		write(t, s, ev(fmt.Sprintf("%sp%02d", prefix, i), "add_to_cart", 1))
	}
	seg, err := journeys.ParseSegment([]byte(`{"name":"` + prefix + `s","holdout":{"share":0.5,"salt":"t"},"where":{"did":"add_to_cart"}}`))
	if err != nil {
		t.Fatal(err)
	}
	control := map[string]bool{}
	for i := range n {
		if id := fmt.Sprintf("%sp%02d", prefix, i); seg.Control(id) {
			control[id] = true
		}
	}
	if len(control) == 0 || len(control) == n {
		t.Fatalf("%d of %d in control: the test needs both groups", len(control), n)
	}
	rc := &receiver{accepted: map[string]int{}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	hook, err := s.CreateWebhook(ctx, journeys.Webhook{ID: prefix + "hook", URL: srv.URL + "/hook", Segment: seg.Name,
		Events: []string{journeys.KindEntered}})
	if err != nil {
		t.Fatal(err)
	}
	rc.secret = hook.Secret
	t.Cleanup(func() {
		_ = s.DeleteWebhook(context.Background(), hook.ID)
		_ = s.DeleteSegment(context.Background(), seg.Name)
	})
	if _, err := s.SaveSegment(ctx, seg, t0); err != nil {
		t.Fatal(err)
	}
	stored, err := s.Segment(ctx, seg.Name)
	if err != nil || stored.Holdout == nil || *stored.Holdout != *seg.Holdout {
		t.Fatalf("stored segment %+v (%v), want the holdout kept", stored.Holdout, err)
	}
	sg := &segment.Segmenter{Store: s}
	if res, err := sg.Refresh(ctx, []string{seg.Name}, journeys.SegmentScope{Prefix: prefix}, "test", t0.Add(time.Hour)); err != nil || res[0].Entered != n {
		t.Fatalf("refresh: %+v %v", res, err)
	}

	// Membership and the change feed: everyone, control marked.
	members, err := s.MembersPage(ctx, seg.Name, "", 1000)
	if err != nil || len(members) != n {
		t.Fatalf("members: %d (%v), want %d", len(members), err, n)
	}
	for _, m := range members {
		if m.Control != control[m.Person] {
			t.Errorf("member %s control = %v, want %v", m.Person, m.Control, control[m.Person])
		}
	}
	changes, err := s.Changes(ctx, seg.Name, 0, 1000)
	if err != nil || len(changes) != n {
		t.Fatalf("changes: %d (%v), want %d", len(changes), err, n)
	}
	for _, c := range changes {
		if c.Control != control[c.Person] {
			t.Errorf("change of %s control = %v, want %v", c.Person, c.Control, control[c.Person])
		}
	}

	// The outbox: held_out for control, pending for the treated.
	ds, err := s.Deliveries(ctx, hook.ID, 1000)
	if err != nil || len(ds) != n {
		t.Fatalf("deliveries: %d (%v), want %d", len(ds), err, n)
	}
	for _, d := range ds {
		want := journeys.DeliveryPending
		if control[d.Person] {
			want = journeys.DeliveryHeldOut
		}
		if d.Status != want {
			t.Errorf("delivery for %s: status %q, want %q", d.Person, d.Status, want)
		}
	}

	// Dispatch: the treated deliveries arrive, the held-out ones never.
	dctx, stop := context.WithCancel(ctx)
	d := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: hook.ID, Poll: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	treated := n - len(control)
	byStatus := waitStatuses(t, s, hook.ID, func(m map[string]int) bool { return m[journeys.DeliveryDelivered] == treated })
	stop()
	<-done
	if byStatus[journeys.DeliveryHeldOut] != len(control) || len(byStatus) != 2 {
		t.Errorf("statuses %v, want %d delivered and %d held_out", byStatus, treated, len(control))
	}
	acc, bad := rc.counts()
	if len(acc) != treated || bad != 0 {
		t.Errorf("receiver accepted %d (bad %d), want %d", len(acc), bad, treated)
	}
	for key := range acc {
		for id := range control {
			if strings.Contains(key, id+".") {
				t.Errorf("receiver got %s, a control member's delivery", key)
			}
		}
	}
	claimed, err := s.ClaimDeliveries(ctx, journeys.Claim{Now: time.Now().Add(24 * time.Hour), Lease: time.Minute, Limit: 1000,
		PerWebhook: 1000, Prefix: hook.ID})
	if err != nil || len(claimed) != 0 {
		t.Errorf("claimed %d (%v) after dispatch, want none: held_out is never claimed", len(claimed), err)
	}
}

// waitStatuses polls a webhook's delivery log until done holds for its
// count by status, and returns that count.
func waitStatuses(t *testing.T, s *graph.Store, hook string, done func(map[string]int) bool) map[string]int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := s.Deliveries(context.Background(), hook, 1000)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, d := range ds {
			m[d.Status]++
		}
		if done(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("statuses %v after 30 s", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestUpliftOnPlantedJourneys: people enter a segment with a holdout; some
// purchase 2 days after entering, some 8 days after, some only before; the
// uplift report counts, per group, the entries and the purchases within the
// days asked.
func TestUpliftOnPlantedJourneys(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	const n = 40
	entered := t0.Add(time.Hour)
	day := 24 * 60 // minutes
	seg, err := journeys.ParseSegment([]byte(`{"name":"` + prefix + `s","holdout":{"share":0.5,"salt":"u"},"where":{"did":"add_to_cart"}}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), seg.Name) })
	type counts struct{ people, in7, in10 [2]int } // [treated, control]
	var want counts
	var later []journeys.Event
	for i := range n {
		id := fmt.Sprintf("%sp%02d", prefix, i)
		write(t, s, ev(id, "add_to_cart", 1))
		g := 0
		if seg.Control(id) {
			g = 1
		}
		want.people[g]++
		switch i % 4 {
		case 0: // 2 days after entering
			later = append(later, ev(id, "purchase", 60+2*day))
			want.in7[g]++
			want.in10[g]++
		case 1: // 8 days after
			later = append(later, ev(id, "purchase", 60+8*day))
			want.in10[g]++
		case 2: // before entering only
			write(t, s, ev(id, "purchase", 30))
		}
	}
	if want.people[0] == 0 || want.people[1] == 0 {
		t.Fatalf("groups %v: the test needs both", want.people)
	}
	if _, err := s.SaveSegment(ctx, seg, t0); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Store: s, Now: func() time.Time { return entered }} // the entries' time
	if res, err := sg.Refresh(ctx, []string{seg.Name}, journeys.SegmentScope{Prefix: prefix}, "test", entered); err != nil || res[0].Entered != n {
		t.Fatalf("refresh: %+v %v", res, err)
	}
	write(t, s, later...)

	for _, tt := range []struct {
		days int
		conv [2]int
	}{{7, want.in7}, {10, want.in10}, {1, [2]int{}}} {
		rep, err := uplift.Compute(ctx, s, s, uplift.Query{Segment: seg.Name, Days: tt.days})
		if err != nil {
			t.Fatal(err)
		}
		got := [2]uplift.Group{rep.Treated, rep.Control}
		for g, name := range []string{"treated", "control"} {
			if got[g].People != want.people[g] || got[g].Converted != tt.conv[g] {
				t.Errorf("days %d: %s %d people, %d converted; want %d, %d", tt.days, name, got[g].People, got[g].Converted,
					want.people[g], tt.conv[g])
			}
		}
		if rep.Stats == nil || rep.Step != "purchase" || rep.Holdout == nil || rep.Holdout.Share != 0.5 {
			t.Errorf("days %d: report %+v, want stats for step purchase and the holdout", tt.days, rep)
		}
	}
	// Another step; and a window that ends before the entries.
	if rep, err := uplift.Compute(ctx, s, s, uplift.Query{Segment: seg.Name, Step: "add_to_cart"}); err != nil ||
		rep.Treated.Converted != 0 || rep.Control.Converted != 0 {
		t.Errorf("step add_to_cart (before entry): %+v %v, want no conversions", rep, err)
	}
	if rep, err := uplift.Compute(ctx, s, s, uplift.Query{Segment: seg.Name, To: entered}); err != nil ||
		rep.Treated.People+rep.Control.People != 0 || rep.Stats != nil || rep.Note == "" {
		t.Errorf("window before the entries: %+v %v, want nobody and a note", rep, err)
	}
	if _, err := uplift.Compute(ctx, s, s, uplift.Query{Segment: prefix + "missing"}); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("unknown segment: %v, want not found", err)
	}
}
