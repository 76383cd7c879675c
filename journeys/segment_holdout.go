package journeys

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
)

// Holdout is a segment's control group: a deterministic share of its
// members whose webhook deliveries are recorded as held out (status
// DeliveryHeldOut) instead of sent, so that an uplift report can compare
// them with the treated members. In JSON:
//
//	"holdout": {"share": 0.1, "salt": "spring"}
//
// Share is in (0, MaxHoldoutShare]; Salt (optional, at most 200 bytes)
// draws a new, independent split when changed.
type Holdout struct {
	Share float64 `json:"share"`
	Salt  string  `json:"salt,omitempty"`
}

// MaxHoldoutShare is the largest control share: above one half the
// "control" would be the treated group.
const MaxHoldoutShare = 0.5

// HoldoutDraw is the number in [0, 1) that places person in a segment's
// control group: the first 8 bytes of SHA-256(person NUL segment NUL salt),
// read as a big-endian uint64, divided by 2^64. The NUL separators keep
// ("ab", "c") and ("a", "bc") apart; person ids, segment names and salts
// hold no NUL (they are valid, control-free text).
func HoldoutDraw(person, segment, salt string) float64 {
	h := sha256.New()
	h.Write([]byte(person))
	h.Write([]byte{0})
	h.Write([]byte(segment))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	sum := h.Sum(nil)
	return float64(binary.BigEndian.Uint64(sum[:8])) / math.Exp2(64)
}

// Control reports whether person is in the control group of segment s:
// HoldoutDraw(person, s.Name, salt) < share. A segment without a holdout
// has no control group.
func (s Segment) Control(person string) bool {
	if s.Holdout == nil || s.Holdout.Share <= 0 {
		return false
	}
	return HoldoutDraw(person, s.Name, s.Holdout.Salt) < s.Holdout.Share
}

// holdout reads the holdout field of a definition.
func (p *segParser) holdout(path string, v any) *Holdout {
	obj, ok := v.(map[string]any)
	if !ok {
		p.bad(path, "want {\"share\": 0.1, \"salt\": \"spring\"}")
		return nil
	}
	h := &Holdout{}
	for _, k := range sortedKeys(obj) {
		switch k {
		case "share":
			f, ok := p.number(path+".share", obj[k])
			if ok && (f <= 0 || f > MaxHoldoutShare) {
				p.bad(path+".share", "%v is not a share in (0, %v]", f, MaxHoldoutShare)
			}
			h.Share = f
		case "salt":
			h.Salt = p.str(path+".salt", obj[k])
			if len(h.Salt) > maxSegmentString {
				p.bad(path+".salt", "longer than %d bytes", maxSegmentString)
			}
		default:
			p.bad(path+"."+k, "unknown key (want share, salt)")
		}
	}
	if _, ok := obj["share"]; !ok {
		p.bad(path+".share", "missing")
	}
	return h
}
