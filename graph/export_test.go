package graph

// ApplySchema exposes applySchema to the external tests.
var ApplySchema = (*Store).applySchema
