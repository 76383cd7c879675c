package journeys

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// CheckEvent returns the first problem of e under lim (zero fields take
// their defaults), or nil when e may be stored:
//
//   - the ids (person, id, previous_id) and the name: at most MaxIDBytes
//     and MaxNameBytes, valid UTF-8, no control character;
//   - channel, campaign, device, url, session, product: at most
//     MaxFieldBytes, valid UTF-8;
//   - value and every number in the properties: finite (no NaN, no
//     ±Inf), every string and key of the properties valid UTF-8, and the
//     properties at most MaxPropsBytes as JSON.
//
// The RowError's Field is the Event field's JSON name ("person", "name",
// "value"), or "properties." and the path of a property at fault
// ("properties.items[2].price"); the parsers rename it to the field as the
// sender spelt it. Row is unset.
func (lim Limits) CheckEvent(e *Event) *RowError {
	lim = lim.WithDefaults()
	for _, f := range [...]struct {
		field, v string
		max      int
		id       bool
	}{
		{"person", e.Person, lim.MaxIDBytes, true}, {"id", e.ID, lim.MaxIDBytes, true},
		{"previous_id", e.PreviousID, lim.MaxIDBytes, true}, {"name", e.Name, lim.MaxNameBytes, true},
		{"channel", e.Channel, lim.MaxFieldBytes, false}, {"campaign", e.Campaign, lim.MaxFieldBytes, false},
		{"device", e.Device, lim.MaxFieldBytes, false}, {"url", e.URL, lim.MaxFieldBytes, false},
		{"session", e.Session, lim.MaxFieldBytes, false}, {"product", e.Product, lim.MaxFieldBytes, false},
	} {
		if p := CheckText(f.v, f.max, f.id); p != "" {
			re := RowErrorf(f.field, "%s", p)
			return &re
		}
	}
	if !IsFinite(e.Value) {
		re := RowErrorf("value", "%v is not a finite number", e.Value)
		return &re
	}
	if len(e.Properties) == 0 {
		return nil
	}
	if re := checkValue("properties", e.Properties); re != nil {
		return re
	}
	b, err := json.Marshal(e.Properties)
	if err != nil {
		re := RowErrorf("properties", "cannot be written as JSON: %v", err)
		return &re
	}
	if len(b) > lim.MaxPropsBytes {
		re := RowErrorf("properties", "are %d bytes as JSON (max %d)", len(b), lim.MaxPropsBytes)
		return &re
	}
	return nil
}

// CheckText returns the problem of a text field, "" when it has none: longer
// than max bytes, not valid UTF-8 or, for an id (id set), holding a control
// character.
func CheckText(s string, max int, id bool) string {
	if len(s) > max {
		return fmt.Sprintf("is %d bytes (max %d)", len(s), max)
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if id {
		for _, r := range s {
			if unicode.IsControl(r) {
				return fmt.Sprintf("holds a control character (U+%04X)", r)
			}
		}
	}
	return ""
}

// IsFinite reports whether f is neither NaN nor ±Inf.
func IsFinite(f float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// checkValue checks a decoded property value at path: numbers finite,
// strings and keys valid UTF-8. Keys are visited in order, so the problem
// reported is always the same one.
func checkValue(path string, v any) *RowError {
	bad := func(format string, args ...any) *RowError {
		field := path
		if len(field) > 200 { // deep nesting: keep the answer small
			field = field[:200] + "..."
		}
		re := RowErrorf(field, format, args...)
		return &re
	}
	switch v := v.(type) {
	case float64:
		if !IsFinite(v) {
			return bad("%v is not a finite number", v)
		}
	case float32:
		if !IsFinite(float64(v)) {
			return bad("%v is not a finite number", v)
		}
	case json.Number:
		if f, err := v.Float64(); err != nil || !IsFinite(f) {
			return bad("%s is not a finite number", Quote(v.String()))
		}
	case string:
		if !utf8.ValidString(v) {
			return bad("is not valid UTF-8")
		}
	case []any:
		for i, x := range v {
			if re := checkValue(path+"["+strconv.Itoa(i)+"]", x); re != nil {
				return re
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !utf8.ValidString(k) {
				return bad("holds a key that is not valid UTF-8")
			}
			if re := checkValue(path+"."+PathKey(k), v[k]); re != nil {
				return re
			}
		}
	}
	return nil
}

// PathKey is a property key as a field path names it ("properties.k"):
// cut to 40 bytes, so that a hostile key cannot make an error answer large.
func PathKey(k string) string {
	if len(k) <= 40 {
		return k
	}
	return k[:40] + "..."
}
