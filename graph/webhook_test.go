package graph_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// loopback allows the tests' receivers on 127.0.0.1: webhooks refuse
// internal addresses unless the operator allows them.
var loopback = webhook.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

// receiver records the deliveries a loopback webhook receiver accepted,
// checking each signature.
type receiver struct {
	mu       sync.Mutex
	secret   string
	accepted map[string]int // idempotency key → accepted count
	bad      int
	block    chan struct{} // when set, the first request hangs until the client gives up
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	block := rc.block
	rc.block = nil
	rc.mu.Unlock()
	if block != nil {
		close(block)
		<-r.Context().Done() // the dispatcher is stopped mid-delivery
		return
	}
	err := webhook.VerifySignature(rc.secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, time.Now(), 0)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil || r.Header.Get(webhook.HeaderIdempotency) == "" {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rc.accepted[r.Header.Get(webhook.HeaderIdempotency)]++
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) counts() (map[string]int, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]int{}
	for k, v := range rc.accepted {
		out[k] = v
	}
	return out, rc.bad
}

// queueOne subscribes url to a fresh segment and makes one person enter it,
// which queues one delivery. It returns the webhook.
func queueOne(t *testing.T, s *graph.Store, url string) journeys.Webhook {
	t.Helper()
	return queueMany(t, s, graphtest.RunID(t), url, 1)
}

// queueMany subscribes url to a fresh segment and makes n people enter it,
// which queues n deliveries; the ids of the people, segment and webhook
// start with prefix. It returns the webhook.
func queueMany(t *testing.T, s *graph.Store, prefix, url string, n int) journeys.Webhook {
	t.Helper()
	seg, hook := cartSegment(t, s, prefix, url, n)
	sg := &segment.Segmenter{Store: s}
	if res, err := sg.Refresh(context.Background(), []string{seg.Name}, journeys.SegmentScope{Prefix: prefix}, "test", t0.Add(time.Hour)); err != nil || res[0].Entered != n {
		t.Fatalf("refresh: %+v %v", res, err)
	}
	return hook
}

// waitDelivered polls the delivery log until the one delivery is delivered.
func waitDelivered(t *testing.T, s *graph.Store, hook string) journeys.Delivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ds, err := s.Deliveries(context.Background(), hook, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].Status == journeys.DeliveryDelivered {
			return ds[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("not delivered in 15 s")
	return journeys.Delivery{}
}

// TestWebhookReceiverDownThenUp: the receiver's port refuses connections,
// then a receiver starts on it: the delivery arrives once, signed, with the
// idempotency key it had from the start.
func TestWebhookReceiverDownThenUp(t *testing.T) {
	s := graphtest.Open(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // down: connection refused
	hook := queueOne(t, s, "http://"+addr+"/hook")
	rc := &receiver{secret: hook.Secret, accepted: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: hook.ID, Backoff: 100 * time.Millisecond, Poll: 50 * time.Millisecond}
	go d.Run(ctx)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ds, _ := s.Deliveries(ctx, hook.ID, 10)
		if len(ds) == 1 && ds[0].Attempts >= 2 && ds[0].Status == journeys.DeliveryPending {
			if ds[0].LastError == "" {
				t.Fatalf("refused attempt without an error: %+v", ds[0])
			}
			break // refused twice: now bring the receiver up
		}
		if time.Now().After(deadline) {
			t.Fatalf("while down: %+v", ds)
		}
	}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(rc)
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	got := waitDelivered(t, s, hook.ID)
	time.Sleep(300 * time.Millisecond) // nothing more may arrive
	acc, bad := rc.counts()
	if len(acc) != 1 || acc[got.ID] != 1 || bad != 0 {
		t.Errorf("receiver accepted %v (bad %d), want delivery %s once", acc, bad, got.ID)
	}
	if got.Attempts < 3 {
		t.Errorf("attempts = %d, want retries", got.Attempts)
	}
}

// TestWebhookSurvivesDispatcherStop: the dispatcher is stopped while the
// receiver holds the request; the delivery stays in the outbox and a new
// dispatcher (a restarted server) delivers it when the lease ends.
func TestWebhookSurvivesDispatcherStop(t *testing.T) {
	s := graphtest.Open(t)
	rc := &receiver{accepted: map[string]int{}, block: make(chan struct{})}
	blocked := rc.block
	srv := httptest.NewServer(rc)
	defer srv.Close()
	hook := queueOne(t, s, srv.URL+"/hook")
	rc.secret = hook.Secret
	lease := 500 * time.Millisecond
	ctx1, stop1 := context.WithCancel(context.Background())
	d1 := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: hook.ID, Lease: lease, Poll: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { d1.Run(ctx1); close(done) }()
	select {
	case <-blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("first attempt never reached the receiver")
	}
	stop1() // the server goes down mid-delivery
	<-done
	if ds, _ := s.Deliveries(context.Background(), hook.ID, 10); len(ds) != 1 || ds[0].Status != journeys.DeliverySending {
		t.Fatalf("after the stop: %+v, want one delivery still sending (leased)", ds)
	}
	ctx2, stop2 := context.WithCancel(context.Background())
	defer stop2()
	// d1's short lease is what lets d2 claim; d2's own is long, so that a
	// slow store (a busy machine) cannot let its attempt's lease lapse
	// before the outcome is recorded and have it claimed a third time.
	d2 := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: hook.ID, Lease: time.Minute, Poll: 50 * time.Millisecond}
	go d2.Run(ctx2)
	got := waitDelivered(t, s, hook.ID)
	acc, bad := rc.counts()
	if len(acc) != 1 || acc[got.ID] != 1 || bad != 0 || got.Attempts != 2 {
		t.Errorf("accepted %v (bad %d), attempts %d; want one delivery, 2 attempts", acc, bad, got.Attempts)
	}
}

// TestRecordedTestSendsAreLoggedNotClaimed: a test send recorded in a
// webhook's log is listed with its outcome and never claimed by a
// dispatcher; a status that is not final is refused.
func TestRecordedTestSendsAreLoggedNotClaimed(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	hook, err := s.CreateWebhook(ctx, journeys.Webhook{ID: prefix + "hook", URL: "http://127.0.0.1:9/hook", Segment: "*",
		Events: []string{journeys.KindEntered}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.DeleteWebhook(context.Background(), hook.ID) })
	now := time.Now().UTC().Truncate(time.Millisecond)
	d := webhook.TestDelivery(hook, now)
	d.Attempts, d.Status, d.LastError = 1, journeys.DeliveryFailed, "connection refused"
	if err := s.RecordDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	pending := webhook.TestDelivery(hook, now)
	if err := s.RecordDelivery(ctx, pending); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("recording a pending delivery: %v, want invalid", err)
	}
	ds, err := s.Deliveries(ctx, hook.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].ID != d.ID || ds[0].Kind != "test" || ds[0].Status != journeys.DeliveryFailed ||
		ds[0].LastError != "connection refused" || !ds[0].CreatedAt.Equal(now) {
		t.Errorf("log = %+v, want the failed test send", ds)
	}
	claimed, err := s.ClaimDeliveries(ctx, journeys.Claim{Now: now.Add(time.Hour), Lease: time.Minute, Limit: 10, PerWebhook: 10, Prefix: hook.ID})
	if err != nil || len(claimed) != 0 {
		t.Errorf("claimed %+v (%v), want nothing", claimed, err)
	}
	// Deleting the webhook takes its log.
	if err := s.DeleteWebhook(ctx, hook.ID); err != nil {
		t.Fatal(err)
	}
	if ds, err := s.Deliveries(ctx, hook.ID, 10); err != nil || len(ds) != 0 {
		t.Errorf("log after deleting the webhook: %+v (%v), want none", ds, err)
	}
	if err := s.DeleteWebhook(ctx, hook.ID); journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("deleting it again: %v, want not found", err)
	}
}
