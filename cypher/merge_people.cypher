// Merges anonymous people into known ones: records the alias, moves the
// anonymous person's events to the known person and deletes the anonymous
// person node. The caller relinks the known people's chains afterwards.
UNWIND $merges AS m
CREATE (:Alias {id: m.anon, person: m.known, created_ts: $now})
WITH m
OPTIONAL MATCH (e:Event {person: m.anon})
SET e.person = m.known, e.anonymous_id = m.anon
WITH DISTINCT m
OPTIONAL MATCH (anon:Person {id: m.anon})
DETACH DELETE anon
