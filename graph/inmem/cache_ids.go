package inmem

import "encoding/hex"

// eventIDs holds a person's event ids in chain order, compactly: 16 bytes
// an id while every id is 32 lowercase hex digits (EventID's form, which
// most events have), else the strings. An explanation names its events
// with them; nothing else reads them.
type eventIDs struct {
	packed []byte   // 16 bytes an id, when strs is nil
	strs   []string // when some id is not 32 lowercase hex digits
}

// idBytes is the size of a packed id.
const idBytes = 16

func (x eventIDs) len() int {
	if x.strs != nil {
		return len(x.strs)
	}
	return len(x.packed) / idBytes
}

// at returns the id of event k ("" when unknown).
func (x eventIDs) at(k int) string {
	if x.strs != nil {
		if k < len(x.strs) {
			return x.strs[k]
		}
		return ""
	}
	if (k+1)*idBytes <= len(x.packed) {
		return hex.EncodeToString(x.packed[k*idBytes : (k+1)*idBytes])
	}
	return ""
}

// with returns x with ids after its own, in new storage: x, which a
// snapshot may hold, is left as it is.
func (x eventIDs) with(ids []string) eventIDs {
	if x.strs == nil && allPackable(ids) {
		out := make([]byte, len(x.packed), len(x.packed)+idBytes*len(ids))
		copy(out, x.packed)
		for _, id := range ids {
			out, _ = hex.AppendDecode(out, []byte(id))
		}
		return eventIDs{packed: out}
	}
	strs := make([]string, x.len(), x.len()+len(ids))
	for k := range strs {
		strs[k] = x.at(k)
	}
	return eventIDs{strs: append(strs, ids...)}
}

// allPackable reports whether every id is 32 lowercase hex digits (which
// hex.EncodeToString gives back exactly).
func allPackable(ids []string) bool {
	for _, id := range ids {
		if len(id) != 2*idBytes {
			return false
		}
		for i := 0; i < len(id); i++ {
			if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// idsOf returns the ids of j's touches ("" for each when the source gave
// none).
func idsOf(j StoredJourney) []string {
	if len(j.IDs) == len(j.Touches) {
		return j.IDs
	}
	return make([]string, len(j.Touches))
}
