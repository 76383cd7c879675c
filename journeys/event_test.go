package journeys

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		name string
		in   string
		want time.Time
	}{
		{"rfc3339 utc", "2019-10-01T00:00:05Z", utc(2019, 10, 1, 0, 0, 5, 0)},
		{"rfc3339 fraction", "2019-10-01T00:00:05.123456Z", utc(2019, 10, 1, 0, 0, 5, 123456000)},
		{"rfc3339 offset", "2011-10-01T00:38:44.546+02:00", utc(2011, 9, 30, 22, 38, 44, 546000000)},
		{"space utc suffix", "2019-10-01 00:00:01 UTC", utc(2019, 10, 1, 0, 0, 1, 0)},
		{"space no zone", "2019-10-01 13:14:15", utc(2019, 10, 1, 13, 14, 15, 0)},
		{"space with offset", "2019-10-01 13:14:15+01:00", utc(2019, 10, 1, 12, 14, 15, 0)},
		{"T no zone", "2019-10-01T13:14:15", utc(2019, 10, 1, 13, 14, 15, 0)},
		{"surrounding spaces", "  2019-10-01T00:00:05Z ", utc(2019, 10, 1, 0, 0, 5, 0)},
		{"epoch seconds", "1511544070", utc(2017, 11, 24, 17, 21, 10, 0)},
		{"epoch seconds fraction", "1511544070.25", utc(2017, 11, 24, 17, 21, 10, 250000000)},
		{"epoch milliseconds", "1511544070123", utc(2017, 11, 24, 17, 21, 10, 123000000)},
		{"epoch milliseconds fraction", "1511544070123.5", utc(2017, 11, 24, 17, 21, 10, 123500000)},
		{"epoch microseconds", "1511544070123456", utc(2017, 11, 24, 17, 21, 10, 123456000)},
		{"epoch nanoseconds", "1511544070123456789", utc(2017, 11, 24, 17, 21, 10, 123456789)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, want %v (UTC)", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTimeBad(t *testing.T) {
	for _, in := range []string{"", "2019-13-01", "2019-10-01", "yesterday", "1511544070.x", "-5",
		"15115440701234567890123", "2019-10-01 00:00:00 PST", "1e9", "0x10"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseTime(in)
			if err == nil {
				t.Fatalf("ParseTime(%q) = %v, want an error", in, got)
			}
			if code := ErrorCode(err); code != EINVALID {
				t.Errorf("ErrorCode = %q, want %q", code, EINVALID)
			}
			want := fmt.Sprintf("%q is not a time (want RFC 3339 or epoch seconds/milliseconds)", strings.TrimSpace(in))
			if got := err.Error(); got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
		})
	}
}

func TestEventID(t *testing.T) {
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	base := EventID("u1", "add_to_cart", ts, map[string]any{"sku": "X1", "qty": int64(2), "opts": map[string]any{"b": 1, "a": 2}})
	if len(base) != 32 || strings.Trim(base, "0123456789abcdef") != "" {
		t.Fatalf("EventID = %q, want 32 lower-case hex characters", base)
	}
	tests := []struct {
		name string
		id   string
		same bool
	}{
		{"same input", EventID("u1", "add_to_cart", ts, map[string]any{"sku": "X1", "qty": int64(2), "opts": map[string]any{"b": 1, "a": 2}}), true},
		{"key order irrelevant", EventID("u1", "add_to_cart", ts, map[string]any{"opts": map[string]any{"a": 2, "b": 1}, "qty": 2.0, "sku": "X1"}), true},
		{"same millisecond, other zone", EventID("u1", "add_to_cart", ts.In(time.FixedZone("x", 3600)).Add(400*time.Microsecond), map[string]any{"sku": "X1", "qty": 2, "opts": map[string]any{"a": 2, "b": 1}}), true},
		{"other person", EventID("u2", "add_to_cart", ts, map[string]any{"sku": "X1", "qty": 2, "opts": map[string]any{"a": 2, "b": 1}}), false},
		{"other name", EventID("u1", "purchase", ts, map[string]any{"sku": "X1", "qty": 2, "opts": map[string]any{"a": 2, "b": 1}}), false},
		{"other millisecond", EventID("u1", "add_to_cart", ts.Add(time.Millisecond), map[string]any{"sku": "X1", "qty": 2, "opts": map[string]any{"a": 2, "b": 1}}), false},
		{"other property", EventID("u1", "add_to_cart", ts, map[string]any{"sku": "X2", "qty": 2, "opts": map[string]any{"a": 2, "b": 1}}), false},
		{"nested property", EventID("u1", "add_to_cart", ts, map[string]any{"sku": "X1", "qty": 2, "opts": map[string]any{"a": 3, "b": 1}}), false},
		{"no properties", EventID("u1", "add_to_cart", ts, nil), false},
		{"person/name boundary", EventID("u1a", "dd_to_cart", ts, map[string]any{"sku": "X1", "qty": 2, "opts": map[string]any{"a": 2, "b": 1}}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.id == base; got != tt.same {
				t.Errorf("id %s == base %s: got %v, want %v", tt.id, base, got, tt.same)
			}
		})
	}
	if got, want := EventID("u", "e", ts, nil), EventID("u", "e", ts, map[string]any{}); got != want {
		t.Errorf("nil and empty properties: got %s, want %s", got, want)
	}
	// A fixed value guards against accidental changes of the hash: stored
	// ids would no longer match re-sent events.
	if got, want := EventID("u1", "page_view", ts, map[string]any{"a": "b"}), "fd361e71bd953af017c4c210c89686f8"; got != want {
		t.Errorf("EventID golden: got %s, want %s", got, want)
	}
}

func TestErrors(t *testing.T) {
	wrapped := fmt.Errorf("append events: %w", Errorf(ECONFLICT, "alias %s already merged", "a1"))
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"nil", nil, "", ""},
		{"plain error", errors.New("boom"), EINTERNAL, "Internal error."},
		{"*Error", Errorf(ENOTFOUND, "person %q not found", "p1"), ENOTFOUND, `person "p1" not found`},
		{"wrapped", wrapped, ECONFLICT, "alias a1 already merged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
			if got := ErrorMessage(tt.err); got != tt.msg {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.msg)
			}
		})
	}
	e := &Error{Code: EINVALID, Message: "2 rows rejected", Details: []RowError{
		{Row: 3, Field: "timestamp", Problem: "missing"}, {Row: 5, Field: "user_id", Problem: "missing"}}}
	if got, want := e.Error(), "2 rows rejected"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (RowError{Field: "item", Problem: "malformed"}).Error(), "item: malformed"; got != want {
		t.Errorf("RowError.Error() = %q, want %q", got, want)
	}
}

func TestLimitsDefaults(t *testing.T) {
	got, want := Limits{}.WithDefaults(), DefaultLimits()
	if got != want {
		t.Errorf("Limits{}.withDefaults() = %+v, want %+v", got, want)
	}
	if want.MaxFuture != 24*time.Hour || want.MaxRowBytes != 64<<10 || !want.MinTime.Equal(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DefaultLimits() = %+v", want)
	}
}
