package bench

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRunWithoutBenchmark(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}} {
		var stdout, stderr bytes.Buffer
		err := Run(context.Background(), args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), `want "bench ingest"`) || !strings.HasPrefix(stderr.String(), "usage: journeygraph bench ingest") {
			t.Errorf("Run(%q) = %v, stderr %q; want the usage and an error", args, err, stderr.String())
		}
	}
}

func TestParseSizes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []int
		wantErr bool
	}{
		{"one", "1000", []int{1000}, false},
		{"several, spaced", "1000, 5000,20000", []int{1000, 5000, 20000}, false},
		{"zero", "0", nil, true},
		{"not a number", "1,x", nil, true},
		{"empty", "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSizes("--batch", tt.in)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("parseSizes(%q) = %v, %v; want %v (error: %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPct(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, x := range n {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	xs := ms(9, 1, 8, 2, 7, 3, 6, 4, 5, 10)
	tests := []struct {
		name string
		xs   []time.Duration
		p    int
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"median", xs, 50, 6 * time.Millisecond},
		{"p90", xs, 90, 10 * time.Millisecond},
		{"max", xs, 100, 10 * time.Millisecond},
		{"min", xs, 0, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pct(tt.xs, tt.p); got != tt.want {
				t.Errorf("pct(%d) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
	if !slices.Equal(xs, ms(9, 1, 8, 2, 7, 3, 6, 4, 5, 10)) {
		t.Error("pct sorted its argument")
	}
}
