package journeys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// The people block: a static list of person ids inside a definition (a
// "static cohort"), such as the people behind a journey-map node or those
// who dropped at a funnel step, saved as a segment.

// maxPeopleProblems is how many bad ids of one people list are reported
// one by one; the rest are counted.
const maxPeopleProblems = 20

// StaticSegment returns the segment whose members are exactly the listed
// people who exist: its definition is one people block holding ids sorted
// and without duplicates (as ParseSegment leaves them), and its min_size is
// 1 (a short list is no over-segmentation). It is saved like any other
// definition: Segmenter.Save validates it (at least one id, at most
// MaxSegmentPeople).
func StaticSegment(name, description string, ids []string) Segment {
	people := slices.Compact(slices.Sorted(slices.Values(ids)))
	return Segment{Name: name, Description: description, MinSize: 1, Where: Condition{People: people}}
}

// personIDs reads the list of a people block: non-empty strings of at most
// maxSegmentString bytes, returned sorted without duplicates. Every block
// of a definition counts towards MaxSegmentPeople.
func (p *segParser) personIDs(path string, v any) []string {
	list, ok := v.([]any)
	if !ok {
		p.bad(path, "want a list of person ids")
		return nil
	}
	if len(list) == 0 {
		p.bad(path, "empty: want at least one person id")
		return nil
	}
	ids := make([]string, 0, len(list))
	bad := 0
	for i, x := range list {
		s, ok := x.(string)
		problem := ""
		switch {
		case !ok:
			problem = "want a person id (a string)"
		case s == "":
			problem = "empty person id"
		case len(s) > maxSegmentString:
			problem = fmt.Sprintf("person id longer than %d bytes", maxSegmentString)
		default:
			ids = append(ids, s)
			continue
		}
		if bad++; bad <= maxPeopleProblems {
			p.bad(fmt.Sprintf("%s[%d]", path, i), "%s", problem)
		}
	}
	if bad > maxPeopleProblems {
		p.bad(path, "%d more bad person ids", bad-maxPeopleProblems)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if before := p.people; before+len(ids) > MaxSegmentPeople {
		p.bad(path, "more than %d person ids in the definition (%d with this list)", MaxSegmentPeople, before+len(ids))
	}
	p.people += len(ids)
	return ids
}

// withoutPeople returns a copy of c with every people list left out.
func withoutPeople(c Condition) Condition {
	c.People = nil
	strip := func(xs []Condition) []Condition {
		if xs == nil {
			return nil
		}
		out := make([]Condition, len(xs))
		for i, x := range xs {
			out[i] = withoutPeople(x)
		}
		return out
	}
	c.All, c.Any = strip(c.All), strip(c.Any)
	if c.Not != nil {
		n := withoutPeople(*c.Not)
		c.Not = &n
	}
	return c
}

// hasPeople says whether c holds a people block.
func hasPeople(c Condition) bool {
	if len(c.People) > 0 || c.Not != nil && hasPeople(*c.Not) {
		return true
	}
	return slices.ContainsFunc(c.All, hasPeople) || slices.ContainsFunc(c.Any, hasPeople)
}

// sizeWithoutPeople is the size of s's definition as compact JSON, its
// people lists left out.
func sizeWithoutPeople(s Segment) int {
	b, _ := json.Marshal(Segment{Name: s.Name, Description: s.Description, MinSize: s.MinSize, Holdout: s.Holdout, Where: withoutPeople(s.Where)})
	return len(b)
}

// reasonDefinition is the definition recorded in a membership change's
// reason (the ENTERED/LEFT edge and the webhook): the condition as JSON,
// with each people list replaced by its size, {"people": {"count": 3}}, so
// that a static segment of many ids does not copy them onto every change.
func ReasonDefinition(c Condition) json.RawMessage {
	b, _ := json.Marshal(c)
	if !hasPeople(c) {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return b
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if ids, ok := y.([]any); ok && k == "people" {
					x[k] = map[string]int{"count": len(ids)}
					continue
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	out, _ := json.Marshal(v)
	return out
}
