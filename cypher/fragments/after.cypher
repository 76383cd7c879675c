({{b}}.ts > {{a}}.ts OR ({{b}}.ts = {{a}}.ts AND {{b}}.id > {{a}}.id))
