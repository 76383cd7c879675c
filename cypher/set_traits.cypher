// Stores the latest traits of identified people (as one JSON document) and
// merges their scalar traits into trait_<key> properties (t.flat, keys
// checked by journeys.FlatProps), as Segment's identify merges traits.
UNWIND $traits AS t
MATCH (p:Person {id: t.person})
SET p.traits = t.json, p.identified_ts = t.ts
SET p += t.flat
