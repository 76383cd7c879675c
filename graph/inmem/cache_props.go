package inmem

import "math"

// EventDetail is what segments compare on an event besides its Touch.
type EventDetail struct {
	Product string
	// Props are the event's stored scalar properties by node property
	// name (journeys.PropPrefix + key): string, float64, int64 or bool.
	Props map[string]any
}

// propKind is the type of a stored property's value.
type propKind uint8

// Kinds of property values (Neo4j's scalar types that the store keeps).
const (
	propString propKind = iota + 1
	propInt
	propFloat
	propBool
)

// cachedProp is one stored property of a person or an event: its
// interned name, and its value (an interned string id, an int64, the bits
// of a float64, or 0/1).
type cachedProp struct {
	key  uint32
	kind propKind
	bits uint64
}

// countProps returns at most how many properties j stores.
func countProps(j StoredJourney) int {
	n := len(j.Fields)
	for i := range j.Details {
		n += len(j.Details[i].Props)
	}
	return n
}

// appendProps interns the scalar values of m onto dst (in no particular
// order); other values are not kept.
func (c *Cache) appendProps(dst []cachedProp, m map[string]any) []cachedProp {
	for k, v := range m {
		p := cachedProp{key: c.strs.id(k)}
		switch x := v.(type) {
		case string:
			p.kind, p.bits = propString, uint64(c.strs.id(x))
		case int64:
			p.kind, p.bits = propInt, uint64(x)
		case int:
			p.kind, p.bits = propInt, uint64(int64(x))
		case float64:
			p.kind, p.bits = propFloat, math.Float64bits(x)
		case bool:
			p.kind = propBool
			if x {
				p.bits = 1
			}
		default:
			continue
		}
		dst = append(dst, p)
	}
	return dst
}

// personMeta is what segment seeds (filter) test on a person: the bits of
// their events' steps and names (stepBits), and the time of their first
// and last events (none: first > last). Snapshots keep it in an array
// beside the people, read in order without touching the people.
type personMeta struct {
	mask        uint64
	first, last int64
}

// metaOf returns the meta of p, giving bits to the ids new to t.
func metaOf(p *cachedPerson, t *stepBits) personMeta {
	m := personMeta{first: math.MaxInt64, last: math.MinInt64}
	if n := len(p.events); n > 0 {
		m.first, m.last = p.events[0].ts, p.events[n-1].ts
	}
	step, name := noID, noID // the ids seen last: repeats are common
	for k := range p.events {
		e := &p.events[k]
		if e.step != step {
			step = e.step
			m.mask |= t.add(step)
		}
		if e.name != name {
			name = e.name
			m.mask |= t.add(name)
		}
	}
	return m
}

// stepBits gives each step or name id a bit of the people's masks: the
// first 64 distinct ids each their own (steps are few, and the common ones
// come first), later ones a bit by hash, shared. A bit, once given, stays
// until the ids are renumbered (compact builds a new table).
type stepBits struct {
	bits map[uint32]uint64
}

// add returns the bit of id (none for 0, no step), giving it one if new.
func (t *stepBits) add(id uint32) uint64 {
	if id == 0 {
		return 0
	}
	if b, ok := t.bits[id]; ok {
		return b
	}
	if t.bits == nil {
		t.bits = map[uint32]uint64{}
	}
	b := uint64(1) << ((id * 0x9E3779B9) >> 26) // Fibonacci hashing
	if n := len(t.bits); n < 64 {
		b = 1 << n
	}
	t.bits[id] = b
	return b
}

// get returns the bit of id, and whether any person's step or name has
// been id.
func (t *stepBits) get(id uint32) (uint64, bool) {
	b, ok := t.bits[id]
	return b, ok
}

// eventProps returns the stored properties of event k of p.
func (p *cachedPerson) eventProps(k int) []cachedProp {
	start := p.attrs
	if k > 0 {
		start = p.events[k-1].props
	}
	return p.props[start:p.events[k].props]
}

// lookup returns the property named key (an interned id) among props.
func lookup(props []cachedProp, key uint32) (cachedProp, bool) {
	for _, p := range props {
		if p.key == key {
			return p, true
		}
	}
	return cachedProp{}, false
}
