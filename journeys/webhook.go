package journeys

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook is a subscription: deliveries of the chosen event kinds of one
// segment (or every segment, "*") to URL, signed with Secret. KindStateChanged
// (a person's decoded hidden state changed) belongs to no segment: only a
// "*" subscription may choose it.
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"` // shown once, when created
	Segment   string    `json:"segment"`          // a segment name or "*"
	Events    []string  `json:"events"`           // KindEntered, KindLeft, KindStateChanged, KindDrifted
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"   // waiting for its first or next attempt
	DeliverySending   = "sending"   // claimed by a dispatcher until NextAt (the lease)
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // gave up after the last attempt
	DeliveryCancelled = "cancelled" // its webhook was deleted
	// DeliveryHeldOut is a delivery for a member of the segment's control
	// group (Segment.Holdout): recorded, never claimed nor sent.
	DeliveryHeldOut = "held_out"
)

// Delivery is one event queued for one webhook in the durable outbox. Its
// ID is the idempotency key the receiver sees on every attempt.
type Delivery struct {
	ID          string          `json:"id"`
	Webhook     string          `json:"webhook"`
	Kind        string          `json:"kind"`
	Segment     string          `json:"segment,omitempty"`
	Person      string          `json:"person,omitempty"`
	Payload     json.RawMessage `json:"payload"`
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	CreatedAt   time.Time       `json:"created_at"`
	NextAt      time.Time       `json:"next_at,omitzero"`
	DeliveredAt time.Time       `json:"delivered_at,omitzero"`
	LastStatus  int             `json:"last_status,omitempty"` // HTTP status of the last attempt
	LastError   string          `json:"last_error,omitempty"`
	URL         string          `json:"-"` // from the webhook, for sending
	Secret      string          `json:"-"`
}

const (
	maxWebhookURL     = 2000
	webhookEventsJoin = ", "
)

// Validate checks a subscription: an absolute http or https URL, a segment
// name or "*", and known event kinds, state_changed only with segment "*"
// (drifted, a segment's drift alert, with a segment or "*").
// It fills Events with entered and left when empty.
func (w *Webhook) Validate() error {
	var problems []RowError
	bad := func(field, problem string) {
		problems = append(problems, RowError{Row: len(problems), Field: field, Problem: problem})
	}
	u, err := url.Parse(w.URL)
	switch {
	case w.URL == "" || err != nil:
		bad("url", "want an absolute http or https URL")
	case len(w.URL) > maxWebhookURL:
		bad("url", "longer than 2000 bytes")
	case u.Scheme != "http" && u.Scheme != "https":
		bad("url", Quote(u.Scheme)+" is not http or https")
	case u.Host == "" || u.User != nil:
		bad("url", "want a host and no user info")
	}
	if w.Segment != "*" && !segmentNameRE.MatchString(w.Segment) {
		bad("segment", Quote(w.Segment)+" is not a segment name or *")
	}
	if len(w.Events) == 0 {
		w.Events = []string{KindEntered, KindLeft}
	}
	for i, e := range w.Events {
		if e != KindEntered && e != KindLeft && e != KindStateChanged && e != KindDrifted {
			bad("events["+strconv.Itoa(i)+"]", Quote(e)+" is not one of "+strings.Join([]string{KindEntered, KindLeft, KindStateChanged, KindDrifted}, webhookEventsJoin))
		} else if e == KindStateChanged && w.Segment != "*" {
			bad("events["+strconv.Itoa(i)+"]", Quote(e)+" belongs to no segment: subscribe with segment \"*\"")
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "webhook: " + problems[0].Error(), Details: problems}
}

// WebhookStore keeps subscriptions and their delivery log. Webhook and
// DeleteWebhook return ENOTFOUND for an unknown id; every method returns
// EUNAVAILABLE when the store cannot be reached.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, w Webhook) (Webhook, error)
	Webhook(ctx context.Context, id string) (Webhook, error)
	Webhooks(ctx context.Context) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	Deliveries(ctx context.Context, webhook string, limit int) ([]Delivery, error)
	// RecordDelivery stores a delivery attempted outside the outbox (a
	// test send), with its final status, in its webhook's log.
	RecordDelivery(ctx context.Context, d Delivery) error
}

// OutboxStore is the durable outbox a Dispatcher drains. ClaimDeliveries
// leases the due deliveries (status pending, or sending with an expired
// lease) that c allows, marking them sending until c.Now+c.Lease and
// counting the attempt, and returns them with their webhook's URL and
// secret. FinishDelivery records an attempt's outcome: the new status, the
// HTTP status and error, and for a retry the time of the next attempt.
type OutboxStore interface {
	ClaimDeliveries(ctx context.Context, c Claim) ([]Delivery, error)
	FinishDelivery(ctx context.Context, d Delivery) error
}

// Claim says which due deliveries a dispatcher leases: the oldest first,
// at most Limit, and at most PerWebhook of each webhook less the ones the
// dispatcher has in flight for it (InFlight), so that each webhook keeps
// its own delivery slots; only webhooks whose id starts with Prefix.
type Claim struct {
	Now        time.Time
	Lease      time.Duration
	Limit      int
	PerWebhook int
	InFlight   map[string]int // webhook id → deliveries in flight
	Prefix     string
}
