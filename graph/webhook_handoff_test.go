package graph_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// cartSegment writes n people who added to cart under prefix, and saves
// a segment of them (none a member yet) with a webhook on its entries at
// url; the ids of the people, segment and webhook start with prefix.
func cartSegment(t *testing.T, s *graph.Store, prefix, url string, n int) (journeys.Segment, journeys.Webhook) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		write(t, s, ev(prefix+"p"+strconv.Itoa(i), "add_to_cart", 1))
	}
	seg, err := journeys.ParseSegment([]byte(`{"name":"` + prefix + `s","where":{"did":"add_to_cart"}}`))
	if err != nil {
		t.Fatal(err)
	}
	hook, err := s.CreateWebhook(ctx, journeys.Webhook{ID: prefix + "hook", URL: url, Segment: seg.Name, Events: []string{journeys.KindEntered}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.DeleteWebhook(context.Background(), hook.ID)
		_ = s.DeleteSegment(context.Background(), seg.Name)
	})
	if seg, err = s.SaveSegment(ctx, seg, t0); err != nil {
		t.Fatal(err)
	}
	return seg, hook
}

// TestApplyMembershipLeasesDeliveries: the deliveries a membership write
// queues are leased in its transaction up to the webhook's free slots
// (PerWebhook less those in flight), with the webhook's URL and secret;
// the others stay pending for a claim. A leased delivery is not claimed
// again before its lease ends, and is after (its dispatcher died).
func TestApplyMembershipLeasesDeliveries(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	seg, hook := cartSegment(t, s, prefix, "http://127.0.0.1:9/hook", 3)
	now := time.Now()
	var changes []journeys.MembershipChange
	for i := range 3 {
		changes = append(changes, journeys.MembershipChange{ID: journeys.NewID(), Kind: journeys.KindEntered, Segment: seg.Name,
			Version: seg.Version, Person: prefix + "p" + strconv.Itoa(i), At: now, Reason: []byte(`{}`), Payload: []byte(`{}`)})
	}
	claim := journeys.Claim{Now: now, Lease: time.Minute, Limit: 64, PerWebhook: 3, InFlight: map[string]int{hook.ID: 1}, Prefix: prefix}
	applied, leased, err := s.ApplyMembershipLeased(ctx, seg, now, changes, claim)
	if err != nil || len(applied) != 3 {
		t.Fatalf("applied %d of 3: %v", len(applied), err)
	}
	if len(leased) != 2 {
		t.Fatalf("leased %d deliveries, want 2 (3 slots, 1 in flight)", len(leased))
	}
	for _, d := range leased {
		if d.Webhook != hook.ID || d.URL != hook.URL || d.Secret != hook.Secret || d.Attempts != 1 || d.Status != journeys.DeliverySending {
			t.Errorf("leased %+v: want webhook %s, its URL and secret, attempt 1, sending", d, hook.ID)
		}
	}
	// The third is pending: a claim now takes it, and only it.
	got, err := s.ClaimDeliveries(ctx, journeys.Claim{Now: now.Add(time.Second), Lease: time.Minute, Limit: 64, PerWebhook: 8, Prefix: prefix})
	if err != nil || len(got) != 1 || slices.ContainsFunc(leased, func(d journeys.Delivery) bool { return d.ID == got[0].ID }) {
		t.Fatalf("claim after the write: %+v, %v; want the one delivery not leased", got, err)
	}
	// Past the lease, the two leased are due again.
	got, err = s.ClaimDeliveries(ctx, journeys.Claim{Now: now.Add(2 * time.Minute), Lease: time.Minute, Limit: 64, PerWebhook: 8, Prefix: prefix})
	if err != nil || len(got) != 3 {
		t.Fatalf("claim past the leases: %d deliveries, %v; want all 3 again", len(got), err)
	}
}

// TestHandedOverDeliveriesNeedNoClaim: with the dispatcher as the
// Segmenter's Handoff, the webhooks of a refresh's entries are sent as
// soon as the write commits: the dispatcher is never woken (no OnChange)
// and polls once an hour, so nothing but the handoff can send them.
func TestHandedOverDeliveriesNeedNoClaim(t *testing.T) {
	s := graphtest.Open(t)
	prefix := graphtest.RunID(t)
	rc := &receiver{accepted: map[string]int{}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	seg, hook := cartSegment(t, s, prefix, srv.URL+"/hook", 3)
	rc.mu.Lock()
	rc.secret = hook.Secret
	rc.mu.Unlock()
	d := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: prefix, PerWebhook: 8, Poll: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, running := d.Claim(); running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dispatcher never ran")
		}
	}
	time.Sleep(100 * time.Millisecond) // its first claim (nothing due) is done

	sg := &segment.Segmenter{Store: s, Handoff: d}
	if res, err := sg.Refresh(context.Background(), []string{seg.Name}, journeys.SegmentScope{Prefix: prefix}, "test", t0.Add(time.Hour)); err != nil || res[0].Entered != 3 {
		t.Fatalf("refresh: %+v %v", res, err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ds, err := s.Deliveries(context.Background(), hook.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		sent := 0
		var statuses []string
		for _, dl := range ds {
			if dl.Status == journeys.DeliveryDelivered && dl.Attempts == 1 {
				sent++
			}
			statuses = append(statuses, dl.Status)
		}
		if sent == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 deliveries sent at the first attempt in 15 s without a claim (statuses %v)", sent, statuses)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.accepted) != 3 || rc.bad != 0 {
		t.Errorf("receiver accepted %d deliveries (%d badly signed), want 3", len(rc.accepted), rc.bad)
	}
}
