// One page of events by id after $after, with what the step rules read:
// used to apply edited step rules to stored events (restep). $prefix
// scopes it to people whose id starts with it ("" for everyone).
MATCH (e:Event)
WHERE e.id > $after AND e.person STARTS WITH $prefix
RETURN e.id AS id, e.type AS type, e.name AS name, e.url AS url, e.step AS step
ORDER BY e.id
LIMIT $limit
