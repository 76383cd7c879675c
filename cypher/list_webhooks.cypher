// Every webhook subscription (without secrets), oldest first.
MATCH (w:Webhook)
RETURN w.id AS id, w.url AS url, '' AS secret, w.segment AS segment, w.events AS events, w.created_at AS created_at
ORDER BY created_at, id
