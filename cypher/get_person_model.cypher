// What the models say about one person.
MATCH (p:Person {id: $id})
RETURN p.hmm_state AS hmm_state, p.hmm_state_p AS hmm_state_p, p.p_convert AS p_convert,
       p.p_unsubscribe AS p_unsubscribe, p.model_version AS model_version
