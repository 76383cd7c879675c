package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// registerPathsPages adds the paths explorer, whose step rules are edited
// in place: previewed on the stored journeys (read role), then saved
// (admin role).
func (s *Server) registerPathsPages(read *gin.RouterGroup) {
	read.GET("/paths", s.pathsPage)
	read.POST("/paths/rules", s.requireRoleToSave(RoleAdmin), s.pathRulesPost)
}

// pathsData is the paths explorer's.
type pathsData struct {
	layout
	reportScope
	Start, End string // the path query
	Depth      int
	Unit       string
	Action     string                 // where the rules form posts
	Version    string                 // of the rules in force; "" when step rules are not served
	Restep     *journeys.RestepStatus // the restep's progress; nil when step rules are not served
	RulesText  string                 // the rules in the editor
	Saved      string                 // the version just saved, when the page follows a save
	R          *report.PathReport     // the top paths under the rules in force
	Preview    *report.PathReport     // the top paths under the edited rules
	Problems   []journeys.RowError    // every problem of the edited rules, when several
}

func (*pathsData) pageName() string { return "paths" }

// pathsPageData reads the explorer's query (the JSON API's path
// parameters) and the page data echoing it.
func (s *Server) pathsPageData(c *gin.Context) (report.PathQuery, *pathsData, error) {
	_, scope, _ := pageScope(c)
	data := &pathsData{reportScope: scope}
	q, err := pathParams(c)
	if q.Depth == 0 {
		q.Depth = 5
	}
	data.Start, data.End, data.Depth, data.Unit = q.Start, q.End, q.Depth, string(q.Unit)
	data.Action = "/app/paths/rules?" + c.Request.URL.RawQuery
	if s.steps != nil {
		cur := s.steps.Current()
		data.Version = strconv.Itoa(cur.Version)
		st := s.steps.Status()
		data.Restep = &st
		if b, err := json.MarshalIndent(cur.StepRules, "", "  "); err == nil {
			data.RulesText = string(b)
		}
	}
	data.Saved = c.Query("saved")
	return q, data, err
}

// pathsPage shows the top paths under the rules in force, and the rules.
func (s *Server) pathsPage(c *gin.Context) {
	q, data, err := s.pathsPageData(c)
	if err == nil && s.analyst == nil {
		err = journeys.Errorf(journeys.ENOTFOUND, "reports are not enabled on this server")
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	rep, err := s.analyst.Paths(c.Request.Context(), q)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	data.R = &rep
	s.render(c, http.StatusOK, data)
}

// pathRulesPost previews (action=preview) or saves (action=save) the rules
// edited in the form's text area. A preview shows the top paths under the
// edited rules beside those under the rules in force; nothing is saved. A
// bad rule is shown with its field (rules[2].url).
func (s *Server) pathRulesPost(c *gin.Context) {
	q, data, err := s.pathsPageData(c)
	text := c.PostForm("rules")
	data.RulesText = text
	if err == nil && (s.analyst == nil || s.steps == nil) {
		err = journeys.Errorf(journeys.ENOTFOUND, "step rules are not editable on this server")
	}
	var rules journeys.StepRules
	if err == nil {
		rules, err = journeys.ParseStepRules([]byte(text))
	}
	if err != nil {
		s.rulesError(c, data, err)
		return
	}
	ctx := c.Request.Context()
	if c.PostForm("action") == "save" {
		base, _ := strconv.Atoi(c.PostForm("version"))
		saved, err := s.steps.Save(ctx, rules, base)
		if err != nil {
			s.rulesError(c, data, err)
			return
		}
		v, _ := url.ParseQuery(c.Request.URL.RawQuery)
		v.Set("saved", strconv.Itoa(saved.Version))
		c.Redirect(http.StatusSeeOther, "/app/paths?"+v.Encode())
		return
	}
	preview, err := s.steps.PreviewPaths(ctx, rules, q)
	if err != nil {
		s.rulesError(c, data, err)
		return
	}
	cur, err := s.analyst.Paths(ctx, q)
	if err != nil {
		s.rulesError(c, data, err)
		return
	}
	data.R, data.Preview = &cur, &preview
	s.render(c, http.StatusOK, data)
}

// rulesError shows a rules problem (every detail, with its field) on the
// page, keeping the edited text.
func (s *Server) rulesError(c *gin.Context, data *pathsData, err error) {
	if jerr, ok := err.(*journeys.Error); ok && len(jerr.Details) > 1 {
		data.Problems = jerr.Details
	}
	s.renderError(c, data, err)
}
