// The current model of a kind and scope with its states (and the names
// given to them, '' for none).
MATCH (m:Model {kind: $kind, scope: $scope})
WHERE m.current
OPTIONAL MATCH (m)-[:HAS_STATE]->(s:State)
WITH m, s ORDER BY s.index
RETURN m.version AS version, m.fitted_at AS fitted_at, m.json AS json, m.meta AS meta,
       collect(s.index) AS indexes, collect(s.label) AS labels, collect(s.size) AS sizes,
       collect(coalesce(s.name, '')) AS names
ORDER BY m.version DESC LIMIT 1
