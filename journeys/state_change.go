package journeys

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// EventTypeStateChanged is the type of a state_changed webhook event (and
// its X-Journeygraph-Event-Type header).
const EventTypeStateChanged = "person.state_changed"

// StateChangedEvent is the event a state_changed webhook delivery carries:
// a person whose decoded hidden state differs from the one they had under
// the previous current model of the same scope.
type StateChangedEvent struct {
	ID                   string    `json:"id"`   // the change's id
	Type                 string    `json:"type"` // EventTypeStateChanged
	Person               string    `json:"person"`
	PreviousState        string    `json:"previous_state"`
	State                string    `json:"state"`
	StateP               float64   `json:"state_p"` // the filtered probability of State
	Scope                string    `json:"scope"`   // the person-id prefix the model was fitted on
	ModelVersion         int       `json:"model_version"`
	PreviousModelVersion int       `json:"previous_model_version"`
	DecodedAt            time.Time `json:"decoded_at"`
}

// StateChange is one state_changed event to queue in the webhook outbox:
// its id (the deliveries' idempotency keys derive from it), the person and
// the StateChangedEvent as JSON.
type StateChange struct {
	ID      string
	Person  string
	Payload json.RawMessage
}

// StateChanged reports whether a decode from previous to next is a state
// change: both are states (a person without a previous state, or decoded
// without one now, is not a change) and their labels differ.
func StateChanged(previous, next *string) bool {
	return previous != nil && next != nil && *previous != *next
}

// StateChanges returns the state_changed events of rows, the people's
// outputs under model version m.Version of m.Kind and m.Scope decoded at
// decodedAt. previous holds the states people had under previousVersion,
// the scope's current model before m (0 when there is none: then nothing
// changed). Changes follow the order of rows; their ids are a hash of
// kind, scope, version and person, so the same decode yields the same ids.
func StateChanges(m ModelRecord, previousVersion int, previous map[string]string, decodedAt time.Time, rows []PersonModel) []StateChange {
	if previousVersion == 0 || len(previous) == 0 {
		return nil
	}
	var out []StateChange
	for _, r := range rows {
		prev, ok := previous[r.Person]
		if !ok || !StateChanged(&prev, r.State) {
			continue
		}
		ev := StateChangedEvent{ID: stateChangeID(m, r.Person), Type: EventTypeStateChanged, Person: r.Person,
			PreviousState: prev, State: *r.State, Scope: m.Scope, ModelVersion: m.Version,
			PreviousModelVersion: previousVersion, DecodedAt: decodedAt.UTC()}
		if r.StateP != nil {
			ev.StateP = *r.StateP
		}
		payload, _ := json.Marshal(ev)
		out = append(out, StateChange{ID: ev.ID, Person: r.Person, Payload: payload})
	}
	return out
}

// stateChangeID is the id of the state change of person under model m.
func stateChangeID(m ModelRecord, person string) string {
	h := sha256.New()
	for _, s := range []string{m.Kind, m.Scope, strconv.Itoa(m.Version), person} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "sc_" + hex.EncodeToString(h.Sum(nil))[:32]
}
