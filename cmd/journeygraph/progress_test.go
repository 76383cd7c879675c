package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys/ingest"
)

func TestSortMemoryFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"512MiB", 512 << 20, false},
		{"2GiB", 2 << 30, false},
		{"64 KiB", 64 << 10, false},
		{"100MB", 100e6, false},
		{"1000000", 1000000, false},
		{"4096B", 4096, false},
		{"off", -1, false},
		{"OFF", -1, false},
		{"0", 0, true},
		{"-5MiB", 0, true},
		{"12XB", 0, true},
		{"MiB", 0, true},
		{"", 0, true},
		{"99999999999GiB", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var s sortMemory
			err := s.Set(tt.in)
			if (err != nil) != tt.wantErr || err == nil && int64(s) != tt.want {
				t.Errorf("Set(%q) = %d, %v; want %d (error: %v)", tt.in, s, err, tt.want, tt.wantErr)
			}
		})
	}
	for _, tt := range []struct {
		v    sortMemory
		want string
	}{{512 << 20, "512MiB"}, {2 << 30, "2GiB"}, {-1, "off"}, {1000, "1000"}} {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("String(%d) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestETA(t *testing.T) {
	tests := []struct {
		frac    float64
		elapsed time.Duration
		want    string
	}{
		{0, time.Minute, "ETA --"},
		{0.5, 100 * time.Millisecond, "ETA --"},
		{0.25, 10 * time.Second, "ETA 30s"},
		{0.5, 90 * time.Second, "ETA 1m30s"},
		{1, time.Minute, "done"},
	}
	for _, tt := range tests {
		if got := eta(tt.frac, tt.elapsed); got != tt.want {
			t.Errorf("eta(%g, %v) = %q, want %q", tt.frac, tt.elapsed, got, tt.want)
		}
	}
}

// TestProgressPhases checks the lines printed off a terminal: each phase
// shows its own share done (bytes read while reading, events written of
// all while writing) and an estimate.
func TestProgressPhases(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out)
	p.minWait = 0
	base := ingest.ImportProgress{File: "f.csv", Size: 1000}
	read := base
	read.Phase, read.BytesRead = ingest.PhaseReading, 400
	p.update(read)
	write := base
	write.Phase, write.BytesRead, write.Written, write.Total = ingest.PhaseWriting, 1000, 30, 120
	write.Accepted = 30
	p.update(write)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("printed %q, want 2 lines", out.String())
	}
	for i, want := range []string{"import f.csv: reading  40% ETA", "import f.csv: writing  25% ETA"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], "30 accepted") {
		t.Errorf("line 2 = %q, want the counts", lines[1])
	}
}
