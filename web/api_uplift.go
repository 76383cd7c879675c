package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys/uplift"
)

// segmentUplift serves GET /segments/{name}/uplift?days=&step=&from=&to=:
// the conversion of the people who entered the segment in [from, to),
// treated against the holdout's control group (uplift.Compute).
func (s *Server) segmentUplift(c *gin.Context) {
	days, ok := s.intParam(c, "days", uplift.DefaultDays, 1, uplift.MaxDays)
	if !ok {
		return
	}
	from, ok := s.timeParam(c, "from")
	if !ok {
		return
	}
	to, ok := s.timeParam(c, "to")
	if !ok {
		return
	}
	rep, err := uplift.Compute(c.Request.Context(), s.segStore, s.segStore, uplift.Query{Segment: c.Param("name"),
		From: from, To: to, Step: c.Query("step"), Days: days})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
