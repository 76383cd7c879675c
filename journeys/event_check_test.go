package journeys

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCheckEvent(t *testing.T) {
	ok := Event{ID: "m1", Type: TypeTrack, Person: "u1", Name: "purchase", Time: time.Unix(1714557600, 0).UTC(),
		URL: "https://shop.example/p/1", Value: 9.5, Properties: map[string]any{"sku": "X1", "qty": int64(2), "tags": []any{"a", 1.5}}}
	tests := []struct {
		name  string
		edit  func(e *Event)
		field string // "" when the event is fine
		want  string // fragment of the problem
	}{
		{"fine", func(e *Event) {}, "", ""},
		{"person at the limit", func(e *Event) { e.Person = strings.Repeat("p", 200) }, "", ""},
		{"person too long", func(e *Event) { e.Person = strings.Repeat("p", 201) }, "person", "is 201 bytes (max 200)"},
		{"message id of 8 KB", func(e *Event) { e.ID = strings.Repeat("m", 8<<10) }, "id", "is 8192 bytes (max 200)"},
		{"name of 64 KB", func(e *Event) { e.Name = strings.Repeat("n", 64<<10) }, "name", "is 65536 bytes (max 200)"},
		{"previous id too long", func(e *Event) { e.PreviousID = strings.Repeat("a", 300) }, "previous_id", "is 300 bytes"},
		{"url too long", func(e *Event) { e.URL = strings.Repeat("u", 5000) }, "url", "is 5000 bytes (max 4096)"},
		{"person not UTF-8", func(e *Event) { e.Person = "u\xff1" }, "person", "is not valid UTF-8"},
		{"channel not UTF-8", func(e *Event) { e.Channel = "\xc3" }, "channel", "is not valid UTF-8"},
		{"control character in person", func(e *Event) { e.Person = "u\x001" }, "person", "control character (U+0000)"},
		{"newline in name", func(e *Event) { e.Name = "buy\nnow" }, "name", "control character (U+000A)"},
		{"C1 control in id", func(e *Event) { e.ID = "m\u00851" }, "id", "control character (U+0085)"},
		{"tab in a url is allowed", func(e *Event) { e.URL = "a\tb" }, "", ""},
		{"NaN value", func(e *Event) { e.Value = math.NaN() }, "value", "NaN is not a finite number"},
		{"infinite value", func(e *Event) { e.Value = math.Inf(-1) }, "value", "-Inf is not a finite number"},
		{"NaN property", func(e *Event) { e.Properties["score"] = math.NaN() }, "properties.score", "not a finite number"},
		{"Inf deep in a property", func(e *Event) {
			e.Properties["items"] = []any{map[string]any{"price": 1.0}, map[string]any{"price": math.Inf(1)}}
		}, "properties.items[1].price", "+Inf is not a finite number"},
		{"property string not UTF-8", func(e *Event) { e.Properties["note"] = "\xfe" }, "properties.note", "is not valid UTF-8"},
		{"property key not UTF-8", func(e *Event) { e.Properties["\xfe"] = "x" }, "properties", "key that is not valid UTF-8"},
		{"properties too large", func(e *Event) { e.Properties["blob"] = strings.Repeat("x", 33<<10) }, "properties", "bytes as JSON (max 32768)"},
		{"a long key is cut in the field", func(e *Event) { e.Properties[strings.Repeat("k", 100)] = math.NaN() },
			"properties." + strings.Repeat("k", 40) + "...", "not a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			e.Properties = map[string]any{}
			for k, v := range ok.Properties {
				e.Properties[k] = v
			}
			tt.edit(&e)
			re := Limits{}.CheckEvent(&e)
			switch {
			case tt.field == "" && re != nil:
				t.Fatalf("got %v, want no problem", re)
			case tt.field == "":
			case re == nil:
				t.Fatalf("got no problem, want %s: %s", tt.field, tt.want)
			case re.Field != tt.field || !strings.Contains(re.Problem, tt.want):
				t.Fatalf("got %s: %s, want %s: ...%s...", re.Field, re.Problem, tt.field, tt.want)
			}
		})
	}
}

func TestRejectionsAreBounded(t *testing.T) {
	var r Rejections
	for i := range MaxListedRows + 50 {
		r.Add(RowError{Row: i, Field: "item", Problem: "bad"})
	}
	if len(r.Rows) != MaxListedRows || r.Total != MaxListedRows+50 || !r.Truncated() {
		t.Errorf("listed %d of %d (truncated %v), want %d of %d", len(r.Rows), r.Total, r.Truncated(), MaxListedRows, MaxListedRows+50)
	}
	if r.Rows[MaxListedRows-1].Row != MaxListedRows-1 {
		t.Errorf("the first rows are not the ones listed")
	}
}
