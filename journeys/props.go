package journeys

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// Event properties and person traits are stored whole as JSON, and their
// top-level scalar values also one by one, so that segments can compare
// them ("props.plan", "traits.country"). A key is stored one by one when it
// is a name (PropKeyRE); the stored property is the key with a prefix
// (PropPrefix, TraitPrefix), so it can never be mistaken for a built-in
// field.

// PropKeyRE is the form of a property or trait key that segments can
// compare: a letter, then letters, digits or underscores, at most 40.
var PropKeyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)

// Prefixes of stored properties and traits, and of their segment fields.
const (
	PropPrefix   = "prop_"  // Event node property of props key k: "prop_" + k
	TraitPrefix  = "trait_" // Person node property of trait key k
	PropsField   = "props." // segment field of an event property: "props." + k
	TraitsField  = "traits."
	maxFlatProps = 50 // keys stored one by one per event or person
)

// FlatProps returns the scalar values of props (strings of at most 200
// bytes, numbers, booleans) whose key is a name, keyed by prefix + key: at
// most 50, the first in key order. Other values stay in the JSON only.
func FlatProps(props map[string]any, prefix string) map[string]any {
	keys := make([]string, 0, len(props))
	for k := range props {
		if PropKeyRE.MatchString(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := map[string]any{}
	for _, k := range keys {
		if len(out) == maxFlatProps {
			break
		}
		switch v := props[k].(type) {
		case string:
			if len(v) <= maxSegmentString {
				out[prefix+k] = v
			}
		case float64, bool, int64:
			out[prefix+k] = v
		case int:
			out[prefix+k] = int64(v)
		case json.Number:
			if f, err := v.Float64(); err == nil {
				out[prefix+k] = f
			}
		}
	}
	return out
}

// dynamicField returns the key of a "props.k" or "traits.k" segment field
// (with field's prefix), and whether it is one.
func dynamicField(field, prefix string) (string, bool) {
	k, ok := strings.CutPrefix(field, prefix)
	return k, ok && PropKeyRE.MatchString(k)
}

// StoredProp returns the node property of a "props.k" or "traits.k"
// segment field, and whether field is one.
func StoredProp(field string) (string, bool) {
	if k, ok := dynamicField(field, PropsField); ok {
		return PropPrefix + k, true
	}
	if k, ok := dynamicField(field, TraitsField); ok {
		return TraitPrefix + k, true
	}
	return "", false
}

// MergeTraits returns the traits of a person who had traits as of an
// identify at time at (epoch ms) and is identified again with traits next
// at time nextAt: every key of both, a key of both taking the later
// identify's value (so an identify that arrives late fills in keys only).
// Neither map is changed.
func MergeTraits(traits map[string]any, at int64, next map[string]any, nextAt int64) map[string]any {
	older, newer := traits, next
	if nextAt < at {
		older, newer = next, traits
	}
	out := make(map[string]any, len(older)+len(newer))
	for k, v := range older {
		out[k] = v
	}
	for k, v := range newer {
		out[k] = v
	}
	return out
}
