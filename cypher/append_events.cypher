// Appends each group's new events (sorted by ts, id; all later than the
// person's LAST event) to the end of that person's chain in one pass: the
// events are created in order, linked to each other and to the old LAST by
// NEXT edges, and LAST (and FIRST, for a new person) set. No index lookup per
// link: the nodes are still bound when they are linked.
UNWIND $groups AS g
MATCH (p:Person {id: g.person})
OPTIONAL MATCH (p)-[old:LAST]->(prev:Event)
CALL (g) {
  UNWIND g.events AS row
  CREATE (e:Event)
  SET e = row
  RETURN collect(e) AS evs
}
DELETE old
WITH p, evs, prev, CASE WHEN prev IS NULL THEN evs ELSE [prev] + evs END AS chain
CALL (chain) {
  UNWIND range(1, size(chain) - 1) AS i
  WITH chain[i - 1] AS a, chain[i] AS b
  CREATE (a)-[:NEXT {gap_s: (b.ts - a.ts) / 1000.0}]->(b)
}
WITH p, evs, prev, head(evs) AS first, last(evs) AS newest
CREATE (p)-[:LAST]->(newest)
SET p.events = coalesce(p.events, 0) + size(evs), p.last_ts = newest.ts, p.last_event = newest.name
FOREACH (_ IN CASE WHEN prev IS NULL THEN [1] ELSE [] END |
  CREATE (p)-[:FIRST]->(first)
  SET p.first_ts = first.ts)
