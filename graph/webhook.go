package graph

import (
	"context"
	"encoding/json"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

var (
	_ journeys.WebhookStore = (*Store)(nil)
	_ journeys.OutboxStore  = (*Store)(nil)
)

// CreateWebhook stores a subscription (validated by the caller), giving it
// an id and a secret when it has none.
func (s *Store) CreateWebhook(ctx context.Context, w journeys.Webhook) (journeys.Webhook, error) {
	if w.ID == "" {
		w.ID = "wh_" + journeys.NewID()[:20]
	}
	if w.Secret == "" {
		w.Secret = "whsec_" + journeys.NewID()
	}
	w.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "create_webhook", map[string]any{"id": w.ID, "url": w.URL, "secret": w.Secret,
			"segment": w.Segment, "events": w.Events, "now": w.CreatedAt.UnixMilli()})
		return err
	})
	if err != nil {
		return journeys.Webhook{}, wrap("create webhook", err)
	}
	return w, nil
}

// Webhook returns one subscription with its secret; ENOTFOUND when unknown.
func (s *Store) Webhook(ctx context.Context, id string) (journeys.Webhook, error) {
	var out journeys.Webhook
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "get_webhook", map[string]any{"id": id})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "webhook %q not found", id)
		}
		out = webhookOf(recs[0])
		return nil
	})
	return out, wrap("webhook", err)
}

// Webhooks returns every subscription, without secrets.
func (s *Store) Webhooks(ctx context.Context) ([]journeys.Webhook, error) {
	var out []journeys.Webhook
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "list_webhooks", map[string]any{})
		if err != nil {
			return err
		}
		out = make([]journeys.Webhook, len(recs))
		for i, r := range recs {
			out[i] = webhookOf(r)
		}
		return nil
	})
	return out, wrap("webhooks", err)
}

// DeleteWebhook removes a subscription and then its delivery log;
// ENOTFOUND when unknown.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "delete_webhook", map[string]any{"id": id})
		if err != nil {
			return err
		}
		if len(recs) == 0 || intOf(recs[0], "deleted") == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "webhook %q not found", id)
		}
		return nil
	})
	if err != nil {
		return wrap("delete webhook", err)
	}
	// CALL ... IN TRANSACTIONS runs only in an implicit transaction.
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(context.Background())
	params := map[string]any{"id": id}
	res, err := sess.Run(ctx, queryText("delete_webhook_deliveries", params), params)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return wrap("delete webhook deliveries", err)
}

func webhookOf(r *neo4j.Record) journeys.Webhook {
	w := journeys.Webhook{ID: str(r, "id"), URL: str(r, "url"), Secret: str(r, "secret"), Segment: str(r, "segment"),
		CreatedAt: millis(intOf(r, "created_at"))}
	if v, ok := r.Get("events"); ok {
		for _, e := range v.([]any) {
			w.Events = append(w.Events, e.(string))
		}
	}
	return w
}

// Deliveries returns a webhook's delivery log, newest first.
func (s *Store) Deliveries(ctx context.Context, webhook string, limit int) ([]journeys.Delivery, error) {
	var out []journeys.Delivery
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "list_deliveries", map[string]any{"webhook": webhook, "limit": limit})
		if err != nil {
			return err
		}
		out = make([]journeys.Delivery, len(recs))
		for i, r := range recs {
			d := deliveryOf(r)
			d.Status = str(r, "status")
			d.NextAt = millis(intOf(r, "next_at"))
			d.DeliveredAt = millis(intOf(r, "delivered_at"))
			d.LastStatus = int(intOf(r, "last_status"))
			d.LastError = str(r, "last_error")
			out[i] = d
		}
		return nil
	})
	return out, wrap("deliveries", err)
}

func deliveryOf(r *neo4j.Record) journeys.Delivery {
	return journeys.Delivery{ID: str(r, "id"), Webhook: str(r, "webhook"), Kind: str(r, "kind"), Segment: str(r, "segment"),
		Person: str(r, "person"), Payload: json.RawMessage(str(r, "payload")), Attempts: int(intOf(r, "attempts")),
		CreatedAt: millis(intOf(r, "created_at"))}
}

// leasedOf is a delivery just leased (claim_deliveries, lease_deliveries),
// with its webhook's URL and secret.
func leasedOf(r *neo4j.Record) journeys.Delivery {
	d := deliveryOf(r)
	d.Status, d.URL, d.Secret = journeys.DeliverySending, str(r, "url"), str(r, "secret")
	return d
}

// claimParams are the parameters of a lease as c describes it, shared by
// claim_deliveries and lease_deliveries.
func claimParams(c journeys.Claim) map[string]any {
	inFlight := make(map[string]any, len(c.InFlight))
	for id, n := range c.InFlight {
		inFlight[id] = n
	}
	return map[string]any{"now": c.Now.UnixMilli(), "lease_until": c.Now.Add(c.Lease).UnixMilli(), "limit": c.Limit,
		"per_webhook": c.PerWebhook, "in_flight": inFlight, "prefix": c.Prefix}
}

// ClaimDeliveries leases due deliveries, at most c.PerWebhook of each
// webhook less its c.InFlight (see journeys.OutboxStore).
func (s *Store) ClaimDeliveries(ctx context.Context, c journeys.Claim) ([]journeys.Delivery, error) {
	var out []journeys.Delivery
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "claim_deliveries", claimParams(c))
		if err != nil {
			return err
		}
		out = make([]journeys.Delivery, len(recs))
		for i, r := range recs {
			out[i] = leasedOf(r)
		}
		return nil
	})
	return out, wrap("claim deliveries", err)
}

// FinishDelivery records an attempt's outcome.
func (s *Store) FinishDelivery(ctx context.Context, d journeys.Delivery) error {
	var next, delivered any
	if !d.NextAt.IsZero() {
		next = d.NextAt.UnixMilli()
	}
	if !d.DeliveredAt.IsZero() {
		delivered = d.DeliveredAt.UnixMilli()
	}
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "finish_delivery", map[string]any{"id": d.ID, "status": d.Status, "next_at": next,
			"last_status": d.LastStatus, "last_error": d.LastError, "delivered_at": delivered})
		return err
	})
	return wrap("finish delivery", err)
}

// RecordDelivery stores a delivery attempted outside the outbox (a test
// send) in its webhook's log, with its final status.
func (s *Store) RecordDelivery(ctx context.Context, d journeys.Delivery) error {
	if d.Status != journeys.DeliveryDelivered && d.Status != journeys.DeliveryFailed {
		return journeys.Errorf(journeys.EINVALID, "record delivery %s: status %q is not final", d.ID, d.Status)
	}
	var delivered any
	if !d.DeliveredAt.IsZero() {
		delivered = d.DeliveredAt.UnixMilli()
	}
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "record_delivery", map[string]any{"id": d.ID, "webhook": d.Webhook, "kind": d.Kind,
			"segment": d.Segment, "payload": string(d.Payload), "status": d.Status, "attempts": d.Attempts,
			"created_at": d.CreatedAt.UnixMilli(), "delivered_at": delivered, "last_status": d.LastStatus,
			"last_error": d.LastError})
		return err
	})
	return wrap("record delivery", err)
}
