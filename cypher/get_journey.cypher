// One person's events in time order (the chain's order: (ts, id)), with the
// gap stored on the incoming NEXT edge. $limit bounds the answer.
MATCH (e:Event {person: $id})
WITH e ORDER BY e.ts, e.id LIMIT $limit
OPTIONAL MATCH (:Event)-[r:NEXT]->(e)
RETURN e.id AS id, e.type AS type, e.name AS name, e.step AS step, e.ts AS ts,
       e.channel AS channel, e.campaign AS campaign, e.device AS device, e.url AS url,
       e.session_key AS session, e.product AS product, e.value AS value, e.props AS props,
       coalesce(r.gap_s, 0.0) AS gap_s
