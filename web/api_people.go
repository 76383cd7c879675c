package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// maxJourneyEvents caps one journey answer.
const maxJourneyEvents = 10000

// registerPeopleRoutes serves GET /people/{id}/journey (read role) and
// DELETE /people/{id} (admin role).
func (s *Server) registerPeopleRoutes(read, admin *gin.RouterGroup) {
	read.GET("/people/:id/journey", s.journey)
	admin.DELETE("/people/:id", s.erasePerson)
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

// PeopleEraser erases people with all their data (graph.Store).
type PeopleEraser interface {
	DeletePeople(ctx context.Context, ids []string) (int, error)
}

// WithErasure serves DELETE /people/{id} to the admin role.
func WithErasure(e PeopleEraser) Option {
	return func(s *Server) { s.eraser = e }
}

// erasePerson erases a person (found by id or by an anonymous id merged
// into them) with their events, aliases and segment memberships: a
// right-to-erasure request. Unknown people are 404.
func (s *Server) erasePerson(c *gin.Context) {
	if s.eraser == nil {
		s.fail(c, journeys.Errorf(journeys.ENOTFOUND, "erasure is not enabled on this server"))
		return
	}
	ctx := c.Request.Context()
	p, _, err := s.journeys.Journey(ctx, c.Param("id"), 1)
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.eraser.DeletePeople(ctx, []string{p.ID})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cfg.Log.WithField("events", n).Info("person erased")
	c.JSON(http.StatusOK, gin.H{"person": p.ID, "aliases": p.Aliases, "events_deleted": n})
}
