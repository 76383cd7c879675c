package ingest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// segmentLines returns Segment JSONL rows in time order: people browsing
// anonymously, most of them identifying (some anonymous ids sort before the
// user ids, some after), events under the user id, anonymous events after
// the identify (which join the user), exact repeats of a row, and bad rows.
// It returns the ids of every person and whether each row is bad.
func segmentLines() (rows []string, bad []bool, ids []string) {
	t0 := time.Date(2024, 4, 1, 8, 0, 0, 0, time.UTC)
	add := func(row string, isBad bool) { rows, bad = append(rows, row), append(bad, isBad) }
	ts := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	for i := 0; i < 40; i++ {
		anon, user := fmt.Sprintf("anon-%02d", i), fmt.Sprintf("user-%02d", i)
		if i%2 == 1 {
			anon = fmt.Sprintf("zz-anon-%02d", i)
		}
		ids = append(ids, anon, user)
		start := t0.Add(time.Duration(i) * 7 * time.Minute)
		at := func(min float64) time.Time { return start.Add(time.Duration(min * float64(time.Minute))) }
		for k := 0; k < 5; k++ {
			add(fmt.Sprintf(`{"type":"page","anonymousId":%q,"timestamp":%q,"context":{"page":{"url":"https://shop.example/p/%d"}}}`, anon, ts(at(float64(k))), k), false)
		}
		if i%4 != 3 {
			add(fmt.Sprintf(`{"type":"identify","userId":%q,"anonymousId":%q,"timestamp":%q,"traits":{"plan":"p%d"}}`, user, anon, ts(at(5)), i%3), false)
		}
		for k := 0; k < 6; k++ {
			row := fmt.Sprintf(`{"type":"track","userId":%q,"event":"%s","timestamp":%q,"properties":{"price":%d.5}}`,
				user, []string{"product_view", "add_to_cart", "purchase"}[k%3], ts(at(6+float64(k))), k)
			add(row, false)
			if k == 2 && i%5 == 0 {
				add(row, false) // an exact repeat: a second event, not a duplicate
			}
		}
		add(fmt.Sprintf(`{"type":"track","anonymousId":%q,"event":"email_open","timestamp":%q}`, anon, ts(at(7.5))), false)
		if i%9 == 4 {
			add(fmt.Sprintf(`{"type":"track","userId":%q,"event":"view","timestamp":"not a time"}`, user), true)
			add(`{"type":"track",`, true)
		}
	}
	return rows, bad, ids
}

// writeLines writes rows in the given order and returns the path and the
// line numbers of the bad ones.
func writeLines(t *testing.T, name string, rows []string, bad []bool, order []int) (string, []int) {
	t.Helper()
	var b strings.Builder
	var badLines []int
	for line, i := range order {
		b.WriteString(rows[i] + "\n")
		if bad[i] {
			badLines = append(badLines, line+1)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, badLines
}

// stepsOf is a journey as comparable text: the person it belongs to
// (without prefix) and every event's type, name, time, anonymity and value.
func stepsOf(prefix string, p journeys.Person, events []journeys.JourneyEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:", strings.TrimPrefix(p.ID, prefix))
	for _, e := range events {
		fmt.Fprintf(&b, " %s/%s@%s/%v/%g", e.Type, e.Name, e.Time.Format(time.RFC3339Nano), e.Anonymous, e.Value)
	}
	return b.String()
}

// TestImportShuffledEqualsSorted imports the same events from a file sorted
// by time and from a shuffled one, each under its own prefix, sorting both
// through many spilled runs in small batches: the stored journeys are the
// same (merged people included), every chain is exactly sorted, and the
// rejected rows are the same rows of each file.
func TestImportShuffledEqualsSorted(t *testing.T) {
	store := graphtest.Open(t)
	ctx := context.Background()
	rows, bad, ids := segmentLines()
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	sortedPath, sortedBad := writeLines(t, "sorted.jsonl", rows, bad, order)
	rand.New(rand.NewPCG(5, 6)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	shuffledPath, shuffledBad := writeLines(t, "shuffled.jsonl", rows, bad, order)

	type imported struct {
		prefix   string
		res      ingest.ImportResult
		rejected []string // line field problem
	}
	load := func(path string) imported {
		prefix := graphtest.RunID(t)
		var rejects bytes.Buffer
		im := &ingest.Importer{
			Ingester:  &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()},
			BatchSize: 37, StateDir: t.TempDir(), SortMemory: 16 << 10, TempDir: t.TempDir(), Rejects: &rejects,
		}
		res, err := im.ImportFile(ctx, path, ingest.Mapping{Format: ingest.FormatSegment, PersonPrefix: prefix})
		if err != nil {
			t.Fatalf("import %s: %v", filepath.Base(path), err)
		}
		recs, err := csv.NewReader(&rejects).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var rejected []string
		for _, r := range recs {
			rejected = append(rejected, r[1]+" "+r[2]+" "+r[3])
		}
		return imported{prefix: prefix, res: res, rejected: rejected}
	}
	sorted, shuffled := load(sortedPath), load(shuffledPath)

	sorted.res.File, shuffled.res.File = "", ""
	if sorted.res != shuffled.res {
		t.Errorf("results differ: sorted file %+v, shuffled file %+v", sorted.res, shuffled.res)
	}
	if want := len(rows) - len(sortedBad); sorted.res.Accepted != want || sorted.res.Rejected != len(sortedBad) {
		t.Errorf("accepted %d, rejected %d; want %d and %d", sorted.res.Accepted, sorted.res.Rejected, want, len(sortedBad))
	}
	for _, c := range []struct {
		name     string
		got      []string
		badLines []int
	}{{"sorted", sorted.rejected, sortedBad}, {"shuffled", shuffled.rejected, shuffledBad}} {
		var lines []int
		for _, r := range c.got {
			var n int
			fmt.Sscan(r, &n)
			lines = append(lines, n)
		}
		slices.Sort(lines)
		if !slices.Equal(lines, c.badLines) {
			t.Errorf("%s file: rejected lines %v, want the bad rows' lines %v", c.name, lines, c.badLines)
		}
	}
	problems := func(rs []string) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			_, out[i], _ = strings.Cut(r, " ")
		}
		slices.Sort(out)
		return out
	}
	if a, b := problems(sorted.rejected), problems(shuffled.rejected); !slices.Equal(a, b) {
		t.Errorf("rejected fields and problems differ:\nsorted   %v\nshuffled %v", a, b)
	}

	checked := map[string]bool{}
	for _, id := range ids {
		var journeysOf [2]string
		for k, imp := range []imported{sorted, shuffled} {
			p, events, err := store.Journey(ctx, imp.prefix+id, 1000)
			if err != nil {
				t.Fatalf("journey of %s: %v", imp.prefix+id, err)
			}
			journeysOf[k] = stepsOf(imp.prefix, p, events)
			if !checked[p.ID] {
				checked[p.ID] = true
				if _, err := store.CheckChain(ctx, p.ID); err != nil {
					t.Errorf("chain of %s: %v", p.ID, err)
				}
			}
		}
		if strings.Count(journeysOf[0], "@") < 5 {
			t.Errorf("journey of %s holds too few events: %s", id, journeysOf[0])
		}
		if journeysOf[0] != journeysOf[1] {
			t.Errorf("journey of %s differs:\nfrom the sorted file   %s\nfrom the shuffled file %s", id, journeysOf[0], journeysOf[1])
		}
	}
	// 40 users, 10 of whom never identified their anonymous id: 50 people
	// in each import, the other anonymous ids merged.
	if len(checked) != 2*50 {
		t.Errorf("%d people in both imports, want 100", len(checked))
	}
}
