// One segment with its current size.
MATCH (s:Segment {name: $name})
RETURN s.name AS name, s.version AS version, s.definition AS definition, s.built_in AS built_in,
       s.created_at AS created_at, s.updated_at AS updated_at, COUNT { (s)<-[:MEMBER]-() } AS members
