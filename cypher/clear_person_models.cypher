// Removes the model properties that people of a scope keep from another
// version (people no longer in the model's data; a supervised model's
// propensity stays), stamping them touched at
// each batch's time. Runs in batches; only in an implicit transaction.
MATCH (p:Person)
WHERE p.id STARTS WITH $scope AND p.model_version IS NOT NULL AND p.model_version <> $version
CALL (p) {
  REMOVE p.hmm_state, p.hmm_state_p, p.model_version
  SET p.p_convert = CASE WHEN p.p_convert_model IS NULL THEN null ELSE p.p_convert END,
      p.p_unsubscribe = CASE WHEN p.p_unsubscribe_model IS NULL THEN null ELSE p.p_unsubscribe END,
      p.touched_ts = timestamp()
} IN TRANSACTIONS OF 10000 ROWS
RETURN count(p) AS cleared
