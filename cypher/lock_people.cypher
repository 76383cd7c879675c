// Creates the batch's people that do not exist yet and write-locks every one
// (SET takes the node's write lock until commit), so that concurrent batches
// touching one person serialise. Returns each person's current last event.
// $people must be sorted, so that locks are always taken in one order.
UNWIND $people AS pid
MERGE (p:Person {id: pid})
  ON CREATE SET p.created_ts = $now, p.events = 0
SET p.touched_ts = $now
WITH p
OPTIONAL MATCH (p)-[:LAST]->(l:Event)
RETURN p.id AS person, l.id AS last_id, l.ts AS last_ts
