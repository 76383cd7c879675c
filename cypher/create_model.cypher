// Stores a fitted model, not yet current, under the next version of its
// kind and scope (a counter node serialises concurrent fits), with one
// State node per hidden state. Returns the version.
MERGE (c:ModelCounter {kind: $kind, scope: $scope})
SET c.version = coalesce(c.version, 0) + 1
WITH c.version AS version
CREATE (m:Model {kind: $kind, scope: $scope, version: version, fitted_at: $fitted_at,
                 current: false, json: $json, meta: $meta})
WITH m, version
UNWIND $states AS st
CREATE (m)-[:HAS_STATE]->(:State {index: st.index, label: st.label, size: 0})
RETURN DISTINCT version
