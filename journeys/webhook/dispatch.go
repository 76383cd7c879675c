package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

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
//
// Each webhook has its own delivery slots (PerWebhook): a delivery starts
// as soon as its webhook has a free slot, and a slot is freed as soon as
// its delivery ends, so a slow or hanging receiver holds up only its own
// deliveries.
//
// Destinations are checked when a webhook is registered
// (CheckDestination) and again when a delivery connects: an address that
// is not public is refused unless Allow allows it, redirects are not
// followed, and no proxy is used. What callers see of a failure (the
// delivery log, a test send) is "could not deliver", or the HTTP status
// when the receiver answered; the details go to Log.
type Dispatcher struct {
	Store       journeys.OutboxStore
	Allow       AllowList          // internal destinations allowed (none when empty)
	Log         logrus.FieldLogger // why deliveries failed; nil discards
	Timeout     time.Duration      // of one attempt; 10 s when 0 (keep it under Lease)
	Now         func() time.Time   // time.Now when nil
	Jitter      func() float64     // a number in [0, 1); math/rand/v2's Float64 when nil
	Backoff     time.Duration      // first retry delay; 1 s when 0
	MaxBackoff  time.Duration      // 1 h when 0
	MaxAttempts int                // 12 when 0
	Lease       time.Duration      // 30 s when 0
	Poll        time.Duration      // how often the outbox is looked at without a Notify; 1 s when 0
	PerWebhook  int                // deliveries in flight per webhook; 8 when 0
	ClaimBatch  int                // most deliveries claimed at once; 64 when 0
	Prefix      string             // only webhooks whose id starts with it (tests); "" is all
	OnError     func(error)        // store errors; nil drops them
	// Lookup resolves a host name for CheckDestination; the system
	// resolver when nil.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)

	once   sync.Once
	wake   chan struct{}
	client *http.Client
	mu     sync.Mutex
	busy   map[string]int  // webhook id → deliveries in flight
	run    context.Context // Run's, while it runs: Deliver starts deliveries under it
	flight sync.WaitGroup  // deliveries started, which Run waits for as it stops
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 1)
		d.busy = map[string]int{}
		if d.Log == nil {
			l := logrus.New()
			l.Out = io.Discard
			d.Log = l
		}
		if d.Timeout <= 0 {
			d.Timeout = 10 * time.Second
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
		if d.PerWebhook <= 0 {
			d.PerWebhook = 8
		}
		if d.ClaimBatch <= 0 {
			d.ClaimBatch = 64
		}
		if d.Lookup == nil {
			d.Lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			}
		}
		d.client = d.newClient()
	})
}

// newClient is the HTTP client of deliveries: every connection checked
// by the allow list, no proxy, no redirects, Timeout per attempt.
func (d *Dispatcher) newClient() *http.Client {
	dial := d.Allow.dialer(net.Dialer{Timeout: d.Timeout, KeepAlive: 30 * time.Second})
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would connect on our behalf, unchecked
			DialContext:           dial,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   d.PerWebhook, // a webhook's slots keep their connections
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		Timeout:       d.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// CheckDestination checks a webhook's URL when it is registered: http or
// https, to a host the allow list names or an address that is public or
// allowed (a host name: every address it resolves to). It returns an
// EINVALID *Error naming the field "url". Deliveries are checked again
// when they connect, as the name may resolve elsewhere by then.
func (d *Dispatcher) CheckDestination(ctx context.Context, rawURL string) error {
	d.init()
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	return d.Allow.checkURL(ctx, rawURL, d.Lookup)
}

// lookupTimeout bounds CheckDestination's DNS lookup (a name that does
// not resolve in time is refused).
const lookupTimeout = 5 * time.Second

// Notify wakes the dispatcher: new deliveries are in the outbox.
func (d *Dispatcher) Notify() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for the deliveries in flight to
// stop. A delivery stopped by ctx is left to its lease and delivered
// again later.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	d.mu.Lock()
	d.run = ctx
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.run = nil // no Deliver from now on
		d.mu.Unlock()
		d.flight.Wait()
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := d.claim(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil && d.OnError != nil {
			d.OnError(err)
		}
		if n == d.ClaimBatch && err == nil {
			continue // there may be more
		}
		timer.Reset(d.Poll)
		select {
		case <-ctx.Done():
			return
		case <-d.wake: // new deliveries, or a slot freed
		case <-timer.C:
		}
	}
}

// Claim returns the claim Run would make now, for a store that leases
// deliveries in the transaction that queues them (see Deliver), and false
// when Run is not running: nothing would then send what it leased before
// its lease ends.
func (d *Dispatcher) Claim() (journeys.Claim, bool) {
	d.init()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.run == nil || d.run.Err() != nil {
		return journeys.Claim{}, false
	}
	return d.claimNow(), true
}

// claimNow is the claim of the deliveries due now for the free slots (d.mu
// held).
func (d *Dispatcher) claimNow() journeys.Claim {
	return journeys.Claim{Now: d.Now(), Lease: d.Lease, Limit: d.ClaimBatch, PerWebhook: d.PerWebhook,
		InFlight: maps.Clone(d.busy), Prefix: d.Prefix}
}

// Deliver sends deliveries leased to this dispatcher (by a Claim's store
// as it queued them), each in its webhook's slot, as a claim's: the
// segment hook hands over the deliveries of its changes once they commit,
// with no claim query between a change and its webhook. When Run has
// stopped they are left to their lease, and delivered again later.
func (d *Dispatcher) Deliver(batch []journeys.Delivery) {
	d.init()
	d.mu.Lock()
	ctx := d.run
	if ctx == nil || ctx.Err() != nil {
		d.mu.Unlock()
		return
	}
	d.reserve(batch)
	d.mu.Unlock()
	d.launch(ctx, batch)
}

// claim leases the due deliveries of the webhooks with free slots and
// starts each in its slot; it returns how many it claimed.
func (d *Dispatcher) claim(ctx context.Context) (int, error) {
	d.mu.Lock()
	c := d.claimNow()
	d.mu.Unlock()
	batch, err := d.Store.ClaimDeliveries(ctx, c)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	d.mu.Lock()
	d.reserve(batch)
	d.mu.Unlock()
	d.launch(ctx, batch)
	return len(batch), nil
}

// reserve takes batch's slots and counts its deliveries in flight (d.mu
// held: Run stops accepting deliveries under it before it waits for them).
func (d *Dispatcher) reserve(batch []journeys.Delivery) {
	for _, dl := range batch {
		d.busy[dl.Webhook]++
	}
	d.flight.Add(len(batch))
}

// launch delivers each of batch (reserved) in its slot.
func (d *Dispatcher) launch(ctx context.Context, batch []journeys.Delivery) {
	for _, dl := range batch {
		go func() {
			defer d.flight.Done()
			if err := d.deliver(ctx, dl); err != nil && d.OnError != nil {
				d.OnError(err)
			}
			d.mu.Lock()
			if d.busy[dl.Webhook]--; d.busy[dl.Webhook] <= 0 {
				delete(d.busy, dl.Webhook)
			}
			d.mu.Unlock()
			d.Notify() // a slot is free
		}()
	}
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
// HTTP status; the error is set unless the receiver answered 2xx: the
// status it answered (a redirect too, not followed), or ErrNotDelivered
// when no HTTP answer came back. The error is safe to show to callers;
// the details are logged.
func (d *Dispatcher) Send(ctx context.Context, dl journeys.Delivery) (int, error) {
	d.init()
	body, err := json.Marshal(DeliveryBody{DeliveryID: dl.ID, WebhookID: dl.Webhook, Event: dl.Payload})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.URL, bytes.NewReader(body))
	if err != nil {
		d.Log.WithFields(logrus.Fields{"webhook": dl.Webhook, "delivery": dl.ID}).WithError(err).Warn("webhook delivery failed: bad URL")
		return 0, ErrNotDelivered
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
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			d.Log.WithFields(logrus.Fields{"webhook": dl.Webhook, "delivery": dl.ID}).WithError(err).Warn("webhook delivery failed: no HTTP answer")
		}
		return 0, ErrNotDelivered
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fmt.Errorf("receiver answered HTTP %d", resp.StatusCode)
		if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
			err = fmt.Errorf("receiver answered HTTP %d: redirects are not followed", resp.StatusCode)
		}
		d.Log.WithFields(logrus.Fields{"webhook": dl.Webhook, "delivery": dl.ID, "status": resp.StatusCode,
			"location": resp.Header.Get("Location")}).Warn("webhook delivery failed: " + err.Error())
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

// ErrNotDelivered is the error of an attempt that got no HTTP answer: the
// address was refused, or the connection, TLS or request failed or timed
// out. It does not say which, so that nobody learns through a webhook what
// listens where; the dispatcher's Log has the details.
var ErrNotDelivered = errors.New("could not deliver (no HTTP answer)")

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
