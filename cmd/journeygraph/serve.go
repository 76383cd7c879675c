package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/cmd/internal/metrics"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/web"
)

// serveFlags are the flags of serve (and demo).
type serveFlags struct {
	addr      string
	writeKeys string
	readKeys  string
	adminKeys string
	uiPass    string
	uiSecret  string
	metrics   string // the listen address of /metrics without a key; "" for none
	steps     *string
	neo4j     *graph.Config
	segments  segmentFlags
	ready     chan<- string // tests: receives the listening address
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", app.Env("JOURNEYGRAPH_ADDR", "127.0.0.1:8080"), "listen address (JOURNEYGRAPH_ADDR)")
	app.SecretVar(fs, &f.writeKeys, "write-keys", "JOURNEYGRAPH_WRITE_KEYS", "", "",
		"comma-separated API `keys` with the ingest role: send events only, the key for browsers and apps (JOURNEYGRAPH_WRITE_KEYS; generated and printed when empty)")
	app.SecretVar(fs, &f.readKeys, "read-keys", "JOURNEYGRAPH_READ_KEYS", "", "",
		"comma-separated API `keys` with the read role: reports, segments, members, exports; they sign in to the web app to look (JOURNEYGRAPH_READ_KEYS; generated and printed when empty)")
	app.SecretVar(fs, &f.adminKeys, "admin-keys", "JOURNEYGRAPH_ADMIN_KEYS", "", "",
		"comma-separated API `keys` with the admin role: everything, changes and erasure included; they sign in to the web app (JOURNEYGRAPH_ADMIN_KEYS; generated and printed when empty)")
	app.SecretVar(fs, &f.uiPass, "ui-passwords", "JOURNEYGRAPH_UI_PASSWORDS", "", "",
		"comma-separated `passwords` signing in to the web app with the admin role, besides the read and admin keys (JOURNEYGRAPH_UI_PASSWORDS)")
	app.SecretVar(fs, &f.uiSecret, "session-secret", "JOURNEYGRAPH_SESSION_SECRET", "", "",
		"`secret` signing the web app's session cookies (JOURNEYGRAPH_SESSION_SECRET; random per process when empty)")
	fs.StringVar(&f.metrics, "metrics-addr", app.Env("JOURNEYGRAPH_METRICS_ADDR", ""), "listen address serving Prometheus /metrics without a key, for a scraper on a private network (JOURNEYGRAPH_METRICS_ADDR; default none: /metrics on --addr takes a read key)")
	f.steps = app.StepRulesFlag(fs)
	f.neo4j = app.Neo4jFlags(fs)
	f.segments.register(fs)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return serve(ctx, &f, app.NewLogger(stderr), stdout)
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully
// (requests in flight finish and are answered).
func serve(ctx context.Context, f *serveFlags, log *logrus.Logger, stdout io.Writer) error {
	rules, err := app.LoadStepRules(*f.steps)
	if err != nil {
		return err
	}
	now, err := f.segments.clock()
	if err != nil {
		return err
	}
	m := metrics.New()
	f.neo4j.Errors = m
	allow, err := f.segments.allowList()
	if err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, f.neo4j, log)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	writeKeys := keysOrGenerated(f.writeKeys, "jgw_", "write key (ingest role; generated, set JOURNEYGRAPH_WRITE_KEYS to choose)", stdout)
	readKeys := keysOrGenerated(f.readKeys, "jgr_", "read key (read role; generated, set JOURNEYGRAPH_READ_KEYS to choose)", stdout)
	adminKeys := keysOrGenerated(f.adminKeys, "jga_", "admin key (admin role, signs in to the web app; generated, set JOURNEYGRAPH_ADMIN_KEYS to choose)", stdout)
	// Reports read journeys from memory, kept in step with Neo4j, and the
	// step rules from the server's rulebook.
	a := app.New(store, app.Config{Rulebook: true, Cache: true, Now: now, Log: log, Metrics: m, WebhookAllow: allow})
	if err := openRulebook(ctx, a.Book, rules, *f.steps != "", log); err != nil {
		return err
	}
	defer a.Book.Wait()
	stopSegments, err := startSegments(ctx, a, f.segments.interval, log)
	if err != nil {
		return err
	}
	defer stopSegments()
	go func() {
		start := time.Now()
		if err := a.Cache.Load(ctx); err != nil {
			log.WithError(err).Warn("journey cache: load failed (retried by the next sync)")
		} else {
			people, events := a.Cache.Stats()
			log.WithFields(logrus.Fields{"people": people, "events": events, "took": time.Since(start).Round(time.Millisecond)}).Info("journey cache loaded")
		}
		a.Cache.Run(ctx, cacheSyncInterval, func(err error) { log.WithError(err).Warn("journey cache: sync failed") })
	}()
	// While Neo4j is unreachable requests are answered 503 at once.
	circuit := web.NewCircuit(store, web.CircuitConfig{Log: log})
	go circuit.Run(ctx)
	srv := web.New(web.Config{WriteKeys: writeKeys, ReadKeys: readKeys, AdminKeys: adminKeys, Log: log}, a.Segmenting, store, store,
		web.WithCircuit(circuit),
		web.WithSegments(a.Segmenter, a.MemberPages()), web.WithWebhooks(store, a.Webhooks),
		web.WithDrift(a.Drift),
		web.WithApp(web.AppConfig{Passwords: splitKeys(f.uiPass), Secret: f.uiSecret}, a.Cache),
		web.WithStepRules(a.Book), web.WithErasure(store), web.WithModels(a.Chains, a.HiddenStates), web.WithMetrics(m),
		web.WithVocabulary(a.Cache), web.WithClusters(a.Profiles),
		web.WithPropensity(a.Propensity))
	srv.SetAnalyst(a.Analytics)

	errc := make(chan error, 2) // the servers' failures
	if f.metrics != "" {
		ms, err := serveMetrics(f.metrics, m, stdout, errc)
		if err != nil {
			return err
		}
		defer ms.Close()
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", f.addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "journeygraph serving on http://%s (web app: http://%s/app, sign in with the admin key, or a read key to look only)\n", ln.Addr(), ln.Addr())
	if f.ready != nil {
		f.ready <- ln.Addr().String()
	}
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveMetrics serves m at /metrics on addr, without a key, until closed;
// a failure to serve goes to errc.
func serveMetrics(addr string, m http.Handler, stdout io.Writer, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s (--metrics-addr): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m)
	ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "metrics on http://%s/metrics (no key: keep this address private)\n", ln.Addr())
	go func() {
		if err := ms.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return ms, nil
}

// openRulebook loads the server's saved step rules, saving initial as the
// first version on the first start. Rules given with --steps (explicit)
// that differ from the saved ones are saved as a new version: the file is
// what the operator asked for.
func openRulebook(ctx context.Context, book *ingest.Rulebook, initial journeys.StepRules, explicit bool, log *logrus.Logger) error {
	cur, err := book.Open(ctx, initial)
	if err != nil {
		return err
	}
	if explicit && !reflect.DeepEqual(cur.StepRules, initial) {
		if cur, err = book.Save(ctx, initial, cur.Version); err != nil {
			return err
		}
		log.WithField("version", cur.Version).Info("step rules from --steps saved; restepping stored events")
	}
	return nil
}

// cacheSyncInterval is how often the server's journey cache syncs between
// reports, in full (each report syncs the last seconds first).
const cacheSyncInterval = 15 * time.Second

// keysOrGenerated returns the keys of the comma-separated list s, or one
// generated key (prefix and random hex) printed to stdout after label when
// s has none.
func keysOrGenerated(s, prefix, label string, stdout io.Writer) []string {
	keys := splitKeys(s)
	if len(keys) == 0 {
		keys = []string{prefix + randomKey()}
		fmt.Fprintf(stdout, "%s: %s\n", label, keys[0])
	}
	return keys
}

func splitKeys(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
