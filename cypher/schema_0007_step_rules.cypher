// The step rules of a rule set (id "server" for the server's), and every
// saved version of it (key "<id>:<version>").
CREATE CONSTRAINT step_rules_id IF NOT EXISTS FOR (r:StepRules) REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT step_rules_version_key IF NOT EXISTS FOR (v:StepRulesVersion) REQUIRE v.key IS UNIQUE;
