// One person's chain as stored, edge by edge, so that graph.Store.CheckChain
// can prove it is one exactly sorted path from FIRST to LAST.
MATCH (e:Event {person: $id})
OPTIONAL MATCH (e)-[:NEXT]->(n:Event)
RETURN e.id AS id, e.ts AS ts, collect(n.id) AS next,
       COUNT { ()-[:NEXT]->(e) } AS incoming,
       EXISTS { (:Person {id: $id})-[:FIRST]->(e) } AS is_first,
       EXISTS { (:Person {id: $id})-[:LAST]->(e) } AS is_last
