// A webhook's delivery log, newest first.
MATCH (d:Delivery)
WHERE d.webhook = $webhook AND d.created_at >= 0
RETURN d.id AS id, d.webhook AS webhook, d.kind AS kind, d.segment AS segment, d.person AS person,
       d.payload AS payload, d.status AS status, d.attempts AS attempts, d.created_at AS created_at,
       d.next_at AS next_at, d.delivered_at AS delivered_at, d.last_status AS last_status, d.last_error AS last_error
ORDER BY d.created_at DESC
LIMIT $limit
