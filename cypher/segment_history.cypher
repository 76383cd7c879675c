// A segment's ENTERED/LEFT history in [$from, $to), newest first, for one
// person when $person is not empty.
MATCH (p:Person)-[h:ENTERED|LEFT]->(s:Segment {name: $segment})
WHERE h.at >= $from AND h.at < $to AND ($person = '' OR p.id = $person)
RETURN p.id AS person, type(h) AS kind, h.at AS at, h.version AS version, h.reason AS reason,
       coalesce(h.control, false) AS control
ORDER BY at DESC, person
LIMIT $limit
