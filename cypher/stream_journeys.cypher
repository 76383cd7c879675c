// Every event of the people $ids that exist, in chain order ((ts, id)), one
// row per person with the time the store last changed them: what
// journeys.Cache keeps in memory. The columns are stream_touches' (one
// decoder reads both); excluded events (no step) come back with step ''.
// People without events come back with empty lists.
UNWIND $ids AS id
MATCH (p:Person {id: id})
CALL (id) {
  MATCH (e:Event {person: id})
  WITH e ORDER BY e.ts, e.id
  RETURN collect(coalesce(e.step, '')) AS steps, collect(e.name) AS names, collect(e.ts) AS ts,
         collect(coalesce(e.session_key, '')) AS sessions, collect(coalesce(e.channel, '')) AS channels,
         collect(coalesce(e.campaign, '')) AS campaigns, collect(coalesce(e.value, 0.0)) AS vals,
         collect(coalesce(e.type, '')) AS types, collect(coalesce(e.url, '')) AS urls,
         collect(coalesce(e.device, '')) AS devices
}
RETURN id AS person, coalesce(p.touched_ts, 0) AS touched, steps, names, ts, sessions, channels, campaigns,
       vals, types, urls, devices
