package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Observer is told what the server answered (metrics.Set).
type Observer interface {
	// ObserveRequest is told of every answered request, by its route's
	// template (gin's FullPath, "unmatched" for none): never the raw path.
	ObserveRequest(method, route string, status int, took time.Duration)
	// ObserveEvents is told the outcome of every event batch received:
	// the events stored, the repeats, and the bad rows.
	ObserveEvents(accepted, duplicates, rejected int)
	// ObserveIngest is told how long a batch of valid events took to store.
	ObserveIngest(took time.Duration)
}

// Metrics observes the server and answers scrapes (metrics.Set).
type Metrics interface {
	Observer
	http.Handler
}

// WithMetrics observes every request and event batch with m, and serves m
// at GET /metrics to read keys.
func WithMetrics(m Metrics) Option {
	return func(s *Server) { s.metrics = m }
}

// registerMetricsRoutes adds GET /metrics when the server has metrics.
func (s *Server) registerMetricsRoutes(g *gin.RouterGroup) {
	if s.metrics != nil {
		g.GET("/metrics", gin.WrapH(s.metrics))
	}
}

// observeRequests tells the observer of each request once it is answered.
func (s *Server) observeRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		s.metrics.ObserveRequest(c.Request.Method, route, c.Writer.Status(), time.Since(start))
	}
}

// observeEvents tells the observer, if any, of a batch's outcome.
func (s *Server) observeEvents(accepted, duplicates, rejected int) {
	if s.metrics != nil {
		s.metrics.ObserveEvents(accepted, duplicates, rejected)
	}
}

// observeIngest tells the observer, if any, how long a batch took to store.
func (s *Server) observeIngest(took time.Duration) {
	if s.metrics != nil {
		s.metrics.ObserveIngest(took)
	}
}
