// The current step rules (JSON) of rule set $id, if any were saved.
MATCH (r:StepRules {id: $id})
RETURN r.version AS version, r.rules AS rules, r.updated_ts AS updated_ts
