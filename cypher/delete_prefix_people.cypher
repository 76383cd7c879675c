// Erases the people whose id starts with $prefix once their events are gone
// (see delete_prefix_events), in bounded transactions.
MATCH (p:Person)
WHERE p.id STARTS WITH $prefix
CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 10000 ROWS
RETURN count(*) AS n
