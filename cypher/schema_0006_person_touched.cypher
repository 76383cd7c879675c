// People by the time the store last changed their events: journeys.Cache
// syncs from it.
CREATE INDEX person_touched_ts IF NOT EXISTS FOR (p:Person) ON (p.touched_ts);
