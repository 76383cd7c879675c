package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
)

// frictionData is the friction page's.
type frictionData struct {
	layout
	reportScope
	Unit, Conversion string
	Missing          string // why there is no report: the models are not served
	R                *chain.FrictionReport
}

func (*frictionData) pageName() string { return "friction" }

// frictionPage shows the steps ranked by lost conversions, the edges that
// lose most, and the improbable journeys.
func (s *Server) frictionPage(c *gin.Context) {
	f, scope, err := pageScope(c)
	data := &frictionData{reportScope: scope, Unit: c.Query("unit"), Conversion: c.Query("conversion")}
	if s.modelsMissing(c, data, &data.Missing) {
		return
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	rep, err := s.models.chains.Friction(c.Request.Context(), chain.FrictionQuery{Filter: f,
		Unit: journeys.Unit(c.Query("unit")), Conversion: c.Query("conversion"), Edges: 10})
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	data.R = &rep
	s.render(c, http.StatusOK, data)
}
