// Single-property range indexes: Neo4j uses a composite index only when the
// query constrains every property of it, so the lookups by person, by name
// and by step each get their own index (a person's events are few; they are
// sorted by ts after the lookup).
// A person's events (chain splicing, journeys, segments).
CREATE INDEX event_person IF NOT EXISTS FOR (e:Event) ON (e.person);
// Events by name or by step (funnels, segments, paths).
CREATE INDEX event_name IF NOT EXISTS FOR (e:Event) ON (e.name);
CREATE INDEX event_step IF NOT EXISTS FOR (e:Event) ON (e.step);
// The anonymous ids merged into a person.
CREATE INDEX alias_person IF NOT EXISTS FOR (a:Alias) ON (a.person);
// Events in a time range (overview, reports over a date range).
CREATE INDEX event_ts IF NOT EXISTS FOR (e:Event) ON (e.ts);
