package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// personData is the person page's.
type personData struct {
	layout
	ID         string                   // as asked; "" shows the search form only
	J          *journeys.Journey        // nil until found
	InSegments []journeys.PersonSegment // the segments the person is in
	SegmentsOn bool                     // segments are served
	Model      *journeys.PersonModel    // model outputs; nil unless models are served
}

func (*personData) pageName() string { return "person" }

// personPage shows one person's timeline: sessions, events and steps.
func (s *Server) personPage(c *gin.Context) {
	id := c.Param("id")
	if id == "" {
		id = strings.TrimSpace(c.Query("id"))
	}
	data := &personData{ID: id}
	if id == "" {
		s.render(c, http.StatusOK, data)
		return
	}
	p, events, err := s.journeys.Journey(c.Request.Context(), id, maxJourneyEvents)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	j := journeys.BuildJourney(p, events, s.cfg.SessionTimeout)
	data.J = &j
	if s.segStore != nil {
		segs, err := s.segStore.PersonSegments(c.Request.Context(), p.ID)
		if err != nil {
			s.renderError(c, data, err)
			return
		}
		data.InSegments, data.SegmentsOn = segs, true
	}
	if s.models != nil {
		sum, err := s.models.models.Person(c.Request.Context(), p.ID)
		if err != nil {
			s.renderError(c, data, err)
			return
		}
		data.Model = &sum.Model
	}
	s.render(c, http.StatusOK, data)
}
