// Every event of the people $ids that exist, in chain order ((ts, id)), one
// row per person with the time the store last changed them: what
// journeys.Cache keeps in memory. Excluded events (no step) come back with
// step ''. People without events come back with empty lists.
UNWIND $ids AS id
MATCH (p:Person {id: id})
CALL (id) {
  MATCH (e:Event {person: id})
  WITH e ORDER BY e.ts, e.id
  RETURN collect(e.ts) AS ts, collect(coalesce(e.step, '')) AS steps, collect(coalesce(e.type, '')) AS types,
         collect(coalesce(e.name, '')) AS names, collect(coalesce(e.url, '')) AS urls,
         collect(coalesce(e.session_key, '')) AS sessions, collect(coalesce(e.channel, '')) AS channels,
         collect(coalesce(e.campaign, '')) AS campaigns, collect(coalesce(e.device, '')) AS devices,
         collect(coalesce(e.value, 0.0)) AS vals
}
RETURN id AS person, coalesce(p.touched_ts, 0) AS touched, ts, steps, types, names, urls, sessions,
       channels, campaigns, devices, vals
