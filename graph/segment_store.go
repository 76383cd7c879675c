package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

var _ journeys.SegmentStore = (*Store)(nil)

// SaveSegment stores a definition: version 1 when new, the next version
// when its definition (name, description, min_size, where) changed.
func (s *Store) SaveSegment(ctx context.Context, seg journeys.Segment, now time.Time) (journeys.Segment, error) {
	out, err := s.writeSegment(ctx, "save_segment", seg, now)
	return out, wrap("save segment", err)
}

// CreateSegment stores a new segment at version 1; ECONFLICT when one of
// that name exists (decided in the transaction, so of two concurrent
// creates exactly one succeeds).
func (s *Store) CreateSegment(ctx context.Context, seg journeys.Segment, now time.Time) (journeys.Segment, error) {
	out, err := s.writeSegment(ctx, "create_segment", seg, now)
	return out, wrap("create segment", err)
}

// writeSegment runs save_segment or create_segment with seg's definition;
// a row whose created column is false (create_segment found the name
// taken) is ECONFLICT.
func (s *Store) writeSegment(ctx context.Context, query string, seg journeys.Segment, now time.Time) (journeys.Segment, error) {
	def, err := json.Marshal(journeys.Segment{Name: seg.Name, Description: seg.Description, MinSize: seg.MinSize, Holdout: seg.Holdout,
		Drift: seg.Drift, Where: seg.Where})
	if err != nil {
		return journeys.Segment{}, err
	}
	var out journeys.Segment
	err = s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, query, map[string]any{"name": seg.Name, "definition": string(def),
			"built_in": seg.BuiltIn, "now": now.UnixMilli()})
		if err != nil {
			return err
		}
		if created, ok := recs[0].Get("created"); ok && created != true {
			return journeys.Errorf(journeys.ECONFLICT, "segment %q exists: change it with PUT, or choose another name", seg.Name)
		}
		out = savedSegment(seg, recs[0])
		return nil
	})
	return out, err
}

// Segment returns a stored segment with its size; ENOTFOUND when unknown.
func (s *Store) Segment(ctx context.Context, name string) (journeys.Segment, error) {
	var out journeys.Segment
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "get_segment", map[string]any{"name": name})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", name)
		}
		out, err = segmentOf(recs[0])
		return err
	})
	return out, wrap("segment", err)
}

// Segments returns every stored segment with its size, by name.
func (s *Store) Segments(ctx context.Context) ([]journeys.Segment, error) {
	var out []journeys.Segment
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "list_segments", map[string]any{})
		if err != nil {
			return err
		}
		out = make([]journeys.Segment, 0, len(recs))
		for _, r := range recs {
			seg, err := segmentOf(r)
			if err != nil {
				return err
			}
			out = append(out, seg)
		}
		return nil
	})
	return out, wrap("segments", err)
}

// DeleteSegment removes a segment with its membership and history.
func (s *Store) DeleteSegment(ctx context.Context, name string) error {
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "delete_segment", map[string]any{"name": name})
		if err != nil {
			return err
		}
		if len(recs) == 0 || intOf(recs[0], "deleted") == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", name)
		}
		return nil
	})
	return wrap("delete segment", err)
}

// savedSegment is seg as the store just saved it (its definition is the
// one written: no need to parse it back).
func savedSegment(seg journeys.Segment, r *neo4j.Record) journeys.Segment {
	seg.Version = int(intOf(r, "version"))
	seg.CreatedAt = millis(intOf(r, "created_at"))
	seg.UpdatedAt = millis(intOf(r, "updated_at"))
	seg.Members = int(intOf(r, "members"))
	if v, ok := r.Get("built_in"); ok {
		seg.BuiltIn, _ = v.(bool)
	}
	return seg
}

// segmentOf decodes a stored segment.
func segmentOf(r *neo4j.Record) (journeys.Segment, error) {
	seg, err := journeys.ParseSegment([]byte(str(r, "definition")))
	if err != nil {
		return journeys.Segment{}, journeys.Errorf(journeys.EINTERNAL, "stored segment %q: %v", str(r, "name"), err)
	}
	return savedSegment(seg, r), nil
}

// SegmentMembers returns the people in scope who are members now, sorted.
func (s *Store) SegmentMembers(ctx context.Context, name string, scope journeys.SegmentScope) ([]string, error) {
	var ids []string
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		var recs []*neo4j.Record
		var err error
		if scope.People != nil {
			recs, err = run(ctx, tx, "find_members_people", map[string]any{"segment": name, "people": scope.People})
		} else {
			recs, err = run(ctx, tx, "find_members_prefix", map[string]any{"segment": name, "prefix": scope.Prefix})
		}
		if err != nil {
			return err
		}
		for _, r := range recs {
			if id := str(r, "id"); len(scope.Prefix) == 0 || len(id) >= len(scope.Prefix) && id[:len(scope.Prefix)] == scope.Prefix {
				ids = append(ids, id)
			}
		}
		return nil
	})
	return ids, wrap("segment members", err)
}

// Memberships returns, for each segment, which of people are members now,
// sorted: SegmentMembers of every segment for a list of people, in one
// query.
func (s *Store) Memberships(ctx context.Context, people []string) (map[string][]string, error) {
	out := map[string][]string{}
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		clear(out)
		recs, err := run(ctx, tx, "find_memberships_people", map[string]any{"people": people})
		if err != nil {
			return err
		}
		for _, r := range recs {
			seg := str(r, "segment")
			out[seg] = append(out[seg], str(r, "id"))
		}
		return nil
	})
	return out, wrap("memberships", err)
}

// Explain returns, for each person, their latest events among leaves and
// their decoded hidden state (a leaf on any event leaves its Exclude out).
func (s *Store) Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	ls := make([]map[string]any, 0, len(leaves))
	for _, l := range leaves {
		exclude := l.Exclude
		if exclude == nil {
			exclude = []string{} // NOT x IN null is null, not true
		}
		ls = append(ls, map[string]any{"field": l.Field, "values": l.Values, "exclude": exclude, "from": l.From, "to": l.To})
	}
	out := make(map[string]journeys.Explanation, len(people))
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "explain_members", map[string]any{"people": people, "leaves": ls})
		if err != nil {
			return err
		}
		for _, r := range recs {
			var ex journeys.Explanation
			ex.State = str(r, "state")
			if v, ok := r.Get("state_p"); ok {
				ex.StateP, _ = v.(float64)
			}
			if v, ok := r.Get("events"); ok {
				for _, x := range v.([]any) {
					m, _ := x.(map[string]any)
					ex.Events = append(ex.Events, journeys.ExplainedEvent{ID: mstr(m, "id"), Name: mstr(m, "name"),
						Step: mstr(m, "step"), Time: millis(toInt64(m["ts"])), Product: mstr(m, "product"), Channel: mstr(m, "channel")})
				}
			}
			out[str(r, "person")] = ex
		}
		return nil
	})
	return out, wrap("explain members", err)
}

func mstr(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// ApplyMembership records membership changes in one transaction, under the
// segment's write lock: entries for people not yet members, exits for
// members, and the webhook deliveries of the changes applied. The changes
// of people in seg's control group (Segment.Control) are marked so, on
// the MEMBER, ENTERED and LEFT edges, and their deliveries are recorded
// as held out, never sent.
func (s *Store) ApplyMembership(ctx context.Context, seg journeys.Segment, at time.Time, changes []journeys.MembershipChange) ([]journeys.MembershipChange, error) {
	applied, _, err := s.applyMembership(ctx, seg, at, changes, nil)
	return applied, err
}

// ApplyMembershipLeased is ApplyMembership that also leases, in the same
// transaction, the deliveries it queues to the dispatcher whose claim c
// describes (at most c.PerWebhook of each webhook less its c.InFlight, at
// most c.Limit, of webhooks under c.Prefix), and returns them with their
// webhook's URL and secret: the dispatcher sends them once the transaction
// has committed, without a claim of its own. The others stay pending.
func (s *Store) ApplyMembershipLeased(ctx context.Context, seg journeys.Segment, at time.Time, changes []journeys.MembershipChange, c journeys.Claim) ([]journeys.MembershipChange, []journeys.Delivery, error) {
	return s.applyMembership(ctx, seg, at, changes, &c)
}

// applyMembership writes the changes and, with lease, leases their
// deliveries.
func (s *Store) applyMembership(ctx context.Context, seg journeys.Segment, at time.Time, changes []journeys.MembershipChange, lease *journeys.Claim) ([]journeys.MembershipChange, []journeys.Delivery, error) {
	var applied []journeys.MembershipChange
	var leased []journeys.Delivery
	byID := make(map[string]journeys.MembershipChange, len(changes))
	var enter, leave []map[string]any
	for _, c := range changes {
		c.Control = seg.Control(c.Person)
		byID[c.ID] = c
		row := map[string]any{"id": c.ID, "person": c.Person, "reason": string(c.Reason), "control": c.Control}
		if c.Kind == journeys.KindEntered {
			enter = append(enter, row)
		} else {
			leave = append(leave, row)
		}
	}
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		applied, leased = applied[:0], nil
		ms := at.UnixMilli()
		recs, err := run(ctx, tx, "lock_segment", map[string]any{"segment": seg.Name, "at": ms, "n": len(changes)})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", seg.Name)
		}
		if v := int(intOf(recs[0], "version")); v != seg.Version {
			return fmt.Errorf("%w: %w", journeys.Errorf(journeys.ECONFLICT, "segment %q is at version %d, not the evaluated %d",
				seg.Name, v, seg.Version), journeys.ErrStale)
		}
		people := make([]string, 0, len(changes))
		for _, c := range changes {
			people = append(people, c.Person)
		}
		slices.Sort(people)
		if _, err := run(ctx, tx, "lock_members", map[string]any{"people": slices.Compact(people), "at": ms}); err != nil {
			return err
		}
		seq := intOf(recs[0], "base")
		for _, rows := range [][]map[string]any{enter, leave} {
			for _, row := range rows {
				seq++
				row["seq"] = seq
			}
		}
		var ids []string
		for _, q := range []struct {
			name string
			rows []map[string]any
		}{{"enter_segment", enter}, {"leave_segment", leave}} {
			if len(q.rows) == 0 {
				continue
			}
			recs, err := run(ctx, tx, q.name, map[string]any{"segment": seg.Name, "changes": q.rows, "at": ms, "version": seg.Version})
			if err != nil {
				return err
			}
			for _, r := range recs {
				ids = append(ids, str(r, "id"))
			}
		}
		rows := make([]map[string]any, 0, len(ids))
		for _, id := range ids {
			c := byID[id]
			applied = append(applied, c)
			rows = append(rows, map[string]any{"id": c.ID, "kind": c.Kind, "segment": c.Segment, "person": c.Person,
				"payload": string(c.Payload), "control": c.Control})
		}
		if len(rows) == 0 {
			return nil
		}
		queued, err := run(ctx, tx, "queue_deliveries", map[string]any{"changes": rows, "now": time.Now().UnixMilli()})
		if err != nil || lease == nil || len(queued) == 0 {
			return err
		}
		queuedIDs := make([]string, len(queued))
		for i, r := range queued {
			queuedIDs[i] = str(r, "id")
		}
		params := claimParams(*lease)
		params["ids"] = queuedIDs
		recs, err = run(ctx, tx, "lease_deliveries", params)
		if err != nil {
			return err
		}
		for _, r := range recs {
			leased = append(leased, leasedOf(r))
		}
		return nil
	})
	if err != nil {
		return nil, nil, wrap("apply membership", err)
	}
	return applied, leased, nil
}

// MembersPage returns up to limit current members of a segment with ids
// after after, by id.
func (s *Store) MembersPage(ctx context.Context, segment, after string, limit int) ([]journeys.Member, error) {
	var out []journeys.Member
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "page_members", map[string]any{"segment": segment, "after": after, "limit": limit})
		if err != nil {
			return err
		}
		out = make([]journeys.Member, len(recs))
		for i, r := range recs {
			out[i] = journeys.Member{Person: str(r, "person"), Since: millis(intOf(r, "since")), Version: int(intOf(r, "version")),
				Control: boolOf(r, "control")}
		}
		return nil
	})
	return out, wrap("members", err)
}

// MemberContacts returns up to limit current members of a segment with ids
// after after, by id, with their contact traits.
func (s *Store) MemberContacts(ctx context.Context, segment, after string, limit int) ([]journeys.MemberContact, error) {
	var out []journeys.MemberContact
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "page_member_contacts", map[string]any{"segment": segment, "after": after, "limit": limit})
		if err != nil {
			return err
		}
		out = make([]journeys.MemberContact, len(recs))
		for i, r := range recs {
			out[i] = journeys.MemberContact{
				Member: journeys.Member{Person: str(r, "person"), Since: millis(intOf(r, "since")), Version: int(intOf(r, "version"))},
				Email:  text(r, "email"), FirstName: text(r, "first_name"), LastName: text(r, "last_name"), Name: text(r, "name"),
			}
		}
		return nil
	})
	return out, wrap("member contacts", err)
}

// text returns a column as text: a string as is, another scalar (a trait
// stored as a number or boolean) formatted, "" for null.
func text(r *neo4j.Record, key string) string {
	v, _ := r.Get(key)
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// MembersAt returns up to limit people who were members of a segment at
// the given time (ids after after, by id), each with the reason recorded
// when they entered.
func (s *Store) MembersAt(ctx context.Context, segment string, at time.Time, after string, limit int) ([]journeys.Member, error) {
	var out []journeys.Member
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "members_at", map[string]any{"segment": segment, "at": at.UnixMilli(), "after": after, "limit": limit})
		if err != nil {
			return err
		}
		out = make([]journeys.Member, len(recs))
		for i, r := range recs {
			out[i] = journeys.Member{Person: str(r, "person"), Since: millis(intOf(r, "since")), Version: int(intOf(r, "version")),
				Reason: rawJSON(str(r, "reason"))}
		}
		return nil
	})
	return out, wrap("members at", err)
}

// Changes returns up to limit entries of a segment's change feed with a
// sequence number above after, in order. Changes recorded before the feed
// existed carry no number and are not in it (History has them).
func (s *Store) Changes(ctx context.Context, segment string, after int64, limit int) ([]journeys.SegmentChange, error) {
	var out []journeys.SegmentChange
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "segment_changes", map[string]any{"segment": segment, "after": after, "limit": limit})
		if err != nil {
			return err
		}
		out = make([]journeys.SegmentChange, len(recs))
		for i, r := range recs {
			out[i] = journeys.SegmentChange{Seq: intOf(r, "seq"), ID: str(r, "id"), Kind: str(r, "kind"), Person: str(r, "person"),
				At: millis(intOf(r, "at")), Version: int(intOf(r, "version")), Reason: rawJSON(str(r, "reason")),
				Control: boolOf(r, "control")}
		}
		return nil
	})
	return out, wrap("segment changes", err)
}

// History returns a segment's ENTERED/LEFT records, newest first.
func (s *Store) History(ctx context.Context, segment string, q journeys.HistoryQuery) ([]journeys.HistoryEntry, error) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		to = q.To.UnixMilli()
	}
	var out []journeys.HistoryEntry
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "segment_history", map[string]any{"segment": segment, "from": from, "to": to,
			"person": q.Person, "limit": q.Limit})
		if err != nil {
			return err
		}
		out = make([]journeys.HistoryEntry, len(recs))
		for i, r := range recs {
			kind := journeys.KindEntered
			if str(r, "kind") == "LEFT" {
				kind = journeys.KindLeft
			}
			out[i] = journeys.HistoryEntry{Person: str(r, "person"), Kind: kind, At: millis(intOf(r, "at")),
				Version: int(intOf(r, "version")), Reason: rawJSON(str(r, "reason")), Control: boolOf(r, "control")}
		}
		return nil
	})
	return out, wrap("segment history", err)
}

// PersonSegments returns the segments a person is in now, by name.
func (s *Store) PersonSegments(ctx context.Context, person string) ([]journeys.PersonSegment, error) {
	var out []journeys.PersonSegment
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "person_segments", map[string]any{"person": person})
		if err != nil {
			return err
		}
		out = make([]journeys.PersonSegment, len(recs))
		for i, r := range recs {
			out[i] = journeys.PersonSegment{Segment: str(r, "segment"), Since: millis(intOf(r, "since")), Version: int(intOf(r, "version"))}
		}
		return nil
	})
	return out, wrap("person segments", err)
}

// SetPersonScores stores model outputs (decoded state, propensities) on
// people, for the segments' state and propensity blocks.
func (s *Store) SetPersonScores(ctx context.Context, scores []journeys.PersonScores) error {
	rows := make([]map[string]any, len(scores))
	for i, sc := range scores {
		row := map[string]any{"id": sc.Person, "hmm_state": nil, "hmm_state_p": nil, "p_convert": nil, "p_unsubscribe": nil}
		if sc.State != nil {
			row["hmm_state"] = *sc.State
		}
		if sc.StateP != nil {
			row["hmm_state_p"] = *sc.StateP
		}
		if sc.PConvert != nil {
			row["p_convert"] = *sc.PConvert
		}
		if sc.PUnsubscribe != nil {
			row["p_unsubscribe"] = *sc.PUnsubscribe
		}
		rows[i] = row
	}
	err := s.write(ctx, stampTimeout, func(tx neo4j.ManagedTransaction) error {
		_, err := run(ctx, tx, "set_person_scores", map[string]any{"rows": rows, "now": time.Now().UnixMilli()})
		return err
	})
	return wrap("set person scores", err)
}

// boolOf returns a boolean column, false when null or absent.
func boolOf(r *neo4j.Record, key string) bool {
	v, _ := r.Get(key)
	b, _ := v.(bool)
	return b
}

func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}
