// The people who entered a segment in [$from, $to): for each, their first
// entry in that window, whether it put them in the control group, and
// whether they have an event of step $step in [entered, entered + $within)
// (milliseconds): what the uplift report counts.
MATCH (p:Person)-[h:ENTERED]->(:Segment {name: $segment})
WHERE h.at >= $from AND h.at < $to
WITH p, h ORDER BY h.at
WITH p, collect(h)[0] AS h
RETURN p.id AS person, h.at AS at, coalesce(h.control, false) AS control,
       EXISTS {
         MATCH (e:Event {person: p.id})
         WHERE e.step = $step AND e.ts >= h.at AND e.ts < h.at + $within
       } AS converted
ORDER BY person
