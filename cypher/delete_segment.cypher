// Removes a segment with its membership and history edges.
MATCH (s:Segment {name: $name})
DETACH DELETE s
RETURN count(*) AS deleted
