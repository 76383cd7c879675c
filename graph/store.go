// Package graph stores journeys in Neo4j: each person's events form one
// time-ordered chain of NEXT edges between FIRST and LAST pointers. It is the
// only package that imports the Neo4j driver; no driver type leaves it.
package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/cypher"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// Config says how to reach Neo4j.
type Config struct {
	URI      string // bolt://127.0.0.1:7687, neo4j+s://... for Aura
	User     string
	Password string
	Database string        // "neo4j" when empty
	MaxRetry time.Duration // how long a managed transaction is retried; 30s when 0
	// AcquireTimeout bounds getting a connection for one attempt: dialling,
	// the Bolt handshake and waiting for a free one in the pool; 10s when 0
	// (a managed transaction retries within MaxRetry).
	AcquireTimeout time.Duration
	Log            logrus.FieldLogger
	Errors         ErrorCounter // counts failed transactions; nil: none
}

// connectTimeout bounds the TCP connect of a new connection.
const connectTimeout = 2 * time.Second

// Store is the Neo4j implementation of the journeys store interfaces.
type Store struct {
	driver neo4j.DriverWithContext
	db     string
	log    logrus.FieldLogger
	errs   ErrorCounter // nil: not counted
}

var (
	_ journeys.EventWriter   = (*Store)(nil)
	_ journeys.JourneyReader = (*Store)(nil)
)

// Open connects to Neo4j, checks it answers and applies the schema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s, err := Dial(cfg)
	if err != nil {
		return nil, err
	}
	// Retried, unlike Ping: a server still starting is waited for.
	if _, err := neo4j.ExecuteQuery(ctx, s.driver, "RETURN 1", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db)); err != nil {
		s.driver.Close(ctx)
		return nil, wrap("ping", s.count(err))
	}
	if err := s.Migrate(ctx); err != nil {
		s.driver.Close(ctx)
		return nil, err
	}
	return s, nil
}

// Dial returns a store on cfg without contacting Neo4j (Open is Dial, a
// retried ping and Migrate): its calls fail with EUNAVAILABLE while Neo4j
// cannot be reached, each connection attempt bounded by AcquireTimeout.
func Dial(cfg Config) (*Store, error) {
	if cfg.URI == "" {
		return nil, journeys.Errorf(journeys.EINVALID, "NEO4J_URI is empty")
	}
	if cfg.Database == "" {
		cfg.Database = "neo4j"
	}
	if cfg.MaxRetry == 0 {
		cfg.MaxRetry = 30 * time.Second
	}
	if cfg.AcquireTimeout == 0 {
		cfg.AcquireTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		l := logrus.New()
		l.Out = io.Discard
		cfg.Log = l
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""),
		func(c *config.Config) {
			c.MaxTransactionRetryTime = cfg.MaxRetry
			c.SocketConnectTimeout = min(connectTimeout, cfg.AcquireTimeout)
			c.ConnectionAcquisitionTimeout = cfg.AcquireTimeout
		})
	if err != nil {
		return nil, journeys.Errorf(journeys.EINVALID, "neo4j: %v", err)
	}
	return &Store{driver: driver, db: cfg.Database, log: cfg.Log, errs: cfg.Errors}, nil
}

// Close releases the driver's connections.
func (s *Store) Close(ctx context.Context) error { return s.driver.Close(ctx) }

// Ping checks Neo4j answers a query; EUNAVAILABLE when it does not. It
// makes one attempt, not retried: a refused connection fails at once, a
// server that does not answer within AcquireTimeout (or ctx) fails then.
func (s *Store) Ping(ctx context.Context) error {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeRead})
	defer sess.Close(context.Background())
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return wrap("ping", s.count(err))
}

// Migrate applies every schema statement in order (each is idempotent) and
// waits for the indexes to come online.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.applySchema(ctx, cypher.Schema()); err != nil {
		return err
	}
	_, err := neo4j.ExecuteQuery(ctx, s.driver, "CALL db.awaitIndexes(300)", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(s.db))
	return wrap("await indexes", err)
}

// applySchema runs schema statements in order; a rule that another client
// created meanwhile is no error.
func (s *Store) applySchema(ctx context.Context, stmts []string) error {
	for _, stmt := range stmts {
		if _, err := neo4j.ExecuteQuery(ctx, s.driver, stmt, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(s.db)); err != nil && !schemaExists(err) {
			return wrap("schema", err)
		}
	}
	return nil
}

// schemaExists reports whether err says the index or constraint a schema
// statement creates already exists. "IF NOT EXISTS" does not cover two
// clients creating the same rule at once (two processes starting against one
// fresh database): the loser is told the rule exists, which is what it wanted.
func schemaExists(err error) bool {
	var nerr *neo4j.Neo4jError
	if !errors.As(err, &nerr) {
		return false
	}
	switch nerr.Code {
	case "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
		"Neo.ClientError.Schema.IndexAlreadyExists",
		"Neo.ClientError.Schema.ConstraintAlreadyExists":
		return true
	}
	return false
}

// write runs work in a managed write transaction (retried on transient
// errors and lost connections), with timeout when it is not 0.
func (s *Store) write(ctx context.Context, timeout time.Duration, work func(tx neo4j.ManagedTransaction) error) error {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	var cfg []func(*neo4j.TransactionConfig)
	if timeout > 0 {
		cfg = append(cfg, neo4j.WithTxTimeout(timeout))
	}
	_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return nil, work(tx)
	}, cfg...)
	return s.count(err)
}

// stampTimeout bounds the transactions that stamp people's touched_ts (event
// writes, restep): Neo4j aborts one still open after it, so a stamp is never
// older than this when it commits, which inmem.Cache's change window
// (DefaultChangeWindow) relies on.
const stampTimeout = time.Minute

// read runs work in a managed read transaction.
func (s *Store) read(ctx context.Context, work func(tx neo4j.ManagedTransaction) error) error {
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeRead})
	defer sess.Close(ctx)
	// A deadline of ctx bounds the transaction on the server too: Neo4j
	// stops the query rather than run on for a caller that gave up.
	var cfg []func(*neo4j.TransactionConfig)
	if dl, ok := ctx.Deadline(); ok {
		cfg = append(cfg, neo4j.WithTxTimeout(max(time.Until(dl), time.Millisecond)))
	}
	_, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return nil, work(tx)
	}, cfg...)
	return s.count(err)
}

// run executes one named query in tx and returns its records. A parameter
// the query uses but params lacks is a programming error reported at once.
func run(ctx context.Context, tx neo4j.ManagedTransaction, name string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, queryText(name, params), params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return recs, nil
}

// queryText loads a named query and panics when params lacks one of its
// $parameters: a programming error that the integration tests catch.
func queryText(name string, params map[string]any) string {
	q := cypher.Query(name)
	for _, p := range cypher.Params(q) {
		if _, ok := params[p]; !ok {
			panic(fmt.Sprintf("graph: query %s: parameter $%s not supplied", name, p))
		}
	}
	return q
}

// wrap turns driver errors into the journeys error vocabulary: a Neo4j that
// cannot be reached is EUNAVAILABLE (callers answer 503 and retry later).
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var jerr *journeys.Error
	if errors.As(err, &jerr) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &journeys.Error{Code: journeys.EUNAVAILABLE, Message: fmt.Sprintf("%s: %v", op, err)}
	}
	if neo4j.IsConnectivityError(err) || neo4j.IsRetryable(err) || neo4j.IsTransactionExecutionLimit(err) {
		return &journeys.Error{Code: journeys.EUNAVAILABLE, Message: fmt.Sprintf("%s: neo4j unavailable: %v", op, err)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// The change window of inmem.Cache must outlast a stamping transaction
// (this fails to compile otherwise: a negative constant is no uint).
const _ = uint(inmem.DefaultChangeWindow - stampTimeout)
