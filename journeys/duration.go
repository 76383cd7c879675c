package journeys

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as text in JSON and flags: Go's
// notation ("90s", "1h30m") plus whole days ("7d", "2d12h"). A JSON number
// is read as seconds.
type Duration time.Duration

// ParseDuration parses "7d", "36h", "1d6h30m", "90s"... Negative durations
// are refused. The error is an *Error with code EINVALID.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	var days int64
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || n < 0 || n > 100000 {
			return 0, Errorf(EINVALID, "%s is not a duration (want 7d, 36h, 1h30m...)", Quote(s))
		}
		days, s = n, s[i+1:]
	}
	var rest time.Duration
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, Errorf(EINVALID, "%s is not a duration (want 7d, 36h, 1h30m...)", Quote(s))
		}
		rest = d
	}
	return Duration(time.Duration(days)*24*time.Hour + rest), nil
}

// String writes whole days as "Nd" followed by Go's notation of the rest
// ("7d", "1d6h0m0s", "30m0s"), "0s" for zero.
func (d Duration) String() string {
	td := time.Duration(d)
	days := td / (24 * time.Hour)
	rest := td - days*24*time.Hour
	switch {
	case days == 0:
		return rest.String()
	case rest == 0:
		return strconv.FormatInt(int64(days), 10) + "d"
	}
	return strconv.FormatInt(int64(days), 10) + "d" + rest.String()
}

// Milliseconds returns d in milliseconds.
func (d Duration) Milliseconds() int64 { return time.Duration(d).Milliseconds() }

// MarshalJSON writes d as a string ("7d").
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a string ("7d", "1h30m") or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err := json.Unmarshal(b, &secs); err != nil || secs < 0 {
			return Errorf(EINVALID, "%s is not a duration (want \"7d\", \"36h\" or seconds)", Quote(string(b)))
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
