// Package profile discovers groups of people nobody defined: it computes
// each person's behaviour vector at an as_of from their journey (recency,
// frequency, money, recent steps, email rates, sessions, days active,
// channel mix), clusters the scaled vectors with k-means over a range of k
// (package cluster) and describes each cluster as a profile a marketer can
// name.
package profile
