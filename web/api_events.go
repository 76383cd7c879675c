package web

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// ingestResponse is the answer to a batch: sent only after the accepted
// events are committed.
type ingestResponse struct {
	Accepted   int                 `json:"accepted"`
	Duplicates int                 `json:"duplicates"`
	Rejected   []journeys.RowError `json:"rejected"`
}

func (s *Server) registerEventRoutes(g *gin.RouterGroup) {
	g.POST("/events", func(c *gin.Context) { s.ingestBody(c, "") })
}

// registerSegmentCompatRoutes accepts Segment's HTTP tracking API paths, so
// existing Segment libraries can point at journeygraph.
func (s *Server) registerSegmentCompatRoutes(g *gin.RouterGroup) {
	g.POST("/batch", func(c *gin.Context) { s.ingestBody(c, "") })
	for _, typ := range []string{journeys.TypeTrack, journeys.TypePage, journeys.TypeScreen, journeys.TypeIdentify, journeys.TypeAlias} {
		g.POST("/"+typ, func(c *gin.Context) { s.ingestBody(c, typ) })
	}
}

// ingestBody reads, validates and stores a batch. typ, when set, is the
// Segment call type of a single-event route, used when the item has none.
func (s *Server) ingestBody(c *gin.Context, typ string) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.fail(c, journeys.Errorf(journeys.ETOOLARGE, "body: larger than %d bytes: split the batch", s.cfg.MaxBodyBytes))
			return
		}
		s.fail(c, journeys.Errorf(journeys.EINVALID, "body: %v", err))
		return
	}
	parse := ingest.ParseBatch
	if typ != "" {
		parse = func(body []byte, now time.Time, lim journeys.Limits) ([]journeys.Event, []journeys.RowError, error) {
			return ingest.ParseTyped(body, typ, now, lim)
		}
	}
	events, rejected, err := parse(body, s.cfg.Now(), s.cfg.Limits)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(events) == 0 {
		msg := "no usable event in the batch"
		if len(rejected) == 0 {
			msg = "the batch is empty"
		}
		s.observeEvents(0, 0, len(rejected))
		s.fail(c, &journeys.Error{Code: journeys.EINVALID, Message: msg, Details: rejected})
		return
	}
	start := time.Now()
	res, err := s.ingest.Ingest(c.Request.Context(), events)
	s.observeIngest(time.Since(start))
	if err != nil {
		s.fail(c, err) // 503 with Retry-After when Neo4j is down: nothing acknowledged
		return
	}
	out := ingestResponse{Accepted: res.Accepted, Duplicates: res.Duplicates, Rejected: append(rejected, res.Rejected...)}
	if out.Rejected == nil {
		out.Rejected = []journeys.RowError{}
	}
	s.observeEvents(out.Accepted, out.Duplicates, len(out.Rejected))
	c.JSON(http.StatusOK, out)
}
