// Stores the merged traits of identified people (one JSON document, see
// journeys.MergeTraits) with the time of the latest identify, and their
// scalar traits as trait_<key> properties (t.flat, keys checked by
// journeys.FlatProps).
UNWIND $traits AS t
MATCH (p:Person {id: t.person})
SET p.traits = t.json, p.identified_ts = t.ts
SET p += t.flat
