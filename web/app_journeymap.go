package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/web/chart"
)

// Journey-map page limits.
const (
	mapMaxDepth     = 6
	mapDefaultDepth = 3
	mapPathLimit    = 200 // paths drawn; the rest is reported as "other"
	pageNodePeople  = 50  // people behind a map node per page
)

// journeyMapData is the journey map page's.
type journeyMapData struct {
	layout
	reportScope
	saveForm               // saves the people behind the selected node
	Step, Dir, Unit string // the map's parameters
	Depth           int    // columns drawn
	Depths          []int  // the depths to choose from
	Friction        bool   // mark the transitions that lose most
	R               *report.PathReport
	Sankey          template.HTML
	Node            string // the selected node's step; "" for none
	NodeColumn      int    // its column, from 1
	Through         []mapPath
	NodePeople      *report.NodePeople // a page of the people behind the node
	NodeUndrawn     int                // of them, the people on paths not drawn
	NodeNext        string             // links to the next and previous pages
	NodePrev        string
}

func (*journeyMapData) pageName() string { return "journeymap" }

// journeyMapPage draws a Sankey of the top paths from (or to) a step. A
// node links to the same page with that node selected, which lists the top
// paths through it, each with a link to its strict funnel (whose pages list
// the people who dropped at each step), and the people behind the node,
// paged, with a form saving them as a segment.
func (s *Server) journeyMapPage(c *gin.Context) {
	data := &journeyMapData{}
	q, err := s.mapQuery(c, data)
	if err == nil {
		err = s.journeyMap(c, q, data)
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	s.render(c, http.StatusOK, data)
}

// mapQuery reads the journey map's parameters (step, dir, depth, unit and
// the scope) into data, and returns its path query.
func (s *Server) mapQuery(c *gin.Context, data *journeyMapData) (report.PathQuery, error) {
	f, scope, err := pageScope(c)
	data.reportScope = scope
	step, dir := strings.TrimSpace(c.Query("step")), c.DefaultQuery("dir", "from")
	unit := c.DefaultQuery("unit", string(journeys.UnitSession))
	data.Step, data.Dir, data.Unit, data.Depths = step, dir, unit, []int{1, 2, 3, 4, 5, 6}
	depth := mapDefaultDepth
	if d, _ := intParam(c, "depth"); d != 0 {
		depth = d
	}
	data.Depth = depth
	if err == nil {
		switch {
		case depth < 1 || depth > mapMaxDepth:
			err = fieldError("depth", "%d is not from 1 to %d", depth, mapMaxDepth)
		case dir != "from" && dir != "to":
			err = fieldError("dir", "%q is not from or to", dir)
		case dir == "to" && step == "":
			err = fieldError("step", "choose the step the journeys lead to")
		}
	}
	if err == nil && s.analyst == nil {
		err = journeys.Errorf(journeys.ENOTFOUND, "reports are not enabled on this server")
	}
	q := report.PathQuery{Depth: depth, Unit: journeys.Unit(unit), Limit: mapPathLimit, Filter: f}
	if dir == "from" {
		q.Start = step
	} else {
		q.End = step
	}
	return q, err
}

// mapParams are the parameters that draw the map of q (and select node
// when not "").
func mapParams(q report.PathQuery, node string) url.Values {
	step, dir := q.Start, "from"
	if q.End != "" {
		step, dir = q.End, "to"
	}
	v := url.Values{"step": {step}, "dir": {dir}, "depth": {strconv.Itoa(q.Depth)}, "unit": {string(q.Unit)}}
	if node != "" {
		v.Set("node", node)
	}
	return v
}

// journeyMap fills data with the map of q and, when a node is selected,
// the paths and people through it.
func (s *Server) journeyMap(c *gin.Context, q report.PathQuery, data *journeyMapData) error {
	rep, err := s.analyst.Paths(c.Request.Context(), q)
	if err != nil {
		return err
	}
	sk := chart.LayoutSankey(rep.Paths, q.Depth, q.End != "")
	if c.Query("friction") == "1" {
		data.Friction = true
		if sk.Friction, err = s.mapFriction(c, q.Filter, string(q.Unit)); err != nil {
			return err
		}
	}
	for i := range sk.Nodes {
		n := &sk.Nodes[i]
		n.Href = "/app/map?" + scopeQuery(c, mapParams(q, strconv.Itoa(n.Col)+":"+n.Step)) + "#through"
	}
	data.R, data.Sankey = &rep, sk.SVG("journey map")
	if node := c.Query("node"); node != "" {
		col, step, err := parseNode(node)
		if err != nil {
			return err
		}
		data.Node, data.NodeColumn = step, col+1
		data.Through = s.pathsThrough(c, rep.Paths, node, q.Depth, q.End != "")
		return s.nodePeople(c, report.NodeQuery{Path: q, Column: col, Step: step}, data)
	}
	return nil
}

// nodePeople fills data with a page of the people behind a map node (the
// offset parameter says which), its paging links and the form saving them
// all as a segment.
func (s *Server) nodePeople(c *gin.Context, nq report.NodeQuery, data *journeyMapData) error {
	var err error
	if nq.Offset, err = intParam(c, "offset"); err != nil {
		return err
	}
	nq.Limit = pageNodePeople
	np, err := s.analyst.NodePeople(c.Request.Context(), nq)
	if err != nil {
		return err
	}
	node := strconv.Itoa(nq.Column) + ":" + nq.Step
	data.NodePeople, data.NodeUndrawn = &np, np.Total-np.Drawn
	page := func(offset int) string {
		return "/app/map?" + scopeQuery(c, withParam(mapParams(nq.Path, node), "offset", strconv.Itoa(offset))) + "#node-people"
	}
	if np.NextOffset != nil {
		data.NodeNext = page(*np.NextOffset)
	}
	if nq.Offset > 0 {
		data.NodePrev = page(max(0, nq.Offset-pageNodePeople))
	}
	if s.segmentsServed() && np.Total > 0 {
		data.SaveAction, data.SaveCount = "/app/map/segment?"+scopeQuery(c, mapParams(nq.Path, node))+"#node-people", np.Total
		if !data.nameGiven {
			data.SaveName = segmentName("through_"+nq.Step, fmt.Sprintf("col%d", nq.Column+1))
		}
	}
	return nil
}

// mapFrictionEdges is how many of the friction report's worst transitions
// the journey map marks.
const mapFrictionEdges = 10

// mapFriction returns the transitions that lose the most conversions (from
// the friction report over the same scope and unit), to mark on the map.
func (s *Server) mapFriction(c *gin.Context, f journeys.Filter, unit string) (map[[2]string]float64, error) {
	if s.models == nil {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "friction is not enabled on this server")
	}
	rep, err := s.models.chains.Friction(c.Request.Context(), chain.FrictionQuery{Filter: f,
		Unit: journeys.Unit(unit), Edges: mapFrictionEdges, EdgesOnly: true})
	if err != nil {
		return nil, err
	}
	out := map[[2]string]float64{}
	for _, e := range rep.Edges {
		if e.Lost > 0 {
			out[[2]string{e.From, e.To}] = e.Lost
		}
	}
	return out, nil
}

// mapPath is a path through a selected node, with its funnel link.
type mapPath struct {
	report.Path
	Funnel string // the strict funnel of its steps; "" when it has fewer than 2
}

// pathsThrough lists the paths whose step at column col is the node's
// ("col:step").
func (s *Server) pathsThrough(c *gin.Context, paths []report.Path, node string, columns int, alignRight bool) []mapPath {
	colS, step, _ := strings.Cut(node, ":")
	col, _ := strconv.Atoi(colS)
	var out []mapPath
	for _, p := range paths {
		i := col
		if alignRight {
			i = col - (columns - len(p.Steps))
		}
		if i < 0 || i >= len(p.Steps) || p.Steps[i] != step {
			continue
		}
		mp := mapPath{Path: p}
		var steps []string
		for _, st := range p.Steps {
			if !chart.IsMarker(st) {
				steps = append(steps, st)
			}
		}
		if len(steps) >= 2 {
			mp.Funnel = "/app/funnels?" + scopeQuery(c, url.Values{"steps": {strings.Join(steps, ",")}, "order": {report.OrderStrict}})
		}
		out = append(out, mp)
	}
	return out
}
