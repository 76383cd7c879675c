// Streams each person's step events in chain order ((ts, id)), one row per
// person: the input of paths, transitions and funnels (journeys.Analytics).
// Events excluded by the step rules (step null) are left out. Filters: id
// prefix ("" for everyone), time in [$from, $to) in epoch ms, channel and
// device when not null. The (person, ts, id, step) index gives both the
// order and the values, so the aggregation streams person by person without
// a sort; only the filters by channel or device and $sessions read the
// events' other properties.
MATCH (e:Event)
USING INDEX e:Event(person, ts, id, step)
WHERE e.person STARTS WITH $prefix
  AND e.ts >= $from AND e.ts < $to
  AND e.id IS NOT NULL AND e.step IS NOT NULL
  AND ($channel IS NULL OR e.channel = $channel)
  AND ($device IS NULL OR e.device = $device)
WITH e ORDER BY e.person, e.ts, e.id
RETURN e.person AS person, collect(e.ts) AS ts, collect(e.step) AS steps,
       collect(CASE WHEN $sessions THEN coalesce(e.session_key, '') ELSE '' END) AS sessions
