package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// finishedStore is an outbox with nothing to claim that records the
// deliveries finished.
type finishedStore struct {
	mu       sync.Mutex
	finished []journeys.Delivery
	done     chan struct{}
}

func (s *finishedStore) ClaimDeliveries(context.Context, journeys.Claim) ([]journeys.Delivery, error) {
	return nil, nil
}

func (s *finishedStore) FinishDelivery(_ context.Context, d journeys.Delivery) error {
	s.mu.Lock()
	s.finished = append(s.finished, d)
	s.mu.Unlock()
	s.done <- struct{}{}
	return nil
}

// TestDeliverOnlyWhileRunning: the dispatcher takes leased deliveries
// (Claim says so) only while Run runs; handed over then, a delivery is
// sent and recorded in its webhook's slot; before Run or after it stops,
// Claim says no and Deliver leaves the delivery to its lease.
func TestDeliverOnlyWhileRunning(t *testing.T) {
	var got sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get(HeaderIdempotency), true)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	st := &finishedStore{done: make(chan struct{}, 4)}
	d := &Dispatcher{Store: st, Allow: AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, Poll: time.Hour, PerWebhook: 3}
	dl := func(id string) journeys.Delivery {
		return journeys.Delivery{ID: id, Webhook: "w", Kind: journeys.KindEntered, Payload: []byte(`{}`), Attempts: 1,
			Status: journeys.DeliverySending, URL: srv.URL, Secret: "s"}
	}
	if _, running := d.Claim(); running {
		t.Fatal("Claim says running before Run")
	}
	d.Deliver([]journeys.Delivery{dl("before")})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	var c journeys.Claim
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var running bool
		if c, running = d.Claim(); running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Claim never said running")
		}
	}
	if c.PerWebhook != 3 || c.Lease != 30*time.Second || len(c.InFlight) != 0 {
		t.Errorf("claim %+v: want 3 slots a webhook, the default lease, nothing in flight", c)
	}
	d.Deliver([]journeys.Delivery{dl("during")})
	select {
	case <-st.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the delivery handed over was not recorded")
	}
	cancel()
	<-done
	if _, running := d.Claim(); running {
		t.Error("Claim says running after Run stopped")
	}
	d.Deliver([]journeys.Delivery{dl("after")})

	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.finished) != 1 || st.finished[0].ID != "during" || st.finished[0].Status != journeys.DeliveryDelivered {
		t.Errorf("finished %+v; want only the one handed over while running, delivered", st.finished)
	}
	if _, ok := got.Load("during"); !ok {
		t.Error("the receiver did not get the delivery handed over")
	}
	for _, id := range []string{"before", "after"} {
		if _, ok := got.Load(id); ok {
			t.Errorf("%s was sent: handed over while the dispatcher was not running", id)
		}
	}
}
