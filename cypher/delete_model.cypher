// Deletes one version of the models of a kind and scope with its states
// (an operator's clean-up; the version is not reused: the counter stays).
MATCH (m:Model {kind: $kind, scope: $scope, version: $version})
OPTIONAL MATCH (m)-[:HAS_STATE]->(s:State)
DETACH DELETE s, m
