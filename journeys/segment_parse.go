package journeys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// ParseSegment reads and validates a segment definition
// ({"name", "description", "min_size", "holdout", "drift", "where"}). Every problem is reported
// at once: the error is an *Error with code EINVALID whose Details name the
// JSON path of each bad node in Field ("where.all[1].within") and say what
// is wrong in Problem (`"7x" is not a duration`); Row is the problem's
// index. Unknown keys are errors, so a typo never silently widens a segment.
//
// A definition takes at most MaxSegmentBytes of JSON apart from its people
// lists, and MaxStaticSegmentBytes with them; more is ETOOLARGE.
func ParseSegment(b []byte) (Segment, error) {
	if len(b) > MaxStaticSegmentBytes {
		return Segment{}, Errorf(ETOOLARGE, "segment definition larger than %d bytes", MaxStaticSegmentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Segment{}, Errorf(EINVALID, "segment definition is not valid JSON: %v", err)
	}
	if dec.More() {
		return Segment{}, Errorf(EINVALID, "segment definition: more than one JSON value")
	}
	p := &segParser{}
	seg := p.segment(v)
	if len(b) > MaxSegmentBytes {
		if p.people == 0 {
			return Segment{}, Errorf(ETOOLARGE, "segment definition larger than %d bytes", MaxSegmentBytes)
		}
		if sizeWithoutPeople(seg) > MaxSegmentBytes {
			return Segment{}, Errorf(ETOOLARGE, "segment definition larger than %d bytes apart from its people lists", MaxSegmentBytes)
		}
	}
	return seg, p.err()
}

// Validate checks a Segment built in code (or decoded elsewhere) by the same
// rules as ParseSegment.
func (s Segment) Validate() error {
	b, err := json.Marshal(s)
	if err != nil {
		return Errorf(EINVALID, "segment: %v", err)
	}
	_, err = ParseSegment(b)
	return err
}

// segParser walks decoded JSON, building a Segment and collecting problems.
type segParser struct {
	problems []RowError
	nodes    int
	people   int // person ids kept by the people blocks so far
}

func (p *segParser) bad(path, format string, args ...any) {
	p.problems = append(p.problems, RowError{Row: len(p.problems), Field: path, Problem: fmt.Sprintf(format, args...)})
}

func (p *segParser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	msg := "segment: " + p.problems[0].Error()
	if n := len(p.problems) - 1; n == 1 {
		msg += " (and 1 more problem)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", n)
	}
	return &Error{Code: EINVALID, Message: msg, Details: p.problems}
}

func (p *segParser) segment(v any) Segment {
	var s Segment
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad("", "want a JSON object with name and where")
		return s
	}
	for _, k := range sortedKeys(obj) {
		switch k {
		case "name":
			s.Name = p.str(k, obj[k])
			if !segmentNameRE.MatchString(s.Name) {
				p.bad(k, "%s is not a segment name (letters, digits, _ . -; at most 100)", Quote(s.Name))
			}
		case "description":
			if s.Description = p.str(k, obj[k]); len(s.Description) > maxSegmentDescBytes {
				p.bad(k, "longer than %d bytes", maxSegmentDescBytes)
			}
		case "min_size":
			s.MinSize = int(p.count(k, obj[k]))
		case "where":
			s.Where = p.cond("where", obj[k], 1)
		case "holdout":
			s.Holdout = p.holdout(k, obj[k])
		case "drift":
			s.Drift = p.drift(k, obj[k])
		case "version", "built_in", "created_at", "updated_at", "members":
			// Set by the store; ignored on input so a GET answer can be PUT back.
		default:
			p.bad(k, "unknown key (want name, description, min_size, holdout, drift, where)")
		}
	}
	if _, ok := obj["name"]; !ok {
		p.bad("name", "missing")
	}
	if _, ok := obj["where"]; !ok {
		p.bad("where", "missing")
	}
	return s
}

// condKinds are the keys that say what a condition is; each condition has
// exactly one. The other keys are its options.
var condKinds = []string{"all", "any", "not", "did", "did_not", "count", "sequence", "not_followed",
	"last_seen", "first_seen", "last", "state", "states", "propensity", "rate", "person", "people", "cluster"}

// condOptions lists the options each kind accepts.
var condOptions = map[string][]string{
	"did": {"within", "ago"}, "did_not": {"within", "ago"},
	"count":        {"within", "ago", "min", "max", "same"},
	"sequence":     {"within", "ago", "gap"},
	"not_followed": {"within", "ago", "gap", "after"},
	"last":         {"more_than"},
	"propensity":   {"at_least"},
	"rate":         {"within", "ago", "at_least", "at_most", "min_base"},
}

func (p *segParser) cond(path string, v any, depth int) Condition {
	var c Condition
	p.nodes++
	if p.nodes == MaxSegmentNodes+1 {
		p.bad(path, "more than %d conditions", MaxSegmentNodes)
	}
	if depth > MaxSegmentDepth {
		p.bad(path, "nested deeper than %d", MaxSegmentDepth)
		return c
	}
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want an object such as {\"did\": \"purchase\"}")
		return c
	}
	kind := ""
	for _, k := range condKinds {
		if _, ok := obj[k]; !ok {
			continue
		}
		if kind != "" {
			p.bad(path, "has both %s and %s: one kind per condition (combine with all/any)", kind, k)
			return c
		}
		kind = k
	}
	if kind == "" {
		p.bad(path, "no condition kind (want one of %s)", strings.Join(condKinds, ", "))
		return c
	}
	allowed := map[string]bool{kind: true}
	for _, o := range condOptions[kind] {
		allowed[o] = true
	}
	for _, k := range sortedKeys(obj) {
		if !allowed[k] {
			p.bad(path+"."+k, "not an option of %s", kind)
		}
	}
	at := func(k string) string { return path + "." + k }
	switch kind {
	case "all", "any":
		list := p.list(at(kind), obj[kind], 1, MaxSegmentNodes)
		kids := make([]Condition, len(list))
		for i, x := range list {
			kids[i] = p.cond(fmt.Sprintf("%s.%s[%d]", path, kind, i), x, depth+1)
		}
		if kind == "all" {
			c.All = kids
		} else {
			c.Any = kids
		}
	case "not":
		n := p.cond(at("not"), obj["not"], depth+1)
		c.Not = &n
	case "did", "did_not", "count", "last":
		m := p.match(at(kind), obj[kind])
		switch kind {
		case "did":
			c.Did = &m
		case "did_not":
			c.DidNot = &m
		case "count":
			c.Count = &m
			p.countOptions(path, obj, &c)
		case "last":
			c.Last = &m
			if c.MoreThan = p.durationOpt(at("more_than"), obj, "more_than"); c.MoreThan == nil {
				p.bad(at("more_than"), "missing (last needs more_than)")
			}
		}
	case "sequence":
		list := p.list(at(kind), obj[kind], 2, MaxSequenceSteps)
		for i, x := range list {
			c.Sequence = append(c.Sequence, p.match(fmt.Sprintf("%s.sequence[%d]", path, i), x))
		}
		c.Gap = p.durationOpt(at("gap"), obj, "gap")
	case "not_followed":
		c.NotFollowed = p.followPair(at(kind), obj[kind])
		c.Gap = p.durationOpt(at("gap"), obj, "gap")
		if v, ok := obj["after"]; ok {
			c.After = p.str(at("after"), v)
			if c.After != "last" && c.After != "each" && c.After != "any" {
				p.bad(at("after"), "%s is not last, each or any", Quote(c.After))
			}
		}
	case "last_seen", "first_seen":
		r := p.recency(at(kind), obj[kind])
		if kind == "last_seen" {
			c.LastSeen = r
		} else {
			c.FirstSeen = r
		}
	case "state":
		c.State = p.name(at(kind), obj[kind])
	case "states":
		for i, x := range p.list(at(kind), obj[kind], 1, maxSegmentList) {
			c.States = append(c.States, p.name(fmt.Sprintf("%s.states[%d]", path, i), x))
		}
	case "propensity":
		c.Propensity = p.str(at(kind), obj[kind])
		if c.Propensity != "convert" && c.Propensity != "unsubscribe" {
			p.bad(at(kind), "%s is not convert or unsubscribe", Quote(c.Propensity))
		}
		f, ok := p.number(at("at_least"), obj["at_least"])
		if ok && (f < 0 || f > 1) {
			p.bad(at("at_least"), "%v is not a probability in [0, 1]", f)
		}
		c.AtLeast = &f
	case "rate":
		p.rate(path, obj, &c)
	case "person":
		c.Person = p.comparisons(at(kind), obj[kind], PersonFields, TraitsField)
		if len(c.Person) == 0 {
			p.bad(at(kind), "no field to compare")
		}
	case "people":
		c.People = p.personIDs(at(kind), obj[kind])
	case "cluster":
		c.Cluster = p.cluster(at(kind), obj[kind])
	}
	p.window(path, obj, &c)
	return c
}

func (p *segParser) countOptions(path string, obj map[string]any, c *Condition) {
	if v, ok := obj["min"]; ok {
		n := p.count(path+".min", v)
		c.Min = &n
	}
	if v, ok := obj["max"]; ok {
		n := p.count(path+".max", v)
		c.Max = &n
	}
	if c.Min == nil && c.Max == nil {
		p.bad(path, "count needs min or max")
	}
	if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
		p.bad(path+".max", "%d is below min %d", *c.Max, *c.Min)
	}
	if v, ok := obj["same"]; ok {
		c.Same = p.str(path+".same", v)
		found := false
		for _, f := range SameFields {
			found = found || f == c.Same
		}
		if !found {
			p.bad(path+".same", "%s is not one of %s", Quote(c.Same), strings.Join(SameFields, ", "))
		}
	}
}

func (p *segParser) window(path string, obj map[string]any, c *Condition) {
	c.Within = p.durationOpt(path+".within", obj, "within")
	if v, ok := obj["ago"]; ok {
		if c.Within != nil {
			p.bad(path+".ago", "give within or ago, not both")
		}
		m, ok := v.(map[string]any)
		if !ok {
			p.bad(path+".ago", "want {\"from\": \"90d\", \"to\": \"30d\"}")
			return
		}
		for _, k := range sortedKeys(m) {
			if k != "from" && k != "to" {
				p.bad(path+".ago."+k, "unknown key (want from, to)")
			}
		}
		from, to := p.durationOpt(path+".ago.from", m, "from"), p.durationOpt(path+".ago.to", m, "to")
		if from == nil {
			p.bad(path+".ago.from", "missing")
		} else if to != nil && *from <= *to {
			p.bad(path+".ago", "from (%s) must be longer ago than to (%s)", from, to)
		}
		if from != nil && to != nil {
			c.Ago = &AgoRange{From: *from, To: *to}
		}
	}
}

func (p *segParser) followPair(path string, v any) *FollowPair {
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want {\"first\": ..., \"then\": ...}")
		return &FollowPair{}
	}
	for _, k := range sortedKeys(obj) {
		if k != "first" && k != "then" {
			p.bad(path+"."+k, "unknown key (want first, then)")
		}
	}
	fp := &FollowPair{First: p.match(path+".first", obj["first"]), Then: p.match(path+".then", obj["then"])}
	return fp
}

func (p *segParser) recency(path string, v any) *Recency {
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want {\"more_than\": \"30d\"} or {\"within\": \"7d\"}")
		return &Recency{}
	}
	r := &Recency{}
	for _, k := range sortedKeys(obj) {
		if k != "more_than" && k != "within" {
			p.bad(path+"."+k, "unknown key (want more_than or within)")
		}
	}
	r.MoreThan = p.durationOpt(path+".more_than", obj, "more_than")
	r.Within = p.durationOpt(path+".within", obj, "within")
	if (r.MoreThan == nil) == (r.Within == nil) {
		p.bad(path, "want exactly one of more_than and within")
	}
	return r
}

// match reads a Match: a bare step, or an object.
func (p *segParser) match(path string, v any) Match {
	if v == nil {
		p.bad(path, "missing")
		return Match{}
	}
	if s, ok := v.(string); ok {
		return Match{Step: p.name(path, s)}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want a step name or an object such as {\"step\": \"purchase\"}")
		return Match{}
	}
	var m Match
	for _, k := range sortedKeys(obj) {
		at := path + "." + k
		switch k {
		case "step":
			m.Step = p.name(at, obj[k])
		case "event":
			m.Event = p.name(at, obj[k])
		case "steps", "events":
			var names []string
			for i, x := range p.list(at, obj[k], 1, maxSegmentList) {
				names = append(names, p.name(fmt.Sprintf("%s[%d]", at, i), x))
			}
			if k == "steps" {
				m.Steps = names
			} else {
				m.Events = names
			}
		case "where":
			m.Where = p.comparisons(at, obj[k], EventFields, PropsField)
		default:
			p.bad(at, "unknown key (want step, steps, event, events, where)")
		}
	}
	set := 0
	for _, b := range []bool{m.Step != "", len(m.Steps) > 0, m.Event != "", len(m.Events) > 0} {
		if b {
			set++
		}
	}
	if set != 1 {
		p.bad(path, "want exactly one of step, steps, event, events")
	}
	return m
}

// cluster reads a cluster block: {"index": 2} with optional "model" (a
// version: a whole number from 1, or one written as a string) and "scope"
// (the person-id prefix the model was fitted on).
func (p *segParser) cluster(path string, v any) *ClusterRef {
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want {\"index\": 0} (and optionally \"model\": a version, \"scope\": a person-id prefix)")
		return &ClusterRef{}
	}
	r := &ClusterRef{}
	for _, k := range sortedKeys(obj) {
		at := path + "." + k
		switch k {
		case "index":
			r.Index = int(p.count(at, obj[k]))
		case "model":
			x := obj[k]
			if s, ok := x.(string); ok {
				x = json.Number(s)
			}
			n, ok := x.(json.Number)
			v, err := n.Int64()
			if !ok || err != nil || v < 1 || v > math.MaxInt32 {
				p.bad(at, "%s is not a model version (a whole number from 1)", describeValue(obj[k]))
				continue
			}
			r.Model = int(v)
		case "scope":
			if r.Scope = p.str(at, obj[k]); len(r.Scope) > maxSegmentString {
				p.bad(at, "longer than %d bytes", maxSegmentString)
			}
		default:
			p.bad(at, "unknown key (want index, model, scope)")
		}
	}
	if _, ok := obj["index"]; !ok {
		p.bad(path+".index", "missing")
	}
	return r
}
