// Package drift watches segments change: each segment's daily size from
// its membership history (ENTERED/LEFT) and the population-stability index
// (markov/psi) of its members' behaviour features (journeys/profile)
// against a reference time, and the daily check that queues a
// segment.drifted webhook event when a figure crosses the segment's
// threshold (journeys.Drift), once per crossing.
//
// The size at t counts the people whose latest entry up to t has no exit
// up to t (the members_at rule). The PSI at t compares the fixed features
// (channel shares left out: each date has its own top channels) of the
// members at t, computed at t, with those of the members at the reference
// time, computed then; members with no own event before the time have no
// vector and are left out. The overall PSI is the largest of the features'
// (the feature is named), so one feature moving is enough to alert.
package drift
