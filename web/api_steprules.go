package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// StepRuleEditor reads, previews and saves the server's step rules
// (ingest.Rulebook).
type StepRuleEditor interface {
	Current() journeys.SavedStepRules
	Save(ctx context.Context, rules journeys.StepRules, base int) (journeys.SavedStepRules, error)
	PreviewPaths(ctx context.Context, rules journeys.StepRules, q report.PathQuery) (report.PathReport, error)
	Status() journeys.RestepStatus
}

// WithStepRules serves the step rules: read, preview and save (API and the
// paths explorer page).
func WithStepRules(ed StepRuleEditor) Option {
	return func(s *Server) { s.steps = ed }
}

// stepRulesBody is what GET answers and PUT takes: the rules, the version
// they are (GET) or were edited from (PUT), and the restep's progress.
type stepRulesBody struct {
	journeys.SavedStepRules
	Restep *journeys.RestepStatus `json:"restep,omitempty"`
}

// previewBody is the body of POST /step-rules/preview.
type previewBody struct {
	Rules journeys.StepRules `json:"rules"`
	Paths report.PathQuery   `json:"paths"`
}

// registerStepRuleRoutes serves, to the read role,
//
//	GET  /step-rules           the rules in force, their version, the restep's progress
//	POST /step-rules/preview   body {rules, paths}: the paths report under rules, nothing saved
//
// and to the admin role
//
//	PUT  /step-rules           body: the rules and the version edited; 409 when it is not current
func (s *Server) registerStepRuleRoutes(read, admin *gin.RouterGroup) {
	read.GET("/step-rules", s.getStepRules)
	read.POST("/step-rules/preview", s.previewStepRules)
	admin.PUT("/step-rules", s.putStepRules)
}

func (s *Server) hasStepRules(c *gin.Context) bool {
	if s.steps == nil {
		s.fail(c, journeys.Errorf(journeys.ENOTFOUND, "step rules are not editable on this server"))
		return false
	}
	return true
}

func (s *Server) getStepRules(c *gin.Context) {
	if !s.hasStepRules(c) {
		return
	}
	st := s.steps.Status()
	c.JSON(http.StatusOK, stepRulesBody{SavedStepRules: s.steps.Current(), Restep: &st})
}

func (s *Server) putStepRules(c *gin.Context) {
	if !s.hasStepRules(c) {
		return
	}
	var b stepRulesBody // what GET answers, so it can be edited and sent back
	if err := s.decodeBody(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if b.Version == 0 {
		s.fail(c, fieldError("version", "missing: send the version you edited (GET /step-rules)"))
		return
	}
	saved, err := s.steps.Save(c.Request.Context(), b.StepRules, b.Version)
	if err != nil {
		s.fail(c, err)
		return
	}
	st := s.steps.Status()
	c.JSON(http.StatusOK, stepRulesBody{SavedStepRules: saved, Restep: &st})
}

func (s *Server) previewStepRules(c *gin.Context) {
	if !s.hasStepRules(c) {
		return
	}
	var b previewBody
	if err := s.decodeBody(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.steps.PreviewPaths(c.Request.Context(), b.Rules, b.Paths)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
