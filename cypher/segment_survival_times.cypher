// Everyone who entered a segment before $as_of (milliseconds), whether or
// not they left it since: their start (the first entry, or the person's
// first event when $first_seen) and the first event of step $step at or
// after that start and before $as_of (null: none yet). What the survival
// report's curves are drawn from.
MATCH (p:Person)-[h:ENTERED]->(:Segment {name: $segment})
WHERE h.at < $as_of
WITH p, min(h.at) AS entered
WITH p, CASE WHEN $first_seen THEN coalesce(p.first_ts, entered) ELSE entered END AS start
CALL (p, start) {
  MATCH (e:Event {person: p.id})
  WHERE e.step = $step AND e.ts >= start AND e.ts < $as_of
  RETURN min(e.ts) AS done
}
RETURN p.id AS person, start, done
ORDER BY person
