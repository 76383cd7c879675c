package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// ingestResponse is the answer to a batch: sent only after the accepted
// events are committed. Rejected lists the first journeys.MaxListedRows
// rejected items; RejectedTotal counts them all, and Truncated says some
// were left out.
type ingestResponse struct {
	Accepted      int                 `json:"accepted"`
	Duplicates    int                 `json:"duplicates"`
	Rejected      []journeys.RowError `json:"rejected"`
	RejectedTotal int                 `json:"rejected_total"`
	Truncated     bool                `json:"truncated"`
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
	body, err := s.readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	parse := ingest.ParseBatch
	if typ != "" {
		parse = func(body []byte, now time.Time, lim journeys.Limits) ([]journeys.Event, journeys.Rejections, error) {
			return ingest.ParseTyped(body, typ, now, lim)
		}
	}
	events, rejected, err := parse(body, s.cfg.Now(), s.cfg.Limits)
	body = nil // the events hold what is needed: let the body go
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(events) == 0 {
		msg := "no usable event in the batch"
		switch {
		case rejected.Total == 0:
			msg = "the batch is empty"
		case rejected.Truncated():
			msg += fmt.Sprintf(" (%d items rejected; the first %d are listed)", rejected.Total, len(rejected.Rows))
		}
		s.observeEvents(0, 0, rejected.Total)
		s.fail(c, &journeys.Error{Code: journeys.EINVALID, Message: msg, Details: rejected.Rows, Total: rejected.Total})
		return
	}
	start := time.Now()
	res, err := s.ingest.Ingest(c.Request.Context(), events)
	s.observeIngest(time.Since(start))
	if err != nil {
		s.fail(c, err) // 503 with Retry-After when Neo4j is down: nothing acknowledged
		return
	}
	for _, re := range res.Rejected {
		rejected.Add(re)
	}
	out := ingestResponse{Accepted: res.Accepted, Duplicates: res.Duplicates, Rejected: rejected.Rows,
		RejectedTotal: rejected.Total, Truncated: rejected.Truncated()}
	if out.Rejected == nil {
		out.Rejected = []journeys.RowError{}
	}
	s.observeEvents(out.Accepted, out.Duplicates, out.RejectedTotal)
	c.JSON(http.StatusOK, out)
}
