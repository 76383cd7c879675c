// One page of a segment's members, by id, after $after, with the traits an
// email tool imports (email, first and last name in Segment's or snake
// case, name): what members.csv exports.
MATCH (p:Person)-[m:MEMBER]->()
WHERE m.segment = $segment AND m.person > $after
RETURN m.person AS person, m.since AS since, m.version AS version,
       p.trait_email AS email, coalesce(p.trait_first_name, p.trait_firstName) AS first_name,
       coalesce(p.trait_last_name, p.trait_lastName) AS last_name, p.trait_name AS name
ORDER BY m.person
LIMIT $limit
