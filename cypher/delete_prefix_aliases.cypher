// Erases the aliases (merged anonymous ids) that start with $prefix, after
// delete_prefix_people.
MATCH (a:Alias)
WHERE a.id STARTS WITH $prefix
DETACH DELETE a
RETURN count(*) AS n
