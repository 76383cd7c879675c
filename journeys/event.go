package journeys

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Event types, as in Segment's spec. "screen" is accepted and treated like
// "page" (its name is "screen_view").
const (
	TypeTrack    = "track"
	TypePage     = "page"
	TypeScreen   = "screen"
	TypeIdentify = "identify"
	TypeAlias    = "alias"
)

// Names given to events that carry no event name of their own.
const (
	NamePageView   = "page_view"
	NameScreenView = "screen_view"
	NameIdentify   = "identify"
	NameAlias      = "alias"
)

// Event is one thing a person did, normalised.
//
// Properties hold the remaining properties as JSON-able values: string,
// float64, int64 (integral JSON numbers that fit), bool, nil, []any and
// map[string]any. File imports keep unmapped columns as strings (ids such as
// 2103807459595387724 do not survive a float64).
type Event struct {
	ID         string         `json:"id"`                    // sender's messageId, else EventID(...) stable hash
	Type       string         `json:"type"`                  // "track" (default), "page", "identify", "alias"
	Person     string         `json:"person"`                // userId, else anonymousId
	Anonymous  bool           `json:"anonymous,omitempty"`   // Person came from anonymousId
	PreviousID string         `json:"previous_id,omitempty"` // the anonymous id to merge into Person (identify, alias)
	Name       string         `json:"name"`                  // event name; page_view, identify, alias for those types
	Time       time.Time      `json:"time"`                  // UTC
	Step       string         `json:"step,omitempty"`        // filled by StepRules.Apply, "" before
	Channel    string         `json:"channel,omitempty"`
	Campaign   string         `json:"campaign,omitempty"`
	Device     string         `json:"device,omitempty"`
	URL        string         `json:"url,omitempty"`
	Session    string         `json:"session,omitempty"` // sender-supplied session id, if any
	Product    string         `json:"product,omitempty"` // the product (item, SKU) the event is about, if any
	Value      float64        `json:"value,omitempty"`   // revenue/price if given, else 0
	Properties map[string]any `json:"properties,omitempty"`
}

// EventID returns a stable identifier for an event that came without one: the
// first 32 hex characters of the SHA-256 of
//
//	len(person) ":" person "|" len(name) ":" name "|" t.UnixMilli() "|" json(props)
//
// (decimal numbers; json(props) is encoding/json's output, whose map keys are
// sorted; nil and empty maps are "{}"). Re-sending the same event yields the same id, so ingest
// stays idempotent.
func EventID(person, name string, t time.Time, props map[string]any) string {
	buf := make([]byte, 0, 128)
	buf = strconv.AppendInt(buf, int64(len(person)), 10)
	buf = append(append(append(buf, ':'), person...), '|')
	buf = strconv.AppendInt(buf, int64(len(name)), 10)
	buf = append(append(append(buf, ':'), name...), '|')
	buf = append(strconv.AppendInt(buf, t.UnixMilli(), 10), '|')
	if len(props) == 0 {
		buf = append(buf, "{}"...)
	} else if b, err := json.Marshal(props); err == nil {
		buf = append(buf, b...)
	} else {
		buf = fmt.Appendf(buf, "%v", props) // NaN and the like: fmt sorts map keys too
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// contentID returns the EventID of e's content: Properties plus the
// normalised fields (under "$"-prefixed keys), so that two events differing
// only in, say, revenue or channel stay distinct.
func (e *Event) ContentID() string {
	typ := e.Type
	if typ == TypeTrack {
		typ = ""
	}
	extra := [...]struct{ k, v string }{{"$type", typ}, {"$previous_id", e.PreviousID},
		{"$channel", e.Channel}, {"$campaign", e.Campaign}, {"$device", e.Device}, {"$url", e.URL}, {"$session", e.Session}, {"$product", e.Product}}
	n := 0
	for _, x := range extra {
		if x.v != "" {
			n++
		}
	}
	if n == 0 && e.Value == 0 {
		return EventID(e.Person, e.Name, e.Time, e.Properties)
	}
	props := make(map[string]any, len(e.Properties)+n+1)
	for k, v := range e.Properties {
		props[k] = v
	}
	for _, x := range extra {
		if x.v != "" {
			props[x.k] = x.v
		}
	}
	if e.Value != 0 {
		props["$value"] = e.Value
	}
	return EventID(e.Person, e.Name, e.Time, props)
}

// Limits bound what an event may contain. Zero fields take their defaults.
//
// The ids and the event name are indexed by Neo4j, whose index entries are
// limited to about 8 KB (a composite entry counts every property of it:
// person, id and step together); MaxIDBytes and MaxNameBytes keep every
// entry far below it, so a batch is never refused by the index.
type Limits struct {
	MaxFuture     time.Duration // timestamps later than now+MaxFuture are rejected; default 24h
	MaxRowBytes   int           // larger items, lines or CSV records are rejected; default 64 KiB
	MinTime       time.Time     // earlier timestamps are rejected; default 1990-01-01
	MaxIDBytes    int           // person, anonymous, previous and message ids; default 200
	MaxNameBytes  int           // the event name; default 200
	MaxFieldBytes int           // channel, campaign, device, url, session, product; default 4 KiB
	MaxPropsBytes int           // the properties (traits) as JSON; default 32 KiB
}

// DefaultLimits returns the default Limits. The id and name limits are the
// longest a segment definition can name (200 bytes).
func DefaultLimits() Limits {
	return Limits{
		MaxFuture:     24 * time.Hour,
		MaxRowBytes:   64 << 10,
		MinTime:       time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
		MaxIDBytes:    maxSegmentString,
		MaxNameBytes:  maxSegmentString,
		MaxFieldBytes: 4 << 10,
		MaxPropsBytes: 32 << 10,
	}
}

// withDefaults returns lim with its zero fields set to the defaults.
func (lim Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if lim.MaxFuture <= 0 {
		lim.MaxFuture = d.MaxFuture
	}
	if lim.MaxRowBytes <= 0 {
		lim.MaxRowBytes = d.MaxRowBytes
	}
	if lim.MinTime.IsZero() {
		lim.MinTime = d.MinTime
	}
	for _, f := range [...]struct {
		v *int
		d int
	}{{&lim.MaxIDBytes, d.MaxIDBytes}, {&lim.MaxNameBytes, d.MaxNameBytes},
		{&lim.MaxFieldBytes, d.MaxFieldBytes}, {&lim.MaxPropsBytes, d.MaxPropsBytes}} {
		if *f.v <= 0 {
			*f.v = f.d
		}
	}
	return lim
}

// checkTime returns a problem when t lies outside [MinTime, now+MaxFuture].
func (lim Limits) CheckTime(t, now time.Time) string {
	if t.After(now.Add(lim.MaxFuture)) {
		return fmt.Sprintf("%s is more than %v in the future", t.Format(time.RFC3339Nano), lim.MaxFuture)
	}
	if t.Before(lim.MinTime) {
		return fmt.Sprintf("%s is before %s", t.Format(time.RFC3339Nano), lim.MinTime.Format(time.RFC3339))
	}
	return ""
}

// timeLayouts are the textual forms ParseTime accepts besides epoch numbers.
// Layouts without a zone are read as UTC. Go accepts a fractional second
// after "05" even when the layout has none.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 UTC",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
}

// ParseTime parses a timestamp and returns it in UTC. It accepts RFC 3339
// (with or without a fractional second), "2006-01-02 15:04:05 UTC",
// "2006-01-02 15:04:05" and "2006-01-02T15:04:05" (both read as UTC), and
// Unix epoch numbers, optionally with a fraction, whose unit is chosen by
// magnitude: below 1e11 seconds, below 1e14 milliseconds, below 1e17
// microseconds, else nanoseconds. The error is an *Error with code EINVALID.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok := ParseEpoch(s); ok {
		return t, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "%s is not a time (want RFC 3339 or epoch seconds/milliseconds)", Quote(s))
}

// parseEpoch parses "1511544070", "1511544070.25", "1569888000123"...
func ParseEpoch(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(whole) > 19 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	var unit int64 // nanoseconds per unit
	switch {
	case n < 1e11:
		unit = 1e9
	case n < 1e14:
		unit = 1e6
	case n < 1e17:
		unit = 1e3
	default:
		unit = 1
	}
	if n > math.MaxInt64/unit {
		return time.Time{}, false
	}
	ns := n * unit
	// The fraction, in units: keep the digits that still count.
	scale := unit
	for i := 0; i < len(frac) && scale > 1; i++ {
		scale /= 10
		ns += int64(frac[i]-'0') * scale
	}
	return time.Unix(0, ns).UTC(), true
}

// quote returns s quoted for a message, cut to 64 bytes.
func Quote(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "..."
	}
	return strconv.Quote(s)
}

// normalise turns decoded JSON (with json.Number) into the Properties value
// types: numbers become int64 when integral and in range, else float64.
func Normalise(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = Normalise(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = Normalise(x)
		}
		return v
	}
	return v
}
