package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
)

// ChainReporter answers the absorbing-chain reports (chain.Chains).
type ChainReporter interface {
	Friction(ctx context.Context, q chain.FrictionQuery) (chain.FrictionReport, error)
	Attribution(ctx context.Context, q chain.AttributionQuery) (chain.AttributionReport, error)
}

// ModelService fits and serves hidden-state models and the per-person
// summary (chain.HiddenStates). Scopes are person-id prefixes, "" for
// everyone.
type ModelService interface {
	Fit(ctx context.Context, q journeys.ModelQuery) (chain.ModelView, error)
	Current(ctx context.Context, scope string) (chain.ModelView, error)
	RenameState(ctx context.Context, scope string, index int, label string) (chain.ModelView, error)
	Person(ctx context.Context, id string) (chain.PersonSummary, error)
}

// modelSurface holds the services of the friction, attribution, model and
// person-summary routes.
type modelSurface struct {
	chains ChainReporter
	models ModelService
}

// WithModels serves friction, attribution, models and person summaries.
func WithModels(chains ChainReporter, models ModelService) Option {
	return func(s *Server) { s.models = &modelSurface{chains: chains, models: models} }
}

// registerModelRoutes serves, when WithModels was given:
//
//	GET   /friction?unit=&conversion=&unsubscribe=&min_length=&improbable=&edges=&edges_only=&from=&to=&channel=&device=&person_prefix=   (read role)
//	GET   /attribution?by=channel|campaign|step&unit=&conversion=&unsubscribe=&...filter   (read role)
//	GET   /models/current?person_prefix=                                 (read role)
//	GET   /people/:id                                                    (read role)
//	POST  /models                body: a journeys.ModelQuery              (admin role)
//	PATCH /models/current/states/:index?person_prefix=  body: {"label"}  (admin role)
//
// POST /models fits synchronously: the answer comes when every person is
// decoded (minutes at millions of events), and a fit over more than
// max_symbols events (5M by default) is refused with 413.
func (s *Server) registerModelRoutes(read, admin *gin.RouterGroup) {
	if s.models == nil {
		return
	}
	read.GET("/friction", s.friction)
	read.GET("/attribution", s.attribution)
	read.GET("/models/current", s.currentModel)
	read.GET("/people/:id", s.personSummary)
	admin.POST("/models", s.fitModel)
	admin.PATCH("/models/current/states/:index", s.renameState)
}

func (s *Server) friction(c *gin.Context) {
	q := chain.FrictionQuery{Unit: journeys.Unit(c.Query("unit")), Conversion: c.Query("conversion"),
		Unsubscribe: c.Query("unsubscribe"), Collapse: c.Query("collapse") == "true", EdgesOnly: c.Query("edges_only") == "true"}
	var err error
	for _, p := range []struct {
		name string
		dst  *int
	}{{"min_length", &q.MinLength}, {"improbable", &q.Improbable}, {"edges", &q.Edges}} {
		if *p.dst, err = intParam(c, p.name); err != nil {
			s.fail(c, err)
			return
		}
	}
	if q.Filter, err = filterParams(c); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.models.chains.Friction(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) attribution(c *gin.Context) {
	q := chain.AttributionQuery{By: journeys.Touchpoint(c.Query("by")), Unit: journeys.Unit(c.Query("unit")),
		Conversion: c.Query("conversion"), Unsubscribe: c.Query("unsubscribe"), Collapse: c.Query("collapse") == "true"}
	var err error
	if q.Filter, err = filterParams(c); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.models.chains.Attribution(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) fitModel(c *gin.Context) {
	var q journeys.ModelQuery
	if err := s.decodeBody(c, &q); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.models.models.Fit(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *Server) currentModel(c *gin.Context) {
	v, err := s.models.models.Current(c.Request.Context(), c.Query("person_prefix"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) renameState(c *gin.Context) {
	index, err := strconv.Atoi(c.Param("index"))
	if err != nil || index < 0 {
		s.fail(c, fieldError("index", "%q is not a state index", c.Param("index")))
		return
	}
	var body struct {
		Label string `json:"label"`
	}
	if err := s.decodeBody(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.models.models.RenameState(c.Request.Context(), c.Query("person_prefix"), index, body.Label)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) personSummary(c *gin.Context) {
	p, err := s.models.models.Person(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}
