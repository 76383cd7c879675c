// One webhook subscription.
MATCH (w:Webhook {id: $id})
RETURN w.id AS id, w.url AS url, w.secret AS secret, w.segment AS segment, w.events AS events, w.created_at AS created_at
