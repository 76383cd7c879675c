package ingest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// sinkFunc is a BulkSink made of a function.
type sinkFunc func(journeys.Event) error

func (f sinkFunc) Add(e journeys.Event) error { return f(e) }

// TestBulkPipe checks the pipe hands the sink every event in order, and
// returns the sink's first error (from add or close) without hanging.
func TestBulkPipe(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		failAt int // -1: never
	}{
		{"empty", 0, -1},
		{"less than a batch", 10, -1},
		{"several batches", 5*bulkPipeBatch + 7, -1},
		{"the sink fails early", 5*bulkPipeBatch + 7, 3},
		{"the sink fails in the last batch", 5*bulkPipeBatch + 7, 5*bulkPipeBatch + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			boom := errors.New("boom")
			p := newBulkPipe(sinkFunc(func(e journeys.Event) error {
				if len(got) == tc.failAt {
					return boom
				}
				got = append(got, e.ID)
				return nil
			}))
			defer p.stop()
			var want []string
			var err error
			for i := 0; i < tc.n && err == nil; i++ {
				id := fmt.Sprint(i)
				want = append(want, id)
				err = p.add(journeys.Event{ID: id})
			}
			if err == nil {
				err = p.close()
			}
			if tc.failAt < 0 {
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("got %d events (err %v), want %d in order", len(got), err, len(want))
				}
				return
			}
			if !errors.Is(err, boom) {
				t.Errorf("got %v, want the sink's error", err)
			}
			if !slices.Equal(got, want[:tc.failAt]) {
				t.Errorf("the sink took %d events, want the %d before its error, in order", len(got), tc.failAt)
			}
		})
	}
}

// TestStepMemo checks the remembered steps are the rules' own, for
// events named and located in every way the rules look at (exact and
// wildcard names, URL patterns and regexes, exclusions, no match).
func TestStepMemo(t *testing.T) {
	rules := journeys.DefaultStepRules()
	rules.Rules = append([]journeys.StepRule{
		{Label: "product", URL: "re:^/p/\\d+$"},
		{Label: "checkout", URL: "*/checkout/*"},
		{Exclude: true, Event: "debug_*"},
		{Label: "mail", Event: "email_*"},
	}, rules.Rules...)
	memo := newStepMemo(rules)
	names := []string{"page_view", "email_open", "email_click", "debug_tick", "purchase", "add_to_cart", "x"}
	urls := []string{"", "/p/12", "https://shop.example/p/12", "/p/x", "https://shop.example/checkout/pay", "/checkout"}
	for round := 0; round < 2; round++ { // the second round is answered from memory
		for _, n := range names {
			for _, u := range urls {
				e := journeys.Event{ID: "e", Person: "p", Name: n, URL: u, Step: "stale"}
				if got, want := memo.apply(e), withStep(rules, e); got.Step != want.Step {
					t.Errorf("round %d, %s %s: got step %q, want %q", round, n, u, got.Step, want.Step)
				}
			}
		}
	}
}

// TestPermute checks the in-place permutation of sortBuf.
func TestPermute(t *testing.T) {
	for _, idx := range [][]int32{{}, {0}, {1, 0}, {2, 0, 1}, {0, 3, 1, 2, 5, 4}, {4, 3, 2, 1, 0}} {
		buf := make([]fileEvent, len(idx))
		for i := range buf {
			buf[i].Seq = int64(i)
		}
		want := make([]int64, len(idx))
		for i, k := range idx {
			want[i] = int64(k)
		}
		permute(buf, slices.Clone(idx))
		got := make([]int64, len(buf))
		for i := range buf {
			got[i] = buf[i].Seq
		}
		if !slices.Equal(got, want) {
			t.Errorf("permute by %v: got %v, want %v", idx, got, want)
		}
	}
}
