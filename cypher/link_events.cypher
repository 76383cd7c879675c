// Appends NEXT edges between consecutive events of one person's chain.
UNWIND $links AS l
MATCH (a:Event {id: l.from})
MATCH (b:Event {id: l.to})
CREATE (a)-[:NEXT {gap_s: l.gap_s}]->(b)
