package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/web/chart"
)

// pageDroppedSize is how many dropped people a funnel page lists.
const pageDroppedSize = 50

// funnelsData is the funnel builder's.
type funnelsData struct {
	layout
	reportScope
	saveForm                    // saves the people who dropped at the step listed
	Steps, Window, Order string // the funnel as given
	Orders               []string
	R                    *report.FunnelReport
	Bars                 template.HTML
	DroppedLinks         []string            // by step: the link listing who dropped there ("" for the first)
	Dropped              *report.DroppedPage // a page of the people who dropped at ?at=
	NextPage, PrevPage   string              // its paging links
}

func (*funnelsData) pageName() string { return "funnels" }

// funnelsPage builds a funnel from ?steps=a,b,c&window=&order= (a GET form,
// so the URL can be shared) and, with ?at=i, lists a page of the people
// who dropped at step i, with a form saving them all as a segment.
func (s *Server) funnelsPage(c *gin.Context) {
	data := &funnelsData{}
	fn, ok, err := s.funnelQuery(c, data)
	if err == nil && ok {
		err = s.funnelReport(c, fn, data)
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	s.render(c, http.StatusOK, data)
}

// funnelQuery reads the funnel builder's parameters into data and returns
// the funnel; ok is false when no steps were given yet.
func (s *Server) funnelQuery(c *gin.Context, data *funnelsData) (report.Funnel, bool, error) {
	f, scope, err := pageScope(c)
	data.reportScope = scope
	stepsText := c.Query("steps")
	data.Steps, data.Window, data.Order = stepsText, c.Query("window"), c.DefaultQuery("order", report.OrderOrdered)
	data.Orders = []string{report.OrderOrdered, report.OrderStrict, report.OrderAny}
	if stepsText == "" {
		return report.Funnel{}, false, nil
	}
	fn := report.Funnel{Order: c.DefaultQuery("order", report.OrderOrdered), Filter: f,
		Steps: report.ParseFunnelSteps(stepsText)}
	if err == nil {
		if fn.Window, err = journeys.ParseDuration(c.Query("window")); err != nil {
			err = fieldError("window", "%s", journeys.ErrorMessage(err))
		}
	}
	if err == nil && s.analyst == nil {
		err = journeys.Errorf(journeys.ENOTFOUND, "reports are not enabled on this server")
	}
	return fn, true, err
}

// funnelParams are the parameters that build fn on the funnel page (the
// steps as given, so that links keep them).
func funnelParams(c *gin.Context, fn report.Funnel) url.Values {
	return url.Values{"steps": {c.Query("steps")}, "window": {c.Query("window")}, "order": {fn.Order}}
}

// funnelReport fills data with the funnel's report and, with ?at=i, a page
// of the people who dropped at step i.
func (s *Server) funnelReport(c *gin.Context, fn report.Funnel, data *funnelsData) error {
	rep, err := s.analyst.Funnel(c.Request.Context(), fn)
	if err != nil {
		return err
	}
	base := funnelParams(c, fn)
	data.R, data.Bars = &rep, chart.FunnelBars(rep)
	links := make([]string, len(rep.Steps))
	for i := 1; i < len(rep.Steps); i++ {
		links[i] = "/app/funnels?" + scopeQuery(c, withParam(base, "at", strconv.Itoa(i))) + "#dropped"
	}
	data.DroppedLinks = links
	at := c.Query("at")
	if at == "" {
		return nil
	}
	i, _ := strconv.Atoi(at)
	offset, _ := intParam(c, "offset")
	page, err := s.analyst.FunnelDropped(c.Request.Context(), report.DroppedQuery{Funnel: fn, Step: i, Offset: offset, Limit: pageDroppedSize})
	if err != nil {
		return err
	}
	data.Dropped = &page
	if page.NextOffset != nil {
		data.NextPage = "/app/funnels?" + scopeQuery(c, withParam(withParam(base, "at", at), "offset", strconv.Itoa(*page.NextOffset))) + "#dropped"
	}
	if offset > 0 {
		data.PrevPage = "/app/funnels?" + scopeQuery(c, withParam(withParam(base, "at", at), "offset", strconv.Itoa(max(0, offset-pageDroppedSize)))) + "#dropped"
	}
	if s.segmentsServed() && page.Total > 0 {
		data.SaveAction, data.SaveCount = "/app/funnels/segment?"+scopeQuery(c, withParam(base, "at", at))+"#dropped", page.Total
		if !data.nameGiven {
			data.SaveName = segmentName("dropped_before_"+page.StepName, "")
		}
	}
	return nil
}
