// Leases due deliveries: pending ones whose time has come and sending ones
// whose lease ran out (their dispatcher died), oldest first, at most
// $per_webhook of each webhook less the ones the dispatcher has in flight
// for it ($in_flight: webhook id → count), at most $limit in all. The
// lease is next_at.
CALL {
  MATCH (d:Delivery) WHERE d.status = 'pending' AND d.next_at <= $now RETURN d
  UNION
  MATCH (d:Delivery) WHERE d.status = 'sending' AND d.next_at <= $now RETURN d
}
WITH d WHERE d.webhook STARTS WITH $prefix
WITH d ORDER BY d.next_at, d.id
WITH d.webhook AS webhook, collect(d) AS due
WITH due, $per_webhook - coalesce($in_flight[webhook], 0) AS free
WHERE free > 0
UNWIND due[0..free] AS d
WITH d ORDER BY d.next_at, d.id LIMIT $limit
SET d.status = 'sending', d.next_at = $lease_until, d.attempts = d.attempts + 1
WITH d
OPTIONAL MATCH (w:Webhook {id: d.webhook})
RETURN d.id AS id, d.webhook AS webhook, d.kind AS kind, d.segment AS segment, d.person AS person,
       d.payload AS payload, d.attempts AS attempts, d.created_at AS created_at,
       coalesce(w.url, '') AS url, coalesce(w.secret, '') AS secret
