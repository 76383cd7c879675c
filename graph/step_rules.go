package graph

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

var _ journeys.StepRuleStore = StepRuleSet{}

// ServerRules is the id of the server's rule set.
const ServerRules = "server"

// StepRuleSet is one saved, versioned set of step rules: the server's
// (ServerRules), or another id (a test's).
type StepRuleSet struct {
	s  *Store
	ID string
}

// StepRules returns the rule set id.
func (s *Store) StepRules(id string) StepRuleSet { return StepRuleSet{s: s, ID: id} }

// LoadStepRules returns the saved step rules, Version 0 when none are
// saved.
func (rs StepRuleSet) LoadStepRules(ctx context.Context) (journeys.SavedStepRules, error) {
	s := rs.s
	var out journeys.SavedStepRules
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "get_step_rules", map[string]any{"id": rs.ID})
		if err != nil || len(recs) == 0 {
			return err
		}
		out = journeys.SavedStepRules{Version: int(intOf(recs[0], "version")),
			UpdatedAt: time.UnixMilli(intOf(recs[0], "updated_ts")).UTC()}
		if err := json.Unmarshal([]byte(str(recs[0], "rules")), &out.StepRules); err != nil {
			return journeys.Errorf(journeys.EINTERNAL, "stored step rules version %d: %v", out.Version, err)
		}
		return nil
	})
	return out, wrap("load step rules", err)
}

// SaveStepRules saves r as version r.Version (ECONFLICT unless the saved
// version is r.Version - 1) and keeps a copy of every version.
func (rs StepRuleSet) SaveStepRules(ctx context.Context, r journeys.SavedStepRules) error {
	s := rs.s
	b, err := json.Marshal(r.StepRules)
	if err != nil {
		return err
	}
	saved := false
	err = s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "save_step_rules", map[string]any{"id": rs.ID, "version": r.Version, "rules": string(b),
			"updated_ts": r.UpdatedAt.UnixMilli()})
		saved = len(recs) == 1
		return err
	})
	if err != nil {
		if isConstraintError(err) {
			return journeys.Errorf(journeys.ECONFLICT, "step rules version %d is saved already", r.Version)
		}
		return wrap("save step rules", err)
	}
	if !saved {
		return journeys.Errorf(journeys.ECONFLICT, "step rules: version %d is not the next version", r.Version)
	}
	return nil
}

// isConstraintError reports whether err is a uniqueness violation: two
// servers saving the same version at once.
func isConstraintError(err error) bool {
	var ne *neo4j.Neo4jError
	return errors.As(err, &ne) && ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed"
}
