// People leaving a segment: MEMBER removed, a LEFT history edge (with the
// change's id, sequence number and control flag) added. Returns the changes applied.
MATCH (s:Segment {name: $segment})
UNWIND $changes AS c
MATCH (p:Person {id: c.person})-[m:MEMBER]->(s)
DELETE m
CREATE (p)-[:LEFT {segment: s.name, at: $at, version: $version, reason: c.reason, id: c.id, seq: c.seq, control: c.control}]->(s)
RETURN c.id AS id
