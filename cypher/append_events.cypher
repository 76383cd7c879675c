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
// What was appended, per person, in the columns of stream_journey_tails
// (inmem.Written): the person after the write and the new events, so that
// the journey cache takes them without reading them back; no row unless
// $tails (an import does not want them).
WITH p, evs, prev WHERE $tails
WITH p, evs, prev, [k IN keys(p) WHERE k IN $fields OR k STARTS WITH $trait] AS fk
RETURN p.id AS person, coalesce(prev.id, '') AS prev_id, p.touched_ts AS touched,
       CASE WHEN coalesce(p.steps_ts, 0) > coalesce(p.created_ts, 0) THEN p.steps_ts ELSE coalesce(p.created_ts, 0) END AS rewritten,
       p.events AS stored, fk AS field_keys, [k IN fk | p[k]] AS field_values,
       [e IN evs | coalesce(e.step, '')] AS steps, [e IN evs | e.name] AS names, [e IN evs | e.ts] AS ts,
       [e IN evs | coalesce(e.session_key, '')] AS sessions, [e IN evs | coalesce(e.channel, '')] AS channels,
       [e IN evs | coalesce(e.campaign, '')] AS campaigns, [e IN evs | coalesce(e.value, 0.0)] AS vals,
       [e IN evs | coalesce(e.type, '')] AS types, [e IN evs | coalesce(e.url, '')] AS urls,
       [e IN evs | coalesce(e.device, '')] AS devices, [e IN evs | coalesce(e.product, '')] AS products,
       [e IN evs | [k IN keys(e) WHERE k STARTS WITH $prop]] AS prop_keys,
       [e IN evs | [k IN keys(e) WHERE k STARTS WITH $prop | e[k]]] AS prop_values,
       [e IN evs | e.id] AS ids, last(evs).id AS last_id
