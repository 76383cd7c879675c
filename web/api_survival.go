package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys/survival"
)

// segmentSurvival serves GET /segments/{name}/survival?step=&from=&vs=&as_of=:
// the Kaplan–Meier curve of the time from entering the segment (from=entry)
// or first being seen (from=first_seen) to the first event of step
// (purchase), censored at as_of (now), and with vs another segment's curve
// and the log-rank test (survival.Compute).
func (s *Server) segmentSurvival(c *gin.Context) {
	asOf, ok := s.timeParam(c, "as_of")
	if !ok {
		return
	}
	rep, err := survival.Compute(c.Request.Context(), s.segStore, s.segStore, survival.Query{Segment: c.Param("name"),
		Vs: c.Query("vs"), Step: c.Query("step"), From: c.Query("from"), AsOf: asOf})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
