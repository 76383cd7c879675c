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
	uiPass    string
	uiSecret  string
	steps     *string
	neo4j     *graph.Config
	segments  segmentFlags
	ready     chan<- string // tests: receives the listening address
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", app.Env("JOURNEYGRAPH_ADDR", "127.0.0.1:8080"), "listen address (JOURNEYGRAPH_ADDR)")
	fs.StringVar(&f.writeKeys, "write-keys", app.Env("JOURNEYGRAPH_WRITE_KEYS", ""), "comma-separated API keys for ingest (JOURNEYGRAPH_WRITE_KEYS; generated and logged when empty)")
	fs.StringVar(&f.readKeys, "read-keys", app.Env("JOURNEYGRAPH_READ_KEYS", ""), "comma-separated API keys for reads (JOURNEYGRAPH_READ_KEYS; generated and logged when empty)")
	fs.StringVar(&f.uiPass, "ui-passwords", app.Env("JOURNEYGRAPH_UI_PASSWORDS", ""), "comma-separated passwords for the web app's sign-in, besides the API keys (JOURNEYGRAPH_UI_PASSWORDS)")
	fs.StringVar(&f.uiSecret, "session-secret", app.Env("JOURNEYGRAPH_SESSION_SECRET", ""), "secret signing the web app's session cookies (JOURNEYGRAPH_SESSION_SECRET; random per process when empty)")
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
	store, err := app.OpenStore(ctx, f.neo4j, log)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	writeKeys, readKeys := splitKeys(f.writeKeys), splitKeys(f.readKeys)
	if len(writeKeys) == 0 {
		writeKeys = []string{"jgw_" + randomKey()}
		fmt.Fprintf(stdout, "write key (generated; set JOURNEYGRAPH_WRITE_KEYS to choose): %s\n", writeKeys[0])
	}
	if len(readKeys) == 0 {
		readKeys = []string{"jgr_" + randomKey()}
		fmt.Fprintf(stdout, "read key (generated; set JOURNEYGRAPH_READ_KEYS to choose): %s\n", readKeys[0])
	}
	// Reports read journeys from memory, kept in step with Neo4j, and the
	// step rules from the server's rulebook.
	a := app.New(store, app.Config{Rulebook: true, Cache: true, Now: now, Log: log})
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
	srv := web.New(web.Config{WriteKeys: writeKeys, ReadKeys: readKeys, Log: log}, a.Segmenting, store, store,
		web.WithCircuit(circuit),
		web.WithSegments(a.Segmenter, a.MemberPages()), web.WithWebhooks(store, a.Webhooks),
		web.WithApp(web.AppConfig{Passwords: splitKeys(f.uiPass), Secret: f.uiSecret}, a.Cache),
		web.WithStepRules(a.Book), web.WithErasure(store), web.WithModels(a.Chains, a.HiddenStates))
	srv.SetAnalyst(a.Analytics)

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", f.addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "journeygraph serving on http://%s (web app: http://%s/app, sign in with a key)\n", ln.Addr(), ln.Addr())
	if f.ready != nil {
		f.ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
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
