package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys/drift"
)

// DriftReporter reports a segment's drift (a *drift.Monitor): ENOTFOUND
// for an unknown segment, EINVALID for bad days.
type DriftReporter interface {
	Report(ctx context.Context, q drift.Query) (drift.Report, error)
}

// WithDrift serves GET /segments/{name}/drift and the drift chart of the
// segment page.
func WithDrift(d DriftReporter) Option {
	return func(s *Server) { s.drift = d }
}

// segmentDrift serves GET /segments/{name}/drift?days=&at=: the segment's
// size, size change and PSI on each of days days up to at (drift.Report).
func (s *Server) segmentDrift(c *gin.Context) {
	days, ok := s.intParam(c, "days", drift.DefaultDays, 1, drift.MaxDays)
	if !ok {
		return
	}
	at, ok := s.timeParam(c, "at")
	if !ok {
		return
	}
	rep, err := s.drift.Report(c.Request.Context(), drift.Query{Segment: c.Param("name"), Days: days, At: at})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
