// Package journeys is the domain of journeygraph: the nouns every other
// package speaks and the small interfaces the services need from a store.
//
// A person's events (Event: page views, product views, add to cart,
// purchases, email sent/open/click, unsubscribe...) are mapped to canonical
// steps by StepRules and kept in time order, so a Journey is a chain of
// steps split into sessions. Reports read journeys as streams of Sequence
// (steps) or TouchSequence (steps with their channel, campaign, value...),
// scoped by a Filter. A Segment is a behavioural definition (see
// segments.md): parsed and validated by ParseSegment, compiled by
// Segment.Compile into a Pred tree that an evaluator runs. Errors speak one
// vocabulary (Error, ErrorCode: EINVALID, ENOTFOUND, ECONFLICT...).
//
// The services live in packages of their own, each importing this one:
//
//   - journeys/ingest: payloads, files and mappings, the importer and the
//     ingester, the step-rules book (editing rules and restepping).
//   - journeys/segment: membership (evaluate, diff, record with history and
//     webhook deliveries), the built-in segments, the ingest hook, segment
//     filters of reports.
//   - journeys/report: the counting reports (paths, transitions, funnels).
//   - journeys/chain: the analyses of a Markov chain of journeys: friction,
//     attribution, hidden states (over package markov).
//   - journeys/webhook: the outbox dispatcher, signing and verification.
//   - journeys/synth: seeded synthetic journeys for tests and benchmarks.
//
// The stores implement the interfaces declared here: graph (Neo4j, the
// record) and graph/inmem (every journey in memory, kept in step with it).
package journeys
