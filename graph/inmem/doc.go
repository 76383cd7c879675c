// Package inmem holds every person's journey in memory, kept in step with
// the graph store: the Cache loads all journeys once, then syncs the people
// whose journey changed, and answers the report streams (sequences,
// touches, in parts for parallel readers), the overview and segment
// evaluation (EvaluateSegment, graph.Store's Cypher computed from memory)
// from immutable snapshots without locking. It is to graph what an
// in-memory store is to its database: the fast read side of the same data.
package inmem
