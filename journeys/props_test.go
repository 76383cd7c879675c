package journeys

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestFlatProps(t *testing.T) {
	long := strings.Repeat("x", maxSegmentString+1)
	tests := []struct {
		name  string
		props map[string]any
		want  map[string]any
	}{
		{"scalars", map[string]any{"plan": "pro", "seats": int64(3), "price": 9.5, "trial": true},
			map[string]any{"prop_plan": "pro", "prop_seats": int64(3), "prop_price": 9.5, "prop_trial": true}},
		{"json numbers", map[string]any{"n": json.Number("2.5")}, map[string]any{"prop_n": 2.5}},
		{"not names", map[string]any{"a b": "x", "1st": "x", "é": "x", "a.b": "x", "ok_1": "y"}, map[string]any{"prop_ok_1": "y"}},
		{"nested and lists stay in the JSON", map[string]any{"m": map[string]any{"k": 1}, "l": []any{1}}, map[string]any{}},
		{"long text stays in the JSON", map[string]any{"t": long}, map[string]any{}},
		{"none", nil, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FlatProps(tt.props, PropPrefix); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FlatProps = %v, want %v", got, tt.want)
			}
		})
	}
	many := map[string]any{}
	for i := range 60 {
		many["k"+strings.Repeat("a", i%40)+string(rune('a'+i%26))] = i
	}
	if got := FlatProps(many, TraitPrefix); len(got) != maxFlatProps {
		t.Errorf("%d keys kept, want at most %d", len(got), maxFlatProps)
	}
}

func TestParseSegmentPropsAndTraits(t *testing.T) {
	tests := []struct {
		name, where string
		problem     string // "" when valid
	}{
		{"event property equals", `{"did": {"step": "purchase", "where": {"props.plan": "pro"}}}`, ""},
		{"event property compared", `{"did": {"step": "purchase", "where": {"props.seats": {"gte": 3}}}}`, ""},
		{"event property boolean", `{"did": {"step": "signup", "where": {"props.trial": true}}}`, ""},
		{"event property in", `{"did": {"step": "view", "where": {"props.color": {"in": ["red", 2]}}}}`, ""},
		{"trait prefix", `{"person": {"traits.email": {"contains": "@example.com"}}}`, ""},
		{"trait is no event field", `{"did": {"step": "view", "where": {"traits.plan": "pro"}}}`, "where.did.where.traits.plan: unknown field"},
		{"property is no person field", `{"person": {"props.plan": "pro"}}`, "where.person.props.plan: unknown field"},
		{"key not a name", `{"did": {"step": "view", "where": {"props.a b": "x"}}}`, "where.did.where.props.a b: unknown field"},
		{"key injection", `{"person": {"traits.x]) DETACH DELETE p //": "x"}}`, "unknown field"},
		{"gt wants a number", `{"person": {"traits.age": {"gt": "ten"}}}`, "where.person.traits.age.gt: want a number"},
		{"prefix wants text", `{"person": {"traits.age": {"prefix": 1}}}`, "where.person.traits.age.prefix: want a string"},
		{"objects are no values", `{"person": {"traits.age": {"eq": {"x": 1}}}}`, "where.person.traits.age: want a string, number or boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSegment([]byte(`{"name": "s", "where": ` + tt.where + `}`))
			switch {
			case tt.problem == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
				t.Errorf("error %v, want %q", err, tt.problem)
			}
		})
	}
}

func TestMergeTraits(t *testing.T) {
	old := map[string]any{"country": "FR", "email": "a@x.org"}
	tests := []struct {
		name   string
		next   map[string]any
		nextAt int64
		want   map[string]any
	}{
		{"later: adds and overrides", map[string]any{"country": "BE", "vip": true}, 20,
			map[string]any{"country": "BE", "email": "a@x.org", "vip": true}},
		{"same time: the new one wins", map[string]any{"country": "BE"}, 10,
			map[string]any{"country": "BE", "email": "a@x.org"}},
		{"earlier, arriving late: fills in only", map[string]any{"country": "DE", "plan": "pro"}, 5,
			map[string]any{"country": "FR", "email": "a@x.org", "plan": "pro"}},
		{"nothing new", nil, 20, map[string]any{"country": "FR", "email": "a@x.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MergeTraits(old, 10, tt.next, tt.nextAt)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if len(old) != 2 || old["country"] != "FR" {
				t.Errorf("the old traits changed: %v", old)
			}
		})
	}
	if got := MergeTraits(nil, 0, map[string]any{"a": 1.0}, 0); !reflect.DeepEqual(got, map[string]any{"a": 1.0}) {
		t.Errorf("first identify: %v", got)
	}
}
