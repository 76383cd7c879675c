// Package report answers the counting reports over journeys streamed from a
// store: top paths (and the people behind a node), step transitions, and
// funnels with drop-off, time to convert and the people who dropped. Each
// report reads one person at a time and counts with the step rules in force.
package report
