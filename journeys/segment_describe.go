package journeys

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Describe reads a definition as a plain English sentence, for the segment
// builder: {"not_followed": {"first": "add_to_cart", "then": "purchase"},
// "within": "7d"} is "did add_to_cart in the last 7 days and did not
// purchase after the last add_to_cart". Groups nested in a group are put
// in parentheses. It describes what it is given; ParseSegment says
// whether that is valid.
func Describe(c Condition) string {
	return describer{}.describe(c, false)
}

// DescribeNamed is Describe with the names the marketer gave to clusters:
// clusterName returns the name of a cluster block's cluster ("" when it
// has none, or it cannot be told).
func DescribeNamed(c Condition, clusterName func(ClusterRef) string) string {
	return describer{clusterName: clusterName}.describe(c, false)
}

// describer reads conditions, with the cluster names it was given.
type describer struct {
	clusterName func(ClusterRef) string
}

// describe reads c; nested is true inside a group, where a group of more
// than one condition gets parentheses.
func (d describer) describe(c Condition, nested bool) string {
	group := func(cs []Condition, sep string) string {
		parts := make([]string, len(cs))
		for i, sub := range cs {
			parts[i] = d.describe(sub, true)
		}
		s := strings.Join(parts, sep)
		if nested && len(cs) > 1 {
			s = "(" + s + ")"
		}
		return s
	}
	w := describeWindow(c)
	switch {
	case len(c.All) > 0:
		return group(c.All, " and ")
	case len(c.Any) > 0:
		return group(c.Any, " or ")
	case c.Not != nil:
		return "not (" + d.describe(*c.Not, false) + ")"
	case c.Did != nil:
		return "did " + describeMatch(*c.Did) + w
	case c.DidNot != nil:
		if c.DidNot.Step == "*" && len(c.DidNot.Where) == 0 {
			return "did nothing" + w
		}
		return "did not " + describeMatch(*c.DidNot) + w
	case c.Count != nil:
		s := "did " + describeMatch(*c.Count) + " " + describeTimes(c.Min, c.Max, c.Same != "")
		if c.Same != "" {
			s += " for the same " + c.Same
		}
		return s + w
	case len(c.Sequence) > 0:
		steps := make([]string, len(c.Sequence))
		for i, m := range c.Sequence {
			steps[i] = describeMatch(m)
		}
		s := "did " + strings.Join(steps, ", then ")
		if c.Gap != nil {
			s += ", first to last within " + describeDuration(*c.Gap)
		}
		return s + w
	case c.NotFollowed != nil:
		return describeNotFollowed(c, w)
	case c.LastSeen != nil:
		return "was last seen" + describeRecency(*c.LastSeen)
	case c.FirstSeen != nil:
		return "was first seen" + describeRecency(*c.FirstSeen)
	case c.Last != nil:
		s := "last did " + describeMatch(*c.Last)
		if c.MoreThan != nil {
			s += " more than " + describeDuration(*c.MoreThan) + " ago"
		}
		return s
	case c.State != "":
		return "is in hidden state " + strconv.Quote(c.State)
	case len(c.States) > 0:
		q := make([]string, len(c.States))
		for i, s := range c.States {
			q[i] = strconv.Quote(s)
		}
		return "is in hidden state " + strings.Join(q, " or ")
	case c.Rate != nil:
		return describeRate(c, w)
	case c.Propensity != "":
		s := "has P(" + c.Propensity + ")"
		if c.AtLeast != nil {
			s += " at least " + strconv.FormatFloat(*c.AtLeast, 'g', -1, 64)
		}
		return s
	case len(c.Person) > 0:
		return "has " + describeComparisons(c.Person)
	case len(c.People) > 0:
		if len(c.People) == 1 {
			return "is " + strconv.Quote(c.People[0])
		}
		return fmt.Sprintf("is one of %d listed people", len(c.People))
	case c.Cluster != nil:
		return d.describeCluster(*c.Cluster)
	}
	return "(empty condition)"
}

// describeCluster reads a cluster block: "is in cluster 2 \"bargain
// hunters\" of the current clustering model".
func (d describer) describeCluster(r ClusterRef) string {
	s := "is in cluster " + strconv.Itoa(r.Index)
	if d.clusterName != nil {
		if name := d.clusterName(r); name != "" {
			s += " " + strconv.Quote(name)
		}
	}
	if r.Model == 0 {
		s += " of the current clustering model"
	} else {
		s += " of clustering model " + strconv.Itoa(r.Model)
	}
	if r.Scope != "" {
		s += " of people " + strconv.Quote(r.Scope+"…")
	}
	return s
}

// describeNotFollowed reads a not_followed block with its after mode.
func describeNotFollowed(c Condition, w string) string {
	first, then := describeMatch(c.NotFollowed.First), describeMatch(c.NotFollowed.Then)
	gap := ""
	if c.Gap != nil {
		gap = " within " + describeDuration(*c.Gap)
	}
	switch c.After {
	case "any":
		return "did " + first + w + " at least once not followed by " + then + gap
	case "each":
		return "did " + first + w + " and never " + then + gap + " after any of them"
	}
	return "did " + first + w + " and did not " + then + gap + " after the last " + first
}

// describeRate reads a rate block.
func describeRate(c Condition, w string) string {
	s := describeMatch(c.Rate.Of) + " per " + describeMatch(c.Rate.Per)
	var bounds []string
	if c.AtLeast != nil {
		bounds = append(bounds, "at least "+describePercent(*c.AtLeast))
	}
	if c.AtMost != nil {
		bounds = append(bounds, "at most "+describePercent(*c.AtMost))
	}
	s += " " + strings.Join(bounds, " and ") + w
	if c.MinBase != nil && *c.MinBase > 1 {
		s += fmt.Sprintf(" (over at least %d %s)", *c.MinBase, describeMatch(c.Rate.Per))
	}
	return s
}

// describePercent writes a ratio as a percentage: 0.3 is "30%".
func describePercent(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}

// describeTimes writes a count's bounds: "at least 2 times".
func describeTimes(lo, hi *int64, same bool) string {
	n := func(v int64) string {
		if v == 1 {
			return "1 time"
		}
		return strconv.FormatInt(v, 10) + " times"
	}
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("between %d and %s", *lo, n(*hi))
	case lo != nil:
		return "at least " + n(*lo)
	case hi != nil:
		return "at most " + n(*hi)
	case same:
		return "at least 1 time"
	}
	return "any number of times"
}

// describeRecency reads the bound of last_seen or first_seen.
func describeRecency(r Recency) string {
	var parts []string
	if r.Within != nil {
		parts = append(parts, " in the last "+describeDuration(*r.Within))
	}
	if r.MoreThan != nil {
		parts = append(parts, " more than "+describeDuration(*r.MoreThan)+" ago")
	}
	return strings.Join(parts, " and")
}

// describeWindow reads a block's window, with a leading space; "" when it
// has none (all events up to as_of).
func describeWindow(c Condition) string {
	switch {
	case c.Within != nil:
		return " in the last " + describeDuration(*c.Within)
	case c.Ago != nil:
		return " between " + describeDuration(c.Ago.From) + " and " + describeDuration(c.Ago.To) + " ago"
	}
	return ""
}

// describeMatch reads which events a Match takes: a step as it is, several
// as "a or b", raw names quoted, "*" as "anything", with its where
// comparisons.
func describeMatch(m Match) string {
	var names []string
	switch {
	case m.Step == "*":
		names = []string{"anything"}
	case m.Step != "":
		names = []string{m.Step}
	case len(m.Steps) > 0:
		names = append(names, m.Steps...)
	case m.Event != "":
		names = []string{"event " + strconv.Quote(m.Event)}
	case len(m.Events) > 0:
		for _, e := range m.Events {
			names = append(names, "event "+strconv.Quote(e))
		}
	}
	s := strings.Join(names, " or ")
	if len(names) > 1 {
		s = "(" + s + ")"
	}
	if len(m.Where) > 0 {
		s += " with " + describeComparisons(m.Where)
	}
	return s
}

// describeComparisons reads field comparisons in key order: "channel is
// email and value > 10".
func describeComparisons(cs map[string]Comparison) string {
	keys := make([]string, 0, len(cs))
	for k := range cs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + describeComparison(cs[k])
	}
	return strings.Join(parts, " and ")
}

// describeComparisonOps are the words of each comparison operator.
var describeComparisonOps = map[string]string{
	"eq": "is", "ne": "is not", "in": "is one of", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤",
	"prefix": "starts with", "contains": "contains",
}

// describeComparison reads one comparison: "is one of BE, FR".
func describeComparison(c Comparison) string {
	op, ok := describeComparisonOps[c.Op]
	if !ok {
		op = c.Op
	}
	return op + " " + describeValue(c.Value)
}

// describeValue writes a compared value: text quoted, lists joined.
func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = describeValue(e)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// describeDuration writes a duration in words: "7 days", "1 day 12
// hours", "30 minutes".
func describeDuration(d Duration) string {
	td := time.Duration(d)
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	var parts []string
	for _, u := range units {
		if n := td / u.size; n > 0 {
			td -= n * u.size
			if n == 1 {
				parts = append(parts, "1 "+u.name)
			} else {
				parts = append(parts, strconv.FormatInt(int64(n), 10)+" "+u.name+"s")
			}
		}
	}
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}
