// The events of the people $ids in chain order ((ts, id)), one row per
// person: the input of friction, attribution and hidden-state models
// (graph.Touches). Events are kept when their time is in [$from, $to) and
// their channel and device equal $channel and $device when not null, and
// when $every, or they have a step ($steps), or their name or step is in
// $names. People without a kept event come back with empty lists.
UNWIND $ids AS id
CALL (id) {
  MATCH (e:Event)
  WHERE e.person = id AND e.ts >= $from AND e.ts < $to
    AND ($every OR ($steps AND e.step IS NOT NULL) OR e.name IN $names OR e.step IN $names)
    AND ($channel IS NULL OR e.channel = $channel)
    AND ($device IS NULL OR e.device = $device)
  WITH e ORDER BY e.ts, e.id
  RETURN collect(coalesce(e.step, '')) AS steps, collect(e.name) AS names, collect(e.ts) AS ts,
         collect(coalesce(e.session_key, '')) AS sessions, collect(coalesce(e.channel, '')) AS channels,
         collect(coalesce(e.campaign, '')) AS campaigns, collect(coalesce(e.value, 0.0)) AS vals,
         collect(coalesce(e.type, '')) AS types, collect(coalesce(e.url, '')) AS urls,
         collect(coalesce(e.device, '')) AS devices
}
RETURN id AS person, steps, names, ts, sessions, channels, campaigns, vals, types, urls, devices
