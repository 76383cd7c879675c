package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/web/chart"
)

// statesData is the hidden-states page's.
type statesData struct {
	layout
	Prefix  string // the model's scope (person_prefix)
	MinP    string // the least transition probability drawn, as given
	Missing string // why there is no model: none fitted, or the models are not served
	M       *chain.ModelView
	Diagram template.HTML
}

func (*statesData) pageName() string { return "states" }

// statesPage shows the current hidden-state model of the scope
// (person_prefix) as a diagram and a table, with rename forms.
func (s *Server) statesPage(c *gin.Context) {
	scope := c.Query("person_prefix")
	data := &statesData{Prefix: scope, MinP: c.DefaultQuery("min_p", "0.1")}
	if s.modelsMissing(c, data, &data.Missing) {
		return
	}
	minP, err := strconv.ParseFloat(c.DefaultQuery("min_p", "0.1"), 64)
	if err != nil || minP < 0 || minP > 1 {
		s.renderError(c, data, fieldError("min_p", "%q is not a probability", c.Query("min_p")))
		return
	}
	v, err := s.models.models.Current(c.Request.Context(), scope)
	if journeys.ErrorCode(err) == journeys.ENOTFOUND {
		data.Missing = "No model has been fitted for this scope yet (POST /api/v1/models fits one)."
		s.render(c, http.StatusOK, data)
		return
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	data.M, data.Diagram = &v, chart.StateDiagram(v, minP)
	s.render(c, http.StatusOK, data)
}

// renameStatePage renames a state of the scope's current model (a form
// post, CSRF-checked by requireSignIn) and goes back to the states page.
func (s *Server) renameStatePage(c *gin.Context) {
	scope := c.PostForm("person_prefix")
	data := &statesData{Prefix: scope, MinP: "0.1"}
	if s.modelsMissing(c, data, &data.Missing) {
		return
	}
	index, err := strconv.Atoi(c.PostForm("index"))
	if err != nil || index < 0 {
		s.renderError(c, data, fieldError("index", "%q is not a state index", c.PostForm("index")))
		return
	}
	if _, err := s.models.models.RenameState(c.Request.Context(), scope, index, strings.TrimSpace(c.PostForm("label"))); err != nil {
		s.renderError(c, data, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/app/states?"+url.Values{"person_prefix": {scope}}.Encode())
}
