MATCH (p:Person) WHERE p.id STARTS WITH $prefix AND ({{predicate}})
RETURN p.id AS id ORDER BY id
