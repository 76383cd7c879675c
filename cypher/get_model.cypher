// A model of a kind and scope by version, with its states (and the names
// given to them, '' for none).
MATCH (m:Model {kind: $kind, scope: $scope, version: $version})
OPTIONAL MATCH (m)-[:HAS_STATE]->(s:State)
WITH m, s ORDER BY s.index
RETURN m.version AS version, m.fitted_at AS fitted_at, m.current AS current, m.json AS json, m.meta AS meta,
       collect(s.index) AS indexes, collect(s.label) AS labels, collect(s.size) AS sizes,
       collect(coalesce(s.name, '')) AS names
