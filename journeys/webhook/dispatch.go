package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Dispatcher drains the webhook outbox: it claims due deliveries, POSTs
// them signed (see Sign), and records each outcome. A delivery is retried
// with exponential backoff and full jitter — the n-th retry waits a random
// time in [b/2, b] with b = min(MaxBackoff, Backoff·2^(n−1)) — until
// MaxAttempts. Claims are leases: a dispatcher that dies (or is stopped)
// mid-delivery leaves the delivery "sending" until its lease ends, after
// which any dispatcher takes it again. Receivers deduplicate by the
// Idempotency-Key header, which is the same on every attempt.
type Dispatcher struct {
	Store       journeys.OutboxStore
	Client      *http.Client     // a client with a 10 s timeout when nil
	Now         func() time.Time // time.Now when nil
	Jitter      func() float64   // a number in [0, 1); math/rand/v2's Float64 when nil
	Backoff     time.Duration    // first retry delay; 1 s when 0
	MaxBackoff  time.Duration    // 1 h when 0
	MaxAttempts int              // 12 when 0
	Lease       time.Duration    // 30 s when 0
	Poll        time.Duration    // how often the outbox is looked at without a Notify; 1 s when 0
	Concurrency int              // deliveries in flight; 8 when 0
	Prefix      string           // only webhooks whose id starts with it (tests); "" is all
	OnError     func(error)      // store errors; nil drops them

	once sync.Once
	wake chan struct{}
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 1)
		if d.Client == nil {
			d.Client = &http.Client{Timeout: 10 * time.Second}
		}
		if d.Now == nil {
			d.Now = time.Now
		}
		if d.Jitter == nil {
			d.Jitter = rand.Float64
		}
		if d.Backoff <= 0 {
			d.Backoff = time.Second
		}
		if d.MaxBackoff <= 0 {
			d.MaxBackoff = time.Hour
		}
		if d.MaxAttempts <= 0 {
			d.MaxAttempts = 12
		}
		if d.Lease <= 0 {
			d.Lease = 30 * time.Second
		}
		if d.Poll <= 0 {
			d.Poll = time.Second
		}
		if d.Concurrency <= 0 {
			d.Concurrency = 8
		}
	})
}

// Notify wakes the dispatcher: new deliveries are in the outbox.
func (d *Dispatcher) Notify() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. Deliveries in flight when ctx ends are left
// to their lease, and delivered again later.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := d.drain(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil && d.OnError != nil {
			d.OnError(err)
		}
		if n > 0 && err == nil {
			continue // there may be more
		}
		timer.Reset(d.Poll)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// drain claims one batch and delivers it; it returns how many it claimed.
func (d *Dispatcher) drain(ctx context.Context) (int, error) {
	batch, err := d.Store.ClaimDeliveries(ctx, d.Now(), d.Lease, 4*d.Concurrency, d.Prefix)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	sem := make(chan struct{}, d.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for _, dl := range batch {
		sem <- struct{}{}
		wg.Add(1)
		go func(dl journeys.Delivery) {
			defer func() { <-sem; wg.Done() }()
			if err := d.deliver(ctx, dl); err != nil {
				mu.Lock()
				firstErr = errors.Join(firstErr, err)
				mu.Unlock()
			}
		}(dl)
	}
	wg.Wait()
	return len(batch), firstErr
}

// deliver makes one attempt and records its outcome.
func (d *Dispatcher) deliver(ctx context.Context, dl journeys.Delivery) error {
	if dl.URL == "" {
		dl.Status, dl.LastError = journeys.DeliveryCancelled, "webhook deleted"
		return d.Store.FinishDelivery(context.WithoutCancel(ctx), dl)
	}
	status, err := d.Send(ctx, dl)
	if ctx.Err() != nil {
		return nil // stopped mid-delivery: the lease expires and the delivery is retried
	}
	dl.LastStatus, dl.LastError = status, ""
	switch {
	case err == nil:
		dl.Status, dl.DeliveredAt = journeys.DeliveryDelivered, d.Now()
	default:
		dl.LastError = err.Error()
		if dl.Attempts >= d.MaxAttempts {
			dl.Status = journeys.DeliveryFailed
		} else {
			dl.Status, dl.NextAt = journeys.DeliveryPending, d.Now().Add(d.backoff(dl.Attempts))
		}
	}
	return d.Store.FinishDelivery(context.WithoutCancel(ctx), dl)
}

// backoff is the wait after the attempt-th failed attempt.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b := d.MaxBackoff
	if attempt < 40 {
		b = min(d.MaxBackoff, d.Backoff<<(attempt-1))
	}
	return b/2 + time.Duration(d.Jitter()*float64(b/2))
}

// Send makes one signed POST of the delivery to its URL and returns the
// HTTP status; the error is set unless the receiver answered 2xx.
func (d *Dispatcher) Send(ctx context.Context, dl journeys.Delivery) (int, error) {
	d.init()
	body, err := json.Marshal(DeliveryBody{DeliveryID: dl.ID, WebhookID: dl.Webhook, Event: dl.Payload})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := d.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "journeygraph-webhooks/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(dl.Secret, ts, body))
	req.Header.Set(HeaderDelivery, dl.ID)
	req.Header.Set(HeaderIdempotency, dl.ID)
	req.Header.Set(HeaderAttempt, strconv.Itoa(max(dl.Attempts, 1)))
	req.Header.Set(HeaderEventType, eventType(dl))
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

func eventType(dl journeys.Delivery) string {
	switch dl.Kind {
	case "test":
		return "test"
	case journeys.KindStateChanged:
		return journeys.EventTypeStateChanged
	}
	return "segment." + dl.Kind
}

// TestDelivery is the delivery a "send test" call makes to w: sent once,
// outside the outbox, then recorded in w's log (WebhookStore.RecordDelivery).
func TestDelivery(w journeys.Webhook, now time.Time) journeys.Delivery {
	id := journeys.NewID()
	payload, _ := json.Marshal(journeys.WebhookEvent{ID: id, Type: "test", Segment: w.Segment, At: now.UTC()})
	return journeys.Delivery{ID: "test-" + id, Webhook: w.ID, Kind: "test", Segment: w.Segment, Payload: payload,
		Status: journeys.DeliveryPending, CreatedAt: now.UTC(), URL: w.URL, Secret: w.Secret}
}
