// Rebuilds the whole chain of each person in $people from their events,
// sorted by (ts, id): used when events arrive late or out of order, and after
// an identity merge. FIRST, LAST and the counters are set again too.
UNWIND $people AS pid
MATCH (p:Person {id: pid})
OPTIONAL MATCH (p)-[r:FIRST|LAST]->()
DELETE r
WITH DISTINCT p, pid
MATCH (e:Event {person: pid})
OPTIONAL MATCH (e)-[n:NEXT]->()
DELETE n
WITH DISTINCT p, e
ORDER BY e.ts, e.id
WITH p, collect(e) AS evs
WITH p, evs, evs[0] AS first, evs[size(evs) - 1] AS last
CREATE (p)-[:FIRST]->(first)
CREATE (p)-[:LAST]->(last)
SET p.events = size(evs), p.first_ts = first.ts, p.last_ts = last.ts, p.last_event = last.name
WITH evs
UNWIND range(0, size(evs) - 2) AS i
WITH evs[i] AS a, evs[i + 1] AS b
CREATE (a)-[:NEXT {gap_s: (b.ts - a.ts) / 1000.0}]->(b)
