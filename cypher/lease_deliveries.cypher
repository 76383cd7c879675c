// Leases deliveries in the transaction that queued them ($ids, pending) to
// the dispatcher of this process, which sends them as soon as the
// transaction commits, without claiming them (claim_deliveries): at most
// $per_webhook of each webhook less the ones the dispatcher has in flight
// for it ($in_flight), at most $limit in all, of webhooks whose id starts
// with $prefix. The others stay pending for the dispatcher's next claim. A
// lease that runs out before the delivery is recorded (the process died)
// makes the delivery due again, as a claim's does. Returns what
// claim_deliveries returns.
UNWIND $ids AS id
MATCH (d:Delivery {id: id})
WHERE d.status = 'pending' AND d.webhook STARTS WITH $prefix
WITH d ORDER BY d.id
WITH d.webhook AS webhook, collect(d) AS due
WITH due, $per_webhook - coalesce($in_flight[webhook], 0) AS free
WHERE free > 0
UNWIND due[0..free] AS d
WITH d ORDER BY d.id LIMIT $limit
SET d.status = 'sending', d.next_at = $lease_until, d.attempts = d.attempts + 1
WITH d
OPTIONAL MATCH (w:Webhook {id: d.webhook})
RETURN d.id AS id, d.webhook AS webhook, d.kind AS kind, d.segment AS segment, d.person AS person,
       d.payload AS payload, d.attempts AS attempts, d.created_at AS created_at,
       coalesce(w.url, '') AS url, coalesce(w.secret, '') AS secret
