package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// registerOverlapRoutes adds the overlap of segments (read key):
// GET /segment-overlap?names=a,b,c is the pairwise matrix, and
// GET /segment-overlap/members?a=&b=&op=both|only_a|only_b a page of the
// members of a set operation, with the definition that selects them (POST
// it to /segments to keep it as a segment).
func (s *Server) registerOverlapRoutes(read *gin.RouterGroup) {
	if s.segStore == nil {
		return
	}
	read.GET("/segment-overlap", s.segmentOverlap)
	read.GET("/segment-overlap/members", s.overlapMembers)
}

func (s *Server) segmentOverlap(c *gin.Context) {
	var names []string
	for _, n := range strings.Split(c.Query("names"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	o, err := segment.CompareSegments(c.Request.Context(), s.segStore, s.segStore, names)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

func (s *Server) overlapMembers(c *gin.Context) {
	limit, ok := s.intParam(c, "limit", defaultMembersPage, 1, maxMembersPage)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	a, b, op, after := c.Query("a"), c.Query("b"), c.DefaultQuery("op", segment.OpBoth), c.Query("after")
	def, err := combinedDefinition(ctx, s.segStore, a, b, op)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids, err := segment.CombinedMembers(ctx, s.segStore, a, b, op)
	if err != nil {
		s.fail(c, err)
		return
	}
	total := len(ids)
	i, found := slices.BinarySearch(ids, after)
	if found {
		i++
	}
	page := ids[i:min(i+limit, len(ids))]
	next := ""
	if i+limit < len(ids) {
		next = page[len(page)-1]
	}
	if page == nil {
		page = []string{}
	}
	c.JSON(http.StatusOK, gin.H{"a": a, "b": b, "op": op, "count": total, "members": page, "next_after": next, "definition": def})
}

// combinedDefinition is the segment (with a suggested name) that selects a
// set operation of two stored segments: ENOTFOUND for an unknown one.
func combinedDefinition(ctx context.Context, segs SegmentReader, a, b, op string) (journeys.Segment, error) {
	sa, err := segs.Segment(ctx, a)
	if err != nil {
		return journeys.Segment{}, err
	}
	sb, err := segs.Segment(ctx, b)
	if err != nil {
		return journeys.Segment{}, err
	}
	w, err := segment.Combine(sa, sb, op)
	if err != nil {
		return journeys.Segment{}, err
	}
	words := map[string]string{segment.OpBoth: "in both %s and %s", segment.OpOnlyA: "in %s, not in %s", segment.OpOnlyB: "in %[2]s, not in %[1]s"}
	names := map[string]string{segment.OpBoth: "%s_and_%s", segment.OpOnlyA: "%s_not_%s", segment.OpOnlyB: "%[2]s_not_%[1]s"}
	name := fmt.Sprintf(names[op], a, b)
	return journeys.Segment{Name: name[:min(len(name), maxSegmentName)], Description: fmt.Sprintf(words[op], a, b), Where: w}, nil
}

// maxSegmentName is the longest segment name (journeys.ParseSegment).
const maxSegmentName = 100
