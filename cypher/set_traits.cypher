// Stores the latest traits of identified people (as one JSON document).
UNWIND $traits AS t
MATCH (p:Person {id: t.person})
SET p.traits = t.json, p.identified_ts = t.ts
