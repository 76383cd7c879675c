package journeys

import (
	"context"
	"time"
)

// SavedStepRules are step rules as a server keeps them: numbered versions,
// the first saved when the server first starts.
type SavedStepRules struct {
	StepRules
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StepRuleStore keeps the server's step rules.
type StepRuleStore interface {
	// LoadStepRules returns the saved rules; Version 0 when none are.
	LoadStepRules(ctx context.Context) (SavedStepRules, error)
	// SaveStepRules saves r as version r.Version, which must be one more
	// than the saved version (an *Error with code ECONFLICT otherwise).
	SaveStepRules(ctx context.Context, r SavedStepRules) error
}

// Restepper applies step rules to the stored events (graph.Store.Restep).
type Restepper interface {
	Restep(ctx context.Context, rules StepRules, prefix string) (read, changed int, err error)
}

// RestepStatus says how the last restep went.
type RestepStatus struct {
	Version  int       `json:"version"` // of the rules applied
	Running  bool      `json:"running"`
	Read     int       `json:"read"`
	Changed  int       `json:"changed"`
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
}
