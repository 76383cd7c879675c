// Who was a member at $at, and why: people whose latest ENTERED up to $at
// has no LEFT after it (up to $at), with that ENTERED's reason.
MATCH (p:Person)-[e:ENTERED]->(s:Segment {name: $segment})
WHERE e.at <= $at AND p.id > $after
WITH p, s, e ORDER BY e.at DESC
WITH p, s, head(collect(e)) AS e
WHERE NOT EXISTS { MATCH (p)-[l:LEFT]->(s) WHERE l.at > e.at AND l.at <= $at }
RETURN p.id AS person, e.at AS since, e.version AS version, e.reason AS reason
ORDER BY person
LIMIT $limit
