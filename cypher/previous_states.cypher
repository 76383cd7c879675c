// The decoded states people had under the current model of a kind and
// scope (the one a new decode replaces), only while some webhook (segment
// '*') subscribes to $event: no rows when there is no such model or webhook.
OPTIONAL MATCH (m:Model {kind: $kind, scope: $scope})
WHERE m.current
WITH max(m.version) AS previous
WHERE previous IS NOT NULL
  AND EXISTS { MATCH (w:Webhook) WHERE w.segment = '*' AND $event IN w.events }
UNWIND $ids AS id
MATCH (p:Person {id: id})
WHERE p.model_version = previous AND p.hmm_state IS NOT NULL
RETURN previous, p.id AS id, p.hmm_state AS state
