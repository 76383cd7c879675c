// A webhook subscription.
CREATE (w:Webhook {id: $id, url: $url, secret: $secret, segment: $segment, events: $events, created_at: $now})
RETURN w.id AS id
