package journeys

import "time"

// DefaultSessionTimeout is the inactivity gap after which a new session
// starts, as in most web analytics tools.
const DefaultSessionTimeout = 30 * time.Minute

// Sessionize returns the 0-based session index of each time: a new session
// starts when the gap since the previous time is longer than timeout
// (DefaultSessionTimeout when timeout <= 0). times must be sorted.
func Sessionize(times []time.Time, timeout time.Duration) []int {
	if timeout <= 0 {
		timeout = DefaultSessionTimeout
	}
	idx := make([]int, len(times))
	for i := 1; i < len(times); i++ {
		idx[i] = idx[i-1]
		if times[i].Sub(times[i-1]) > timeout {
			idx[i]++
		}
	}
	return idx
}

// SessionizeEvents is Sessionize for one person's events in time order, also
// honouring sender session ids: a new session starts after a gap longer than
// timeout, or when both events carry a Session and they differ.
func SessionizeEvents(events []Event, timeout time.Duration) []int {
	if timeout <= 0 {
		timeout = DefaultSessionTimeout
	}
	idx := make([]int, len(events))
	for i := 1; i < len(events); i++ {
		a, b := &events[i-1], &events[i]
		idx[i] = idx[i-1]
		if b.Time.Sub(a.Time) > timeout || (a.Session != "" && b.Session != "" && a.Session != b.Session) {
			idx[i]++
		}
	}
	return idx
}
