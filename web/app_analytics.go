package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// Journey-map and funnel page limits.
const (
	mapMaxDepth     = 6
	mapDefaultDepth = 3
	mapPathLimit    = 200 // paths drawn; the rest is reported as "other"
	pageDroppedSize = 50  // dropped people per page
	pageNodePeople  = 50  // people behind a map node per page
)

// registerAnalyticsPages adds the report pages: journey map, funnels,
// friction, attribution and hidden states, and the forms saving the people
// behind a map node or a funnel drop as a segment. Every page reads the hidden
// query parameter person_prefix (journeys.Filter.PersonPrefix) as its
// scope: tests and multi-tenant deployments use it to see only the people
// whose id starts with it.
func (s *Server) registerAnalyticsPages(g *gin.RouterGroup) {
	g.GET("/map", s.journeyMapPage)
	g.GET("/funnels", s.funnelsPage)
	g.POST("/map/segment", s.mapSegmentPost)
	g.POST("/funnels/segment", s.funnelSegmentPost)
	g.GET("/friction", s.frictionPage)
	g.GET("/attribution", s.attributionPage)
	g.GET("/states", s.statesPage)
	g.POST("/states/rename", s.renameStatePage)
}

// pageScope reads the filter of a report page (from, to, channel, device,
// person_prefix and segment, as the JSON API) and the page data echoing it.
func pageScope(c *gin.Context) (journeys.Filter, gin.H, error) {
	data := gin.H{"Prefix": c.Query("person_prefix"), "From": c.Query("from"), "To": c.Query("to"), "Segment": c.Query("segment")}
	f, err := filterParams(c)
	return f, data, err
}

// scopeQuery returns the query string keeping the page's scope, to which
// extra parameters are added.
func scopeQuery(c *gin.Context, extra url.Values) string {
	v := url.Values{}
	for _, k := range []string{"person_prefix", "from", "to", "channel", "device", "segment"} {
		if x := c.Query(k); x != "" {
			v.Set(k, x)
		}
	}
	for k, xs := range extra {
		v[k] = xs
	}
	return v.Encode()
}

// journeyMapPage draws a Sankey of the top paths from (or to) a step. A
// node links to the same page with that node selected, which lists the top
// paths through it, each with a link to its strict funnel (whose pages list
// the people who dropped at each step), and the people behind the node,
// paged, with a form saving them as a segment.
func (s *Server) journeyMapPage(c *gin.Context) {
	data := gin.H{}
	q, err := s.mapQuery(c, data)
	if err == nil {
		err = s.journeyMap(c, q, data)
	}
	if err != nil {
		s.renderError(c, "journeymap", data, err)
		return
	}
	s.render(c, http.StatusOK, "journeymap", data)
}

// mapQuery reads the journey map's parameters (step, dir, depth, unit and
// the scope) into data, and returns its path query.
func (s *Server) mapQuery(c *gin.Context, data gin.H) (report.PathQuery, error) {
	f, scope, err := pageScope(c)
	for k, v := range scope {
		data[k] = v
	}
	step, dir := strings.TrimSpace(c.Query("step")), c.DefaultQuery("dir", "from")
	unit := c.DefaultQuery("unit", string(journeys.UnitSession))
	data["Step"], data["Dir"], data["Unit"], data["Depths"] = step, dir, unit, []int{1, 2, 3, 4, 5, 6}
	depth := mapDefaultDepth
	if d, _ := intParam(c, "depth"); d != 0 {
		depth = d
	}
	data["Depth"] = depth
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
func (s *Server) journeyMap(c *gin.Context, q report.PathQuery, data gin.H) error {
	rep, err := s.analyst.Paths(c.Request.Context(), q)
	if err != nil {
		return err
	}
	sk := layoutSankey(rep.Paths, q.Depth, q.End != "")
	if c.Query("friction") == "1" {
		data["Friction"] = true
		if sk.Friction, err = s.mapFriction(c, q.Filter, string(q.Unit)); err != nil {
			return err
		}
	}
	for i := range sk.Nodes {
		n := &sk.Nodes[i]
		n.Href = "/app/map?" + scopeQuery(c, mapParams(q, strconv.Itoa(n.Col)+":"+n.Step)) + "#through"
	}
	data["R"], data["Sankey"] = rep, sk.SVG("journey map")
	if node := c.Query("node"); node != "" {
		col, step, err := parseNode(node)
		if err != nil {
			return err
		}
		data["Node"], data["NodeColumn"] = step, col+1
		data["Through"] = s.pathsThrough(c, rep.Paths, node, q.Depth, q.End != "")
		return s.nodePeople(c, report.NodeQuery{Path: q, Column: col, Step: step}, data)
	}
	return nil
}

// nodePeople fills data with a page of the people behind a map node (the
// offset parameter says which), its paging links and the form saving them
// all as a segment.
func (s *Server) nodePeople(c *gin.Context, nq report.NodeQuery, data gin.H) error {
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
	data["NodePeople"], data["NodeUndrawn"] = np, np.Total-np.Drawn
	page := func(offset int) string {
		return "/app/map?" + scopeQuery(c, withParam(mapParams(nq.Path, node), "offset", strconv.Itoa(offset))) + "#node-people"
	}
	if np.NextOffset != nil {
		data["NodeNext"] = page(*np.NextOffset)
	}
	if nq.Offset > 0 {
		data["NodePrev"] = page(max(0, nq.Offset-pageNodePeople))
	}
	if s.segmentsServed() && np.Total > 0 {
		data["SaveAction"], data["SaveCount"] = "/app/map/segment?"+scopeQuery(c, mapParams(nq.Path, node))+"#node-people", np.Total
		if _, ok := data["SaveName"]; !ok {
			data["SaveName"] = segmentName("through_"+nq.Step, fmt.Sprintf("col%d", nq.Column+1))
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
			if !isMarker(st) {
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

// funnelsPage builds a funnel from ?steps=a,b,c&window=&order= (a GET form,
// so the URL can be shared) and, with ?at=i, lists a page of the people
// who dropped at step i, with a form saving them all as a segment.
func (s *Server) funnelsPage(c *gin.Context) {
	data := gin.H{}
	fn, ok, err := s.funnelQuery(c, data)
	if err == nil && ok {
		err = s.funnelReport(c, fn, data)
	}
	if err != nil {
		s.renderError(c, "funnels", data, err)
		return
	}
	s.render(c, http.StatusOK, "funnels", data)
}

// funnelQuery reads the funnel builder's parameters into data and returns
// the funnel; ok is false when no steps were given yet.
func (s *Server) funnelQuery(c *gin.Context, data gin.H) (report.Funnel, bool, error) {
	f, scope, err := pageScope(c)
	for k, v := range scope {
		data[k] = v
	}
	stepsText := c.Query("steps")
	data["Steps"], data["Window"], data["Order"] = stepsText, c.Query("window"), c.DefaultQuery("order", report.OrderOrdered)
	data["Orders"] = []string{report.OrderOrdered, report.OrderStrict, report.OrderAny}
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
func (s *Server) funnelReport(c *gin.Context, fn report.Funnel, data gin.H) error {
	rep, err := s.analyst.Funnel(c.Request.Context(), fn)
	if err != nil {
		return err
	}
	base := funnelParams(c, fn)
	data["R"], data["Bars"] = rep, funnelBars(rep)
	links := make([]string, len(rep.Steps))
	for i := 1; i < len(rep.Steps); i++ {
		links[i] = "/app/funnels?" + scopeQuery(c, withParam(base, "at", strconv.Itoa(i))) + "#dropped"
	}
	data["DroppedLinks"] = links
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
	data["Dropped"] = page
	if page.NextOffset != nil {
		data["NextPage"] = "/app/funnels?" + scopeQuery(c, withParam(withParam(base, "at", at), "offset", strconv.Itoa(*page.NextOffset))) + "#dropped"
	}
	if offset > 0 {
		data["PrevPage"] = "/app/funnels?" + scopeQuery(c, withParam(withParam(base, "at", at), "offset", strconv.Itoa(max(0, offset-pageDroppedSize)))) + "#dropped"
	}
	if s.segmentsServed() && page.Total > 0 {
		data["SaveAction"], data["SaveCount"] = "/app/funnels/segment?"+scopeQuery(c, withParam(base, "at", at))+"#dropped", page.Total
		if _, ok := data["SaveName"]; !ok {
			data["SaveName"] = segmentName("dropped_before_"+page.StepName, "")
		}
	}
	return nil
}

// withParam returns a copy of v with k set to x.
func withParam(v url.Values, k, x string) url.Values {
	out := url.Values{}
	for key, xs := range v {
		out[key] = xs
	}
	out.Set(k, x)
	return out
}

// modelsMissing renders a page saying that the model services are not
// configured (WithModels), rather than failing.
func (s *Server) modelsMissing(c *gin.Context, page string, data gin.H) bool {
	if s.models != nil {
		return false
	}
	data["Missing"] = "Friction, attribution and hidden states are not enabled on this server."
	s.render(c, http.StatusOK, page, data)
	return true
}

// frictionPage shows the steps ranked by lost conversions, the edges that
// lose most, and the improbable journeys.
func (s *Server) frictionPage(c *gin.Context) {
	f, data, err := pageScope(c)
	data["Unit"], data["Conversion"] = c.Query("unit"), c.Query("conversion")
	if s.modelsMissing(c, "friction", data) {
		return
	}
	if err != nil {
		s.renderError(c, "friction", data, err)
		return
	}
	rep, err := s.models.chains.Friction(c.Request.Context(), chain.FrictionQuery{Filter: f,
		Unit: journeys.Unit(c.Query("unit")), Conversion: c.Query("conversion"), Edges: 10})
	if err != nil {
		s.renderError(c, "friction", data, err)
		return
	}
	data["R"] = rep
	s.render(c, http.StatusOK, "friction", data)
}

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
	f, data, err := pageScope(c)
	data["Conversion"] = c.Query("conversion")
	if s.modelsMissing(c, "attribution", data) {
		return
	}
	if err != nil {
		s.renderError(c, "attribution", data, err)
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
				s.renderError(c, "attribution", data, err)
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
			t.Rows = append(t.Rows, creditRow{TouchCredit: tc, Bars: creditBars(tc, top)})
		}
		tables = append(tables, t)
	}
	data["Tables"] = tables
	s.render(c, http.StatusOK, "attribution", data)
}

// statesPage shows the current hidden-state model of the scope
// (person_prefix) as a diagram and a table, with rename forms.
func (s *Server) statesPage(c *gin.Context) {
	scope := c.Query("person_prefix")
	data := gin.H{"Prefix": scope, "MinP": c.DefaultQuery("min_p", "0.1")}
	if s.modelsMissing(c, "states", data) {
		return
	}
	minP, err := strconv.ParseFloat(c.DefaultQuery("min_p", "0.1"), 64)
	if err != nil || minP < 0 || minP > 1 {
		s.renderError(c, "states", data, fieldError("min_p", "%q is not a probability", c.Query("min_p")))
		return
	}
	v, err := s.models.models.Current(c.Request.Context(), scope)
	if journeys.ErrorCode(err) == journeys.ENOTFOUND {
		data["Missing"] = "No model has been fitted for this scope yet (POST /api/v1/models fits one)."
		s.render(c, http.StatusOK, "states", data)
		return
	}
	if err != nil {
		s.renderError(c, "states", data, err)
		return
	}
	data["M"], data["Diagram"] = v, stateDiagram(v, minP)
	s.render(c, http.StatusOK, "states", data)
}

// renameStatePage renames a state of the scope's current model (a form
// post, CSRF-checked by requireSignIn) and goes back to the states page.
func (s *Server) renameStatePage(c *gin.Context) {
	scope := c.PostForm("person_prefix")
	data := gin.H{"Prefix": scope, "MinP": "0.1"}
	if s.modelsMissing(c, "states", data) {
		return
	}
	index, err := strconv.Atoi(c.PostForm("index"))
	if err != nil || index < 0 {
		s.renderError(c, "states", data, fieldError("index", "%q is not a state index", c.PostForm("index")))
		return
	}
	if _, err := s.models.models.RenameState(c.Request.Context(), scope, index, strings.TrimSpace(c.PostForm("label"))); err != nil {
		s.renderError(c, "states", data, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/app/states?"+url.Values{"person_prefix": {scope}}.Encode())
}
