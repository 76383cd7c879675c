// A person's events in time order (chain splicing, journeys).
CREATE INDEX event_person_ts IF NOT EXISTS FOR (e:Event) ON (e.person, e.ts);
// Events by name or step over time (funnels, segments, paths).
CREATE INDEX event_name_ts IF NOT EXISTS FOR (e:Event) ON (e.name, e.ts);
CREATE INDEX event_step_ts IF NOT EXISTS FOR (e:Event) ON (e.step, e.ts);
// Recency: people by last activity.
CREATE INDEX person_last_ts IF NOT EXISTS FOR (p:Person) ON (p.last_ts);
