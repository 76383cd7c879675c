package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

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

// parseNode reads a map node, "col:step" with col from 0.
func parseNode(node string) (int, string, error) {
	col, step, ok := strings.Cut(node, ":")
	n, err := strconv.Atoi(col)
	if !ok || err != nil {
		return 0, "", fieldError("node", "%q is not column:step (such as 1:add_to_cart)", node)
	}
	return n, step, nil
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
