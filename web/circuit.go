package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/journeys"
)

// DefaultProbeInterval is how often a Circuit pings the store.
const DefaultProbeInterval = time.Second

// DefaultPingTimeout bounds one ping of a Circuit. A refused connection
// fails a ping at once; this is for a Neo4j that accepts and never answers.
// It is well above how long a ping takes on a loaded machine (up to 3.7 s
// measured at load average 14 on 2 cores), so a slow Neo4j is not taken
// for a dead one.
const DefaultPingTimeout = 5 * time.Second

// errStoreDown cancels the requests in flight when the circuit opens.
var errStoreDown = errors.New("the store is unavailable")

// Circuit is a health-checked circuit breaker in front of the store. It is
// closed while the store answers. A failed ping, or a request answered 503
// because the store was unavailable, opens it: the requests in flight are
// cancelled (they stop waiting for the driver's retries) and new ones are
// answered 503 with Retry-After at once. Run pings the store every
// Interval; the first ping that succeeds closes it again.
type Circuit struct {
	pinger   Pinger
	interval time.Duration
	timeout  time.Duration
	ticker   func(time.Duration) (<-chan time.Time, func())
	log      logrus.FieldLogger

	mu     sync.Mutex
	open   bool
	down   context.Context // cancelled when the circuit opens
	cancel context.CancelCauseFunc
}

// CircuitConfig configures a Circuit; every field has a default.
type CircuitConfig struct {
	// Interval is the time between pings (DefaultProbeInterval when 0).
	Interval time.Duration
	// PingTimeout bounds one ping (DefaultPingTimeout when 0).
	PingTimeout time.Duration
	// Ticker returns the channel of Run's ticks and a stop function
	// (time.NewTicker's when nil; tests tick by hand).
	Ticker func(time.Duration) (<-chan time.Time, func())
	// Log receives the openings and closings (discarded when nil).
	Log logrus.FieldLogger
}

// NewCircuit returns a closed circuit over the store p pings.
func NewCircuit(p Pinger, cfg CircuitConfig) *Circuit {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultProbeInterval
	}
	if cfg.PingTimeout <= 0 {
		cfg.PingTimeout = DefaultPingTimeout
	}
	if cfg.Ticker == nil {
		cfg.Ticker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	if cfg.Log == nil {
		l := logrus.New()
		l.Out = io.Discard
		cfg.Log = l
	}
	c := &Circuit{pinger: p, interval: cfg.Interval, timeout: cfg.PingTimeout, ticker: cfg.Ticker, log: cfg.Log}
	c.down, c.cancel = context.WithCancelCause(context.Background())
	return c
}

// Open says whether the circuit is open (the store is taken to be down).
func (c *Circuit) Open() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open
}

// Trip opens the circuit (if closed) because of err, cancelling the
// requests in flight.
func (c *Circuit) Trip(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open {
		return
	}
	c.open = true
	c.cancel(errStoreDown)
	c.log.WithError(err).Warn("store unavailable: circuit open, requests answered 503 until a ping succeeds")
}

// Probe pings the store once, within the ping timeout: a failure opens the
// circuit, a success closes it. It returns the ping's error.
func (c *Circuit) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	err := c.pinger.Ping(ctx)
	if err != nil {
		c.Trip(err)
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open {
		c.open = false
		c.down, c.cancel = context.WithCancelCause(context.Background())
		c.log.Info("store answers again: circuit closed")
	}
	return nil
}

// Run probes the store on every tick until ctx ends.
func (c *Circuit) Run(ctx context.Context) {
	ticks, stop := c.ticker(c.interval)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			_ = c.Probe(ctx)
		}
	}
}

// state returns whether the circuit is open and, when closed, the context
// cancelled when it opens.
func (c *Circuit) state() (bool, context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open, c.down
}

// WithCircuit makes the server answer 503 with Retry-After at once while
// circuit is open, cancel the requests in flight when it opens, and open
// it when a request finds the store unavailable. The caller runs it
// (Circuit.Run).
func WithCircuit(circuit *Circuit) Option {
	return func(s *Server) { s.circuit = circuit }
}

// circuitFree are the routes that never touch the store, served whatever
// the circuit says.
var circuitFree = map[string]bool{"/healthz": true, "/": true, "/login": true, "/app/logout": true, "/static/*filepath": true}

// guard is the circuit's middleware (see WithCircuit).
func (s *Server) guard(c *gin.Context) {
	if s.circuit == nil || circuitFree[c.FullPath()] || c.FullPath() == "" {
		c.Next()
		return
	}
	open, down := s.circuit.state()
	if open {
		s.unavailable(c)
		return
	}
	asked := c.Request.Context()
	ctx, cancel := context.WithCancelCause(asked)
	defer cancel(nil)
	stop := context.AfterFunc(down, func() { cancel(context.Cause(down)) })
	defer stop()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
	// A 503 the client did not cause by leaving says the store is down.
	if c.Writer.Status() == http.StatusServiceUnavailable && asked.Err() == nil {
		s.circuit.Trip(errors.New("a request found the store unavailable"))
	}
}

// unavailable answers 503 with Retry-After without calling the handler:
// JSON for the API, a short text for the app's pages. Nothing is logged:
// the circuit logged its opening.
func (s *Server) unavailable(c *gin.Context) {
	c.Header("Retry-After", retryAfterSeconds)
	if strings.HasPrefix(c.FullPath(), "/app") {
		c.Header("Content-Type", "text/plain; charset=utf-8")
		c.String(http.StatusServiceUnavailable, "The store (Neo4j) is unavailable: retry in a few seconds.")
		c.Abort()
		return
	}
	c.AbortWithStatusJSON(http.StatusServiceUnavailable, errorBody{Error: errorDetail{
		Code: journeys.EUNAVAILABLE, Message: unavailableMessage}})
}
