package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// registerAnalyticsPages adds the report pages: journey map, funnels,
// friction, attribution and hidden states, and the forms saving the people
// behind a map node or a funnel drop as a segment. Every page reads the hidden
// query parameter person_prefix (journeys.Filter.PersonPrefix) as its
// scope: tests and multi-tenant deployments use it to see only the people
// whose id starts with it. Pages need the read role, the forms that save
// (segments, state names) the admin role.
func (s *Server) registerAnalyticsPages(read, admin *gin.RouterGroup) {
	read.GET("/map", s.journeyMapPage)
	read.GET("/funnels", s.funnelsPage)
	admin.POST("/map/segment", s.mapSegmentPost)
	admin.POST("/funnels/segment", s.funnelSegmentPost)
	read.GET("/friction", s.frictionPage)
	read.GET("/attribution", s.attributionPage)
	read.GET("/states", s.statesPage)
	admin.POST("/states/rename", s.renameStatePage)
}

// modelsMissing renders a page saying, in its missing field, that the
// model services are not configured (WithModels), rather than failing.
func (s *Server) modelsMissing(c *gin.Context, data pageData, missing *string) bool {
	if s.models != nil {
		return false
	}
	*missing = "Friction, attribution and hidden states are not enabled on this server."
	s.render(c, http.StatusOK, data)
	return true
}
