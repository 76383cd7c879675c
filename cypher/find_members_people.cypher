// Which of $people are members of a segment now.
UNWIND $people AS pid
MATCH (:Person {id: pid})-[m:MEMBER]->(:Segment {name: $segment})
RETURN pid AS id
ORDER BY id
