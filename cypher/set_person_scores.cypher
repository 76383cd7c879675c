// Stores model outputs on people: decoded hidden state and propensities
// (null leaves a property as it is), stamping the people touched (the
// journey cache reads their fields again).
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.hmm_state = coalesce(row.hmm_state, p.hmm_state),
    p.hmm_state_p = coalesce(row.hmm_state_p, p.hmm_state_p),
    p.p_convert = coalesce(row.p_convert, p.p_convert),
    p.p_unsubscribe = coalesce(row.p_unsubscribe, p.p_unsubscribe),
    p.touched_ts = $now
RETURN count(p) AS updated
