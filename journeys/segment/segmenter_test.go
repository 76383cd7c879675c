package segment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// blockingEngine evaluates nothing: it waits until its context ends.
type blockingEngine struct{}

func (blockingEngine) EvaluateSegment(ctx context.Context, _ journeys.Pred, _ journeys.SegmentScope) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestEvaluationDeadline: an evaluation past its own deadline is an
// ETIMEOUT error naming the limit; one whose caller went away returns the
// caller's context error, not a timeout.
func TestEvaluationDeadline(t *testing.T) {
	seg := journeys.Segment{Name: "slow", Where: journeys.Condition{Did: &journeys.Match{Step: "purchase"}}}
	sg := &Segmenter{Engine: blockingEngine{}, PreviewTimeout: 20 * time.Millisecond}
	_, err := sg.Preview(context.Background(), seg, time.Now(), 10)
	if journeys.ErrorCode(err) != journeys.ETIMEOUT {
		t.Fatalf("preview past its deadline: %v, want code %s", err, journeys.ETIMEOUT)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	sg.PreviewTimeout = time.Minute
	_, err = sg.Preview(ctx, seg, time.Now(), 10)
	if !errors.Is(err, context.Canceled) || journeys.ErrorCode(err) == journeys.ETIMEOUT {
		t.Fatalf("preview whose caller left: %v, want context.Canceled", err)
	}
}

// countingEngine counts its syncs, its evaluations that sync first
// (EvaluateSegment) and those on what it holds (Held); everyone matches.
type countingEngine struct {
	syncErr               error
	syncs, synced, onHeld int
}

func (e *countingEngine) Sync(context.Context) error { e.syncs++; return e.syncErr }

func (e *countingEngine) EvaluateSegment(ctx context.Context, _ journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	if err := e.Sync(ctx); err != nil {
		return nil, err
	}
	e.synced++
	return scope.People, nil
}

func (e *countingEngine) Held() journeys.SegmentEngine { return heldEngine{e} }

type heldEngine struct{ e *countingEngine }

func (h heldEngine) EvaluateSegment(_ context.Context, _ journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	h.e.onHeld++
	return scope.People, nil
}

func (heldEngine) Explain(context.Context, []string, []journeys.EventCond) (map[string]journeys.Explanation, error) {
	return nil, nil
}

// listStore holds segments, with no members, and accepts every change.
type listStore struct {
	journeys.SegmentStore
	segs []journeys.Segment
}

func (s listStore) Segments(context.Context) ([]journeys.Segment, error) { return s.segs, nil }

func (listStore) SegmentMembers(context.Context, string, journeys.SegmentScope) ([]string, error) {
	return nil, nil
}

func (listStore) Explain(context.Context, []string, []journeys.EventCond) (map[string]journeys.Explanation, error) {
	return nil, nil
}

func (listStore) ApplyMembership(_ context.Context, _ journeys.Segment, _ time.Time, cs []journeys.MembershipChange) ([]journeys.MembershipChange, error) {
	return cs, nil
}

// TestRefreshSyncsOnce: a refresh of every segment brings a syncing engine
// (the journey cache) up to date once and evaluates each segment on that
// state; when that sync fails, each evaluation syncs (every segment is
// tried: one failing does not stop the others) and the error is reported.
func TestRefreshSyncsOnce(t *testing.T) {
	var segs []journeys.Segment
	for _, n := range []string{"a", "b", "c"} {
		segs = append(segs, journeys.Segment{Name: n, Version: 1, Where: journeys.Condition{Did: &journeys.Match{Step: "view"}}})
	}
	scope := journeys.SegmentScope{People: []string{"p1", "p2"}}
	tests := []struct {
		name                         string
		segs                         []journeys.Segment
		syncErr                      error
		syncs, synced, onHeld, enter int
	}{
		{"three segments: one sync", segs, nil, 1, 0, 3, 6},
		{"one segment: its own sync", segs[:1], nil, 1, 1, 0, 2},
		{"the sync fails: each evaluation syncs", segs, errors.New("down"), 4, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &countingEngine{syncErr: tc.syncErr}
			sg := &Segmenter{Store: listStore{segs: tc.segs}, Engine: e}
			res, err := sg.Refresh(context.Background(), nil, scope, "test", time.Now())
			if (err != nil) != (tc.syncErr != nil) {
				t.Fatalf("Refresh: %v", err)
			}
			entered := 0
			for _, r := range res {
				entered += r.Entered
			}
			if e.syncs != tc.syncs || e.synced != tc.synced || e.onHeld != tc.onHeld || entered != tc.enter {
				t.Errorf("syncs %d, evaluations syncing %d, on held %d, entries %d; want %d, %d, %d, %d",
					e.syncs, e.synced, e.onHeld, entered, tc.syncs, tc.synced, tc.onHeld, tc.enter)
			}
		})
	}
}

// peopleEngine is a countingEngine that can also sync a list of people.
type peopleEngine struct {
	*countingEngine
	peopleErr error
	asked     [][]string
}

func (e *peopleEngine) SyncPeople(_ context.Context, people []string) error {
	e.asked = append(e.asked, people)
	return e.peopleErr
}

// TestRefreshOfPeopleSyncsThemOnly: a refresh of a list of people (the
// ingest hook's) with an engine that can sync people brings only those up
// to date, once, whatever the number of segments, and evaluates on what
// it holds; a refresh of everyone syncs everyone as before; when the
// people's sync fails, each evaluation syncs.
func TestRefreshOfPeopleSyncsThemOnly(t *testing.T) {
	var segs []journeys.Segment
	for _, n := range []string{"a", "b"} {
		segs = append(segs, journeys.Segment{Name: n, Version: 1, Where: journeys.Condition{Did: &journeys.Match{Step: "view"}}})
	}
	people := []string{"p1", "p2"}
	tests := []struct {
		name                       string
		segs                       []journeys.Segment
		scope                      journeys.SegmentScope
		peopleErr                  error
		peopleSyncs, syncs, onHeld int
	}{
		{"two segments, two people", segs, journeys.SegmentScope{People: people}, nil, 1, 0, 2},
		{"one segment, two people", segs[:1], journeys.SegmentScope{People: people}, nil, 1, 0, 1},
		{"everyone", segs, journeys.SegmentScope{}, nil, 0, 1, 2},
		{"the people's sync fails", segs, journeys.SegmentScope{People: people}, errors.New("down"), 1, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &peopleEngine{countingEngine: &countingEngine{}, peopleErr: tc.peopleErr}
			sg := &Segmenter{Store: listStore{segs: tc.segs}, Engine: e}
			if _, err := sg.Refresh(context.Background(), nil, tc.scope, "test", time.Now()); err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if len(e.asked) != tc.peopleSyncs || e.syncs != tc.syncs || e.onHeld != tc.onHeld {
				t.Errorf("people syncs %d, syncs %d, on held %d; want %d, %d, %d", len(e.asked), e.syncs, e.onHeld,
					tc.peopleSyncs, tc.syncs, tc.onHeld)
			}
			for _, got := range e.asked {
				if !slices.Equal(got, people) {
					t.Errorf("synced people %v, want %v", got, people)
				}
			}
		})
	}
}

// membershipStore is a listStore that reads memberships for a list of
// people (MembershipReader), counting its reads; p1 is a member of "a".
type membershipStore struct {
	listStore
	memberships, segmentMembers *int
}

func (s membershipStore) Memberships(context.Context, []string) (map[string][]string, error) {
	*s.memberships++
	return map[string][]string{"a": {"p1"}}, nil
}

func (s membershipStore) SegmentMembers(context.Context, string, journeys.SegmentScope) ([]string, error) {
	*s.segmentMembers++
	return []string{"p1"}, nil
}

// TestRefreshOfPeopleReadsMembershipsOnce: a refresh of a list of people
// reads their memberships of every segment in one read, with one segment
// as with several, and diffs each segment against it; a refresh of
// everyone reads each segment's members.
func TestRefreshOfPeopleReadsMembershipsOnce(t *testing.T) {
	var segs []journeys.Segment
	for _, n := range []string{"a", "b"} {
		segs = append(segs, journeys.Segment{Name: n, Version: 1, Where: journeys.Condition{Did: &journeys.Match{Step: "view"}}})
	}
	people := journeys.SegmentScope{People: []string{"p1", "p2"}}
	tests := []struct {
		name                        string
		segs                        []journeys.Segment
		scope                       journeys.SegmentScope
		memberships, segmentMembers int
		entered                     int
	}{
		{"one segment, a list of people", segs[:1], people, 1, 0, 1},
		{"two segments, a list of people", segs, people, 1, 0, 3},
		{"everyone", segs, journeys.SegmentScope{}, 0, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m, sm int
			sg := &Segmenter{Store: membershipStore{listStore{segs: tc.segs}, &m, &sm}, Engine: &countingEngine{}}
			res, err := sg.Refresh(context.Background(), nil, tc.scope, "test", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			entered := 0
			for _, r := range res {
				entered += r.Entered
			}
			if m != tc.memberships || sm != tc.segmentMembers || entered != tc.entered {
				t.Errorf("memberships read %d, segment members read %d, entries %d; want %d, %d, %d", m, sm, entered,
					tc.memberships, tc.segmentMembers, tc.entered)
			}
		})
	}
}

// overlapStore is a listStore that records whether two ApplyMembership
// calls of one segment ever ran at once.
type overlapStore struct {
	listStore
	mu      sync.Mutex
	running map[string]int
	calls   int
	overlap bool
}

func (s *overlapStore) ApplyMembership(ctx context.Context, seg journeys.Segment, at time.Time, cs []journeys.MembershipChange) ([]journeys.MembershipChange, error) {
	s.mu.Lock()
	s.calls++
	if s.running[seg.Name]++; s.running[seg.Name] > 1 {
		s.overlap = true
	}
	s.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // a transaction's time, for the other to arrive in
	s.mu.Lock()
	s.running[seg.Name]--
	s.mu.Unlock()
	return cs, nil
}

// TestApplyOneSegmentAtATime: the membership changes of one segment are
// written one call at a time, by concurrent rounds of the hook and by two
// Segmenters of one process (serve's hook and schedule): Neo4j deadlocks
// now and then on two at once.
func TestApplyOneSegmentAtATime(t *testing.T) {
	segs := []journeys.Segment{{Name: "s", Version: 1, Where: journeys.Condition{Did: &journeys.Match{Step: "view"}}}}
	st := &overlapStore{listStore: listStore{segs: segs}, running: map[string]int{}}
	hook, schedule := &Segmenter{Store: st, Engine: everyone{}}, &Segmenter{Store: st, Engine: everyone{}}
	var wg sync.WaitGroup
	for i := range 40 {
		sg := hook
		if i%2 == 1 {
			sg = schedule
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Disjoint people: each enters.
			if _, err := sg.Refresh(context.Background(), nil, journeys.SegmentScope{People: []string{fmt.Sprint("p", i)}}, "test", time.Now()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if st.calls != 40 || st.overlap {
		t.Errorf("%d calls, overlapping: %v; want 40, none overlapping", st.calls, st.overlap)
	}
}

// everyone is an engine that evaluates everyone in scope into the segment.
type everyone struct{}

func (everyone) EvaluateSegment(_ context.Context, _ journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	return scope.People, nil
}

func (everyone) Explain(context.Context, []string, []journeys.EventCond) (map[string]journeys.Explanation, error) {
	return nil, nil
}

// leasingStore is a listStore that leases every delivery of the entries
// it applies (one per entry) when asked to.
type leasingStore struct {
	listStore
	leasedCalls, plainCalls int
}

func (s *leasingStore) ApplyMembership(ctx context.Context, seg journeys.Segment, at time.Time, cs []journeys.MembershipChange) ([]journeys.MembershipChange, error) {
	s.plainCalls++
	return cs, nil
}

func (s *leasingStore) ApplyMembershipLeased(_ context.Context, _ journeys.Segment, _ time.Time, cs []journeys.MembershipChange, c journeys.Claim) ([]journeys.MembershipChange, []journeys.Delivery, error) {
	s.leasedCalls++
	var ds []journeys.Delivery
	for _, ch := range cs {
		ds = append(ds, journeys.Delivery{ID: ch.ID + ".w", Webhook: "w", Person: ch.Person})
	}
	return cs, ds, nil
}

// handoff records the deliveries handed to it.
type handoff struct {
	running bool
	got     []journeys.Delivery
}

func (h *handoff) Claim() (journeys.Claim, bool) { return journeys.Claim{PerWebhook: 8}, h.running }

func (h *handoff) Deliver(batch []journeys.Delivery) { h.got = append(h.got, batch...) }

// TestRefreshHandsDeliveriesOver: with a running Handoff and a leasing
// store, a refresh's changes are written with their deliveries leased and
// handed over; with the Handoff not running, written as before (left in
// the outbox for a claim) and nothing is handed over.
func TestRefreshHandsDeliveriesOver(t *testing.T) {
	segs := []journeys.Segment{{Name: "s", Version: 1, Where: journeys.Condition{Did: &journeys.Match{Step: "view"}}}}
	for _, running := range []bool{true, false} {
		st, h := &leasingStore{listStore: listStore{segs: segs}}, &handoff{running: running}
		sg := &Segmenter{Store: st, Engine: everyone{}, Handoff: h}
		if _, err := sg.Refresh(context.Background(), nil, journeys.SegmentScope{People: []string{"p1", "p2"}}, "test", time.Now()); err != nil {
			t.Fatal(err)
		}
		wantLeased, wantHanded := 1, 2
		if !running {
			wantLeased, wantHanded = 0, 0
		}
		if st.leasedCalls != wantLeased || st.plainCalls != 1-wantLeased || len(h.got) != wantHanded {
			t.Errorf("running %v: %d leased writes, %d plain, %d handed over; want %d, %d, %d",
				running, st.leasedCalls, st.plainCalls, len(h.got), wantLeased, 1-wantLeased, wantHanded)
		}
	}
}
