// Creates a segment at version 1, or stores a changed definition under the
// next version (an unchanged one keeps its version).
MERGE (s:Segment {name: $name})
ON CREATE SET s.version = 0, s.created_at = $now, s.definition = ''
WITH s, s.definition <> $definition AS changed
SET s.version = CASE WHEN changed THEN s.version + 1 ELSE s.version END,
    s.updated_at = CASE WHEN changed THEN $now ELSE s.updated_at END,
    s.definition = $definition, s.built_in = $built_in
RETURN s.name AS name, s.version AS version, s.definition AS definition, s.built_in AS built_in,
       s.created_at AS created_at, s.updated_at AS updated_at, COUNT { (s)<-[:MEMBER]-() } AS members
