// Package web serves journeygraph over HTTP with gin, in two parts that
// share one Server (server.go: its configuration, its optional surfaces and
// the error-code-to-status table in errors.go):
//
//   - the JSON API, in the api_*.go files: event ingest under /api/v1 and
//     Segment-compatible /v1 routes, journeys and erasure, reports,
//     segments, webhooks, step rules and models, under API keys, with one
//     JSON error envelope; health checks at /healthz and /readyz; with
//     WithMetrics, every request observed by its route template and the
//     Prometheus scrape at /metrics (api_metrics.go);
//   - the HTML app, in the app_*.go files, when WithApp is given: sign-in,
//     then the overview, person timelines, the journey map, paths, funnels,
//     friction, attribution, hidden states, segments and webhooks under
//     /app, rendered from the embedded templates/ with typed page data;
//     its charts are drawn as SVG by package chart.
//
// Request parameters the two parts read alike are parsed in params.go.
// It is the only package that imports gin.
package web
