// Current members of a segment whose id starts with $prefix, by id.
MATCH ()-[m:MEMBER]->()
WHERE m.segment = $segment AND m.person STARTS WITH $prefix
RETURN m.person AS id
ORDER BY id
