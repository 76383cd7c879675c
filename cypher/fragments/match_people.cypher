UNWIND $people AS pid
MATCH (p:Person {id: pid}) WHERE p.id STARTS WITH $prefix AND ({{predicate}})
RETURN p.id AS id ORDER BY id
