// Deletes every model of a scope, its states and version counter (tests and
// benchmarks clean up with it).
MATCH (m) WHERE (m:Model OR m:ModelCounter) AND m.scope = $scope
OPTIONAL MATCH (m)-[:HAS_STATE]->(s:State)
DETACH DELETE s, m
