package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/web/chart"
)

// The "save these people as a segment" forms of the journey map (the
// people behind a node) and the funnel (the people who dropped at a step).
// Each posts to the page's own URL under /segment, so the handler reads the
// report's parameters as the page does; the people are computed again on
// the server, all of them, not only the page shown, and saved as a static
// segment (journeys.StaticSegment) through the segment service.

// saveForm is the form saving a report's people as a static segment
// (layout.html's "save-segment"), embedded in the data of the pages that
// show it.
type saveForm struct {
	SaveAction string // where the form posts; "" hides it
	SaveName   string // the name proposed, or posted
	SaveCount  int    // the people it saves
	SaveError  string // a problem with the form: a bad or taken name, too many people
	nameGiven  bool   // SaveName was posted: keep it rather than propose one
}

// segmentsServed says whether segments can be saved from the app.
func (s *Server) segmentsServed() bool { return s.segSvc != nil && s.segStore != nil }

// segmentName proposes a segment name from a label and a suffix: the
// characters a name may not hold become _, and it is cut to fit.
func segmentName(label, suffix string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < utf8.RuneSelf && (r == '_' || r == '.' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
				return r
			}
			return '_'
		}, s)
	}
	name := clean(label)
	if suffix != "" {
		name = name[:min(len(name), 90)] + "_" + clean(suffix)
	}
	return name[:min(len(name), 100)]
}

// clip cuts s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// saveStatic saves ids (total people, all of them listed) as a new static
// segment through the segment service, which validates and evaluates it
// like any other definition. The error is ECONFLICT when the name is
// taken, ETOOLARGE past journeys.MaxSegmentPeople, EINVALID for a bad name
// or nobody to save.
func (s *Server) saveStatic(ctx context.Context, name, description string, ids []string, total int) (journeys.Segment, error) {
	if !s.segmentsServed() {
		return journeys.Segment{}, journeys.Errorf(journeys.ENOTFOUND, "segments are not configured on this server")
	}
	switch {
	case total == 0:
		return journeys.Segment{}, journeys.Errorf(journeys.EINVALID, "nobody to save")
	case total > len(ids) || total > journeys.MaxSegmentPeople:
		return journeys.Segment{}, journeys.Errorf(journeys.ETOOLARGE, "%s people: a segment lists at most %s", chart.FormatInt(total), chart.FormatInt(journeys.MaxSegmentPeople))
	}
	seg := journeys.StaticSegment(name, clip(description, 2000), ids)
	if err := seg.Validate(); err != nil {
		return journeys.Segment{}, err
	}
	saved, _, err := s.segSvc.Create(ctx, seg)
	return saved, err
}

// savedOrShown redirects to the segment saved, or renders the page's
// error, and says so; for a problem with the form itself (a bad or taken
// name, too many people) it puts the message in the form and returns the
// status to show the page again with.
func (s *Server) savedOrShown(c *gin.Context, data pageData, form *saveForm, saved journeys.Segment, err error) (int, bool) {
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/app/segments/%s?saved=%d", url.PathEscape(saved.Name), saved.Version))
		return 0, true
	}
	switch code := journeys.ErrorCode(err); code {
	case journeys.EINVALID, journeys.ECONFLICT, journeys.ETOOLARGE:
		form.SaveError = journeys.ErrorMessage(err)
		return statusOf[code], false
	}
	s.renderError(c, data, err)
	return 0, true
}

// scopeText describes a page's scope for a segment's description.
func scopeText(f journeys.Filter) string {
	var parts []string
	if f.PersonPrefix != "" {
		parts = append(parts, "people "+strconv.Quote(f.PersonPrefix)+"…")
	}
	if !f.From.IsZero() {
		parts = append(parts, "from "+f.From.UTC().Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		parts = append(parts, "to "+f.To.UTC().Format("2006-01-02"))
	}
	if f.Channel != "" {
		parts = append(parts, "channel "+f.Channel)
	}
	if f.Device != "" {
		parts = append(parts, "device "+f.Device)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// mapSegmentPost saves the people behind the selected node of the journey
// map as a static segment and goes to it; on a problem it shows the map
// again with the problem in the form.
func (s *Server) mapSegmentPost(c *gin.Context) {
	data := &journeyMapData{}
	name := strings.TrimSpace(c.PostForm("name"))
	q, err := s.mapQuery(c, data)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	col, step, err := parseNode(c.Query("node"))
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	np, err := s.analyst.NodePeople(c.Request.Context(), report.NodeQuery{Path: q, Column: col, Step: step, Limit: report.MaxNodeLimit})
	var saved journeys.Segment
	if err == nil {
		title := "first steps"
		if q.Start != "" {
			title = "journeys from " + q.Start
		} else if q.End != "" {
			title = "journeys to " + q.End
		}
		desc := fmt.Sprintf("The %d people whose path passes %s at column %d of the journey map of %s (depth %d, %ss)%s.",
			np.Total, step, col+1, title, q.Depth, q.Unit, scopeText(q.Filter))
		saved, err = s.saveStatic(c.Request.Context(), name, desc, np.People, np.Total)
	}
	status, done := s.savedOrShown(c, data, &data.saveForm, saved, err)
	if done {
		return
	}
	data.SaveName, data.nameGiven = name, true
	if err := s.journeyMap(c, q, data); err != nil {
		s.renderError(c, data, err)
		return
	}
	s.render(c, status, data)
}

// funnelSegmentPost saves everyone who dropped at the funnel's step ?at=
// as a static segment and goes to it; on a problem it shows the funnel
// again with the problem in the form.
func (s *Server) funnelSegmentPost(c *gin.Context) {
	data := &funnelsData{}
	name := strings.TrimSpace(c.PostForm("name"))
	fn, ok, err := s.funnelQuery(c, data)
	if err == nil && !ok {
		err = fieldError("steps", "no funnel steps given")
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	at, err := strconv.Atoi(c.Query("at"))
	if err != nil {
		s.renderError(c, data, fieldError("at", "%q is not a step number", c.Query("at")))
		return
	}
	ids, err := s.analyst.FunnelDroppedIDs(c.Request.Context(), report.DroppedQuery{Funnel: fn, Step: at})
	var saved journeys.Segment
	if err == nil {
		var steps []string
		for _, st := range fn.Steps {
			steps = append(steps, st.Step)
		}
		within := ""
		if fn.Window > 0 {
			within = " within " + fn.Window.String()
		}
		desc := fmt.Sprintf("The %d people who dropped before %s in the %s funnel %s%s%s.", len(ids), fn.Steps[at].Step, fn.Order,
			strings.Join(steps, " → "), within, scopeText(fn.Filter))
		saved, err = s.saveStatic(c.Request.Context(), name, desc, ids, len(ids))
	}
	status, done := s.savedOrShown(c, data, &data.saveForm, saved, err)
	if done {
		return
	}
	data.SaveName, data.nameGiven = name, true
	if err := s.funnelReport(c, fn, data); err != nil {
		s.renderError(c, data, err)
		return
	}
	s.render(c, status, data)
}
