// Records the state sizes of a model version and makes it the current one
// of its kind and scope.
MATCH (m:Model {kind: $kind, scope: $scope})
SET m.current = (m.version = $version)
WITH m WHERE m.version = $version
MATCH (m)-[:HAS_STATE]->(s:State)
SET s.size = $sizes[s.index]
RETURN count(s) AS states
