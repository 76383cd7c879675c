package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

// TestApplyMembershipLocksPeopleInIDOrder: membership changes take their
// people's locks in id order, as an event write does (lock_people), so the
// two never deadlock. An open transaction holds person a (as a write does
// while it appends); the changes b enters and a leaves start and wait for
// a; the transaction then takes b, which the changes must not hold yet
// (taking b first, for the entry, then waiting for a made a cycle that Neo4j
// broke with DeadlockDetected: the driver's retry cost the segment hook
// whole seconds). Both finish: the transaction commits, both changes apply.
func TestApplyMembershipLocksPeopleInIDOrder(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	a, b := prefix+"a", prefix+"b"
	// b is written first: Neo4j takes some of a transaction's locks at
	// commit, in the order of its node ids, which are then b's before a's.
	write(t, s, ev(b, "view", 1))
	write(t, s, ev(a, "view", 0))
	name := prefix + "seg"
	t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), name) })
	now := time.Now()
	seg, err := s.SaveSegment(ctx, journeys.Segment{Name: name, Where: journeys.Condition{People: []string{a}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	change := func(kind, person string) journeys.MembershipChange {
		return journeys.MembershipChange{ID: journeys.NewID(), Kind: kind, Segment: name, Version: seg.Version,
			Person: person, At: now, Reason: []byte(`{}`), Payload: []byte(`{}`)}
	}
	if _, err := s.ApplyMembership(ctx, seg, now, []journeys.MembershipChange{change(journeys.KindEntered, a)}); err != nil {
		t.Fatal(err)
	}

	cfg := graphtest.Config()
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	sess := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: cfg.Database, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock := func(id string) error {
		_, err := tx.Run(ctx, "MATCH (p:Person {id: $id}) SET p.lock_test = 1", map[string]any{"id": id})
		return err
	}
	if err := lock(a); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.ApplyMembership(ctx, seg, now, []journeys.MembershipChange{change(journeys.KindEntered, b), change(journeys.KindLeft, a)})
		done <- err
	}()
	// Wait until the changes' transaction waits for a lock: Blocked while
	// it runs, or Closing when it waits at commit (the locks Neo4j takes
	// there for the relationships it changed, in node id order).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := neo4j.ExecuteQuery(ctx, driver, "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' OR status = 'Closing' RETURN count(*) AS n",
			nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(cfg.Database))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.Records[0].Get("n"); n.(int64) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the membership changes never waited for person a")
		}
	}
	if err := lock(b); err != nil {
		t.Fatalf("taking b while the membership changes wait for a: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("membership changes: %v", err)
	}
	if members, err := s.SegmentMembers(ctx, name, journeys.SegmentScope{Prefix: prefix}); err != nil || len(members) != 1 || members[0] != b {
		t.Errorf("members %v, %v; want just %s", members, err, b)
	}
}
