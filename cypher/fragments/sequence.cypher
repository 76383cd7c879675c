EXISTS { MATCH {{nodes}} WHERE {{conds}} AND {{last}}.ts - e0.ts <= $_gap }
