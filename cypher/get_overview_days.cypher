// Activity per UTC day in [$from, $to): events, distinct people, session
// starts (no previous event within $session_gap_s) and converters.
MATCH (e:Event)
WHERE e.ts >= $from AND e.ts < $to
OPTIONAL MATCH (:Event)-[r:NEXT]->(e)
WITH toInteger(floor(e.ts / 86400000.0)) AS day, e.person AS person, e.step AS step,
     CASE WHEN r IS NULL OR r.gap_s > $session_gap_s THEN 1 ELSE 0 END AS starts
RETURN day, count(*) AS events, count(DISTINCT person) AS people, sum(starts) AS sessions,
       count(DISTINCT CASE WHEN step = $conversion THEN person END) AS converters
ORDER BY day
