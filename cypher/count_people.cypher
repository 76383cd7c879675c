// How many people are stored (from the count store).
MATCH (p:Person)
RETURN count(p) AS n
