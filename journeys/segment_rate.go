package journeys

// The rate block: {"rate": {"of": "email_open", "per": "email_sent"},
// "at_least": 0.3, "at_most": 0.9, "min_base": 5, "within": "90d"} holds
// when, counting the matching events in the window, per ≥ min_base and
// at_least ≤ of / per ≤ at_most.

// rate reads a rate block's pair and its options at_least, at_most (at
// least one of them, numbers ≥ 0, at_least ≤ at_most) and min_base (a
// whole number ≥ 1). The window is read with every block's.
func (p *segParser) rate(path string, obj map[string]any, c *Condition) {
	c.Rate = p.ratePair(path+".rate", obj["rate"])
	bound := func(key string) *float64 {
		v, ok := obj[key]
		if !ok {
			return nil
		}
		f, ok := p.number(path+"."+key, v)
		if !ok {
			return nil
		}
		if f < 0 {
			p.bad(path+"."+key, "%v is not a rate (want a number ≥ 0, such as 0.3 for 30%%)", f)
			return nil
		}
		return &f
	}
	c.AtLeast, c.AtMost = bound("at_least"), bound("at_most")
	_, hasMin := obj["at_least"]
	_, hasMax := obj["at_most"]
	if !hasMin && !hasMax {
		p.bad(path, "rate needs at_least or at_most")
	}
	if c.AtLeast != nil && c.AtMost != nil && *c.AtLeast > *c.AtMost {
		p.bad(path+".at_most", "%v is below at_least %v", *c.AtMost, *c.AtLeast)
	}
	if v, ok := obj["min_base"]; ok {
		before := len(p.problems)
		n := p.count(path+".min_base", v)
		if len(p.problems) > before {
			return
		}
		if n < 1 {
			p.bad(path+".min_base", "%d is not a base (want a whole number of per events from 1)", n)
			return
		}
		c.MinBase = &n
	}
}

// ratePair reads {"of": Match, "per": Match}.
func (p *segParser) ratePair(path string, v any) *RatePair {
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want {\"of\": ..., \"per\": ...}")
		return &RatePair{}
	}
	for _, k := range sortedKeys(obj) {
		if k != "of" && k != "per" {
			p.bad(path+"."+k, "unknown key (want of, per)")
		}
	}
	return &RatePair{Of: p.match(path+".of", obj["of"]), Per: p.match(path+".per", obj["per"])}
}
