// One page of a segment's members, by id, after $after.
MATCH ()-[m:MEMBER]->()
WHERE m.segment = $segment AND m.person > $after
RETURN m.person AS person, m.since AS since, m.version AS version, coalesce(m.control, false) AS control
ORDER BY m.person
LIMIT $limit
