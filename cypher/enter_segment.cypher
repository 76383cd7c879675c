// People entering a segment: MEMBER plus an ENTERED history edge (with the
// change's id and sequence number, and whether the person is in the
// segment's control group), for those not members already. Returns the
// changes applied.
MATCH (s:Segment {name: $segment})
UNWIND $changes AS c
MATCH (p:Person {id: c.person})
WHERE NOT EXISTS { (p)-[:MEMBER]->(s) }
CREATE (p)-[:MEMBER {segment: s.name, person: p.id, since: $at, version: $version, control: c.control}]->(s)
CREATE (p)-[:ENTERED {segment: s.name, at: $at, version: $version, reason: c.reason, id: c.id, seq: c.seq, control: c.control}]->(s)
RETURN c.id AS id
