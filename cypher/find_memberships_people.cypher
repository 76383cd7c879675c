// Which segments each of $people is a member of now: the memberships a
// refresh of every segment for these people diffs against, in one query.
UNWIND $people AS pid
MATCH (:Person {id: pid})-[m:MEMBER]->()
RETURN m.segment AS segment, pid AS id
ORDER BY segment, id
