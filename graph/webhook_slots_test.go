package graph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// TestWebhookHangingReceiverDelaysNoOther: one receiver hangs with its
// deliveries in flight; another webhook's delivery, queued afterwards, is
// delivered while the first is still stuck. The hanging webhook holds only
// its own slots (PerWebhook), and its deliveries go through once it is
// released.
func TestWebhookHangingReceiverDelaysNoOther(t *testing.T) {
	s := graphtest.Open(t)
	prefix := graphtest.RunID(t)
	const perWebhook, queued = 2, 5

	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	entered := make(chan struct{}, 2*queued) // never blocks the receiver
	var mu sync.Mutex
	hung := 0 // requests the hanging receiver got
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hung++
		mu.Unlock()
		entered <- struct{}{}
		<-release
		w.WriteHeader(http.StatusOK)
	}))
	defer slow.Close()
	defer unblock()      // also when the test fails first
	var healthy sync.Map // idempotency key → struct{}
	okSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		healthy.Store(r.Header.Get(webhook.HeaderIdempotency), struct{}{})
		w.WriteHeader(http.StatusNoContent)
	}))
	defer okSrv.Close()

	slowHook := queueMany(t, s, prefix+"slow-", slow.URL+"/hook", queued)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// No attempt timeout within the test: the hanging receiver hangs
	// until released.
	d := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: prefix, PerWebhook: perWebhook, Timeout: time.Hour,
		Lease: time.Hour, Poll: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for range perWebhook { // the hanging webhook's slots are all taken
		select {
		case <-entered:
		case <-time.After(30 * time.Second):
			t.Fatal("the hanging receiver never got its first deliveries")
		}
	}

	okHook := queueMany(t, s, prefix+"ok-", okSrv.URL+"/hook", 1)
	d.Notify()
	got := waitDelivered(t, s, okHook.ID) // fails after 15 s
	if _, ok := healthy.Load(got.ID); !ok || got.Attempts != 1 {
		t.Errorf("delivery %+v not received at the first attempt", got)
	}
	mu.Lock()
	n := hung
	mu.Unlock()
	if n != perWebhook {
		t.Errorf("the hanging receiver got %d requests at once, want its %d slots", n, perWebhook)
	}
	ds, err := s.Deliveries(ctx, slowHook.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, dl := range ds {
		statuses[dl.Status]++
	}
	if statuses[journeys.DeliverySending] != perWebhook || statuses[journeys.DeliveryPending] != queued-perWebhook {
		t.Errorf("the hanging webhook's deliveries: %v, want %d sending and the rest pending", statuses, perWebhook)
	}

	// Released, the hanging webhook's deliveries all go through.
	unblock()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ds, err := s.Deliveries(ctx, slowHook.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		statuses := map[string]int{}
		for _, dl := range ds {
			statuses[dl.Status]++
		}
		if statuses[journeys.DeliveryDelivered] == queued {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the release: %v, want %d delivered", statuses, queued)
		}
	}
}
