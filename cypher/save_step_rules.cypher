// Saves step rules (JSON) as version $version of rule set $id when its
// current version is $version - 1 (0 when none is saved): no row comes back
// otherwise, and the caller reports a conflict. Each version is kept.
MERGE (r:StepRules {id: $id})
  ON CREATE SET r.version = 0
WITH r
WHERE r.version = $version - 1
SET r.version = $version, r.rules = $rules, r.updated_ts = $updated_ts
CREATE (:StepRulesVersion {key: $id + ':' + toString($version), id: $id, version: $version, rules: $rules,
                           updated_ts: $updated_ts})
RETURN r.version AS version
