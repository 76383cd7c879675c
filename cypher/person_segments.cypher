// The segments a person is in now.
MATCH (p:Person {id: $person})-[m:MEMBER]->(s:Segment)
RETURN s.name AS segment, m.since AS since, m.version AS version
ORDER BY segment
