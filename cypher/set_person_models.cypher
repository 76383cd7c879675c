// Stores what a model says about people: decoded state, its probability and
// propensities (a null removes the property), and the model version. The
// people are stamped touched, so the journey cache reads their fields again.
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.hmm_state = row.hmm_state, p.hmm_state_p = row.hmm_state_p,
    p.p_convert = row.p_convert, p.p_unsubscribe = row.p_unsubscribe,
    p.model_version = $version, p.touched_ts = $now
RETURN count(p) AS updated
