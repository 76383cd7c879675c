// Stores what a model says about people: decoded state, its probability and
// propensities (a null removes the property), and the model version. A
// propensity a supervised model wrote (p_convert_model, p_unsubscribe_model
// set: it beat this chain-state propensity out of time) is left as it is.
// The people are stamped touched, so the journey cache reads their fields
// again.
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.hmm_state = row.hmm_state, p.hmm_state_p = row.hmm_state_p,
    p.p_convert = CASE WHEN p.p_convert_model IS NULL THEN row.p_convert ELSE p.p_convert END,
    p.p_unsubscribe = CASE WHEN p.p_unsubscribe_model IS NULL THEN row.p_unsubscribe ELSE p.p_unsubscribe END,
    p.model_version = $version, p.touched_ts = $now
RETURN count(p) AS updated
