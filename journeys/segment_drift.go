package journeys

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"time"
)

// Drift holds a segment's drift thresholds: a daily check compares the
// segment now with a reference time and queues a segment.drifted webhook
// event when a figure crosses its threshold (see segments.md, "Drift").
// In JSON, every key optional:
//
//	"drift": {"size_change": 0.25, "psi": 0.2, "reference": "30d"}
//	"drift": {"psi": 0.1, "reference_at": "2026-01-01T00:00:00Z"}
//
// SizeChange is the largest relative change of the size, |now − ref| /
// ref, that is not an alert (default DefaultDriftSizeChange); PSI the
// largest population-stability index of the members' behaviour features
// (default DefaultDriftPSI). Reference is how long before the check the
// reference is (whole days, default DefaultDriftReference); ReferenceAt
// pins it to a time instead.
type Drift struct {
	SizeChange  float64    `json:"size_change,omitempty"`
	PSI         float64    `json:"psi,omitempty"`
	Reference   *Duration  `json:"reference,omitempty"`
	ReferenceAt *time.Time `json:"reference_at,omitempty"`
}

// Drift defaults, for a segment without a drift field or a key of it.
const (
	DefaultDriftSizeChange = 0.25
	DefaultDriftPSI        = 0.2
	DefaultDriftReference  = Duration(30 * 24 * time.Hour)
	maxDriftThreshold      = 100
	maxDriftReference      = 365 * 24 * time.Hour
)

// Thresholds returns d with its defaults filled (d may be nil).
func (d *Drift) Thresholds() Drift {
	var out Drift
	if d != nil {
		out = *d
	}
	if out.SizeChange == 0 {
		out.SizeChange = DefaultDriftSizeChange
	}
	if out.PSI == 0 {
		out.PSI = DefaultDriftPSI
	}
	if out.Reference == nil && out.ReferenceAt == nil {
		ref := DefaultDriftReference
		out.Reference = &ref
	}
	return out
}

// ReferenceFor returns the reference time of a check at t: ReferenceAt
// when pinned, else t − Reference (DefaultDriftReference when unset).
func (d Drift) ReferenceFor(t time.Time) time.Time {
	if d.ReferenceAt != nil {
		return d.ReferenceAt.UTC()
	}
	ref := DefaultDriftReference
	if d.Reference != nil {
		ref = *d.Reference
	}
	return t.Add(-time.Duration(ref)).UTC()
}

// drift reads the drift field of a definition.
func (p *segParser) drift(path string, v any) *Drift {
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, `want {"size_change": 0.25, "psi": 0.2, "reference": "30d"}`)
		return nil
	}
	d := &Drift{}
	threshold := func(key string) float64 {
		f, ok := p.number(path+"."+key, obj[key])
		if ok && (f <= 0 || f > maxDriftThreshold) {
			p.bad(path+"."+key, "%v is not a threshold in (0, %d]", f, maxDriftThreshold)
		}
		return f
	}
	for _, k := range sortedKeys(obj) {
		switch k {
		case "size_change":
			d.SizeChange = threshold(k)
		case "psi":
			d.PSI = threshold(k)
		case "reference":
			if d.Reference = p.durationOpt(path+".reference", obj, k); d.Reference != nil {
				if r := time.Duration(*d.Reference); r%(24*time.Hour) != 0 || r > maxDriftReference {
					raw, _ := obj[k].(string)
					p.bad(path+".reference", "%s is not a whole number of days from 1d to 365d", Quote(raw))
				}
			}
		case "reference_at":
			s := p.str(path+".reference_at", obj[k])
			if s == "" {
				break
			}
			t, err := ParseTime(s)
			if err != nil {
				p.bad(path+".reference_at", "%s is not a time (want RFC 3339, e.g. 2026-01-01T00:00:00Z)", Quote(s))
				break
			}
			t = t.UTC()
			d.ReferenceAt = &t
		default:
			p.bad(path+"."+k, "unknown key (want size_change, psi, reference, reference_at)")
		}
	}
	if _, ok := obj["reference"]; ok {
		if _, ok := obj["reference_at"]; ok {
			p.bad(path+".reference_at", "give reference or reference_at, not both")
		}
	}
	return d
}

// Drift alert figures.
const (
	DriftSizeChange = "size_change"
	DriftPSI        = "psi"
)

// EventTypeDrifted is the type of a drifted webhook event (and its
// X-Journeygraph-Event-Type header).
const EventTypeDrifted = "segment.drifted"

// DriftFigures are a segment's drift at one time: its size then and at
// the reference time, the relative size change (nil when the reference
// size is 0), and the largest PSI of its members' behaviour features with
// that feature's name (nil when either time has no member with
// behaviour to compare).
type DriftFigures struct {
	At            time.Time `json:"at"`
	Reference     time.Time `json:"reference"`
	Size          int       `json:"size"`
	ReferenceSize int       `json:"reference_size"`
	SizeChange    *float64  `json:"size_change"`
	PSI           *float64  `json:"psi"`
	Feature       string    `json:"feature,omitempty"`
}

// Crossed returns the figures of f above their thresholds in d (defaults
// filled), in the order size_change, psi.
func (d Drift) Crossed(f DriftFigures) []string {
	th := (&d).Thresholds()
	var out []string
	if f.SizeChange != nil && math.Abs(*f.SizeChange) > th.SizeChange {
		out = append(out, DriftSizeChange)
	}
	if f.PSI != nil && *f.PSI > th.PSI {
		out = append(out, DriftPSI)
	}
	return out
}

// DriftState is what a segment's last drift check found: its day (UTC
// midnight) and which figures were above their thresholds.
type DriftState struct {
	Day     time.Time `json:"day"`
	Crossed []string  `json:"crossed"`
}

// NextDriftState returns the state after a check on day that found crossed
// figures, and the figures to alert on: those crossed now and not at the
// previous check, so that a figure staying above its threshold alerts once
// and alerts again only after it fell back. A check on a day not after
// prev's changes nothing and alerts on nothing (the day was checked).
func NextDriftState(prev DriftState, day time.Time, crossed []string) (DriftState, []string) {
	if !prev.Day.IsZero() && !day.After(prev.Day) {
		return prev, nil
	}
	was := map[string]bool{}
	for _, c := range prev.Crossed {
		was[c] = true
	}
	var alert []string
	for _, c := range crossed {
		if !was[c] {
			alert = append(alert, c)
		}
	}
	if crossed == nil {
		crossed = []string{}
	}
	return DriftState{Day: day, Crossed: crossed}, alert
}

// DriftedEvent is the event a drifted webhook delivery carries: a segment
// whose figures crossed the thresholds listed in Crossed at the check At.
type DriftedEvent struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"` // EventTypeDrifted
	Segment    string   `json:"segment"`
	Version    int      `json:"version"`
	Crossed    []string `json:"crossed"`
	Thresholds Drift    `json:"thresholds"`
	DriftFigures
}

// NewDriftedEvent returns the event of a check of seg on day with figures
// f that crossed the thresholds alert. Its id is a hash of the segment
// and the day, so one day's check queues one event.
func NewDriftedEvent(seg Segment, day time.Time, f DriftFigures, alert []string) DriftedEvent {
	h := sha256.New()
	h.Write([]byte(seg.Name))
	h.Write([]byte{0})
	h.Write([]byte(day.UTC().Format(time.DateOnly)))
	return DriftedEvent{ID: "drift_" + hex.EncodeToString(h.Sum(nil))[:32], Type: EventTypeDrifted, Segment: seg.Name,
		Version: seg.Version, Crossed: alert, Thresholds: seg.Drift.Thresholds(), DriftFigures: f}
}
