package web

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// overlapData is the overlap page's: the segments to choose from, those
// chosen, and their pairwise overlap.
type overlapData struct {
	layout
	Off     string
	All     []journeys.Segment
	Chosen  map[string]bool
	Overlap *segment.Overlap
	Cells   [][]overlapCell // Cells[i][j]: row segment i, column segment j
}

// overlapCell is one cell of the matrix: the pair's overlap, seen from the
// row's segment (OnlyRow is the row's members not in the column's).
type overlapCell struct {
	Row, Col      string
	Diagonal      bool
	Members       int // the diagonal: the segment's size
	Both, OnlyRow int
	Jaccard       float64
	OpOnlyRow     string // the set operation naming "row only"
}

func (*overlapData) pageName() string { return "overlap" }

// overlapPage compares the segments ticked (names, 2 to
// segment.MaxOverlapSegments): a matrix of members in both and Jaccard
// indexes, each cell linking to a new segment of that intersection or
// difference, prefilled in the editor.
func (s *Server) overlapPage(c *gin.Context) {
	data := &overlapData{Chosen: map[string]bool{}}
	if !s.segmentsOn(c, data, &data.Off) {
		return
	}
	ctx := c.Request.Context()
	all, err := s.segStore.Segments(ctx)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	data.All = all
	names := c.QueryArray("names")
	for _, n := range names {
		data.Chosen[n] = true
	}
	if len(names) == 0 {
		s.render(c, http.StatusOK, data)
		return
	}
	o, err := segment.CompareSegments(ctx, s.segStore, s.segStore, names)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	data.Overlap = &o
	data.Cells = overlapCells(o)
	s.render(c, http.StatusOK, data)
}

// overlapCells lays the pairs out as a symmetric matrix.
func overlapCells(o segment.Overlap) [][]overlapCell {
	idx := map[string]int{}
	cells := make([][]overlapCell, len(o.Segments))
	for i, sg := range o.Segments {
		idx[sg.Name] = i
		cells[i] = make([]overlapCell, len(o.Segments))
		cells[i][i] = overlapCell{Row: sg.Name, Col: sg.Name, Diagonal: true, Members: sg.Members}
	}
	for _, p := range o.Pairs {
		i, j := idx[p.A], idx[p.B]
		cells[i][j] = overlapCell{Row: p.A, Col: p.B, Both: p.Both, OnlyRow: p.OnlyA, Jaccard: p.Jaccard, OpOnlyRow: segment.OpOnlyA}
		cells[j][i] = overlapCell{Row: p.B, Col: p.A, Both: p.Both, OnlyRow: p.OnlyB, Jaccard: p.Jaccard, OpOnlyRow: segment.OpOnlyA}
	}
	return cells
}

// combinedEditor returns the editor's text for a new segment of a set
// operation of two stored segments (query a, b, op), and whether one was
// asked for.
func (s *Server) combinedEditor(c *gin.Context) (string, bool, error) {
	a, b := c.Query("a"), c.Query("b")
	if a == "" && b == "" {
		return "", false, nil
	}
	seg, err := combinedDefinition(c.Request.Context(), s.segStore, a, b, c.DefaultQuery("op", segment.OpBoth))
	if err != nil {
		return "", true, err
	}
	def, _ := json.MarshalIndent(editable{Name: seg.Name, Description: seg.Description, Where: seg.Where}, "", "  ")
	return string(def), true, nil
}
