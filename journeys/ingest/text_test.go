package ingest

import "testing"

func TestCheckJSONText(t *testing.T) {
	tests := []struct {
		name, raw, field string // field "" when the text is fine
	}{
		{"plain", `{"a":"b","c":[1,"d"]}`, ""},
		{"escaped pair", `{"a":"\ud83d\ude00"}`, ""},
		{"escaped backslash then u", `{"a":"\\udc00"}`, ""},
		{"raw bad byte in a value", "{\"a\":{\"b\":[\"x\",\"\xff\"]}}", "a.b[1]"},
		{"raw bad byte in a key", "{\"a\":{\"\xff\":1}}", "a"},
		{"lone low surrogate", `{"a":1,"b":"\udc00"}`, "b"},
		{"high surrogate without its pair", `{"a":"\ud800x"}`, "a"},
		{"high surrogate then another high", `{"a":"\ud800\ud800"}`, "a"},
		{"top-level string", `"\udc00"`, "item"},
		{"more values after the object", `{"a":{}}"0"0\ud800`, "item"},
		{"not JSON", "{\"a\":\"\xff", "item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := checkJSONText([]byte(tt.raw), "item")
			switch {
			case tt.field == "" && re != nil:
				t.Errorf("got %v, want no problem", re)
			case tt.field != "" && (re == nil || re.Field != tt.field):
				t.Errorf("got %v, want a problem at %s", re, tt.field)
			}
		})
	}
}
