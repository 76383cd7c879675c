// The people whose id starts with $prefix that the store changed at or
// after $since (epoch ms): their events were written, relinked, merged or
// restepped (journeys.Cache reads them again). The touched_ts index finds
// them (the few changed lately), whatever the prefix.
MATCH (p:Person)
USING INDEX p:Person(touched_ts)
WHERE p.touched_ts >= $since AND p.id STARTS WITH $prefix
RETURN p.id AS id, p.touched_ts AS touched
