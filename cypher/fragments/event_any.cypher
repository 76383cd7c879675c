{{v}}.step IS NOT NULL
