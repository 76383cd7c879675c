// Erases the step rule sets (and their versions) whose id starts with
// $prefix: a namespace's own rules, such as a test run's.
MATCH (r:StepRules|StepRulesVersion)
WHERE r.id STARTS WITH $prefix
DETACH DELETE r
RETURN count(*) AS n
