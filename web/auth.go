package web

import (
	"crypto/subtle"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// requireKey accepts a request carrying one of keys as
// "Authorization: Bearer KEY" or, as Segment's libraries send it, as the
// user name of HTTP basic auth.
func (s *Server) requireKey(keys []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		got := ""
		if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
			got = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		} else if user, _, ok := c.Request.BasicAuth(); ok {
			got = user
		}
		if got == "" {
			s.fail(c, journeys.Errorf(journeys.EUNAUTHORIZED, "missing API key: send Authorization: Bearer <key>"))
			return
		}
		for _, k := range keys {
			if k != "" && subtle.ConstantTimeCompare([]byte(got), []byte(k)) == 1 {
				c.Next()
				return
			}
		}
		s.fail(c, journeys.Errorf(journeys.EUNAUTHORIZED, "API key not valid for this route"))
	}
}
