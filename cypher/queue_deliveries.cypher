// The transactional outbox: one Delivery per applied change and matching
// webhook (its segment or "*", and the change's kind), due at once. A
// state_changed change has a null segment: only "*" webhooks match it. A
// change of a member of the segment's control group (c.control) is
// recorded as 'held_out': claim_deliveries never takes it. Returns the ids
// queued.
UNWIND $changes AS c
MATCH (w:Webhook)
WHERE (w.segment = c.segment OR w.segment = '*') AND c.kind IN w.events
CREATE (d:Delivery {id: c.id + '.' + w.id, webhook: w.id, kind: c.kind, segment: c.segment, person: c.person,
                   payload: c.payload, status: CASE WHEN c.control THEN 'held_out' ELSE 'pending' END, attempts: 0, created_at: $now, next_at: $now})
RETURN d.id AS id
