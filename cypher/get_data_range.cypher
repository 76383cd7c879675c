// The times of the first and last stored events, from the people's counters.
MATCH (p:Person)
RETURN min(p.first_ts) AS first_ts, max(p.last_ts) AS last_ts
