// Renames the decoded state stored on the people of a scope and model
// version. Runs in batches; only in an implicit transaction.
MATCH (p:Person)
WHERE p.id STARTS WITH $scope AND p.model_version = $version AND p.hmm_state = $old
CALL (p) {
  SET p.hmm_state = $label
} IN TRANSACTIONS OF 10000 ROWS
RETURN count(p) AS renamed
