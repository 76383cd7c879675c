// Package chain answers what a Markov chain of journeys answers: friction
// (steps and edges ranked by the conversions they lose, improbable
// journeys), removal-effect attribution of channels, campaigns or steps,
// and hidden-state models fitted, decoded and stored for every person. The
// mathematics is package markov's; this package cuts journeys into
// conversion paths and turns the chains into reports.
package chain
