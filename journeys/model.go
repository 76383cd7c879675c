package journeys

import (
	"context"
	"time"
)

// ModelKindHMM is the kind of hidden-state models.
const ModelKindHMM = "hmm"

// ModelKindClusters is the kind of clusterings (k-means centroids and the
// scaling of the behaviour vectors): they write nothing on people.
const ModelKindClusters = "clusters"

// ModelKindPropensity prefixes the kinds of supervised propensity models,
// one per target: "propensity_convert", "propensity_unsubscribe".
const ModelKindPropensity = "propensity_"

// PersonPropensity is one person's supervised propensity for a target.
type PersonPropensity struct {
	Person string
	P      float64
}

// ModelQuery configures the fit of a hidden-state model and of the
// propensity chain stored with it. The model's scope is
// Filter.PersonPrefix: each scope has its own current model.
type ModelQuery struct {
	Filter Filter `json:"filter"`
	// Events are the event names or steps the model observes (the symbols);
	// empty means every step.
	Events []string `json:"events,omitempty"`
	// States fixes K; when 0, K is chosen by BIC in [MinStates, MaxStates]
	// (default 2..6).
	States    int `json:"states,omitempty"`
	MinStates int `json:"min_states,omitempty"`
	MaxStates int `json:"max_states,omitempty"`
	// Seed seeds the random restarts (default 1); Restarts is their
	// number (default 3); MaxIter bounds each (default 100); Tol stops on
	// a smaller relative improvement (default 1e-4).
	Seed     uint64  `json:"seed,omitempty"`
	Restarts int     `json:"restarts,omitempty"`
	MaxIter  int     `json:"max_iter,omitempty"`
	Tol      float64 `json:"tol,omitempty"`
	// Unit, Conversion and Unsubscribe configure the propensity chain (as
	// in PathOptions, over steps).
	Unit        Unit   `json:"unit,omitempty"`
	Conversion  string `json:"conversion,omitempty"`
	Unsubscribe string `json:"unsubscribe,omitempty"`
	// MaxSymbols refuses (ETOOLARGE) a fit over more observed events
	// (default DefaultMaxSymbols); fits run synchronously.
	MaxSymbols int `json:"max_symbols,omitempty"`
}

// Limits of ModelQuery.
const (
	DefaultMaxSymbols = 5_000_000
	maxHMMStates      = 20
	// symbolCacheLimit is the most symbols Baum–Welch iterates over in
	// memory (2 bytes each); beyond it every iteration re-reads the store.
	SymbolCacheLimit = 20_000_000
)

// Normalize fills the defaults and validates q (an *Error with code
// EINVALID naming the field).
func (q *ModelQuery) Normalize() error {
	if err := q.Filter.Validate(); err != nil {
		return err
	}
	for _, e := range q.Events {
		if err := ValidStep("events", e); err != nil {
			return err
		}
	}
	if q.States < 0 || q.States > maxHMMStates {
		return InvalidField("states", "%d is not from 1 to %d", q.States, maxHMMStates)
	}
	if q.States == 0 {
		if q.MinStates == 0 {
			q.MinStates = 2
		}
		if q.MaxStates == 0 {
			q.MaxStates = max(6, q.MinStates)
		}
		if q.MinStates < 1 || q.MaxStates < q.MinStates || q.MaxStates > maxHMMStates {
			return InvalidField("max_states", "want 1 <= min_states (%d) <= max_states (%d) <= %d", q.MinStates, q.MaxStates, maxHMMStates)
		}
	} else {
		q.MinStates, q.MaxStates = q.States, q.States
	}
	if q.Seed == 0 {
		q.Seed = 1
	}
	if q.Restarts == 0 {
		q.Restarts = 3
	}
	if q.MaxIter == 0 {
		q.MaxIter = 100
	}
	if q.Tol == 0 {
		q.Tol = 1e-4
	}
	if q.Restarts < 1 || q.Restarts > 20 {
		return InvalidField("restarts", "%d is not from 1 to 20", q.Restarts)
	}
	if q.MaxIter < 1 || q.MaxIter > 1000 {
		return InvalidField("max_iter", "%d is not from 1 to 1000", q.MaxIter)
	}
	if q.Tol < 0 {
		return InvalidField("tol", "negative")
	}
	if q.MaxSymbols == 0 {
		q.MaxSymbols = DefaultMaxSymbols
	}
	opt := q.PathOptions()
	if err := opt.Normalize(); err != nil {
		return err
	}
	q.Unit, q.Conversion, q.Unsubscribe = opt.Unit, opt.Conversion, opt.Unsubscribe
	return nil
}

func (q *ModelQuery) PathOptions() PathOptions {
	return PathOptions{Unit: q.Unit, By: ByStep, Conversion: q.Conversion, Unsubscribe: q.Unsubscribe}
}

// ModelRecord is a stored model: the HMM and its metadata as JSON, so that
// stores need not know the model's shape.
type ModelRecord struct {
	Kind     string
	Scope    string // the person-id prefix it was fitted on
	Version  int
	FittedAt time.Time
	Current  bool
	HMM      string // markov.HMM JSON
	Meta     string // ModelMeta JSON
	States   []StateRecord
}

// StateRecord is one hidden state of a stored model.
type StateRecord struct {
	Index int
	Label string
	Size  int    // people whose current state it is
	Name  string // the name given to a cluster (clusters models), "" for none
}

// PersonModel is what a model says about one person: the contract with
// segments, stored on the person.
type PersonModel struct {
	Person       string   `json:"person"`
	State        *string  `json:"hmm_state"`   // label of the most probable current state
	StateP       *float64 `json:"hmm_state_p"` // its filtered probability
	PConvert     *float64 `json:"p_convert"`
	PUnsubscribe *float64 `json:"p_unsubscribe"`
	Version      *int     `json:"model_version"`
}

// ModelStore keeps models and what they say about people.
type ModelStore interface {
	// CreateModel stores m as not current under the next version of its
	// kind and scope, which it returns.
	CreateModel(ctx context.Context, m ModelRecord) (int, error)
	// WritePersonModels stores rows, the outputs of model version
	// m.Version of m.Kind and m.Scope decoded at decodedAt, on their people
	// in one transaction, which also queues in the webhook outbox the
	// state_changed deliveries of the people whose state changed from the
	// one they had under the scope's current model (see StateChanges).
	WritePersonModels(ctx context.Context, m ModelRecord, decodedAt time.Time, rows []PersonModel) error
	// FinishModel records the state sizes, makes the version current for
	// its kind and scope and, for ModelKindHMM, clears the model
	// properties that people of the scope keep from other versions.
	FinishModel(ctx context.Context, kind, scope string, version int, sizes []int) error
	// CurrentModel returns the current model of a kind and scope
	// (ENOTFOUND when there is none).
	CurrentModel(ctx context.Context, kind, scope string) (ModelRecord, error)
	// RenameState renames a state of a stored model, rewriting its JSON and
	// the people in that state (ENOTFOUND for no such model or state).
	RenameState(ctx context.Context, kind, scope string, version, index int, label, hmmJSON string) error
	// PersonModel returns what the models say about a person (ENOTFOUND
	// when the person does not exist; nil fields when not decoded).
	PersonModel(ctx context.Context, person string) (PersonModel, error)
}
