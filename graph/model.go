package graph

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

var _ journeys.ModelStore = (*Store)(nil)

// CreateModel stores m, not yet current, as
// (:Model {kind, scope, version, fitted_at, current, json, meta})-[:HAS_STATE]->(:State {index, label, size})
// under the next version of its kind and scope, and returns that version.
func (s *Store) CreateModel(ctx context.Context, m journeys.ModelRecord) (int, error) {
	states := make([]map[string]any, len(m.States))
	for i, st := range m.States {
		states[i] = map[string]any{"index": st.Index, "label": st.Label}
	}
	var version int
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "create_model", map[string]any{"kind": m.Kind, "scope": m.Scope,
			"fitted_at": m.FittedAt.UnixMilli(), "json": m.HMM, "meta": m.Meta, "states": states})
		if err != nil {
			return err
		}
		if len(recs) != 1 {
			return journeys.Errorf(journeys.EINVALID, "create model: a model needs at least one state")
		}
		version = int(intOf(recs[0], "version"))
		return nil
	})
	return version, wrap("create model", err)
}

// WritePersonModels stores rows on their people in one transaction: the
// properties hmm_state, hmm_state_p, p_convert, p_unsubscribe (removed when
// nil) and model_version. In the same transaction it reads the states the
// people had under the scope's current model and queues one state_changed
// delivery per change (journeys.StateChanges) and webhook subscribed to
// state_changed (segment "*").
func (s *Store) WritePersonModels(ctx context.Context, m journeys.ModelRecord, decodedAt time.Time, rows []journeys.PersonModel) error {
	params := make([]map[string]any, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Person
		row := map[string]any{"id": r.Person, "hmm_state": nil, "hmm_state_p": nil, "p_convert": nil, "p_unsubscribe": nil}
		if r.State != nil {
			row["hmm_state"] = *r.State
		}
		if r.StateP != nil {
			row["hmm_state_p"] = *r.StateP
		}
		if r.PConvert != nil {
			row["p_convert"] = *r.PConvert
		}
		if r.PUnsubscribe != nil {
			row["p_unsubscribe"] = *r.PUnsubscribe
		}
		params[i] = row
	}
	err := s.write(ctx, stampTimeout, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "previous_states", map[string]any{"kind": m.Kind, "scope": m.Scope,
			"event": journeys.KindStateChanged, "ids": ids})
		if err != nil {
			return err
		}
		previousVersion, previous := 0, make(map[string]string, len(recs))
		for _, r := range recs {
			previousVersion = int(intOf(r, "previous"))
			previous[str(r, "id")] = str(r, "state")
		}
		if _, err := run(ctx, tx, "set_person_models", map[string]any{"rows": params, "version": m.Version,
			"now": time.Now().UnixMilli()}); err != nil {
			return err
		}
		changes := journeys.StateChanges(m, previousVersion, previous, decodedAt, rows)
		if len(changes) == 0 {
			return nil
		}
		queue := make([]map[string]any, len(changes))
		for i, c := range changes {
			queue[i] = map[string]any{"id": c.ID, "kind": journeys.KindStateChanged, "segment": nil,
				"person": c.Person, "payload": string(c.Payload)}
		}
		_, err = run(ctx, tx, "queue_deliveries", map[string]any{"changes": queue, "now": time.Now().UnixMilli()})
		return err
	})
	return wrap("write person models", err)
}

// FinishModel records the state sizes of a version, makes it current for
// its kind and scope, then, for a hidden-state model, clears the model
// properties people of the scope keep from other versions.
func (s *Store) FinishModel(ctx context.Context, kind, scope string, version int, sizes []int) error {
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "finish_model", map[string]any{"kind": kind, "scope": scope, "version": version, "sizes": sizes})
		return err
	})
	if err != nil {
		return wrap("finish model", err)
	}
	if kind != journeys.ModelKindHMM {
		return nil // only hidden-state models write on people (model_version is theirs)
	}
	return s.implicit(ctx, "clear_person_models", map[string]any{"scope": scope, "version": version})
}

// implicit runs a query that batches itself (CALL ... IN TRANSACTIONS),
// which only an implicit transaction allows.
func (s *Store) implicit(ctx context.Context, name string, params map[string]any) error {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(context.Background())
	res, err := sess.Run(ctx, queryText(name, params), params)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return wrap(name, err)
}

// CurrentModel returns the current model of a kind and scope (ENOTFOUND
// when none).
func (s *Store) CurrentModel(ctx context.Context, kind, scope string) (journeys.ModelRecord, error) {
	m, err := s.readModel(ctx, "get_current_model", map[string]any{"kind": kind, "scope": scope})
	if journeys.ErrorCode(err) == journeys.ENOTFOUND {
		err = journeys.Errorf(journeys.ENOTFOUND, "no %s model fitted for scope %q", kind, scope)
	}
	return m, wrap("current model", err)
}

// Model returns version of the models of a kind and scope, current or not
// (ENOTFOUND when there is no such version).
func (s *Store) Model(ctx context.Context, kind, scope string, version int) (journeys.ModelRecord, error) {
	m, err := s.readModel(ctx, "get_model", map[string]any{"kind": kind, "scope": scope, "version": version})
	if journeys.ErrorCode(err) == journeys.ENOTFOUND {
		err = journeys.Errorf(journeys.ENOTFOUND, "no %s model %d for scope %q", kind, version, scope)
	}
	return m, wrap("model", err)
}

// readModel runs get_current_model or get_model and reads its row
// (ENOTFOUND when there is none).
func (s *Store) readModel(ctx context.Context, query string, params map[string]any) (journeys.ModelRecord, error) {
	var m journeys.ModelRecord
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, query, params)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "no model")
		}
		r := recs[0]
		current := true
		if v, ok := r.Get("current"); ok {
			current, _ = v.(bool)
		}
		m = journeys.ModelRecord{Kind: params["kind"].(string), Scope: params["scope"].(string), Version: int(intOf(r, "version")),
			FittedAt: millis(intOf(r, "fitted_at")), Current: current, HMM: str(r, "json"), Meta: str(r, "meta")}
		idx, _ := r.Get("indexes")
		labels, _ := r.Get("labels")
		sizes, _ := r.Get("sizes")
		names, _ := r.Get("names")
		il, ll, sl, nl := idx.([]any), labels.([]any), sizes.([]any), names.([]any)
		for i := range il {
			label, _ := ll[i].(string)
			name, _ := nl[i].(string)
			m.States = append(m.States, journeys.StateRecord{Index: int(toInt64(il[i])), Label: label, Size: int(toInt64(sl[i])), Name: name})
		}
		return nil
	})
	return m, err
}

// RenameState renames state index of a model version, in the model and on
// the people of its scope decoded in that state.
func (s *Store) RenameState(ctx context.Context, kind, scope string, version, index int, label, hmmJSON string) error {
	var old string
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "rename_state", map[string]any{"kind": kind, "scope": scope, "version": version,
			"index": index, "label": label, "json": hmmJSON})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "state %d of model %d not found", index, version)
		}
		old = str(recs[0], "old")
		return nil
	})
	if err != nil {
		return wrap("rename state", err)
	}
	return s.implicit(ctx, "rename_person_states", map[string]any{"scope": scope, "version": version, "old": old, "label": label})
}

// PersonModel returns the model properties of a person (nil when absent).
func (s *Store) PersonModel(ctx context.Context, id string) (journeys.PersonModel, error) {
	pm := journeys.PersonModel{Person: id}
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "get_person_model", map[string]any{"id": id})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "person %q not found", id)
		}
		r := recs[0]
		if v, ok := r.Get("hmm_state"); ok && v != nil {
			s, _ := v.(string)
			pm.State = &s
		}
		pm.StateP = floatOrNil(r, "hmm_state_p")
		pm.PConvert = floatOrNil(r, "p_convert")
		pm.PUnsubscribe = floatOrNil(r, "p_unsubscribe")
		if v, ok := r.Get("model_version"); ok && v != nil {
			n := int(toInt64(v))
			pm.Version = &n
		}
		return nil
	})
	return pm, wrap("person model", err)
}

// DeleteModels deletes every model of a scope (tests and benchmarks).
func (s *Store) DeleteModels(ctx context.Context, scope string) error {
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "delete_models", map[string]any{"scope": scope})
		return err
	})
	return wrap("delete models", err)
}

// DeleteModel deletes version of the models of a kind and scope (an
// operator's clean-up, and tests): nothing when there is no such version.
// Its number is not reused. A clustering fitted with a deleted
// hidden-state model can no longer place people (profile.Assigner).
func (s *Store) DeleteModel(ctx context.Context, kind, scope string, version int) error {
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "delete_model", map[string]any{"kind": kind, "scope": scope, "version": version})
		return err
	})
	return wrap("delete model", err)
}

func floatOrNil(r *neo4j.Record, key string) *float64 {
	v, ok := r.Get(key)
	if !ok || v == nil {
		return nil
	}
	f, ok := v.(float64)
	if !ok {
		return nil
	}
	return &f
}

// NameCluster gives cluster index of version of the clusters models of
// scope a name ("" removes it): ENOTFOUND when there is no such model or
// cluster.
func (s *Store) NameCluster(ctx context.Context, scope string, version, index int, name string) error {
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "name_cluster", map[string]any{"kind": journeys.ModelKindClusters, "scope": scope,
			"version": version, "index": index, "name": name})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "no cluster %d in clusters model %d of scope %q", index, version, scope)
		}
		return nil
	})
	return wrap("name cluster", err)
}
