// Package bulk loads an empty Neo4j database offline: it writes the graph
// the store's write path would build from a file's events (people, events,
// aliases, chains) as neo4j-admin import CSV files (Writer), and runs the
// offline importer on the Neo4j that scripts/neo4j.sh manages, stopped for
// the import and started again (Server, Loader).
package bulk
