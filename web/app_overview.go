package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/web/chart"
)

// overviewData is the overview page's.
type overviewData struct {
	layout
	From, To   string             // the range's first and last days, as the form shows them
	O          *journeys.Overview // nil when the range could not be read
	Conversion string             // the conversion step
	Chart      template.HTML      // events per day
}

func (*overviewData) pageName() string { return "overview" }

// overviewPage shows events, people, sessions and conversion over a range,
// with a daily trend chart.
func (s *Server) overviewPage(c *gin.Context) {
	data := &overviewData{From: c.Query("from"), To: c.Query("to")}
	from, to, err := s.pageRange(c)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	o, err := s.app.overview.Overview(c.Request.Context(), from, to, s.app.cfg.Conversion, s.sessionTimeout())
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	points := make([]chart.Point, len(o.Days))
	for i, d := range o.Days {
		points[i] = chart.Point{Label: d.Day.Format("Jan 2"), Value: float64(d.Events)}
	}
	data.O = &o
	data.From, data.To = from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")
	data.Conversion = s.app.cfg.Conversion
	data.Chart = chart.Line(points, "events per day")
	s.render(c, http.StatusOK, data)
}

// pageRange reads the date range of a report page: ?from=&to= (days,
// inclusive) or ?range=7d|30d|90d|all, counted back from the last event;
// the last 30 days of data by default.
func (s *Server) pageRange(c *gin.Context) (from, to time.Time, err error) {
	if f, t := c.Query("from"), c.Query("to"); f != "" || t != "" {
		if from, err = time.Parse("2006-01-02", f); err != nil {
			return from, to, journeys.Errorf(journeys.EINVALID, "from: %q is not a date (want YYYY-MM-DD)", f)
		}
		if to, err = time.Parse("2006-01-02", t); err != nil {
			return from, to, journeys.Errorf(journeys.EINVALID, "to: %q is not a date (want YYYY-MM-DD)", t)
		}
		if to.Before(from) {
			return from, to, journeys.Errorf(journeys.EINVALID, "to: %s is before from %s", t, f)
		}
		return from, to.AddDate(0, 0, 1), nil
	}
	first, last, err := s.app.overview.DataRange(c.Request.Context())
	if err != nil {
		return from, to, err
	}
	if last.IsZero() {
		last = s.cfg.Now()
	}
	to = last.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	switch r := c.DefaultQuery("range", "30d"); r {
	case "all":
		from = first.UTC().Truncate(24 * time.Hour)
	case "7d", "30d", "90d":
		days, _ := strconv.Atoi(strings.TrimSuffix(r, "d"))
		from = to.AddDate(0, 0, -days)
	default:
		return from, to, journeys.Errorf(journeys.EINVALID, "range: %q is not one of 7d, 30d, 90d, all", r)
	}
	return from, to, nil
}

func (s *Server) sessionTimeout() time.Duration {
	if s.cfg.SessionTimeout > 0 {
		return s.cfg.SessionTimeout
	}
	return journeys.DefaultSessionTimeout
}
