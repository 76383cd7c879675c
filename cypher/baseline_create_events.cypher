// Benchmark baseline only: the bare cost of storing the same events as
// :Event nodes (so with the same constraint and indexes), with no dedupe,
// no chain and no person. journeygraph bench ingest compares WriteEvents
// against it, then erases both with delete_people.
UNWIND $events AS row
CREATE (e:Event)
SET e = row
