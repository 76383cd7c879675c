// Fitted models by kind and scope (the current one, the next version).
CREATE INDEX model_kind_scope IF NOT EXISTS FOR (m:Model) ON (m.kind, m.scope);
