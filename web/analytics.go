package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// Analyst answers the journey reports (journeys.Analytics does). Each
// method returns errors with code EINVALID for a bad query, naming the
// field, and EUNAVAILABLE when the store cannot be reached.
type Analyst interface {
	Paths(ctx context.Context, q report.PathQuery) (report.PathReport, error)
	Transitions(ctx context.Context, q report.TransitionQuery) (report.TransitionReport, error)
	Funnel(ctx context.Context, f report.Funnel) (report.FunnelReport, error)
	FunnelDropped(ctx context.Context, q report.DroppedQuery) (report.DroppedPage, error)
	FunnelDroppedIDs(ctx context.Context, q report.DroppedQuery) ([]string, error)
	NodePeople(ctx context.Context, q report.NodeQuery) (report.NodePeople, error)
}

// SetAnalyst gives the server the reports' service; call it before
// serving. Without one the report routes answer 404.
func (s *Server) SetAnalyst(a Analyst) { s.analyst = a }

// registerAnalyticsRoutes serves the reports under the read key:
//
//	GET  /paths?start=&end=&depth=&unit=&limit=&from=&to=&channel=&device=&segment=
//	GET  /paths/people?(the same)&node=col:step&offset=&page_size=
//	GET  /transitions?unit=&from=&to=&channel=&device=&segment=
//	POST /funnels            body: a journeys.Funnel
//	POST /funnels/dropped    body: a journeys.DroppedQuery
func (s *Server) registerAnalyticsRoutes(g *gin.RouterGroup) {
	g.GET("/paths", s.paths)
	g.GET("/paths/people", s.pathPeople)
	g.GET("/transitions", s.transitions)
	g.POST("/funnels", s.funnel)
	g.POST("/funnels/dropped", s.funnelDropped)
}

func (s *Server) paths(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	q, err := pathParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.analyst.Paths(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// pathParams reads a path query: start, end, depth, unit, limit and the
// filter.
func pathParams(c *gin.Context) (report.PathQuery, error) {
	q := report.PathQuery{Start: c.Query("start"), End: c.Query("end"), Unit: journeys.Unit(c.Query("unit"))}
	var err error
	if q.Depth, err = intParam(c, "depth"); err != nil {
		return q, err
	}
	if q.Limit, err = intParam(c, "limit"); err != nil {
		return q, err
	}
	q.Filter, err = filterParams(c)
	return q, err
}

// pathPeople answers a page of the people behind a node of the paths'
// map: the path query's parameters, node=col:step (col from 0), offset and
// page_size (journeys.NodeQuery's Limit).
func (s *Server) pathPeople(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	q, err := pathParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	nq := report.NodeQuery{Path: q}
	if nq.Column, nq.Step, err = parseNode(c.Query("node")); err != nil {
		s.fail(c, err)
		return
	}
	if nq.Offset, err = intParam(c, "offset"); err != nil {
		s.fail(c, err)
		return
	}
	if nq.Limit, err = intParam(c, "page_size"); err != nil {
		s.fail(c, err)
		return
	}
	np, err := s.analyst.NodePeople(c.Request.Context(), nq)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, np)
}

// parseNode reads a map node, "col:step" with col from 0.
func parseNode(node string) (int, string, error) {
	col, step, ok := strings.Cut(node, ":")
	n, err := strconv.Atoi(col)
	if !ok || err != nil {
		return 0, "", fieldError("node", "%q is not column:step (such as 1:add_to_cart)", node)
	}
	return n, step, nil
}

func (s *Server) transitions(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	f, err := filterParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.analyst.Transitions(c.Request.Context(), report.TransitionQuery{Unit: journeys.Unit(c.Query("unit")), Filter: f})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) funnel(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	var f report.Funnel
	if err := s.decodeBody(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.analyst.Funnel(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) funnelDropped(c *gin.Context) {
	if !s.hasAnalyst(c) {
		return
	}
	var q report.DroppedQuery
	if err := s.decodeBody(c, &q); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.analyst.FunnelDropped(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

func (s *Server) hasAnalyst(c *gin.Context) bool {
	if s.analyst == nil {
		s.fail(c, journeys.Errorf(journeys.ENOTFOUND, "reports are not enabled on this server"))
		return false
	}
	return true
}

// decodeBody reads a JSON body into v; unknown fields are refused, so a
// typo does not silently change a report.
func (s *Server) decodeBody(c *gin.Context, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return journeys.Errorf(journeys.ETOOLARGE, "body: larger than %d bytes", s.cfg.MaxBodyBytes)
		}
		return journeys.Errorf(journeys.EINVALID, "body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var jerr *journeys.Error
		if errors.As(err, &jerr) {
			return journeys.Errorf(journeys.EINVALID, "body: %s", jerr.Message)
		}
		return journeys.Errorf(journeys.EINVALID, "body: %v", err)
	}
	return nil
}

// intParam reads an optional whole-number query parameter (0 when absent).
func intParam(c *gin.Context, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fieldError(name, "%q is not a whole number", v)
	}
	return n, nil
}

// filterParams reads from, to (RFC 3339, a date or epoch), channel,
// device and person_prefix.
func filterParams(c *gin.Context) (journeys.Filter, error) {
	f := journeys.Filter{Channel: c.Query("channel"), Device: c.Query("device"), PersonPrefix: c.Query("person_prefix"),
		Segment: c.Query("segment")}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v := c.Query(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			if t, err = journeys.ParseTime(v); err != nil {
				return f, fieldError(p.name, "%s", journeys.ErrorMessage(err))
			}
		}
		*p.dst = t
	}
	return f, nil
}

// fieldError is an EINVALID error whose message and detail name a field.
func fieldError(field, format string, args ...any) error {
	d := journeys.RowError{Field: field, Problem: fmt.Sprintf(format, args...)}
	return &journeys.Error{Code: journeys.EINVALID, Message: d.Error(), Details: []journeys.RowError{d}}
}
