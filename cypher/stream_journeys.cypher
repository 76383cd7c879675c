// Every event of the people $ids that exist, in chain order ((ts, id)), one
// row per person with the time the store last changed them: what
// inmem.Cache keeps in memory. The columns are stream_touches' (one
// decoder reads both); excluded events (no step) come back with step ''.
// For segments, also each event's product and stored properties (the keys
// starting with $prop, and their values), and the person's properties
// named in $fields or starting with $trait (keys, and their values).
// The events' ids (explanations name them), and what inmem.Cache's tail
// reads (stream_journey_tails) start from and check: the id of the last
// event, and when the person was last rewritten (created, or their events
// restepped: the later of created_ts, steps_ts).
// People without events come back with empty lists.
UNWIND $ids AS id
MATCH (p:Person {id: id})
CALL (id) {
  MATCH (e:Event {person: id})
  WITH e, [k IN keys(e) WHERE k STARTS WITH $prop] AS pk ORDER BY e.ts, e.id
  RETURN collect(coalesce(e.step, '')) AS steps, collect(e.name) AS names, collect(e.ts) AS ts,
         collect(coalesce(e.session_key, '')) AS sessions, collect(coalesce(e.channel, '')) AS channels,
         collect(coalesce(e.campaign, '')) AS campaigns, collect(coalesce(e.value, 0.0)) AS vals,
         collect(coalesce(e.type, '')) AS types, collect(coalesce(e.url, '')) AS urls,
         collect(coalesce(e.device, '')) AS devices, collect(coalesce(e.product, '')) AS products,
         collect(pk) AS prop_keys, collect([k IN pk | e[k]]) AS prop_values, collect(e.id) AS ids
}
WITH p, id, [k IN keys(p) WHERE k IN $fields OR k STARTS WITH $trait] AS fk, steps, names, ts, sessions,
     channels, campaigns, vals, types, urls, devices, products, prop_keys, prop_values, ids
RETURN id AS person, coalesce(p.touched_ts, 0) AS touched, steps, names, ts, sessions, channels, campaigns,
       vals, types, urls, devices, products, prop_keys, prop_values, fk AS field_keys,
       [k IN fk | p[k]] AS field_values, ids, coalesce(last(ids), '') AS last_id,
       CASE WHEN coalesce(p.steps_ts, 0) > coalesce(p.created_ts, 0) THEN p.steps_ts ELSE coalesce(p.created_ts, 0) END AS rewritten
