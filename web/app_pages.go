package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// overviewPage shows events, people, sessions and conversion over a range,
// with a daily trend chart.
func (s *Server) overviewPage(c *gin.Context) {
	data := gin.H{"Range": c.Query("range"), "From": c.Query("from"), "To": c.Query("to")}
	from, to, err := s.pageRange(c)
	if err != nil {
		s.renderError(c, "overview", data, err)
		return
	}
	o, err := s.app.overview.Overview(c.Request.Context(), from, to, s.app.cfg.Conversion, s.sessionTimeout())
	if err != nil {
		s.renderError(c, "overview", data, err)
		return
	}
	points := make([]chartPoint, len(o.Days))
	for i, d := range o.Days {
		points[i] = chartPoint{Label: d.Day.Format("Jan 2"), Value: float64(d.Events)}
	}
	data["O"] = o
	data["From"], data["To"] = from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")
	data["Conversion"] = s.app.cfg.Conversion
	data["Chart"] = lineChart(points, "events per day")
	s.render(c, http.StatusOK, "overview", data)
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

// personPage shows one person's timeline: sessions, events and steps.
func (s *Server) personPage(c *gin.Context) {
	id := c.Param("id")
	if id == "" {
		id = strings.TrimSpace(c.Query("id"))
	}
	data := gin.H{"ID": id}
	if id == "" {
		s.render(c, http.StatusOK, "person", data)
		return
	}
	p, events, err := s.journeys.Journey(c.Request.Context(), id, maxJourneyEvents)
	if err != nil {
		s.renderError(c, "person", data, err)
		return
	}
	j := journeys.BuildJourney(p, events, s.cfg.SessionTimeout)
	data["J"] = j
	if s.segStore != nil {
		segs, err := s.segStore.PersonSegments(c.Request.Context(), p.ID)
		if err != nil {
			s.renderError(c, "person", data, err)
			return
		}
		data["InSegments"], data["SegmentsOn"] = segs, true
	}
	if s.models != nil {
		sum, err := s.models.models.Person(c.Request.Context(), p.ID)
		if err != nil {
			s.renderError(c, "person", data, err)
			return
		}
		data["Model"] = sum.Model
	}
	s.render(c, http.StatusOK, "person", data)
}

func (s *Server) sessionTimeout() time.Duration {
	if s.cfg.SessionTimeout > 0 {
		return s.cfg.SessionTimeout
	}
	return journeys.DefaultSessionTimeout
}

// formatInt writes 1234567 as 1,234,567.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func formatPct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

// formatSeconds writes a gap as 45s, 12m, 3h 5m or 2d 4h.
func formatSeconds(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}
