package journeys

import (
	"fmt"
	"slices"
	"strings"
)

// Whose event is it: the outbound steps of StepRules. An email the
// marketer sent is on the person's chain, but it is not something the
// person did; segments must not read it as a sign of life.

// DefaultOutbound are the outbound steps of DefaultStepRules: the steps of
// its vocabulary that the marketer's systems emit to a person.
var DefaultOutbound = []string{"email_sent"}

// maxOutbound is the most outbound steps a rule set may list.
const maxOutbound = 100

// OutboundSteps returns the steps that are not the person's own activity,
// sorted and without duplicates: Outbound, or DefaultOutbound when Outbound
// is nil. The result is never nil (an empty list stays "none" if it is
// stored as Outbound). Segment.Compile takes them.
func (rs StepRules) OutboundSteps() []string {
	steps := rs.Outbound
	if steps == nil {
		steps = DefaultOutbound
	}
	out := slices.Compact(slices.Sorted(slices.Values(steps)))
	if out == nil {
		out = []string{}
	}
	return out
}

// OutboundFunc returns the outbound steps in force, such as those of the
// rules a server edits (StepRules.OutboundSteps of Rulebook.Current), for
// the services that compile segments.
type OutboundFunc func() []string

// Steps returns what f returns, or the outbound steps of DefaultStepRules
// when f is nil.
func (f OutboundFunc) Steps() []string {
	if f == nil {
		return StepRules{}.OutboundSteps()
	}
	return f()
}

// validateOutbound checks the outbound steps: non-empty names of at most
// 200 bytes, not the wildcard "*", each listed once, at most maxOutbound.
func validateOutbound(steps []string) []RowError {
	var details []RowError
	bad := func(i int, format string, args ...any) {
		details = append(details, RowError{Row: i, Field: fmt.Sprintf("outbound[%d]", i), Problem: fmt.Sprintf(format, args...)})
	}
	if len(steps) > maxOutbound {
		details = append(details, RowError{Field: "outbound", Problem: fmt.Sprintf("%d steps, more than %d", len(steps), maxOutbound)})
		return details
	}
	seen := map[string]int{}
	for i, s := range steps {
		switch {
		case strings.TrimSpace(s) == "":
			bad(i, "empty (want a step such as \"email_sent\")")
		case len(s) > maxSegmentString:
			bad(i, "longer than %d bytes", maxSegmentString)
		case s == "*":
			bad(i, "\"*\" is any event, not a step")
		default:
			if j, ok := seen[s]; ok {
				bad(i, "%s is listed twice (also outbound[%d])", Quote(s), j)
				continue
			}
			seen[s] = i
		}
	}
	return details
}
