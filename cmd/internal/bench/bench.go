// Package bench holds journeygraph's benchmark commands (journeygraph
// bench ingest|analytics|segments): ingest throughput against a bare
// baseline, report latency from Neo4j and from the journey cache, segment
// recompute, event-to-webhook latency and members lookup under load, each
// on the services as the app package assembles them, over data of
// journeys/synth or a file.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"slices"
	"time"
)

// Run runs "journeygraph bench" with args (what follows "bench"): the
// benchmark args[0] names, with the rest of args as its flags.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "segments":
			return runSegments(ctx, args[1:], stdout, stderr)
		case "analytics":
			return runAnalytics(ctx, args[1:], stdout, stderr)
		}
	}
	return runIngest(ctx, args, stdout, stderr)
}

// pct returns the p-th percentile of xs (p = 100: the maximum).
func pct(xs []time.Duration, p int) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return s[i].Round(10 * time.Microsecond)
}

// randomTag returns 8 random hex digits, telling a run's data apart.
func randomTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
