// Which of $people are members of a segment now. Each person is found by id
// (USING INDEX), then the MEMBER edge between the two: without the hint the
// planner may expand every MEMBER edge of the segment for each person.
MATCH (s:Segment {name: $segment})
UNWIND $people AS pid
MATCH (p:Person {id: pid})-[:MEMBER]->(s) USING INDEX p:Person(id)
RETURN pid AS id
ORDER BY id
