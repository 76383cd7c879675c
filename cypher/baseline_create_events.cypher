// Benchmark baseline only: the bare cost of creating the same event nodes,
// with no dedupe, no chain and no person (graph.BenchmarkIngest compares).
UNWIND $events AS row
CREATE (e:BaselineEvent)
SET e = row
