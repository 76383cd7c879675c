package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// maxJourneyEvents caps one journey answer.
const maxJourneyEvents = 10000

func (s *Server) registerPeopleRoutes(g *gin.RouterGroup) {
	g.GET("/people/:id/journey", s.journey)
}

// journey answers one person's events in order, split into sessions.
func (s *Server) journey(c *gin.Context) {
	limit := 1000
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxJourneyEvents {
			s.fail(c, journeys.Errorf(journeys.EINVALID, "limit: %q is not a whole number from 1 to %d", v, maxJourneyEvents))
			return
		}
		limit = n
	}
	p, events, err := s.journeys.Journey(c.Request.Context(), c.Param("id"), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, journeys.BuildJourney(p, events, s.cfg.SessionTimeout))
}
