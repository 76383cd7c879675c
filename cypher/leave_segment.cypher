// People leaving a segment: MEMBER removed, a LEFT history edge (with the
// change's id, sequence number and control flag) added. Returns the changes applied.
// Each person is found by id (USING INDEX): without the hint the planner
// may expand every MEMBER edge of the segment for each change (changes ×
// members), which it estimates cheap while segments are small.
MATCH (s:Segment {name: $segment})
UNWIND $changes AS c
MATCH (p:Person {id: c.person})-[m:MEMBER]->(s) USING INDEX p:Person(id)
DELETE m
CREATE (p)-[:LEFT {segment: s.name, at: $at, version: $version, reason: c.reason, id: c.id, seq: c.seq, control: c.control}]->(s)
RETURN c.id AS id
