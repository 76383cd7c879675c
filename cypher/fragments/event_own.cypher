{{v}}.step IS NOT NULL AND NOT {{v}}.step IN $_exclude
