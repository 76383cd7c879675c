// Benchmark clean-up: removes the baseline nodes in bounded transactions.
MATCH (e:BaselineEvent)
CALL (e) { DETACH DELETE e } IN TRANSACTIONS OF 10000 ROWS
