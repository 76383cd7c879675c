package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/uplift"
	"github.com/journeygraph/journeygraph/web/chart"
)

// Limits of the segment pages.
const (
	pageMembers      = 50   // members per page of the members table
	pageHistory      = 50   // history rows shown
	trendHistory     = 1000 // history entries read to draw a size trend
	listTrends       = 50   // segments of the list that get a trend
	pagePreviewCount = 20   // members shown by a preview
)

// newDefinition prefills the editor of a new segment.
const newDefinition = `{
  "name": "my_segment",
  "description": "Added to cart in the last 7 days and did not buy.",
  "min_size": 50,
  "where": {"all": [
    {"did": "add_to_cart", "within": "7d"},
    {"did_not": "purchase", "within": "7d"}
  ]}
}`

// registerSegmentPages adds the segment pages under /app: previews with
// the read role, saves with the admin role. They show a message instead
// when segments are not served.
func (s *Server) registerSegmentPages(read *gin.RouterGroup) {
	read.GET("/segments", s.segmentsPage)
	read.GET("/segments/new", s.segmentPage)
	read.POST("/segments/new", s.requireRoleToSave(RoleAdmin), s.segmentPost)
	read.GET("/segments/:name", s.segmentPage)
	read.POST("/segments/:name", s.requireRoleToSave(RoleAdmin), s.segmentPost)
	read.GET("/segments/:name/members.csv", s.segmentCSV)
	read.GET("/segment-overlap", s.overlapPage)
	read.GET("/segment-vocabulary", s.segmentVocabulary)
	read.POST("/segment-preview", s.segmentPreviewJSON)
}

// segmentsOn says whether segments are served; when not, it renders the
// page with a message in its off field.
func (s *Server) segmentsOn(c *gin.Context, data pageData, off *string) bool {
	if s.segStore != nil && s.segSvc != nil {
		return true
	}
	*off = "Segments are not configured on this server (serve wires them with the graph store)."
	s.render(c, http.StatusOK, data)
	return false
}

// segmentsData is the segments list's.
type segmentsData struct {
	layout
	Off     string // why segments are not served
	BuiltIn []segmentRow
	Custom  []segmentRow
}

func (*segmentsData) pageName() string { return "segments" }

// segmentRow is one line of the segments list.
type segmentRow struct {
	journeys.Segment
	Trend        template.HTML
	Entered      int // on the last day with changes
	Left         int
	LastChangeAt time.Time
}

// segmentsPage lists the segments with their size and a size trend
// rebuilt from their entry/exit history.
func (s *Server) segmentsPage(c *gin.Context) {
	data := &segmentsData{}
	if !s.segmentsOn(c, data, &data.Off) {
		return
	}
	ctx := c.Request.Context()
	segs, err := s.segStore.Segments(ctx)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	var builtIn, custom []segmentRow
	for i, seg := range segs {
		row := segmentRow{Segment: seg}
		if i < listTrends {
			h, err := s.segStore.History(ctx, seg.Name, journeys.HistoryQuery{Limit: trendHistory})
			if err != nil {
				s.renderError(c, data, err)
				return
			}
			days := sizeTrend(seg.Members, h, len(h) == trendHistory)
			row.Trend = chart.Sparkline(trendPoints(days), seg.Name)
			if n := len(days); n > 0 {
				row.Entered, row.Left, row.LastChangeAt = days[n-1].Entered, days[n-1].Left, days[n-1].Day
			}
		}
		if seg.BuiltIn {
			builtIn = append(builtIn, row)
		} else {
			custom = append(custom, row)
		}
	}
	data.BuiltIn, data.Custom = builtIn, custom
	s.render(c, http.StatusOK, data)
}

// trendDay is one day of a segment's history: changes and size at its end.
type trendDay struct {
	Day     time.Time
	Entered int
	Left    int
	Size    int
}

// sizeTrend groups history entries (newest first) by UTC day and rebuilds
// the size at the end of each day backwards from the current size. When
// the history was cut (truncated), its oldest day may be partial and is
// left out.
func sizeTrend(current int, h []journeys.HistoryEntry, truncated bool) []trendDay {
	byDay := map[time.Time]*trendDay{}
	for _, e := range h {
		d := e.At.UTC().Truncate(24 * time.Hour)
		td := byDay[d]
		if td == nil {
			td = &trendDay{Day: d}
			byDay[d] = td
		}
		if e.Kind == journeys.KindEntered {
			td.Entered++
		} else {
			td.Left++
		}
	}
	days := make([]trendDay, 0, len(byDay))
	for _, td := range byDay {
		days = append(days, *td)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Day.Before(days[j].Day) })
	size := current
	for i := len(days) - 1; i >= 0; i-- {
		days[i].Size = size
		size += days[i].Left - days[i].Entered
	}
	if truncated && len(days) > 1 {
		days = days[1:]
	}
	return days
}

// trendPoints are the sizes to draw: before the first day with changes,
// then at the end of each day.
func trendPoints(days []trendDay) []chart.Point {
	if len(days) == 0 {
		return nil
	}
	first := days[0]
	points := []chart.Point{{Label: "before", Value: float64(first.Size - first.Entered + first.Left)}}
	for _, d := range days {
		points = append(points, chart.Point{Label: d.Day.Format("Jan 2"), Value: float64(d.Size)})
	}
	return points
}

// editable is the part of a segment its editor shows.
type editable struct {
	Name        string             `json:"name"`
	Description string             `json:"description,omitempty"`
	MinSize     int                `json:"min_size,omitempty"`
	Holdout     *journeys.Holdout  `json:"holdout,omitempty"`
	Drift       *journeys.Drift    `json:"drift,omitempty"`
	Where       journeys.Condition `json:"where"`
}

// segmentData is the page of one segment, or of a new one.
type segmentData struct {
	layout
	Off         string // why segments are not served
	Name        string // as in the path; "" for a new segment
	New         bool
	Missing     bool              // the segment does not exist
	Notice      string            // the outcome of a save
	Seg         *journeys.Segment // the stored segment
	Definition  string            // the editor's text
	AsOf        string            // the preview's time, as given
	EditorError string            // a problem with the definition, shown in the editor
	Problems    []journeys.RowError
	Preview     *journeys.Preview
	Reading     string            // the previewed definition as a sentence (journeys.Describe)
	Members     []journeys.Member // a page of them, after After
	After       string
	NextAfter   string // the next page's After; "" on the last page
	History     []journeys.HistoryEntry
	HistoryMore bool // more history than is shown
	Trend       template.HTML
	TrendDays   []trendDay
	CSV         string         // the members export
	Uplift      *uplift.Report // when the segment keeps a holdout
	Survival    *survivalData  // time from entry to a step (app_survival.go)
	Drift       *driftView     // size and PSI over time (with WithDrift)
}

func (*segmentData) pageName() string { return "segment" }

// segmentPage shows one segment (or a new one): the definition editor, its
// members (paged) and its entry/exit history.
func (s *Server) segmentPage(c *gin.Context) {
	name := c.Param("name")
	data := &segmentData{Name: name, New: name == "", Definition: newDefinition}
	if !s.segmentsOn(c, data, &data.Off) {
		return
	}
	if name == "" {
		// From the overlap page: the definition of an intersection or a
		// difference of two segments.
		if def, ok, err := s.combinedEditor(c); err != nil {
			s.renderError(c, data, err)
			return
		} else if ok {
			data.Definition = def
		}
		s.render(c, http.StatusOK, data)
		return
	}
	if v := c.Query("saved"); v != "" {
		data.Notice = "Saved as version " + v + "; membership refreshed."
	}
	if !s.loadSegment(c, data, true) {
		return
	}
	s.render(c, http.StatusOK, data)
}

// loadSegment fills data with a stored segment, its members page and
// history (and the editor with its definition when prefill); it renders
// the error and returns false when that fails.
func (s *Server) loadSegment(c *gin.Context, data *segmentData, prefill bool) bool {
	ctx, name := c.Request.Context(), c.Param("name")
	seg, err := s.segStore.Segment(ctx, name)
	if err != nil {
		data.New, data.Missing = false, true
		s.renderError(c, data, err)
		return false
	}
	data.Seg = &seg
	if prefill {
		def, _ := json.MarshalIndent(editable{Name: seg.Name, Description: seg.Description, MinSize: seg.MinSize, Holdout: seg.Holdout, Drift: seg.Drift, Where: seg.Where}, "", "  ")
		data.Definition = string(def)
	}
	after := c.Query("after")
	members, err := s.segStore.MembersPage(ctx, name, after, pageMembers)
	if err == nil {
		data.Members, data.After = members, after
		if len(members) == pageMembers {
			data.NextAfter = members[len(members)-1].Person
		}
		var h []journeys.HistoryEntry
		if h, err = s.segStore.History(ctx, name, journeys.HistoryQuery{Limit: trendHistory}); err == nil {
			data.History = h[:min(len(h), pageHistory)]
			data.HistoryMore = len(h) > pageHistory
			days := sizeTrend(seg.Members, h, len(h) == trendHistory)
			data.Trend, data.TrendDays = chart.Line(trendPoints(days), "members at the end of each day"), days
		}
	}
	if err != nil {
		s.renderError(c, data, err)
		return false
	}
	data.CSV = "/app/segments/" + url.PathEscape(name) + "/members.csv"
	if seg.Holdout != nil {
		rep, err := uplift.Compute(ctx, s.segStore, s.segStore, uplift.Query{Segment: name})
		if err != nil {
			s.renderError(c, data, err)
			return false
		}
		data.Uplift = &rep
	}
	if data.Survival, err = s.loadSurvival(c, seg); err != nil {
		s.renderError(c, data, err)
		return false
	}
	if s.drift != nil {
		data.Drift = s.segmentDriftView(ctx, name)
	}
	return true
}

// segmentPost previews or saves the definition in the editor (the button
// pressed says which), showing validation problems in place.
func (s *Server) segmentPost(c *gin.Context) {
	name := c.Param("name")
	def := c.PostForm("definition")
	data := &segmentData{Name: name, New: name == "", Definition: def, AsOf: c.PostForm("as_of")}
	if !s.segmentsOn(c, data, &data.Off) {
		return
	}
	if name != "" && !s.loadSegment(c, data, false) {
		return
	}
	fail := func(err error) {
		switch code := journeys.ErrorCode(err); code {
		case journeys.EINVALID, journeys.ECONFLICT, journeys.ETOOLARGE:
			data.EditorError, data.Problems = journeys.ErrorMessage(err), problemsOf(err)
			s.render(c, statusOf[code], data)
		default:
			s.renderError(c, data, err)
		}
	}
	body := []byte(def)
	var err error
	if name != "" {
		if body, err = withName(body, name); err != nil {
			fail(err)
			return
		}
	}
	seg, err := journeys.ParseSegment(body)
	if err != nil {
		fail(err)
		return
	}
	ctx := c.Request.Context()
	if c.PostForm("action") != "save" {
		var asOf time.Time
		if v := strings.TrimSpace(c.PostForm("as_of")); v != "" {
			if asOf, err = journeys.ParseTime(v); err != nil {
				fail(journeys.Errorf(journeys.EINVALID, "as_of: %s", journeys.ErrorMessage(err)))
				return
			}
		}
		pv, err := s.segSvc.Preview(ctx, seg, asOf, pagePreviewCount)
		if err != nil {
			fail(err)
			return
		}
		data.Preview, data.Reading = &pv, s.describe(c.Request.Context(), seg.Where)
		s.render(c, http.StatusOK, data)
		return
	}
	save := s.segSvc.Save
	if name == "" {
		save = s.segSvc.Create
	}
	saved, _, err := save(ctx, seg)
	if err != nil {
		fail(err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/app/segments/%s?saved=%d", url.PathEscape(saved.Name), saved.Version))
}

// problemsOf lists the per-node problems of a validation error.
func problemsOf(err error) []journeys.RowError {
	if jerr, ok := err.(*journeys.Error); ok {
		return jerr.Details
	}
	return nil
}

// segmentCSV streams the members export (the API's exportMembers) behind
// the sign-in.
func (s *Server) segmentCSV(c *gin.Context) {
	data := &segmentData{Name: c.Param("name")}
	if !s.segmentsOn(c, data, &data.Off) {
		return
	}
	if _, err := s.segStore.Segment(c.Request.Context(), c.Param("name")); err != nil {
		data.Missing = true
		s.renderError(c, data, err)
		return
	}
	s.exportMembers(c)
}
