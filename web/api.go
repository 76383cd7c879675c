package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
)

// registerAPIRoutes adds the health checks, the JSON API under /api/v1 and
// Segment's tracking API paths under /v1. Sending events needs the ingest
// role, reads the read role, changes (segments, step rules, webhooks,
// models, erasure) the admin role; see Role.
func (s *Server) registerAPIRoutes(r *gin.Engine) {
	s.registerHealthRoutes(r.Group(""))
	api := r.Group("/api/v1")
	s.registerEventRoutes(api.Group("", s.requireKey(RoleIngest)))
	s.registerSegmentCompatRoutes(r.Group("/v1", s.requireKey(RoleIngest)))
	read, admin := api.Group("", s.requireKey(RoleRead)), api.Group("", s.requireKey(RoleAdmin))
	s.registerPeopleRoutes(read, admin)
	s.registerSegmentRoutes(read, admin)
	s.registerWebhookRoutes(admin, admin) // webhook URLs and delivery logs are the admin's
	s.registerAnalyticsRoutes(read)
	s.registerStepRuleRoutes(read, admin)
	s.registerModelRoutes(read, admin)
	s.registerClusterRoutes(read, admin)
	s.registerPropensityRoutes(read)
	s.registerMetricsRoutes(r.Group("", s.requireKey(RoleRead)))
}

// requireKey accepts a request carrying a key whose role allows need, as
// "Authorization: Bearer KEY" or, as Segment's libraries send it, as the
// user name of HTTP basic auth: 401 without a known key, 403 when its role
// does not allow need.
func (s *Server) requireKey(need Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		got := ""
		if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
			got = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		} else if user, _, ok := c.Request.BasicAuth(); ok {
			got = user
		}
		if got == "" {
			s.fail(c, journeys.Errorf(journeys.EUNAUTHORIZED, "missing API key: send Authorization: Bearer <key>"))
			return
		}
		role := s.keys.roleOf(got)
		switch {
		case role == 0:
			s.fail(c, journeys.Errorf(journeys.EUNAUTHORIZED, "API key not valid"))
		case !role.Allows(need):
			s.fail(c, journeys.Errorf(journeys.EFORBIDDEN, "%s %s needs the %s role; this key has the %s role", c.Request.Method, c.FullPath(), need, role))
		default:
			c.Next()
		}
	}
}

// retryAfterSeconds is the hint sent with 503 answers.
const retryAfterSeconds = "5"

// unavailableMessage is the message of every 503 answer.
const unavailableMessage = "the store is unavailable; nothing was stored: retry later"

// errorBody is the one JSON error envelope.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail is an error's code, message and per-row or per-field details.
type errorDetail struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Details []journeys.RowError `json:"details,omitempty"`
	// Total counts the problems when there are details, of which at most
	// journeys.MaxListedRows are listed (Truncated says some were not).
	Total     int  `json:"total,omitempty"`
	Truncated bool `json:"truncated,omitempty"`
}

// fail answers with err in the error envelope. Internal errors are logged
// here, at the edge, and their text is not shown to the client.
func (s *Server) fail(c *gin.Context, err error) {
	code := journeys.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := errorDetail{Code: code, Message: journeys.ErrorMessage(err)}
	if jerr, ok := err.(*journeys.Error); ok && len(jerr.Details) > 0 {
		body.Details, body.Total = jerr.Details, max(jerr.Total, len(jerr.Details))
		if len(body.Details) > journeys.MaxListedRows {
			body.Details = body.Details[:journeys.MaxListedRows]
		}
		body.Truncated = body.Total > len(body.Details)
	}
	switch code {
	case journeys.EINTERNAL:
		s.cfg.Log.WithError(err).WithField("path", c.Request.URL.Path).Error("internal error")
		body.Message = "internal error"
	case journeys.EUNAVAILABLE:
		s.cfg.Log.WithError(err).Warn("store unavailable")
		c.Header("Retry-After", retryAfterSeconds)
		body.Message = unavailableMessage
	}
	c.AbortWithStatusJSON(status, errorBody{Error: body})
}

// decodeBody reads a JSON body into v; unknown fields are refused, so a
// typo does not silently change a report.
func (s *Server) decodeBody(c *gin.Context, v any) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
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

// intParam reads an optional whole-number query parameter in [lo, hi].
func (s *Server) intParam(c *gin.Context, key string, def, lo, hi int) (int, bool) {
	v := c.Query(key)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		s.fail(c, journeys.Errorf(journeys.EINVALID, "%s: %q is not a whole number from %d to %d", key, v, lo, hi))
		return 0, false
	}
	return n, true
}

// timeParam reads an optional time query parameter (zero when absent).
func (s *Server) timeParam(c *gin.Context, key string) (time.Time, bool) {
	v := c.Query(key)
	if v == "" {
		return time.Time{}, true
	}
	t, err := journeys.ParseTime(v)
	if err != nil {
		s.fail(c, journeys.Errorf(journeys.EINVALID, "%s: %s", key, journeys.ErrorMessage(err)))
		return time.Time{}, false
	}
	return t, true
}
