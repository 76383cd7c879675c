package synth

import (
	"sort"
	"time"

	"github.com/journeygraph/journeygraph/journeys"

	"github.com/journeygraph/journeygraph/journeys/segment"
)

// Expected returns the members of every built-in segment at asOf, computed
// from the events and scores by a direct reading of each definition in
// segment.BuiltInSegments (not through the compiler), with the outbound
// steps of journeys.DefaultStepRules: segment name → sorted person ids.
func Expected(events []journeys.Event, scores []journeys.PersonScores, asOf time.Time) map[string][]string {
	outbound := map[string]bool{}
	for _, s := range journeys.DefaultStepRules().OutboundSteps() {
		outbound[s] = true
	}
	byPerson := map[string][]journeys.Event{}
	for _, e := range events {
		if !e.Time.After(asOf) { // events after as_of never count
			byPerson[e.Person] = append(byPerson[e.Person], e)
		}
	}
	pUnsub := map[string]float64{}
	for _, s := range scores {
		if s.PUnsubscribe != nil {
			pUnsub[s.Person] = *s.PUnsubscribe
		}
	}
	out := map[string][]string{}
	for _, s := range segment.BuiltInSegments() {
		out[s.Name] = []string{}
	}
	for person, evs := range byPerson {
		journeys.SortEvents(evs)
		x := personView{evs: evs, asOf: asOf, outbound: outbound}
		add := func(seg string, in bool) {
			if in {
				out[seg] = append(out[seg], person)
			}
		}
		add(segment.SegmentCartAbandoners, x.cartAbandoner())
		add(segment.SegmentProspectsToRelaunch, x.sameProductMax("product_view", 7*day) >= 3 && x.count("purchase", 7*day, 0) == 0)
		add(segment.SegmentHyperEngaged, x.count("email_open", 7*day, 0) >= 1 && x.count("email_click", 7*day, 0) >= 2)
		p, hasP := pUnsub[person]
		engaged := func(from, to time.Duration) int {
			return x.count("email_open", from, to) + x.count("email_click", from, to)
		}
		unsubscribed := x.count("unsubscribe", 0, 0) > 0
		atRisk := x.count("email_open", 90*day, 30*day) >= 3 && engaged(30*day, 0) == 0
		add(segment.SegmentAtRiskSubscribers, !unsubscribed && (atRisk || hasP && p >= 0.7))
		add(segment.SegmentSunset, !unsubscribed && x.count("email_sent", 90*day, 0) >= 5 && engaged(90*day, 0) == 0)
		add(segment.SegmentNeverEngaged, x.count("email_sent", 0, 0) > 0 && x.count("email_open", 0, 0)+x.count("email_click", 0, 0) == 0)
		add(segment.SegmentUnsubscribed, x.count("unsubscribe", 0, 0) > 0)
		add(segment.SegmentVIP, x.count("purchase", 365*day, 0) >= 3)
		add(segment.SegmentNew, x.count("*", 7*day, 0) > 0 && x.count("*", 0, 7*day) == 0)
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// personView answers window questions on one person's events (sorted);
// the step "*" is any of the person's own events (a step, not outbound).
type personView struct {
	evs      []journeys.Event
	asOf     time.Time
	outbound map[string]bool
}

// in reports whether t is in [asOf − from, asOf − to) (to = 0: up to and
// including asOf; from = 0: no lower bound).
func (x personView) in(t time.Time, from, to time.Duration) bool {
	if from > 0 && t.Before(x.asOf.Add(-from)) {
		return false
	}
	if to == 0 {
		return !t.After(x.asOf)
	}
	return t.Before(x.asOf.Add(-to))
}

func (x personView) count(step string, from, to time.Duration) int {
	n := 0
	for _, e := range x.evs {
		if (step == "*" && e.Step != "" && !x.outbound[e.Step] || e.Step == step) && x.in(e.Time, from, to) {
			n++
		}
	}
	return n
}

func (x personView) sameProductMax(step string, within time.Duration) int {
	per := map[string]int{}
	best := 0
	for _, e := range x.evs {
		if e.Step == step && e.Product != "" && x.in(e.Time, within, 0) {
			per[e.Product]++
			best = max(best, per[e.Product])
		}
	}
	return best
}

// cartAbandoner: an add_to_cart in the last 7 days, and no purchase after
// the last of them (in chain order) up to as_of.
func (x personView) cartAbandoner() bool {
	last := -1
	for i, e := range x.evs {
		if e.Step == "add_to_cart" && x.in(e.Time, 7*day, 0) {
			last = i
		}
	}
	if last < 0 {
		return false
	}
	for _, e := range x.evs[last+1:] {
		if e.Step == "purchase" {
			return false
		}
	}
	return true
}
