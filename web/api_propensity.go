package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/propensity"
)

// PropensityReporter answers the stored validation report of the current
// supervised propensity model of a target and scope (propensity.Service).
type PropensityReporter interface {
	// Current returns EINVALID for an unknown target, ENOTFOUND when no
	// model was stored.
	Current(ctx context.Context, target, scope string) (*propensity.Report, error)
}

// WithPropensity serves the propensity models' validation reports.
func WithPropensity(p PropensityReporter) Option {
	return func(s *Server) { s.propensity = p }
}

// registerPropensityRoutes serves, when WithPropensity was given:
//
//	GET /propensity?target=convert|unsubscribe&person_prefix=   (read role)
//
// answering the propensity.Report of the latest fit (journeygraph
// propensity fit): AUC, log-loss, calibration by decile and precision and
// recall at thresholds 0.1..0.9 out of time, beside the chain-state
// propensity's, and whether its scores were written.
func (s *Server) registerPropensityRoutes(read *gin.RouterGroup) {
	if s.propensity == nil {
		return
	}
	read.GET("/propensity", func(c *gin.Context) {
		r, err := s.propensity.Current(c.Request.Context(), c.Query("target"), c.Query("person_prefix"))
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, r)
	})
}

// previewAnswer is a preview with the definition's reading and what its
// propensity blocks can be expected to give.
func (s *Server) previewAnswer(ctx context.Context, pv journeys.Preview, where journeys.Condition) readingPreview {
	return readingPreview{Preview: pv, Reading: s.describe(ctx, where), Propensity: s.expectations(ctx, where)}
}

// expectations returns, for each propensity block of where (once per
// target and threshold), the precision and recall its threshold can be
// expected to give, from the stored validation of the whole population's
// model (journeygraph propensity fit); a block without one is left out.
func (s *Server) expectations(ctx context.Context, where journeys.Condition) []propensity.Expectation {
	if s.propensity == nil {
		return nil
	}
	var out []propensity.Expectation
	seen := map[[2]any]bool{}
	where.Walk("where", func(c journeys.Condition, _ string) {
		if c.Propensity == "" || c.AtLeast == nil || seen[[2]any{c.Propensity, *c.AtLeast}] {
			return
		}
		seen[[2]any{c.Propensity, *c.AtLeast}] = true
		r, err := s.propensity.Current(ctx, c.Propensity, "")
		if err != nil || r == nil {
			return
		}
		if e, ok := r.Expect(*c.AtLeast); ok {
			out = append(out, e)
		}
	})
	return out
}
