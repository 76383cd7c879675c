// One page of person ids in id order after the cursor $after, restricted to
// ids starting with $prefix: read from the unique index alone.
MATCH (p:Person)
WHERE p.id STARTS WITH $prefix AND p.id > $after
RETURN p.id AS id ORDER BY p.id LIMIT $limit
