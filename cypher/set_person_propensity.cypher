// Stores a supervised propensity model's scores on people: p_convert or
// p_unsubscribe ($target) with the model's version (p_convert_model or
// p_unsubscribe_model), stamping the people touched (the journey cache
// reads their fields again).
UNWIND $rows AS row
MATCH (p:Person {id: row.id})
SET p.p_convert = CASE WHEN $target = 'convert' THEN row.p ELSE p.p_convert END,
    p.p_convert_model = CASE WHEN $target = 'convert' THEN $version ELSE p.p_convert_model END,
    p.p_unsubscribe = CASE WHEN $target = 'unsubscribe' THEN row.p ELSE p.p_unsubscribe END,
    p.p_unsubscribe_model = CASE WHEN $target = 'unsubscribe' THEN $version ELSE p.p_unsubscribe_model END,
    p.touched_ts = $now
RETURN count(p) AS updated
