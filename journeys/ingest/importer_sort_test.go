package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// chainWriter is a fake store keeping, like the real one, each person's
// chain sorted by (time, id): it stores an event once (a stored id is a
// duplicate) and counts the events that arrive before their person's last
// stored one, which the real store pays for by rebuilding the chain.
type chainWriter struct {
	mu     sync.Mutex
	stored map[string]bool
	last   map[string]journeys.Event
	late   int
	calls  int
	// fail, when set, is called before each write and may fail it.
	fail func(call int) error
}

func (w *chainWriter) WriteEvents(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if err := ctx.Err(); err != nil {
		return journeys.WriteResult{}, err
	}
	if w.fail != nil {
		if err := w.fail(w.calls); err != nil {
			return journeys.WriteResult{}, err
		}
	}
	if w.stored == nil {
		w.stored, w.last = map[string]bool{}, map[string]journeys.Event{}
	}
	var res journeys.WriteResult
	for _, e := range events {
		if w.stored[e.ID] {
			res.Duplicates++
			continue
		}
		w.stored[e.ID] = true
		res.Accepted++
		if l, ok := w.last[e.Person]; ok && (e.Time.Before(l.Time) || e.Time.Equal(l.Time) && e.ID < l.ID) {
			w.late++
			continue
		}
		w.last[e.Person] = e
	}
	return res, nil
}

// shuffledCSV writes a CSV of people×each events in random order, with a
// bad row (an unreadable time) every 97 lines, and returns its path, the
// number of good events and the bad rows' line numbers.
func shuffledCSV(t *testing.T, people, each int) (path string, good int, bad []int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	var rows []string
	for p := 0; p < people; p++ {
		for i := 0; i < each; i++ {
			rows = append(rows, fmt.Sprintf("u%03d,%d,e%d", p, t0+int64(i*60+rng.IntN(30)), rng.IntN(5)))
		}
	}
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	var b strings.Builder
	b.WriteString("uid,ts,action\n")
	line := 1
	for i, r := range rows {
		if i%97 == 50 {
			line++
			fmt.Fprintf(&b, "u%03d,not-a-time,e1\n", i%people)
			bad = append(bad, line)
		}
		line++
		b.WriteString(r + "\n")
	}
	path = filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, len(rows), bad
}

var csvMapping = Mapping{Format: FormatCSV, Header: true, Person: "uid", Time: "ts", Name: "action"}

// rejectedLines returns the line numbers in a rejects CSV.
func rejectedLines(t *testing.T, b []byte) []string {
	t.Helper()
	var lines []string
	for _, row := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if row == "" {
			continue
		}
		f := strings.Split(row, ",")
		lines = append(lines, f[1]+":"+f[2])
	}
	return lines
}

func wantRejected(bad []int) []string {
	out := make([]string, len(bad))
	for i, l := range bad {
		out[i] = fmt.Sprintf("%d:ts", l)
	}
	return out
}

func TestImportSortedWritesEachChainInOrder(t *testing.T) {
	path, good, bad := shuffledCSV(t, 40, 50)
	tests := []struct {
		name     string
		memory   int64
		wantLate bool
	}{
		{"sorted in memory", 0, false},
		{"sorted through many runs", 16 << 10, false},
		{"file order", -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &chainWriter{}
			var rejects bytes.Buffer
			tmp := t.TempDir()
			var phases []string
			im := &Importer{Ingester: &Ingester{Store: w, Writers: 1}, BatchSize: 100, StateDir: t.TempDir(),
				SortMemory: tt.memory, TempDir: tmp, Rejects: &rejects,
				Progress: func(p ImportProgress) {
					if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
						phases = append(phases, p.Phase)
					}
				}}
			res, err := im.ImportFile(context.Background(), path, csvMapping)
			if err != nil {
				t.Fatal(err)
			}
			if res.Read != good+len(bad) || res.Accepted != good || res.Duplicates != 0 || res.Rejected != len(bad) {
				t.Errorf("result %+v, want %d read, %d accepted, %d rejected", res, good+len(bad), good, len(bad))
			}
			if got := (w.late > 0); got != tt.wantLate {
				t.Errorf("%d events arrived after a later one of their person (want late: %v)", w.late, tt.wantLate)
			}
			if got, want := rejectedLines(t, rejects.Bytes()), wantRejected(bad); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("rejected rows %v, want %v", got, want)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
			if tt.memory >= 0 && fmt.Sprint(phases) != fmt.Sprint([]string{PhaseReading, PhaseWriting}) {
				t.Errorf("progress phases %v, want reading then writing", phases)
			}
		})
	}
}

func TestImportSortedResumes(t *testing.T) {
	path, good, bad := shuffledCSV(t, 30, 40)
	errDown := journeys.Errorf(journeys.EUNAVAILABLE, "down")
	tests := []struct {
		name string
		// interrupt makes the first run stop at its 5th write.
		interrupt func(cancel context.CancelFunc) func(int) error
	}{
		{"the store fails", func(context.CancelFunc) func(int) error {
			return func(call int) error {
				if call == 5 {
					return errDown
				}
				return nil
			}
		}},
		{"cancelled mid-write", func(cancel context.CancelFunc) func(int) error {
			return func(call int) error {
				if call == 5 {
					cancel()
				}
				return nil
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &chainWriter{}
			var rejects bytes.Buffer
			state, tmp := t.TempDir(), t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w.fail = tt.interrupt(cancel)
			im := &Importer{Ingester: &Ingester{Store: w, Writers: 1}, BatchSize: 100, StateDir: state,
				SortMemory: 8 << 10, TempDir: tmp, Rejects: &rejects, Resume: true}
			if _, err := im.ImportFile(ctx, path, csvMapping); err == nil {
				t.Fatal("first run: no error, want it interrupted")
			} else if !errors.Is(err, errDown) && !errors.Is(err, context.Canceled) {
				t.Fatalf("first run: %v", err)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("temporary files left after the failure: %v", left)
			}
			stored := len(w.stored)
			if stored == 0 || stored >= good {
				t.Fatalf("first run stored %d of %d events, want part of them", stored, good)
			}

			w.fail = nil
			res, err := im.ImportFile(context.Background(), path, csvMapping)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Resumed || res.Read != good+len(bad) || res.Accepted != good || res.Duplicates != 0 || res.Rejected != len(bad) {
				t.Errorf("resumed result %+v, want resumed, %d read, %d accepted once, no duplicates, %d rejected", res, good+len(bad), good, len(bad))
			}
			if len(w.stored) != good || w.late != 0 {
				t.Errorf("store holds %d events (%d late), want %d, none late", len(w.stored), w.late, good)
			}
			if got, want := rejectedLines(t, rejects.Bytes()), wantRejected(bad); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("rejected rows over both runs %v, want each once: %v", got, want)
			}
			again, err := im.ImportFile(context.Background(), path, csvMapping)
			if err != nil || again != res {
				t.Errorf("third run = %+v, %v; want the finished result %+v", again, err, res)
			}
		})
	}
}

func TestImportKeepsAFileOrderCheckpoint(t *testing.T) {
	path, good, bad := shuffledCSV(t, 10, 30)
	w := &chainWriter{fail: func(call int) error {
		if call == 2 {
			return journeys.Errorf(journeys.EUNAVAILABLE, "down")
		}
		return nil
	}}
	var rejects bytes.Buffer
	im := &Importer{Ingester: &Ingester{Store: w, Writers: 1}, BatchSize: 50, StateDir: t.TempDir(),
		SortMemory: -1, Rejects: &rejects, Resume: true}
	if _, err := im.ImportFile(context.Background(), path, csvMapping); err == nil {
		t.Fatal("first run: no error")
	}
	// The next run sorts by default, but a file-order checkpoint's lines
	// mean nothing in sorted order: it goes on in file order.
	w.fail, im.SortMemory = nil, 0
	res, err := im.ImportFile(context.Background(), path, csvMapping)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != good || res.Duplicates != 0 || res.Rejected != len(bad) || len(w.stored) != good {
		t.Errorf("result %+v, store %d; want %d accepted once, %d rejected", res, len(w.stored), good, len(bad))
	}
}
