package bulk

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
)

// Loader loads an empty database offline: it writes the CSV files with a
// Writer, stops the managed server, runs neo4j-admin import (database neo4j
// replaced), starts the server again and applies the schema.
type Loader struct {
	Server *Server
	Store  graph.Config // the server's settings (its URI must be the managed server's)
	// TempDir is where the CSV files are written (in a folder of their
	// own, removed afterwards); os.TempDir when empty.
	TempDir string
	Now     func() time.Time // time.Now when nil
	// Before, when set, is called with the store once the checks passed,
	// before the server stops: to read what the load needs (step rules).
	Before func(context.Context, *graph.Store) error
	Log    logrus.FieldLogger
}

// Result says what a load did and how long each phase took.
type Result struct {
	Files Files
	// Write is reading, sorting and CSV (the server stopping meanwhile),
	// Import what is left of the stop and neo4j-admin, Start the start and
	// the schema.
	Write, Import, Start time.Duration
	Stored               graph.NodeCounts // counted in the database afterwards
}

// Load checks that the store is the managed server and holds nothing,
// calls fill to write the events (while the server stops), and loads
// them. When fill fails the server is started again and nothing is
// changed; when the import fails the server is started again all the
// same.
func (l *Loader) Load(ctx context.Context, fill func(*Writer) error) (Result, error) {
	var res Result
	log := l.Log
	if log == nil {
		lg := logrus.New()
		lg.Out = io.Discard
		log = lg
	}
	if err := l.check(ctx); err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp(l.TempDir, "journeygraph-bulk-")
	if err != nil {
		return res, fmt.Errorf("bulk: %w", err)
	}
	defer os.RemoveAll(dir)
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	// The server stops while the files are written: its stop (a
	// checkpoint) is off the critical path. Should writing fail, it is
	// started again.
	stopped := make(chan error, 1)
	go func() { stopped <- l.Server.Stop(ctx) }()
	start := time.Now()
	files, err := l.write(dir, now(), fill)
	res.Files, res.Write = files, time.Since(start)
	start = time.Now()
	stopErr := <-stopped
	if err != nil {
		if stopErr == nil {
			if serr := l.Server.Start(context.WithoutCancel(ctx)); serr != nil {
				log.WithError(serr).Error("bulk: could not start Neo4j again")
			}
		}
		return res, err
	}
	if stopErr != nil {
		return res, stopErr
	}
	log.WithFields(logrus.Fields{"people": res.Files.People, "events": res.Files.Events, "seconds": res.Write.Seconds()}).Info("bulk: CSV files written, Neo4j stopped; importing")
	// Once stopped, the server is started again even when ctx is
	// cancelled (an interrupted load leaves it running, not stopped).
	importErr := l.Server.AdminImport(ctx, res.Files)
	res.Import = time.Since(start)
	log.WithFields(logrus.Fields{"seconds": res.Import.Seconds(), "failed": importErr != nil}).Info("bulk: offline import done; starting Neo4j")
	start = time.Now()
	if err := l.Server.Start(context.WithoutCancel(ctx)); err != nil {
		return res, fmt.Errorf("bulk: start after the import: %w", err)
	}
	if importErr != nil {
		return res, fmt.Errorf("bulk: offline import failed (see %s's output): %w", l.Server.Script, importErr)
	}
	store, err := graph.Dial(l.Store)
	if err != nil {
		return res, err
	}
	defer store.Close(context.Background())
	// Counting waits (retried) for the database to answer; the schema
	// comes after, all of it in one go.
	if res.Stored, err = store.CountNodes(ctx); err != nil {
		return res, err
	}
	err = store.MigrateTogether(ctx)
	res.Start = time.Since(start)
	return res, err
}

// write writes the CSV files into dir with what fill adds.
func (l *Loader) write(dir string, now time.Time, fill func(*Writer) error) (Files, error) {
	w, err := NewWriter(dir, now)
	if err != nil {
		return Files{}, err
	}
	if err := fill(w); err != nil {
		w.Close()
		return Files{}, err
	}
	return w.Close()
}

// check refuses a server the script does not manage and a database that
// holds anything.
func (l *Loader) check(ctx context.Context) error {
	ok, err := l.Server.Manages(ctx, l.Store.URI)
	if err != nil {
		return err
	}
	if !ok {
		return journeys.Errorf(journeys.EINVALID,
			"--bulk: NEO4J_URI %s is not the Neo4j that %s manages: an offline import must stop the server and replace its database; to import into this server, use import without --bulk",
			l.Store.URI, l.Server.Script)
	}
	// Dial, not Open: the schema Open applies would be replaced with the
	// database; counting waits (retried) for a server still starting.
	store, err := graph.Dial(l.Store)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	n, err := store.CountNodes(ctx)
	if err != nil {
		return err
	}
	events, nodes := n.Events, n.Nodes
	if events > 0 {
		return journeys.Errorf(journeys.ECONFLICT,
			"--bulk: the database holds %d events: a bulk load replaces the whole database, so it loads an empty one only; to add to it, use import without --bulk", events)
	}
	if nodes > 0 {
		return journeys.Errorf(journeys.ECONFLICT,
			"--bulk: the database holds no event but %d nodes (segments, webhooks, step rules...) that a bulk load would erase; load into an empty database, or use import without --bulk", nodes)
	}
	if l.Before != nil {
		return l.Before(ctx, store)
	}
	return nil
}
