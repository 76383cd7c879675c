// The end of the journeys of the people that exist among $ends: each end
// names a person, and the ts and id of the last event that inmem.Cache
// holds for them (events are in chain order: (ts, id)). One row per person,
// with the columns of stream_journeys, but only for the events after the
// end (the person's index lookup, then a filter on ts: no event before the
// end is read beyond its ts and id), and the number of events the person
// has in all (stored), from the index alone. The cache keeps the tail when
// stored is what it holds plus the tail, and rewritten is unchanged;
// otherwise it reads the person whole with stream_journeys. The person's
// stamps are read before their events: a write committing meanwhile shows
// as a stamp older than the events, which the next sync reads again.
UNWIND $ends AS end
MATCH (p:Person {id: end.person})
WITH p, end, coalesce(p.touched_ts, 0) AS touched,
     CASE WHEN coalesce(p.steps_ts, 0) > coalesce(p.created_ts, 0) THEN p.steps_ts ELSE coalesce(p.created_ts, 0) END AS rewritten,
     [k IN keys(p) WHERE k IN $fields OR k STARTS WITH $trait] AS fk
WITH p, end, touched, rewritten, fk, [k IN fk | p[k]] AS field_values,
     COUNT { MATCH (x:Event {person: end.person}) } AS stored
CALL (end) {
  MATCH (e:Event {person: end.person})
  WHERE e.ts > end.ts OR (e.ts = end.ts AND e.id > end.id)
  WITH e, [k IN keys(e) WHERE k STARTS WITH $prop] AS pk ORDER BY e.ts, e.id
  RETURN collect(coalesce(e.step, '')) AS steps, collect(e.name) AS names, collect(e.ts) AS ts,
         collect(coalesce(e.session_key, '')) AS sessions, collect(coalesce(e.channel, '')) AS channels,
         collect(coalesce(e.campaign, '')) AS campaigns, collect(coalesce(e.value, 0.0)) AS vals,
         collect(coalesce(e.type, '')) AS types, collect(coalesce(e.url, '')) AS urls,
         collect(coalesce(e.device, '')) AS devices, collect(coalesce(e.product, '')) AS products,
         collect(pk) AS prop_keys, collect([k IN pk | e[k]]) AS prop_values, collect(e.id) AS ids
}
RETURN end.person AS person, touched, steps, names, ts, sessions, channels, campaigns, vals, types, urls,
       devices, products, prop_keys, prop_values, fk AS field_keys, field_values, ids, coalesce(last(ids), '') AS last_id,
       rewritten, stored
