package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/export"
)

// SegmentService evaluates, saves and deletes segments (a
// *segment.Segmenter), holding the rules: Create answers ECONFLICT for a
// taken name, Save and Delete for a built-in.
type SegmentService interface {
	Preview(ctx context.Context, s journeys.Segment, asOf time.Time, sample int) (journeys.Preview, error)
	Save(ctx context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error)
	Create(ctx context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error)
	Delete(ctx context.Context, name string) error
	Refresh(ctx context.Context, names []string, scope journeys.SegmentScope, trigger string, asOf time.Time) ([]journeys.RefreshResult, error)
}

// SegmentReader reads segments and their membership (the graph store).
// Segment and DeleteSegment return ENOTFOUND for an unknown name.
type SegmentReader interface {
	Segment(ctx context.Context, name string) (journeys.Segment, error)
	Segments(ctx context.Context) ([]journeys.Segment, error)
	MembersPage(ctx context.Context, segment, after string, limit int) ([]journeys.Member, error)
	MemberContacts(ctx context.Context, segment, after string, limit int) ([]journeys.MemberContact, error)
	MembersAt(ctx context.Context, segment string, at time.Time, after string, limit int) ([]journeys.Member, error)
	History(ctx context.Context, segment string, q journeys.HistoryQuery) ([]journeys.HistoryEntry, error)
	Changes(ctx context.Context, segment string, after int64, limit int) ([]journeys.SegmentChange, error)
	PersonSegments(ctx context.Context, person string) ([]journeys.PersonSegment, error)
	EntryOutcomes(ctx context.Context, q journeys.OutcomeQuery) ([]journeys.EntryOutcome, error)
	SurvivalTimes(ctx context.Context, q journeys.SurvivalQuery) ([]journeys.SurvivalTime, error)
}

// WithSegments serves the segment routes.
func WithSegments(svc SegmentService, store SegmentReader) Option {
	return func(s *Server) { s.segSvc, s.segStore = svc, store }
}

// Paging limits of member lists.
const (
	defaultMembersPage = 100
	defaultChangesPage = 1000
	maxMembersPage     = 10000
	csvPage            = 5000
	maxPreviewSample   = 1000
)

// registerSegmentRoutes adds /segments and /people/{id}/segments: reads
// with the read role, changes with the admin role.
func (s *Server) registerSegmentRoutes(read, admin *gin.RouterGroup) {
	if s.segStore == nil {
		return
	}
	read.GET("/segments", s.listSegments)
	read.GET("/segments/:name", s.getSegment)
	read.GET("/segments/:name/members", s.segmentMembers)
	read.GET("/segments/:name/members.csv", s.exportMembers)
	read.GET("/segments/:name/history", s.segmentHistory)
	read.GET("/segments/:name/changes", s.segmentChanges)
	read.GET("/segments/:name/preview", s.previewStored)
	read.GET("/segments/:name/uplift", s.segmentUplift)
	read.GET("/segments/:name/survival", s.segmentSurvival)
	if s.drift != nil {
		read.GET("/segments/:name/drift", s.segmentDrift)
	}
	read.POST("/segments/preview", s.previewDefinition)
	read.GET("/segment-vocabulary", s.segmentVocabulary)
	read.GET("/people/:id/segments", s.personSegments)
	admin.POST("/segments", func(c *gin.Context) { s.saveSegment(c, true) })
	admin.PUT("/segments/:name", func(c *gin.Context) { s.saveSegment(c, false) })
	admin.DELETE("/segments/:name", s.deleteSegment)
	admin.POST("/segments/:name/refresh", s.refreshSegment)
	s.registerOverlapRoutes(read)
}

func (s *Server) listSegments(c *gin.Context) {
	segs, err := s.segStore.Segments(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if segs == nil {
		segs = []journeys.Segment{}
	}
	c.JSON(http.StatusOK, gin.H{"segments": segs})
}

func (s *Server) getSegment(c *gin.Context) {
	seg, err := s.segStore.Segment(c.Request.Context(), c.Param("name"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, seg)
}

// readSegment reads a definition from the body; name, when set, is the
// name from the path (the body may omit it).
func (s *Server) readSegment(c *gin.Context, name string) (journeys.Segment, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, journeys.MaxStaticSegmentBytes))
	if err != nil {
		s.fail(c, journeys.Errorf(journeys.ETOOLARGE, "body: larger than %d bytes", journeys.MaxStaticSegmentBytes))
		return journeys.Segment{}, false
	}
	if name != "" {
		if body, err = withName(body, name); err != nil {
			s.fail(c, err)
			return journeys.Segment{}, false
		}
	}
	seg, err := journeys.ParseSegment(body)
	if err != nil {
		s.fail(c, err)
		return journeys.Segment{}, false
	}
	return seg, true
}

// saveSegment creates (POST, conflict when the name exists) or creates or
// replaces (PUT) a segment, then answers with it and its first evaluation.
func (s *Server) saveSegment(c *gin.Context, create bool) {
	seg, ok := s.readSegment(c, c.Param("name"))
	if !ok {
		return
	}
	save := s.segSvc.Save
	if create {
		save = s.segSvc.Create
	}
	saved, res, err := save(c.Request.Context(), seg)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"segment": saved, "refresh": res})
}

func (s *Server) deleteSegment(c *gin.Context) {
	if err := s.segSvc.Delete(c.Request.Context(), c.Param("name")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) refreshSegment(c *gin.Context) {
	asOf, ok := s.timeParam(c, "as_of")
	if !ok {
		return
	}
	res, err := s.segSvc.Refresh(c.Request.Context(), []string{c.Param("name")}, journeys.SegmentScope{}, "manual", asOf)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res[0])
}

// previewDefinition evaluates a definition in the body without saving it.
func (s *Server) previewDefinition(c *gin.Context) {
	seg, ok := s.readSegment(c, "")
	if !ok {
		return
	}
	s.preview(c, seg)
}

// previewStored evaluates a stored definition at ?as_of= without storing
// the result.
func (s *Server) previewStored(c *gin.Context) {
	seg, err := s.segStore.Segment(c.Request.Context(), c.Param("name"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.preview(c, seg)
}

func (s *Server) preview(c *gin.Context, seg journeys.Segment) {
	asOf, ok := s.timeParam(c, "as_of")
	if !ok {
		return
	}
	sample, ok := s.intParam(c, "sample", 20, 0, maxPreviewSample)
	if !ok {
		return
	}
	pv, err := s.segSvc.Preview(c.Request.Context(), seg, asOf, sample)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.previewAnswer(c.Request.Context(), pv, seg.Where))
}

// segmentMembers answers one page of members, by id: ?after= (the last id
// of the previous page), ?limit=, and ?at= for the members at a past time
// with the reason they entered. ?format=csv streams the CSV export.
func (s *Server) segmentMembers(c *gin.Context) {
	if c.Query("format") == "csv" {
		s.exportMembers(c)
		return
	}
	limit, ok := s.intParam(c, "limit", defaultMembersPage, 1, maxMembersPage)
	if !ok {
		return
	}
	at, ok := s.timeParam(c, "at")
	if !ok {
		return
	}
	ctx, name, after := c.Request.Context(), c.Param("name"), c.Query("after")
	var page []journeys.Member
	var err error
	if at.IsZero() {
		page, err = s.segStore.MembersPage(ctx, name, after, limit)
	} else {
		page, err = s.segStore.MembersAt(ctx, name, at, after, limit)
	}
	if err == nil && len(page) == 0 && after == "" {
		_, err = s.segStore.Segment(ctx, name) // an empty page of an unknown segment is a 404
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	out := gin.H{"segment": name, "members": page, "next_after": nil}
	if page == nil {
		out["members"] = []journeys.Member{}
	}
	if len(page) == limit {
		out["next_after"] = page[len(page)-1].Person
	}
	c.JSON(http.StatusOK, out)
}

// exportMembers streams every member as CSV (export.MembersHeader: id,
// contact traits, entered_at, version), page by page, so a large segment
// never sits in memory.
func (s *Server) exportMembers(c *gin.Context) {
	ctx, name := c.Request.Context(), c.Param("name")
	if _, err := s.segStore.Segment(ctx, name); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	c.Status(http.StatusOK)
	w := export.NewCSV(c.Writer)
	_ = w.Write(export.MembersHeader)
	after := ""
	for {
		page, err := s.segStore.MemberContacts(ctx, name, after, csvPage)
		if err != nil {
			// Headers are sent: the truncated body ends with an error row.
			_ = w.Write([]string{"#error", journeys.ErrorMessage(err), "", "", "", "", ""})
			w.Flush()
			return
		}
		for _, m := range page {
			_ = w.Write(export.MemberRow(m))
		}
		w.Flush()
		c.Writer.Flush()
		if len(page) < csvPage {
			return
		}
		after = page[len(page)-1].Person
	}
}

func (s *Server) segmentHistory(c *gin.Context) {
	limit, ok := s.intParam(c, "limit", defaultMembersPage, 1, maxMembersPage)
	if !ok {
		return
	}
	from, ok := s.timeParam(c, "from")
	if !ok {
		return
	}
	to, ok := s.timeParam(c, "to")
	if !ok {
		return
	}
	ctx, name := c.Request.Context(), c.Param("name")
	if _, err := s.segStore.Segment(ctx, name); err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.segStore.History(ctx, name, journeys.HistoryQuery{From: from, To: to, Person: c.Query("person"), Limit: limit})
	if err != nil {
		s.fail(c, err)
		return
	}
	if h == nil {
		h = []journeys.HistoryEntry{}
	}
	c.JSON(http.StatusOK, gin.H{"segment": name, "history": h})
}

// segmentChanges serves a segment's change feed: the entries after the
// cursor ("after", "" or "0" for the start), at most limit, the cursor to
// ask from next (the last entry's, or the one given when there is none)
// and whether more may follow.
func (s *Server) segmentChanges(c *gin.Context) {
	limit, ok := s.intParam(c, "limit", defaultChangesPage, 1, maxMembersPage)
	if !ok {
		return
	}
	after := int64(0)
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.fail(c, journeys.Errorf(journeys.EINVALID, "after: %q is not a cursor of this feed (send the \"next\" of the previous page, or nothing to start)", v))
			return
		}
		after = n
	}
	ctx, name := c.Request.Context(), c.Param("name")
	if _, err := s.segStore.Segment(ctx, name); err != nil {
		s.fail(c, err)
		return
	}
	changes, err := s.segStore.Changes(ctx, name, after, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	next := after
	if len(changes) > 0 {
		next = changes[len(changes)-1].Seq
	} else {
		changes = []journeys.SegmentChange{}
	}
	c.JSON(http.StatusOK, gin.H{"segment": name, "changes": changes, "next": strconv.FormatInt(next, 10),
		"more": len(changes) == limit})
}

func (s *Server) personSegments(c *gin.Context) {
	segs, err := s.segStore.PersonSegments(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if segs == nil {
		segs = []journeys.PersonSegment{}
	}
	c.JSON(http.StatusOK, gin.H{"person": c.Param("id"), "segments": segs})
}

// withName sets "name" on a definition whose body has none, and refuses a
// body naming another segment than the path.
func withName(body []byte, name string) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, journeys.Errorf(journeys.EINVALID, "body: not a JSON object: %v", err)
	}
	if raw, ok := obj["name"]; ok {
		var got string
		if json.Unmarshal(raw, &got) != nil || got != name {
			return nil, journeys.Errorf(journeys.EINVALID, "name: %s differs from the path's %q", raw, name)
		}
		return body, nil
	}
	obj["name"], _ = json.Marshal(name)
	return json.Marshal(obj)
}
