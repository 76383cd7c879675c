package web

import (
	"html/template"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/web/chart"
)

// attributionData is the attribution page's.
type attributionData struct {
	layout
	reportScope
	Conversion string
	Missing    string // why there is no report: the models are not served
	Tables     []creditTable
}

func (*attributionData) pageName() string { return "attribution" }

// creditRow is a touch's attribution with its bars.
type creditRow struct {
	chain.TouchCredit
	Bars template.HTML
}

// creditTable is the attribution of one kind of touch.
type creditTable struct {
	By    journeys.Touchpoint
	R     chain.AttributionReport
	Rows  []creditRow
	Error string
}

// attributionPage shows channels, campaigns and steps side by side, each
// with the Markov credit beside first and last touch.
func (s *Server) attributionPage(c *gin.Context) {
	f, scope, err := pageScope(c)
	data := &attributionData{reportScope: scope, Conversion: c.Query("conversion")}
	if s.modelsMissing(c, data, &data.Missing) {
		return
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	// The three attributions each read the journeys: run them at once.
	bys := []journeys.Touchpoint{journeys.ByChannel, journeys.ByCampaign, journeys.ByStep}
	reps := make([]chain.AttributionReport, len(bys))
	errs := make([]error, len(bys))
	var wg sync.WaitGroup
	for i, by := range bys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = s.models.chains.Attribution(c.Request.Context(), chain.AttributionQuery{Filter: f, By: by, Conversion: c.Query("conversion")})
		}()
	}
	wg.Wait()
	var tables []creditTable
	for i, by := range bys {
		t := creditTable{By: by}
		rep, err := reps[i], errs[i]
		if err != nil {
			if journeys.ErrorCode(err) == journeys.EINTERNAL {
				s.renderError(c, data, err)
				return
			}
			t.Error = journeys.ErrorMessage(err)
		}
		t.R = rep
		top := 0.0
		for _, tc := range rep.Touches {
			top = max(top, tc.Markov.Conversions, tc.FirstTouch.Conversions, tc.LastTouch.Conversions)
		}
		for _, tc := range rep.Touches {
			t.Rows = append(t.Rows, creditRow{TouchCredit: tc, Bars: chart.CreditBars(tc, top)})
		}
		tables = append(tables, t)
	}
	data.Tables = tables
	s.render(c, http.StatusOK, data)
}
