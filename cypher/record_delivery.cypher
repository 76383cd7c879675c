// Stores a delivery that was already attempted outside the outbox (a test
// send) in its webhook's log, with its outcome: its status is final
// (delivered or failed), so no dispatcher ever claims it.
CREATE (:Delivery {id: $id, webhook: $webhook, kind: $kind, segment: $segment, payload: $payload,
                   status: $status, attempts: $attempts, created_at: $created_at, next_at: null,
                   delivered_at: $delivered_at, last_status: $last_status, last_error: $last_error})
