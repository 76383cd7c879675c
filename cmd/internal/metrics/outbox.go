package metrics

import (
	"context"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Outbox returns store with its deliveries observed: the age of each
// delivery the dispatcher claims (the time since it was queued), and the
// outcome of each attempt it records. Give it to the webhook.Dispatcher in
// place of store.
func (s *Set) Outbox(store journeys.OutboxStore) journeys.OutboxStore {
	return observedOutbox{store: store, set: s}
}

// observedOutbox is an OutboxStore whose claims and outcomes are counted.
type observedOutbox struct {
	store journeys.OutboxStore
	set   *Set
}

// ClaimDeliveries claims as the store does and records the claimed
// deliveries' ages.
func (o observedOutbox) ClaimDeliveries(ctx context.Context, c journeys.Claim) ([]journeys.Delivery, error) {
	ds, err := o.store.ClaimDeliveries(ctx, c)
	at := time.Now()
	for _, d := range ds {
		if !d.CreatedAt.IsZero() {
			o.set.queueAge.Observe(max(at.Sub(d.CreatedAt), 0).Seconds())
		}
	}
	return ds, err
}

// FinishDelivery records the attempt's outcome and counts it once stored.
func (o observedOutbox) FinishDelivery(ctx context.Context, d journeys.Delivery) error {
	if err := o.store.FinishDelivery(ctx, d); err != nil {
		return err
	}
	o.set.deliveries.WithLabelValues(deliveryOutcome(d.Status)).Inc()
	return nil
}

// deliveryOutcome names the outcome of an attempt that left a delivery in
// status.
func deliveryOutcome(status string) string {
	switch status {
	case journeys.DeliveryDelivered:
		return "delivered"
	case journeys.DeliveryPending:
		return "retry"
	case journeys.DeliveryFailed:
		return "failed"
	case journeys.DeliveryCancelled:
		return "cancelled"
	}
	return "other"
}
