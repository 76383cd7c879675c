// Renames a state of a model version: the State node and the model's JSON.
// Returns the old label (no row when the model or state does not exist).
MATCH (m:Model {kind: $kind, scope: $scope, version: $version})-[:HAS_STATE]->(s:State {index: $index})
WITH m, s, s.label AS old
SET s.label = $label, m.json = $json
RETURN old
