// Creates a segment at version 1 unless one of that name exists: the name's
// uniqueness constraint makes MERGE take its lock, so of two concurrent
// creates one sees created = false. An existing segment is left untouched.
MERGE (s:Segment {name: $name})
ON CREATE SET s.version = 0, s.created_at = $now, s.definition = ''
WITH s, s.version = 0 AS created
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  SET s.version = 1, s.updated_at = $now, s.definition = $definition, s.built_in = $built_in)
RETURN created, s.name AS name, s.version AS version, s.definition AS definition, s.built_in AS built_in,
       s.created_at AS created_at, s.updated_at AS updated_at, COUNT { (s)<-[:MEMBER]-() } AS members
