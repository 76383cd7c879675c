package inmem

import (
	"cmp"
	"math"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// Comparisons of segments, with Cypher's semantics (graph renders them as
// v.field op $value): a missing property makes any comparison unknown
// (null), ne included; values of different types are never equal (so
// ne holds), cannot be ordered (unknown), and prefix/contains want text
// on both sides (else unknown); integers and floats compare as numbers
// (an integer as a float64, as Neo4j does); x IN list is false for an
// empty list, unknown for a missing x, true when an element equals x, and
// otherwise unknown if the list holds a null, else false.

// tri is a truth value of Cypher's three-valued logic. A person is a
// member only when the whole predicate is true: a comparison with a
// missing person property is unknown, and so is its negation.
type tri uint8

const (
	fls tri = iota
	tru
	unk
)

func triOf(b bool) tri {
	if b {
		return tru
	}
	return fls
}

// not, and, or are Kleene's.
func (t tri) not() tri {
	switch t {
	case tru:
		return fls
	case fls:
		return tru
	}
	return unk
}

// noID is the interned id of a string the interner does not hold: equal to
// no stored string.
const noID = ^uint32(0)

// operand kinds beyond the stored ones.
const (
	propNull propKind = 0   // a missing property, or a null value
	propList propKind = 100 // a list value (of an in)
)

// val is one side of a comparison: a stored value (cachedProp's encoding;
// kind propNull when missing) or, for the value side, also its text and
// list.
type val struct {
	kind propKind
	bits uint64 // propString: interned id (noID if not interned); else as in cachedProp
	str  string // propString, value side only
	list []val  // propList
}

func propVal(p cachedProp) val { return val{kind: p.kind, bits: p.bits} }

// strVal is an interned string field (0: none).
func strVal(id uint32) val {
	if id == 0 {
		return val{}
	}
	return val{kind: propString, bits: uint64(id)}
}

// num returns a numeric val as a float64 (Neo4j compares an integer with
// a float as a float64).
func (v val) num() float64 {
	if v.kind == propInt {
		return float64(int64(v.bits))
	}
	return math.Float64frombits(v.bits)
}

func (v val) numeric() bool { return v.kind == propInt || v.kind == propFloat }

// operandOf converts a Pred's value, resolving text to interned ids with
// id. ok is false for a type the store cannot hold.
func operandOf(x any, id func(string) uint32) (val, bool) {
	switch v := x.(type) {
	case nil:
		return val{}, true
	case string:
		return val{kind: propString, bits: uint64(id(v)), str: v}, true
	case float64:
		return val{kind: propFloat, bits: math.Float64bits(v)}, true
	case float32:
		return val{kind: propFloat, bits: math.Float64bits(float64(v))}, true
	case int64:
		return val{kind: propInt, bits: uint64(v)}, true
	case int:
		return val{kind: propInt, bits: uint64(int64(v))}, true
	case bool:
		b := val{kind: propBool}
		if v {
			b.bits = 1
		}
		return b, true
	case []string:
		l := val{kind: propList, list: make([]val, len(v))}
		for i, s := range v {
			l.list[i], _ = operandOf(s, id)
		}
		return l, true
	case []any:
		l := val{kind: propList, list: make([]val, len(v))}
		for i, e := range v {
			var ok bool
			if l.list[i], ok = operandOf(e, id); !ok {
				return val{}, false
			}
		}
		return l, true
	}
	return val{}, false
}

// equal is Cypher's = on two non-null values: tru, fls, or unk when lists
// holding nulls are compared.
func equal(l, r val) tri {
	switch {
	case l.numeric() && r.numeric():
		if l.kind == propInt && r.kind == propInt {
			return triOf(l.bits == r.bits)
		}
		return triOf(l.num() == r.num())
	case l.kind != r.kind:
		return fls
	case l.kind == propList:
		if len(l.list) != len(r.list) {
			return fls
		}
		out := tru
		for i := range l.list {
			if l.list[i].kind == propNull || r.list[i].kind == propNull {
				out = unk
				continue
			}
			if equal(l.list[i], r.list[i]) == fls {
				return fls
			}
		}
		return out
	}
	return triOf(l.bits == r.bits) // strings by interned id, booleans
}

// comparison is one compiled FieldComparison: its operator and value.
type comparison struct {
	op  string
	val val
}

// test compares l (a stored value, propNull when missing) with the value;
// strs gives l's text.
func (c *comparison) test(l val, strs []string) tri {
	r := c.val
	if c.op == "in" {
		return in(l, r)
	}
	if l.kind == propNull || r.kind == propNull {
		return unk
	}
	switch c.op {
	case "eq":
		return equal(l, r)
	case "ne":
		return equal(l, r).not()
	case "prefix", "contains":
		if l.kind != propString || r.kind != propString {
			return unk
		}
		if c.op == "prefix" {
			return triOf(strings.HasPrefix(strs[l.bits], r.str))
		}
		return triOf(strings.Contains(strs[l.bits], r.str))
	}
	var o int
	switch {
	case l.numeric() && r.numeric():
		a, b := l.num(), r.num()
		if l.kind == propInt && r.kind == propInt {
			o = cmp.Compare(int64(l.bits), int64(r.bits))
		} else if math.IsNaN(a) || math.IsNaN(b) {
			return fls
		} else {
			o = cmp.Compare(a, b)
		}
	case l.kind == propString && r.kind == propString:
		o = strings.Compare(strs[l.bits], r.str)
	case l.kind == propBool && r.kind == propBool:
		o = cmp.Compare(l.bits, r.bits)
	default:
		return unk
	}
	switch c.op {
	case "gt":
		return triOf(o > 0)
	case "gte":
		return triOf(o >= 0)
	case "lt":
		return triOf(o < 0)
	}
	return triOf(o <= 0) // lte
}

// in is Cypher's l IN r.
func in(l, r val) tri {
	if len(r.list) == 0 {
		return fls
	}
	if l.kind == propNull {
		return unk
	}
	out := fls
	for _, e := range r.list {
		if e.kind == propNull {
			out = unk
			continue
		}
		switch equal(l, e) {
		case tru:
			return tru
		case unk:
			out = unk
		}
	}
	return out
}

// compareOps are the operators a comparison may use (graph's whitelist).
var compareOps = map[string]bool{"eq": true, "ne": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"in": true, "prefix": true, "contains": true}

// newComparison checks the operator and converts the value.
func newComparison(c journeys.FieldComparison, id func(string) uint32) (comparison, error) {
	if !compareOps[c.Op] {
		return comparison{}, journeys.Errorf(journeys.EINVALID, "segment: unknown operator %q", c.Op)
	}
	v, ok := operandOf(c.Value, id)
	if !ok {
		return comparison{}, journeys.Errorf(journeys.EINVALID, "segment: %s: cannot compare with a %T", c.Field, c.Value)
	}
	if c.Op == "in" && v.kind != propList {
		return comparison{}, journeys.Errorf(journeys.EINVALID, "segment: %s: in wants a list", c.Field)
	}
	return comparison{op: c.Op, val: v}, nil
}
