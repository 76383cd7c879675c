package ingest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

var testNow = time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)

func TestParseBatchShapes(t *testing.T) {
	item := `{"type":"track","messageId":"m1","userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:00Z"}`
	item2 := `{"messageId":"m2","anonymousId":"a1","event":"page_view","timestamp":1714557600}`
	tests := []struct {
		name string
		body string
		ids  []string
	}{
		{"array", "[" + item + "," + item2 + "]", []string{"m1", "m2"}},
		{"batch object", `{"batch":[` + item + "," + item2 + `],"sentAt":"2024-05-01T10:00:01Z"}`, []string{"m1", "m2"}},
		{"single object", item, []string{"m1"}},
		{"surrounding whitespace", "\n  [" + item + "]\n", []string{"m1"}},
		{"empty array", "[]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, rejected, err := ParseBatch([]byte(tt.body), testNow, journeys.Limits{})
			if err != nil || rejected.Total > 0 {
				t.Fatalf("ParseBatch: rejected %v, err %v", rejected, err)
			}
			var got []string
			for _, e := range events {
				got = append(got, e.ID)
			}
			if !reflect.DeepEqual(got, tt.ids) {
				t.Errorf("ids = %v, want %v", got, tt.ids)
			}
		})
	}
}

func TestParseBatchBadBody(t *testing.T) {
	for name, body := range map[string]string{
		"empty":          "",
		"truncated":      `[{"userId":"u1"`,
		"not json":       "userId=u1",
		"scalar":         "42",
		"batch not list": `{"batch": {"userId":"u1"}}`,
		"trailing junk":  `[] x`,
	} {
		t.Run(name, func(t *testing.T) {
			events, rejected, err := ParseBatch([]byte(body), testNow, journeys.Limits{})
			if got := journeys.ErrorCode(err); got != journeys.EINVALID {
				t.Fatalf("ErrorCode = %q (err %v), want %q", got, err, journeys.EINVALID)
			}
			if events != nil || rejected.Total != 0 {
				t.Errorf("got %d events, %d rejected, want none", len(events), rejected.Total)
			}
		})
	}
}

func TestParseBatchRejections(t *testing.T) {
	good := `{"messageId":"ok","userId":"u1","event":"signup","timestamp":"2024-05-01T10:00:00Z"}`
	tests := []struct {
		name, item, field, problem string
	}{
		{"not an object", `"hello"`, "item", "want a JSON object, got a string"},
		{"missing person", `{"event":"signup","timestamp":"2024-05-01T10:00:00Z"}`, "userId", "missing (want userId or anonymousId)"},
		{"person not a string", `{"userId":true,"event":"signup","timestamp":"2024-05-01T10:00:00Z"}`, "userId", "want a string, got a boolean"},
		{"missing timestamp", `{"userId":"u1","event":"signup"}`, "timestamp", "missing"},
		{"bad timestamp", `{"userId":"u1","event":"signup","timestamp":"2019-13-01"}`, "timestamp", `"2019-13-01" is not a time (want RFC 3339 or epoch seconds/milliseconds)`},
		{"far-future timestamp", `{"userId":"u1","event":"signup","timestamp":"2024-05-04T00:00:00Z"}`, "timestamp", "2024-05-04T00:00:00Z is more than 24h0m0s in the future"},
		{"too old timestamp", `{"userId":"u1","event":"signup","timestamp":"1989-12-31T23:59:59Z"}`, "timestamp", "1989-12-31T23:59:59Z is before 1990-01-01T00:00:00Z"},
		{"missing event name", `{"userId":"u1","timestamp":"2024-05-01T10:00:00Z"}`, "event", "missing (track needs an event name)"},
		{"blank event name", `{"userId":"u1","event":"  ","timestamp":"2024-05-01T10:00:00Z"}`, "event", "missing (track needs an event name)"},
		{"unknown type", `{"type":"group","userId":"u1","timestamp":"2024-05-01T10:00:00Z"}`, "type", `"group" is not a supported type (want track, page, screen, identify or alias)`},
		{"alias without previousId", `{"type":"alias","userId":"u1","timestamp":"2024-05-01T10:00:00Z"}`, "previousId", "missing (alias needs userId and previousId)"},
		{"properties not an object", `{"userId":"u1","event":"x","properties":[1],"timestamp":"2024-05-01T10:00:00Z"}`, "properties", "want an object, got an array"},
		{"oversize item", `{"userId":"u1","event":"x","timestamp":"2024-05-01T10:00:00Z","properties":{"blob":"` + strings.Repeat("x", 300) + `"}}`, "item", "is 387 bytes (max 256)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "[" + good + "," + tt.item + "," + good + "]"
			events, rejected, err := ParseBatch([]byte(body), testNow, journeys.Limits{MaxRowBytes: 256})
			if err != nil {
				t.Fatalf("ParseBatch: %v", err)
			}
			if len(events) != 2 {
				t.Errorf("got %d good events, want 2 kept alongside the bad one", len(events))
			}
			want := []journeys.RowError{{Row: 1, Field: tt.field, Problem: tt.problem}}
			if !reflect.DeepEqual(rejected.Rows, want) || rejected.Total != 1 {
				t.Errorf("rejected = %#v, want %#v", rejected, want)
			}
		})
	}
}

func TestParseItem(t *testing.T) {
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		item string
		want journeys.Event
	}{
		{"track with context",
			`{"type":"track","messageId":"m1","userId":"u1","anonymousId":"a1","event":"Order Completed",
			  "timestamp":"2024-05-01T10:00:00Z","properties":{"revenue":"42.50","order_id":"o1","qty":2,"ratio":0.5},
			  "context":{"device":{"type":"mobile"},"page":{"url":"https://shop.example/checkout"},
			             "campaign":{"name":"spring","source":"newsletter","medium":"email"},"session_id":"s9"}}`,
			journeys.Event{ID: "m1", Type: "track", Person: "u1", PreviousID: "a1", Name: "Order Completed", Time: ts,
				Channel: "email", Campaign: "spring", Device: "mobile", URL: "https://shop.example/checkout", Session: "s9",
				Value: 42.5, Properties: map[string]any{"order_id": "o1", "qty": int64(2), "ratio": 0.5}}},
		{"anonymous page",
			`{"type":"page","messageId":"m2","anonymousId":"a1","name":"Home","timestamp":"2024-05-01T10:00:00Z",
			  "properties":{"url":"https://shop.example/","channel":"seo","price":3}}`,
			journeys.Event{ID: "m2", Type: "page", Person: "a1", Anonymous: true, Name: "page_view", Time: ts,
				Channel: "seo", URL: "https://shop.example/", Value: 3, Properties: map[string]any{"name": "Home"}}},
		{"identify",
			`{"type":"identify","messageId":"m3","userId":"u1","anonymousId":"a1","timestamp":"2024-05-01T10:00:00Z","traits":{"plan":"pro"}}`,
			journeys.Event{ID: "m3", Type: "identify", Person: "u1", PreviousID: "a1", Name: "identify", Time: ts, Properties: map[string]any{"plan": "pro"}}},
		{"alias",
			`{"type":"alias","messageId":"m4","userId":"u1","previousId":"a1","timestamp":"2024-05-01T10:00:00Z"}`,
			journeys.Event{ID: "m4", Type: "alias", Person: "u1", PreviousID: "a1", Name: "alias", Time: ts}},
		{"numeric user id and epoch millis",
			`{"messageId":"m5","userId":1234,"event":"signup","timestamp":1714557600000}`,
			journeys.Event{ID: "m5", Type: "track", Person: "1234", Name: "signup", Time: ts}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseItem(json.RawMessage(tt.item), testNow, journeys.Limits{})
			if err != nil {
				t.Fatalf("ParseItem: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseItemHashedID(t *testing.T) {
	parse := func(item string) journeys.Event {
		t.Helper()
		e, err := ParseItem(json.RawMessage(item), testNow, journeys.Limits{})
		if err != nil {
			t.Fatalf("ParseItem(%s): %v", item, err)
		}
		return e
	}
	a := parse(`{"userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:00Z","properties":{"sku":"X1","price":9.5}}`)
	tests := []struct {
		name string
		item string
		same bool
	}{
		{"re-sent, keys reordered", `{"properties":{"price":9.5,"sku":"X1"},"timestamp":"2024-05-01T10:00:00.000Z","event":"add_to_cart","userId":"u1"}`, true},
		{"other price", `{"userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:00Z","properties":{"sku":"X1","price":9.6}}`, false},
		{"other channel", `{"userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:00Z","properties":{"sku":"X1","price":9.5},"context":{"channel":"email"}}`, false},
		{"other time", `{"userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:01Z","properties":{"sku":"X1","price":9.5}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := parse(tt.item)
			if got := a.ID == b.ID; got != tt.same {
				t.Errorf("ids %s and %s equal: got %v, want %v", a.ID, b.ID, got, tt.same)
			}
		})
	}
}

func ExampleParseBatch() {
	body := []byte(`{"batch": [
	  {"type": "track", "userId": "u1", "event": "add_to_cart", "timestamp": "2024-05-01T10:00:00Z",
	   "messageId": "m1", "properties": {"sku": "X1", "price": 9.5}, "context": {"channel": "email"}},
	  {"type": "page", "anonymousId": "a7", "timestamp": 1714557660, "messageId": "m2",
	   "properties": {"url": "https://shop.example/p/1"}},
	  {"type": "track", "userId": "u2", "event": "purchase", "timestamp": "2019-13-01"},
	  {"type": "track", "event": "purchase", "timestamp": "2024-05-01T10:00:00Z"}
	]}`)
	now := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	events, rejected, err := ParseBatch(body, now, journeys.DefaultLimits())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Println(e.ID, e.Type, e.Person, e.Anonymous, e.Name, e.Time.Format(time.RFC3339), e.Channel, e.URL, e.Product, e.Value, e.Properties)
	}
	for _, r := range rejected.Rows {
		fmt.Printf("item %d: %v\n", r.Row, r)
	}
	// Output:
	// m1 track u1 false add_to_cart 2024-05-01T10:00:00Z email  X1 9.5 map[]
	// m2 page a7 true page_view 2024-05-01T10:01:00Z  https://shop.example/p/1  0 map[]
	// item 2: timestamp: "2019-13-01" is not a time (want RFC 3339 or epoch seconds/milliseconds)
	// item 3: userId: missing (want userId or anonymousId)
}

// TestParseTyped parses single-call route bodies: the route's type fills a
// missing "type" only, a bad item is a rejected row and a body that is no
// object is an error.
func TestParseTyped(t *testing.T) {
	tests := []struct {
		name, body, typ string
		wantType        string // of the one event, "" when rejected or error
		wantRejected    string // field of the rejected row
		wantErr         bool
	}{
		{"type from the route", `{"userId":"u1","name":"Home","timestamp":"2024-05-01T10:00:00Z"}`, journeys.TypePage, journeys.TypePage, "", false},
		{"the item's own type wins", `{"type":"track","userId":"u1","event":"x","timestamp":"2024-05-01T10:00:00Z"}`, journeys.TypePage, journeys.TypeTrack, "", false},
		{"bad item is a row", `{"userId":"u1","timestamp":"2024-05-01T10:00:00Z"}`, journeys.TypeTrack, "", "event", false},
		{"array is not one object", `[{"userId":"u1"}]`, journeys.TypeTrack, "", "", true},
		{"empty", `  `, journeys.TypeTrack, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, rejected, err := ParseTyped([]byte(tt.body), tt.typ, testNow, journeys.Limits{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			var gotType, gotField string
			if len(events) == 1 {
				gotType = events[0].Type
			}
			if len(rejected.Rows) == 1 {
				gotField = rejected.Rows[0].Field
			}
			if gotType != tt.wantType || gotField != tt.wantRejected || len(events)+rejected.Total > 1 {
				t.Errorf("got %d events (type %q), rejected %v; want type %q, rejected field %q", len(events), gotType, rejected, tt.wantType, tt.wantRejected)
			}
		})
	}
}
