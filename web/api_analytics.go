package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// Analyst answers the journey reports (report.Analytics does). Each
// method returns errors with code EINVALID for a bad query, naming the
// field, and EUNAVAILABLE when the store cannot be reached.
type Analyst interface {
	Paths(ctx context.Context, q report.PathQuery) (report.PathReport, error)
	Transitions(ctx context.Context, q report.TransitionQuery) (report.TransitionReport, error)
	Funnel(ctx context.Context, f report.Funnel) (report.FunnelReport, error)
	FunnelDropped(ctx context.Context, q report.DroppedQuery) (report.DroppedPage, error)
	FunnelDroppedIDs(ctx context.Context, q report.DroppedQuery) ([]string, error)
	NodePeople(ctx context.Context, q report.NodeQuery) (report.NodePeople, error)
}

// SetAnalyst gives the server the reports' service; call it before
// serving. Without one the report routes answer 404.
func (s *Server) SetAnalyst(a Analyst) { s.analyst = a }

// registerAnalyticsRoutes serves the reports to the read role:
//
//	GET  /paths?start=&end=&depth=&unit=&limit=&from=&to=&channel=&device=&segment=
//	GET  /paths/people?(the same)&node=col:step&offset=&page_size=
//	GET  /transitions?unit=&from=&to=&channel=&device=&segment=
//	POST /funnels            body: a journeys.Funnel
//	POST /funnels/dropped    body: a journeys.DroppedQuery
func (s *Server) registerAnalyticsRoutes(g *gin.RouterGroup) {
	g.GET("/paths", s.paths)
	g.GET("/paths/people", s.pathPeople)
	g.GET("/transitions", s.transitions)
	g.POST("/funnels", s.funnel)
	g.POST("/funnels/dropped", s.funnelDropped)
}

func (s *Server) paths(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	q, err := pathParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.analyst.Paths(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// pathPeople answers a page of the people behind a node of the paths'
// map: the path query's parameters, node=col:step (col from 0), offset and
// page_size (journeys.NodeQuery's Limit).
func (s *Server) pathPeople(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	q, err := pathParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	nq := report.NodeQuery{Path: q}
	if nq.Column, nq.Step, err = parseNode(c.Query("node")); err != nil {
		s.fail(c, err)
		return
	}
	if nq.Offset, err = intParam(c, "offset"); err != nil {
		s.fail(c, err)
		return
	}
	if nq.Limit, err = intParam(c, "page_size"); err != nil {
		s.fail(c, err)
		return
	}
	np, err := s.analyst.NodePeople(c.Request.Context(), nq)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, np)
}

func (s *Server) transitions(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	f, err := filterParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.analyst.Transitions(c.Request.Context(), report.TransitionQuery{Unit: journeys.Unit(c.Query("unit")), Filter: f})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) funnel(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	var f report.Funnel
	if err := s.decodeBody(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.analyst.Funnel(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) funnelDropped(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	var q report.DroppedQuery
	if err := s.decodeBody(c, &q); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.analyst.FunnelDropped(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

func (s *Server) hasAnalyst(c *gin.Context) bool {
	if s.analyst == nil {
		s.fail(c, journeys.Errorf(journeys.ENOTFOUND, "reports are not enabled on this server"))
		return false
	}
	return true
}
