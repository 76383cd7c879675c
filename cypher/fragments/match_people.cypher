UNWIND $people AS pid
WITH DISTINCT pid
MATCH (p:Person {id: pid}) WHERE p.id STARTS WITH $prefix AND ({{predicate}})
RETURN p.id AS id ORDER BY id
