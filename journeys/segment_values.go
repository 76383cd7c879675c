package journeys

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// The segment parser's readers of values: comparisons, names, lists,
// numbers and durations, each reporting problems at its JSON path.

// comparisons reads {field: value or {op: value}} against a whitelist, or
// a dynamic field (dynamic + a key such as "props.plan"), whose values may
// be text, numbers or booleans.
func (p *segParser) comparisons(path string, v any, fields map[string]string, dynamic string) map[string]Comparison {
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want an object of field comparisons")
		return nil
	}
	out := map[string]Comparison{}
	for _, k := range sortedKeys(obj) {
		at := path + "." + k
		kind, ok := fields[k]
		if _, dyn := dynamicField(k, dynamic); dyn && !ok {
			kind, ok = "any", true
		}
		if !ok {
			p.bad(at, "unknown field (want one of %s, or %sKEY with KEY a letter then up to 39 letters, digits or _)",
				strings.Join(sortedKeys(fields), ", "), dynamic)
			continue
		}
		c := Comparison{Op: "eq", Value: obj[k]}
		if m, isObj := obj[k].(map[string]any); isObj {
			if len(m) != 1 {
				p.bad(at, "want exactly one operator (eq, ne, in, gt, gte, lt, lte, prefix, contains)")
				continue
			}
			for op, x := range m {
				c = Comparison{Op: op, Value: x}
			}
		}
		if val, ok := p.comparison(at, c, kind); ok {
			c.Value = val
			out[k] = c
		}
	}
	return out
}

// comparison checks op and value against the field's kind and returns the
// value converted (json.Number to float64).
func (p *segParser) comparison(path string, c Comparison, kind string) (any, bool) {
	scalar := func(x any, at string) (any, bool) {
		if kind == "any" {
			switch x.(type) {
			case json.Number:
				f, ok := p.number(at, x)
				return f, ok
			case bool:
				return x, true
			case string:
			default:
				p.bad(at, "want a string, number or boolean")
				return nil, false
			}
		}
		if kind == "number" {
			f, ok := p.number(at, x)
			return f, ok
		}
		s, ok := x.(string)
		if !ok {
			p.bad(at, "want a string")
			return nil, false
		}
		if len(s) > maxSegmentString {
			p.bad(at, "longer than %d bytes", maxSegmentString)
			return nil, false
		}
		return s, true
	}
	switch c.Op {
	case "eq", "ne":
		return scalar(c.Value, path)
	case "in":
		list := p.list(path+".in", c.Value, 1, maxSegmentList)
		out := make([]any, 0, len(list))
		for i, x := range list {
			v, ok := scalar(x, fmt.Sprintf("%s.in[%d]", path, i))
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, len(list) > 0
	case "gt", "gte", "lt", "lte":
		if kind == "any" {
			f, ok := p.number(path+"."+c.Op, c.Value)
			return f, ok
		}
		if kind != "number" {
			p.bad(path+"."+c.Op, "only for numeric fields")
			return nil, false
		}
		return scalar(c.Value, path+"."+c.Op)
	case "prefix", "contains":
		if kind == "any" {
			kind = "string"
		}
		if kind != "string" {
			p.bad(path+"."+c.Op, "only for text fields")
			return nil, false
		}
		return scalar(c.Value, path+"."+c.Op)
	}
	p.bad(path, "%s is not an operator (want eq, ne, in, gt, gte, lt, lte, prefix, contains)", Quote(c.Op))
	return nil, false
}

func (p *segParser) str(path string, v any) string {
	s, ok := v.(string)
	if !ok {
		p.bad(path, "want a string")
	}
	return s
}

// name reads a step, event name or state label: non-empty, short.
func (p *segParser) name(path string, v any) string {
	s, ok := v.(string)
	switch {
	case !ok:
		p.bad(path, "want a string")
	case strings.TrimSpace(s) == "":
		p.bad(path, "empty")
	case len(s) > maxSegmentString:
		p.bad(path, "longer than %d bytes", maxSegmentString)
	}
	return s
}

func (p *segParser) list(path string, v any, min, max int) []any {
	l, ok := v.([]any)
	if !ok {
		p.bad(path, "want a list")
		return nil
	}
	if len(l) < min || len(l) > max {
		p.bad(path, "want %d to %d items, got %d", min, max, len(l))
		if len(l) > max {
			return l[:max]
		}
	}
	return l
}

func (p *segParser) number(path string, v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		p.bad(path, "want a number")
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e15 {
		p.bad(path, "%s is not a number within ±1e15", Quote(n.String()))
		return 0, false
	}
	return f, true
}

// count reads a whole number from 0 to maxSegmentCount.
func (p *segParser) count(path string, v any) int64 {
	f, ok := p.number(path, v)
	if !ok {
		return 0
	}
	if f != math.Trunc(f) || f < 0 || f > maxSegmentCount {
		p.bad(path, "%v is not a whole number from 0 to %d", f, int64(maxSegmentCount))
		return 0
	}
	return int64(f)
}

func (p *segParser) durationOpt(path string, obj map[string]any, key string) *Duration {
	v, ok := obj[key]
	if !ok {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		p.bad(path, "want a duration such as \"7d\", \"12h\" or \"30m\"")
		return nil
	}
	d, err := ParseDuration(s)
	if err != nil {
		p.bad(path, "%s is not a duration (want 7d, 12h, 30m...)", Quote(s))
		return nil
	}
	if d <= 0 || time.Duration(d) > maxSegmentWindow {
		p.bad(path, "%s is not between 1ms and 20 years", Quote(s))
		return nil
	}
	return &d
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
