// Gives cluster $index of clusters model $version of $scope a name ('' to
// remove it): a property of its State node beside the suggested label.
// No row when the model or cluster does not exist.
MATCH (m:Model {kind: $kind, scope: $scope, version: $version})-[:HAS_STATE]->(s:State {index: $index})
SET s.name = CASE WHEN $name = '' THEN null ELSE $name END
RETURN s.index AS index
