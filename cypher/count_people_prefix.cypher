// How many people have an id starting with $prefix (from the id index).
MATCH (p:Person)
WHERE p.id STARTS WITH $prefix
RETURN count(p) AS n
