package ingest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// hostileLines returns n JSONL or Segment lines mixing good rows, exact
// repeats (numbered content ids), blank lines, malformed JSON, a non-object,
// rows too long, bad times, quotes, commas, line-break escapes and
// non-ASCII text, so that batches cut them anywhere.
func hostileLines(segment bool, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		user, name := fmt.Sprintf("u%d", i%37), []string{"view", `say "hi", ok`, "köln\\n€", "buy"}[i%4]
		ts := fmt.Sprintf("2024-05-01T10:%02d:%02dZ", (i/60)%60, i%60)
		if i%7 == 3 {
			ts = fmt.Sprintf("2024-05-01T10:%02d:%02dZ", ((i-1)/60)%60, (i-1)%60) // a repeat of the row before, content-wise
		}
		switch {
		case i%97 == 5:
			b.WriteString("\n")
		case i%89 == 7:
			b.WriteString(`{"user":"u1","ts":` + "\n")
		case i%83 == 11:
			b.WriteString("[1,2]\n")
		case i%79 == 13:
			fmt.Fprintf(&b, `{"user":"u1","ts":"2024-05-01T10:00:00Z","event":"x","pad":%q}`+"\n", strings.Repeat("a", 300))
		case i%71 == 17:
			fmt.Fprintf(&b, `{"user":"u1","userId":"u1","ts":"yesterday","timestamp":"yesterday","event":"x"}`+"\n")
		case segment:
			fmt.Fprintf(&b, `{"type":"track","userId":%q,"event":%q,"timestamp":%q,"properties":{"n":%d}}`+"\n", user, name, ts, i%7/3)
		default:
			fmt.Fprintf(&b, `{"user":%q,"ts":%q,"event":%q,"n":%d}`+"\n", user, ts, name, i%7/3)
		}
	}
	return b.String()
}

// TestReaderWorkers checks a reader parsing in goroutines gives what a
// serial one gives: the same events (ids of repeats included), lines,
// rejected rows and counts, whatever the number of workers.
func TestReaderWorkers(t *testing.T) {
	lim := journeys.Limits{MaxRowBytes: 256}
	for _, tc := range []struct {
		name string
		m    Mapping
		seg  bool
	}{
		{"jsonl", Mapping{Format: FormatJSONL, Person: "user", Time: "ts", Name: "event"}, false},
		{"segment", Mapping{Format: FormatSegment}, true},
	} {
		input := hostileLines(tc.seg, 5*parallelBatch+123)
		serial, err := NewReader(strings.NewReader(input), tc.m, testNow, lim)
		if err != nil {
			t.Fatal(err)
		}
		wantEvents, wantLines, wantRejected := readAll(t, serial)
		wantGood, wantBad := serial.Counts()
		if wantBad < 5 || wantGood < 1000 {
			t.Fatalf("%s: %d good, %d rejected: the input does not test much", tc.name, wantGood, wantBad)
		}
		for _, workers := range []int{2, 3, 8} {
			t.Run(fmt.Sprintf("%s/%d workers", tc.name, workers), func(t *testing.T) {
				r, err := NewReader(strings.NewReader(input), tc.m, testNow, lim)
				if err != nil {
					t.Fatal(err)
				}
				r.SetWorkers(workers)
				defer r.Close()
				events, lines, rejected := readAll(t, r)
				if !reflect.DeepEqual(events, wantEvents) {
					t.Errorf("events differ from a serial read (%d, want %d)", len(events), len(wantEvents))
				}
				if !reflect.DeepEqual(lines, wantLines) {
					t.Errorf("lines differ from a serial read")
				}
				if !reflect.DeepEqual(rejected, wantRejected) {
					t.Errorf("rejected rows:\ngot  %+v\nwant %+v", rejected, wantRejected)
				}
				if good, bad := r.Counts(); good != wantGood || bad != wantBad {
					t.Errorf("counts: got %d, %d, want %d, %d", good, bad, wantGood, wantBad)
				}
			})
		}
	}
}

// TestReaderWorkersClose checks Close stops a parallel read before its
// end (its goroutines return) and the reader then gives no more events.
func TestReaderWorkersClose(t *testing.T) {
	input := hostileLines(false, 20*parallelBatch)
	r, err := NewReader(strings.NewReader(input), Mapping{Format: FormatJSONL, Person: "user", Time: "ts", Name: "event"}, testNow, journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkers(2)
	for i := 0; i < 10 && r.Next(); i++ {
	}
	r.Close() // returns once every goroutine has
	r.Close()
	n := 0
	for r.Next() {
		n++
	}
	if n > 2*parallelBatch {
		t.Errorf("%d events after Close, want at most the batch in hand", n)
	}
}
