// Records the outcome of a delivery attempt.
MATCH (d:Delivery {id: $id})
SET d.status = $status, d.next_at = $next_at, d.last_status = $last_status, d.last_error = $last_error,
    d.delivered_at = $delivered_at
RETURN d.id AS id
