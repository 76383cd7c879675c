// After an append: moves LAST to the new last event, sets FIRST for new
// people, and keeps the person's counters.
UNWIND $people AS row
MATCH (p:Person {id: row.id})
OPTIONAL MATCH (p)-[r:LAST]->()
DELETE r
WITH DISTINCT p, row
MATCH (l:Event {id: row.last})
CREATE (p)-[:LAST]->(l)
SET p.events = coalesce(p.events, 0) + row.added, p.last_ts = l.ts, p.last_event = l.name
WITH p, row
WHERE row.first IS NOT NULL
MATCH (f:Event {id: row.first})
CREATE (p)-[:FIRST]->(f)
SET p.first_ts = f.ts
