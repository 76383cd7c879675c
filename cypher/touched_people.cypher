// The people whose id starts with $prefix that the store changed at or
// after $since (epoch ms): their events were written, relinked, merged or
// restepped (journeys.Cache reads them again).
MATCH (p:Person)
WHERE p.touched_ts >= $since AND p.id STARTS WITH $prefix
RETURN p.id AS id, p.touched_ts AS touched
